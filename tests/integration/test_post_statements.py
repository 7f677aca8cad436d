"""What an htmx post costs in SQL statements, counted as production runs it, so it cannot creep back.

Each case is a real htmx POST through the test client, outside a test transaction (BEGIN and
COMMIT are counted, as a server makes them), with the task backend production uses (a reply's
notification is one INSERT of a task row, in the post's transaction).

The statements, SQLite (database sessions and rate-limit counts):
  the session · the user · the thread with the poster's role, seat and class size (or the
  response replied to, with all of those) · the posting limit's count · BEGIN · the thread's
  next version (UPDATE ... RETURNING: the lock) · what posting reads under the lock, in one
  query (the seat, the next alias, this submit if stored, the response replied to, the
  poster's answers) · the new seat (a first post) · the response · the notification task (a
  reply) · COMMIT · what changed since the sending page (the families, with their authors).
With Redis (PostgreSQL + Redis), the session and the posting limit are in Redis: two fewer.
Whether the poster has feedback comes with the thread's query: no read of its own.
A copy of a submit already stored takes the lock, finds it, and rolls back: no new version.
"""

import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from classroom import throttle
from classroom.models import Assignment, Response
from tests.helpers import create_url, peer_in, reply_url, set_rules, thread_url

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"HX-Request": "true"}
BODY = "An answer typed in full, as a student in a live class writes it."


@pytest.fixture(autouse=True)
def as_production(settings, monkeypatch):
    """Tasks in the database, as in production; the rate-limit sweep (once a minute) just done."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    monkeypatch.setattr(throttle, "_swept_at", throttle.now())


def outside_the_database() -> int:
    """Statements a request makes only where sessions and rate limits live in the database."""
    sessions = settings.SESSION_ENGINE != "django.contrib.sessions.backends.cache"
    return int(sessions) + int(settings.AGORA_THROTTLE_STORE == "database")


def post(client: Client, url: str, data: dict, statements: int) -> str:
    version = Assignment.objects.get().version
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, {"seen": version, **data}, headers=HTMX)
    assert response.status_code == 200
    expected = statements + outside_the_database()
    listed = "\n".join(f"{n}. {query['sql'][:160]}" for n, query in enumerate(captured.captured_queries, 1))
    assert len(captured) == expected, f"{len(captured)} statements, not {expected}:\n{listed}"
    return response.content.decode()


def student_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_htmx_answer_a_reply_and_a_resent_answer_cost_what_they_cost(thread, group):
    set_rules(thread, post_first=False)
    first, second = peer_in(group, "first", "Fay", "First"), peer_in(group, "second", "Sol", "Second")
    first_client, second_client = student_client(first), student_client(second)
    first_client.get(thread_url(thread))
    token = str(uuid.uuid4())

    # A first answer: its seat and the answer.
    page = post(first_client, create_url(thread), {"body": BODY, "client_token": token}, statements=9)
    assert "Your answer is posted." in page

    # A second student, whose page shows the first answer: the same.
    second_client.get(thread_url(thread))
    page = post(
        second_client, create_url(thread), {"body": BODY, "client_token": str(uuid.uuid4())}, statements=9
    )
    assert "Your answer is posted." in page

    # A reply: no seat to write (the student has one), the notification task instead.
    answer = Response.objects.get(author=first)
    page = post(
        second_client, reply_url(answer), {"body": "A reply to it.", "client_token": str(uuid.uuid4())}, 9
    )
    assert "Your reply is posted." in page

    # The first answer sent again with its token: the lock, the read that finds it, a rollback;
    # the page sent back reads the student's own family, which the reply changed (their card).
    version = Assignment.objects.get().version
    page = post(first_client, create_url(thread), {"body": BODY, "client_token": token}, statements=7)
    assert "Your answer is posted." in page
    assert Response.objects.filter(author=first).count() == 1
    assert Assignment.objects.get().version == version
