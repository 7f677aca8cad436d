"""Rate limits on logging in and on posting, counted where every worker and instance sees them.

A fixed-window counter: one key per limit, per who and per time window, counted up
by one atomic step, so that two workers counting at once both count. Crude at the
edge of a window (a burst may straddle two), which is fine for slowing down password
guessing and runaway posting.

Where the counts live (AGORA_THROTTLE_STORE, set from REDIS_URL): with Redis, in the
cache (`cache.add`, then `cache.incr`, both atomic in Redis); without it, in the
database, in ThrottleCount rows counted by one INSERT ... ON CONFLICT DO UPDATE
(classroom/sql.py). Never in a worker's own memory: with 2 workers each counting
its own, a limit of 5 let the 8th attempt be the first refused, and the 10th through.

Login: every attempt with a username and a password is counted before its password
is checked, so attempts sent at once cannot all slip under the limit:
- per username from one address (AGORA_LOGIN_ATTEMPTS): the student mistyping, or
  someone guessing from one place. Over it, that username is refused from that
  address, the right password too, until the window (AGORA_LOGIN_WINDOW) ends.
- per username from every address (AGORA_LOGIN_ATTEMPTS_PER_USERNAME, higher):
  guessing spread over many addresses. Over it, the username is refused from
  everywhere. Attempts already refused for their address do not count here, so one
  address alone cannot lock a username out of every other.
There is no limit per address alone: a school is often one address (NAT), and thirty
students of which some mistype must never lock out one who types the right password.
Guessing one password across many usernames from one address is left to the per
username limits and to the cost of the password hash. A successful login clears the
username's count and its count from that address; its counts from other addresses stay
(whoever failed there is not whoever just logged in). The login page answers a refusal
with status 429 and the form with a message.

The address is REMOTE_ADDR. X-Forwarded-For is not trusted: behind a proxy, the
proxy (or the WSGI server, e.g. gunicorn's --forwarded-allow-ips) must set
REMOTE_ADDR to the client's address, or the students count as the proxy (which,
with no limit per address, costs them nothing but the per username counts).

Posting: each account posts (answers and replies) at most AGORA_POSTS_PER_MINUTE
times per minute; the views refuse more with a form error that keeps the text.
"""

import hashlib
import math
import time
from datetime import UTC, datetime

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from classroom import sql
from classroom.models import ThrottleCount, User

POST_WINDOW = 60
SWEEP_EVERY = 60  # seconds


def now() -> float:
    return time.time()


def _bucket_key(scope: str, who: str, window: int) -> tuple[str, float]:
    """The counter's key for the current window, and the seconds left in it."""
    moment = now()
    bucket = int(moment // window)
    return f"throttle:{scope}:{who}:{window}:{bucket}", (bucket + 1) * window - moment


def _in_database() -> bool:
    return settings.AGORA_THROTTLE_STORE == "database"


def hit(scope: str, who: str, window: int) -> int:
    """Count one event; return the count in the current window, this one included."""
    key, left = _bucket_key(scope, who, window)
    if _in_database():
        _sweep()
        return sql.count_hit(key, datetime.fromtimestamp(now() + left, tz=UTC))
    cache.add(key, 0, timeout=math.ceil(left) + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: this is the window's first event
        cache.set(key, 1, timeout=math.ceil(left) + 1)
        return 1


_swept_at = 0.0


def _sweep() -> None:
    """Delete the rows of ended windows, at most once a minute per process.

    Housekeeping only: a row is never read after its window ends, as the window is
    part of its key, so a sweep missed or run by every worker changes no count.
    """
    global _swept_at
    if now() - _swept_at >= SWEEP_EVERY:
        _swept_at = now()
        ThrottleCount.objects.filter(expires_at__lt=datetime.fromtimestamp(now(), tz=UTC)).delete()


def count(scope: str, who: str, window: int) -> int:
    key, _expires = _bucket_key(scope, who, window)
    if _in_database():
        return ThrottleCount.objects.filter(key=key).values_list("count", flat=True).first() or 0
    return cache.get(key, 0)


def reset(window: int, *counters: tuple[str, str]) -> None:
    """Clear the current window's count of each (scope, who)."""
    keys = [_bucket_key(scope, who, window)[0] for scope, who in counters]
    if _in_database():
        ThrottleCount.objects.filter(key__in=keys).delete()
    else:
        cache.delete_many(keys)


def seconds_left(window: int) -> float:
    return _bucket_key("", "", window)[1]


# ---- login ----------------------------------------------------------------


def _account(username: str) -> str:
    # Hashed: a username may hold any character, and cache keys must not.
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


def _address(request: HttpRequest | None) -> str:
    return (request.META.get("REMOTE_ADDR") if request is not None else None) or "unknown"


def _account_at_address(request: HttpRequest | None, username: str) -> str:
    return f"{_account(username)}@{_address(request)}"


def login_attempt_allowed(request: HttpRequest | None, username: str) -> bool:
    """Count one login attempt; False when it is over a limit and must be refused unchecked."""
    window = settings.AGORA_LOGIN_WINDOW
    if (
        hit("login-account-address", _account_at_address(request, username), window)
        > settings.AGORA_LOGIN_ATTEMPTS
    ):
        return False
    return hit("login-account", _account(username), window) <= settings.AGORA_LOGIN_ATTEMPTS_PER_USERNAME


def login_succeeded(request: HttpRequest | None, username: str) -> None:
    reset(
        settings.AGORA_LOGIN_WINDOW,
        ("login-account-address", _account_at_address(request, username)),
        ("login-account", _account(username)),
    )


def login_lock_message() -> str:
    minutes = max(1, math.ceil(seconds_left(settings.AGORA_LOGIN_WINDOW) / 60))
    return ngettext(
        "Too many attempts. Wait %(minutes)d minute, or reset your password.",
        "Too many attempts. Wait %(minutes)d minutes, or reset your password.",
        minutes,
    ) % {"minutes": minutes}


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing attempts over a limit before it checks their password."""

    def clean(self) -> dict:
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password")
        # A form missing either field checks no password, so it is not an attempt to count.
        if username and password and not login_attempt_allowed(self.request, username):
            raise forms.ValidationError(login_lock_message(), code="throttled")
        cleaned = super().clean()
        if self.user_cache is not None:
            login_succeeded(self.request, username)
        return cleaned


class ThrottledLoginView(auth_views.LoginView):
    """The login page; an attempt over a limit gets status 429 with the form and message."""

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


POSTING_TOO_FAST = _(
    "You are posting faster than the class allows. Wait a minute, then post again: your text is kept here."
)
