"""Login required everywhere, also for htmx requests; times in the reader's zone, and pages
in the reader's language.

An htmx request from an expired session must not swap the login page into a
fragment of the thread: it gets HX-Redirect, and the whole page goes to login and
comes back to the page the student was on.
"""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import middleware
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone, translation
from django_htmx.http import HttpResponseClientRedirect

from classroom import languages


class LoginRequiredMiddleware(middleware.LoginRequiredMiddleware):
    def handle_no_permission(self, request: HttpRequest, view_func) -> HttpResponse:
        if getattr(request, "htmx", False):
            page = request.htmx.current_url_abs_path or "/"
            login_url = resolve_url(self.get_login_url(view_func))
            query = urlencode({self.get_redirect_field_name(view_func): page})
            return HttpResponseClientRedirect(f"{login_url}?{query}")
        return super().handle_no_permission(request, view_func)


def activate_time_zone(user) -> None:
    """Dates in templates, forms and the code's localtime() are the user's own from now on."""
    zone = user.zone if user.is_authenticated else None
    if zone is None:
        timezone.deactivate()  # the site's TIME_ZONE
    else:
        timezone.activate(zone)


def activates_time_zone_itself(view: Callable) -> Callable:
    """For a view that must not read the session before it has to (the poll's fast path):
    it calls activate_time_zone() and activate_language() once it has the user."""
    view.activates_time_zone_itself = True
    return view


class TimeZoneMiddleware:
    """Every page shows times in the signed-in reader's own zone (User.time_zone)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()  # a worker's thread starts the next request in the default zone

    def process_view(self, request: HttpRequest, view_func: Callable, view_args, view_kwargs) -> None:
        # Without a session cookie nobody is signed in: the health check reads no session.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return
        if getattr(view_func, "activates_time_zone_itself", False):
            return
        activate_time_zone(request.user)


def activate_language(request: HttpRequest) -> None:
    """A signed-in person's own language replaces the browser's (LocaleMiddleware's guess)."""
    user = request.user
    language = languages.supported(user.language) if user.is_authenticated else ""
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language


class LanguageMiddleware:
    """Every page in the signed-in reader's own language (User.language), when they chose one.

    After the login check, beside TimeZoneMiddleware: the session is read only when there is
    a session cookie, and a view that activates the time zone itself (the poll's fast path)
    activates the language itself too. LocaleMiddleware (outside) already said which language
    it guessed; Content-Language is set here to the one really used (unless the view named one).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response

    def process_view(self, request: HttpRequest, view_func: Callable, view_args, view_kwargs) -> None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return
        if getattr(view_func, "activates_time_zone_itself", False):
            return
        activate_language(request)
