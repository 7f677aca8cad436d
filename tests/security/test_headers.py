"""Security headers on pages, secure cookies in production, and CSRF on every POST URL."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

HTMX = {"HX-Request": "true"}
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "Zq8#xLm2$vB9!pW4&nR7^tY1*aS3(dF6)gH0-jK5+lM8=qW2~eR4",
    "DJANGO_ALLOWED_HOSTS": "agora.example.edu",
}


def assert_security_headers(response) -> None:
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_login_page_sends_the_security_headers(client, db):
    assert_security_headers(client.get("/accounts/login/"))


def test_thread_page_sends_the_security_headers_plain_and_htmx(student_client, thread):
    url = reverse("classroom:thread_detail", args=[thread.pk])
    assert_security_headers(student_client.get(url))
    assert_security_headers(student_client.get(url, headers=HTMX))


def test_production_settings_make_cookies_secure_and_the_session_cookie_httponly():
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    names = [
        "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DEBUG",
    ]  # fmt: skip
    script = f"import json; from django.conf import settings; print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=settings.BASE_DIR,
        env=environment | PRODUCTION,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    production = json.loads(result.stdout.strip().splitlines()[-1])
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31_536_000


def test_with_https_settings_login_sets_secure_httponly_session_cookie(client, student, password, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"username": "sam", "password": password})
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert client.cookies[settings.CSRF_COOKIE_NAME]["secure"] is True


# ---- CSRF -------------------------------------------------------------------

DUMMY = {
    "IntConverter": 1,
    "IdConverter": 1,
    "StringConverter": "x",
    "SlugConverter": "x",
    "PathConverter": "x",
    "UUIDConverter": "00000000-0000-0000-0000-000000000000",
}


def every_url(patterns=None, namespace: str = "") -> list[str]:
    """Every named URL of the site (the admin's own pages aside), with dummy arguments."""
    urls = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            urls += every_url(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = entry.pattern.converters
            names = re.findall(r"<(?:\w+:)?(\w+)>", str(entry.pattern))
            kwargs = {name: DUMMY[type(converters[name]).__name__] for name in names}
            urls.append(reverse(f"{namespace}{entry.name}", kwargs=kwargs))
    return urls


# Posted with no CSRF token to give, each protected otherwise. The LMS posts the LTI login
# and launch from its own site: the OIDC state (in its cookie) and the nonce (spent once)
# protect them (tests/lti/). One-click unsubscribe (RFC 8058): a mail program POSTs it with
# no cookie and no token; the signed token in the URL authorises it
# (tests/integration/test_notifications.py).
CSRF_EXEMPT = {"/lti/login/", "/lti/launch/", reverse("classroom:notification_unsubscribe", args=["x"])}
POST_URLS = sorted((set(every_url()) | {"/admin/login/", "/admin/logout/"}) - CSRF_EXEMPT)


def test_every_url_list_holds_the_posting_views():
    assert reverse("classroom:response_create", args=[1]) in POST_URLS
    assert reverse("classroom:response_reply", args=[1]) in POST_URLS
    assert "/accounts/login/" in POST_URLS
    assert reverse("briefs:brief_list") in POST_URLS
    assert len(POST_URLS) > 30


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
@pytest.mark.parametrize("url", POST_URLS)
def test_post_without_csrf_token_is_refused(url, headers, instructor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(instructor)
    response = client.post(url, {"body": "No token."}, headers=headers)
    assert response.status_code == 403
    assert "Your form was not sent" in response.text  # our page for a failed CSRF check


def test_anonymous_login_post_without_csrf_token_is_refused(db):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403


def test_htmx_post_with_the_forms_csrf_token_is_accepted(student, thread):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    page = client.get(reverse("classroom:thread_detail", args=[thread.pk])).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    url = reverse("classroom:response_create", args=[thread.pk])
    response = client.post(url, {"body": "With a token.", "csrfmiddlewaretoken": token}, headers=HTMX)
    assert response.status_code == 200
    assert "With a token." in response.text
