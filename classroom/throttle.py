"""Rate limits on logging in and on posting, counted in the cache (Redis in production).

A fixed-window counter: one cache key per who and per time bucket, created with
`cache.add` and counted up with `cache.incr`, both atomic in Redis. Crude at the
edge of a window (a burst may straddle two), which is fine for slowing down
password guessing and runaway posting.

Login: after AGORA_LOGIN_ATTEMPTS failed attempts for one username, or
AGORA_LOGIN_ATTEMPTS_PER_ADDRESS from one address, within AGORA_LOGIN_WINDOW
seconds, every attempt (the right password too) is refused until the window
ends. The login page answers those with status 429 and the form with a message.
A successful login clears the username's count, not the address's.

The address is REMOTE_ADDR. X-Forwarded-For is not trusted: behind a proxy, the
proxy (or the WSGI server, e.g. gunicorn's --forwarded-allow-ips) must set
REMOTE_ADDR to the client's address, or every student counts as the proxy.

Posting: each account posts (answers and replies) at most AGORA_POSTS_PER_MINUTE
times per minute; the views refuse more with a form error that keeps the text.
"""

import hashlib
import math
import time

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from classroom.models import User

POST_WINDOW = 60


def now() -> float:
    return time.time()


def _bucket_key(scope: str, who: str, window: int) -> tuple[str, float]:
    """The counter's key for the current window, and the seconds left in it."""
    moment = now()
    bucket = int(moment // window)
    return f"throttle:{scope}:{who}:{window}:{bucket}", (bucket + 1) * window - moment


def hit(scope: str, who: str, window: int) -> int:
    """Count one event; return the count in the current window, this one included."""
    key, left = _bucket_key(scope, who, window)
    cache.add(key, 0, timeout=math.ceil(left) + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: this is the window's first event
        cache.set(key, 1, timeout=math.ceil(left) + 1)
        return 1


def count(scope: str, who: str, window: int) -> int:
    key, _ = _bucket_key(scope, who, window)
    return cache.get(key, 0)


def reset(scope: str, who: str, window: int) -> None:
    key, _ = _bucket_key(scope, who, window)
    cache.delete(key)


def seconds_left(window: int) -> float:
    return _bucket_key("", "", window)[1]


# ---- login ----------------------------------------------------------------


def _account(username: str) -> str:
    # Hashed: a username may hold any character, and cache keys must not.
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


def _address(request: HttpRequest | None) -> str:
    return (request.META.get("REMOTE_ADDR") if request is not None else None) or "unknown"


def login_locked(request: HttpRequest | None, username: str) -> bool:
    window = settings.AGORA_LOGIN_WINDOW
    return (
        count("login-account", _account(username), window) >= settings.AGORA_LOGIN_ATTEMPTS
        or count("login-address", _address(request), window) >= settings.AGORA_LOGIN_ATTEMPTS_PER_ADDRESS
    )


def login_failed(request: HttpRequest | None, username: str) -> None:
    window = settings.AGORA_LOGIN_WINDOW
    hit("login-account", _account(username), window)
    hit("login-address", _address(request), window)


def login_succeeded(username: str) -> None:
    reset("login-account", _account(username), settings.AGORA_LOGIN_WINDOW)


def login_lock_message() -> str:
    minutes = max(1, math.ceil(seconds_left(settings.AGORA_LOGIN_WINDOW) / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many attempts. Wait {minutes} {unit}, or reset your password."


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing every attempt while the account or address is locked."""

    def clean(self) -> dict:
        username = self.cleaned_data.get("username") or ""
        if login_locked(self.request, username):
            raise forms.ValidationError(login_lock_message(), code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failed(self.request, username)
            raise
        if self.user_cache is not None:
            login_succeeded(username)
        return cleaned


class ThrottledLoginView(auth_views.LoginView):
    """The login page; a locked account or address gets status 429 with the form and message."""

    authentication_form = ThrottledAuthenticationForm

    def form_invalid(self, form: ThrottledAuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error("__all__", code="throttled"):
            response.status_code = 429
        return response


# ---- posting --------------------------------------------------------------


def post_allowed(author: User) -> bool:
    """Count one post by this author; False once they went over the limit this minute."""
    return hit("posts", str(author.pk), POST_WINDOW) <= settings.AGORA_POSTS_PER_MINUTE


POSTING_TOO_FAST = (
    "You are posting faster than the class allows. Wait a minute, then post again: your text is kept here."
)
