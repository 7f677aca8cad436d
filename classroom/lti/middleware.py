"""LTI pages inside the LMS's iframe: who may frame them, and cookies that a frame keeps.

Every other page keeps `frame-ancestors 'none'` and X-Frame-Options DENY. A request is an
LTI one when its view says so (`request.lti_frame_origins`: the login, launch and entry
pages) or when its session began with a launch (FRAME_KEY holds the launching platform's
origins). Such a session's cookies are SameSite=None; Secure; Partitioned: the frame is a
third party on the platform's page, where a browser sends no Lax cookie and may keep no
unpartitioned one at all.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.csp import CSP

FRAME_KEY = "lti_frame_origins"


class LtiFrameMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        in_lti_session = False
        origins = getattr(request, "lti_frame_origins", None)
        # Only a session the request already read: the poll's fast path reads none, and its
        # answer is neither framed nor sets a cookie.
        loaded = getattr(getattr(request, "session", None), "_session_cache", None)
        if loaded is not None:
            session_origins = loaded.get(FRAME_KEY)
            if session_origins is not None:
                in_lti_session = True
                origins = session_origins if origins is None else origins
        if origins is not None:
            policy = getattr(response, "_csp_config", None) or settings.SECURE_CSP
            response._csp_config = {**policy, "frame-ancestors": list(origins) or [CSP.NONE]}
            if origins:
                del response["X-Frame-Options"]
        if in_lti_session:
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
                if name in response.cookies:
                    cookie = response.cookies[name]
                    cookie["samesite"], cookie["secure"], cookie["partitioned"] = "None", True, True
        return response
