"""The JavaScript catalog: the strings of static/js/*.js in the page's language, as a file.

Its URL names the language and a version of the catalog, so a browser keeps it for a year
and asks again only when a deploy changes the translations (or the page's language). The
base page loads it with <script src> (the CSP allows no inline script) before app.js; polls
and htmx fragments do not load it again.
"""

import hashlib
from functools import cache

import django
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.i18n import JavaScriptCatalog

from classroom.middleware import activates_time_zone_itself

YEAR = 365 * 24 * 3600


@cache
def catalog_version(language: str) -> str:
    """Changes when the language's compiled djangojs catalog or Django's own changes (read once
    per process: a deploy restarts it)."""
    digest = hashlib.sha256(django.__version__.encode())
    for folder in settings.LOCALE_PATHS:
        compiled = folder / language / "LC_MESSAGES" / "djangojs.mo"
        if compiled.exists():
            digest.update(compiled.read_bytes())
    return digest.hexdigest()[:12]


def catalog_url() -> str:
    language = translation.get_language() or settings.LANGUAGE_CODE
    return reverse("js_catalog", args=[language, catalog_version(language)])


def context(request: HttpRequest) -> dict:
    # A callable: the template calls it only on a page that loads the catalog (base.html).
    return {"js_catalog_url": catalog_url}


@login_not_required
@activates_time_zone_itself  # reads no session: the same file for everyone in this language
@require_GET
@cache_control(public=True, max_age=YEAR, immutable=True)
def js_catalog(request: HttpRequest, language: str, version: str) -> HttpResponse:
    if language not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    with translation.override(language):
        response = JavaScriptCatalog.as_view(domain="djangojs")(request)
    response["Content-Language"] = language
    return response
