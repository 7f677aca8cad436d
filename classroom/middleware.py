"""Login required everywhere, also for htmx requests.

An htmx request from an expired session must not swap the login page into a
fragment of the thread: it gets HX-Redirect, and the whole page goes to login and
comes back to the page the student was on.
"""

from urllib.parse import urlencode

from django.contrib.auth import middleware
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


class LoginRequiredMiddleware(middleware.LoginRequiredMiddleware):
    def handle_no_permission(self, request: HttpRequest, view_func) -> HttpResponse:
        if getattr(request, "htmx", False):
            page = request.htmx.current_url_abs_path or "/"
            login_url = resolve_url(self.get_login_url(view_func))
            query = urlencode({self.get_redirect_field_name(view_func): page})
            return HttpResponseClientRedirect(f"{login_url}?{query}")
        return super().handle_no_permission(request, view_func)
