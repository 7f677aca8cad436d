"""Agora as an LTI 1.3 Advantage tool: a course of an LMS becomes a group, a link a thread.

The library: django-lti (the `lti_tool` app, Academic Innovation, University of Michigan),
which runs PyLTI1p3 (PyJWT and jwcrypto underneath) for the OIDC login and the launch's
validation, and keeps the platform registrations, deployments, contexts, memberships,
resource links and the tool's keys in the database with an admin and a `rotate_keys`
command. We chose it over PyLTI1p3 alone (its Django contrib keeps state and nonces in a
per-process cache and registrations in a separate app with no key rotation; last release
2023) and over PyLTI1p3's forks (none released for Django 6): django-lti has releases for
Django 5.2-6.1, models we would otherwise write, and leaves the validation to PyLTI1p3.
This package adds what Agora needs on top: state and nonces kept in the database so every
worker sees them and a nonce is spent once (storage.py, launch.py), the person, group and
thread a launch leads to (actions.py), and sessions that live inside the LMS's iframe
(middleware.py).
"""
