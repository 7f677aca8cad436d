"""Small helpers shared by the thread, htmx and moderation tests, and the cache's emptying."""

import html as html_lib
import os
import re
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from classroom.models import Membership
from tests.factories import UserFactory


def peer_in(group, username="zq_peer", first_name="Zephyrine", last_name="Quillfeather"):
    """Another student of the group, with a name that appears nowhere else."""
    peer = UserFactory(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=f"{first_name.lower()}.{last_name.lower()}@school.example",
        password=None,
    )
    Membership.objects.create(group=group, student=peer)
    return peer


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def thread_url(assignment) -> str:
    return reverse("classroom:thread_detail", args=[assignment.pk])


def create_url(assignment) -> str:
    return reverse("classroom:response_create", args=[assignment.pk])


def poll_url(assignment, version=None) -> str:
    """A poll URL made by hand: without the page's frame, a changed thread answers with the whole page."""
    url = reverse("classroom:thread_poll", args=[assignment.pk])
    return url if version is None else f"{url}?v={version}"


def page_poll(client: Client, assignment) -> str:
    """The poll URL the thread page gives this client, as a browser would ask it next."""
    html = client.get(thread_url(assignment)).content.decode()
    match = re.search(r'<div id="thread-poll" hx-get="([^"]+)"', html)
    assert match, "no poller on the page"
    return html_lib.unescape(match.group(1))


def reply_url(response) -> str:
    return reverse("classroom:response_reply", args=[response.pk])


def edit_url(response) -> str:
    return reverse("classroom:response_edit", args=[response.pk])


def delete_url(response) -> str:
    return reverse("classroom:response_delete", args=[response.pk])


def detail_url(response) -> str:
    return reverse("classroom:response_detail", args=[response.pk])


def set_rules(assignment, **rules):
    for name, value in rules.items():
        setattr(assignment, name, value)
    assignment.save()
    return assignment


def close_at_due_time(assignment, **rules):
    """Move the due time into the past (the thread opened earlier still)."""
    now = timezone.now()
    return set_rules(assignment, opens_at=now - timedelta(days=2), due_at=now - timedelta(minutes=5), **rules)


def clear_cache(cache) -> None:
    """Empty the cache of the site's own keys; on Redis, only the keys under its KEY_PREFIX.

    RedisCache.clear() is FLUSHDB: it would empty the whole Redis database, which the
    suite may share with others (another checkout's tests, a developer's own site).
    """
    from django.core.cache.backends.redis import RedisCache

    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=cache.make_key("*"), count=1000))
    if keys:
        client.delete(*keys)


def keep_screenshot(page, name: str, full_page: bool = True) -> None:
    """With AGORA_SCREENSHOTS=folder, keep a screenshot of the page as it is, to look at."""
    folder = os.environ.get("AGORA_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=full_page)


def without_csrf_tokens(page: str) -> str:
    """A signed-out page as every visitor sees it: the language switcher's CSRF token is new for each."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', page)
