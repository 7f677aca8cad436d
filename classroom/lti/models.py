"""What Agora keeps about LTI besides django-lti's registrations, users, contexts and links."""

from django.conf import settings
from django.db import models
from lti_tool.models import LtiContext, LtiRegistration, LtiResourceLink


class LaunchValue(models.Model):
    """A value of the OIDC login and launch (state, nonce, launch data) for PyLTI1p3, in the
    database so the worker that takes the launch sees what the login's worker stored."""

    key = models.CharField(max_length=255, unique=True)
    value = models.JSONField()
    expires_at = models.DateTimeField(db_index=True)


class PlatformFrame(models.Model):
    """Where a registered platform shows Agora in a frame: the origins its pages are on."""

    registration = models.OneToOneField(LtiRegistration, on_delete=models.CASCADE, related_name="frame")
    origins = models.TextField(
        blank=True,
        help_text="Origins of the LMS's pages that show Agora in a frame, one a line "
        "(https://school.instructure.com). The issuer's and login URL's origins are always allowed.",
    )


class Course(models.Model):
    """An LMS course (an LTI context) is an Agora group."""

    context = models.OneToOneField(LtiContext, on_delete=models.CASCADE, related_name="agora_course")
    group = models.ForeignKey("classroom.Group", on_delete=models.CASCADE, related_name="lti_courses")


class Link(models.Model):
    """An LMS link (an LTI resource link) opens one thread."""

    resource_link = models.OneToOneField(LtiResourceLink, on_delete=models.CASCADE, related_name="agora_link")
    assignment = models.ForeignKey("classroom.Assignment", on_delete=models.CASCADE, related_name="lti_links")


class LaunchTicket(models.Model):
    """A one-time, short-lived ticket that turns a validated launch into a session.

    The launch's POST comes from the platform's site; the ticket lets the next request, a
    GET to Agora itself, log the person in, and lets a browser that keeps no cookies in a
    frame continue in a new window.
    """

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    next_url = models.CharField(max_length=500)
    frame_origins = models.JSONField(default=list)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
