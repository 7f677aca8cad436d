"""The poll's fast path: a signed ticket and an unchanged version answer 204 in one query,
and in none when this process read the thread's version less than a second ago."""

from django.core import signing
from django.db.models import F
from django.test import Client
from django.urls import reverse

from classroom import caching
from classroom.actions import remove_student, set_thread_lock
from classroom.models import Assignment
from classroom.readmodel import POLL_SALT
from tests.factories import make_response

HTMX = {"HX-Request": "true"}


def ticket(user, assignment) -> str:
    return signing.dumps([user.pk, assignment.pk], salt=POLL_SALT, compress=False)


def poll(client, assignment, version, ticket_value):
    url = reverse("classroom:thread_poll", args=[assignment.pk])
    return client.get(url, {"v": version, "e": assignment.epoch, "t": ticket_value}, headers=HTMX)


def test_thread_page_gives_the_poller_a_ticket(student_client, thread, student):
    html = student_client.get(thread.get_absolute_url()).content.decode()
    assert f"t={ticket(student, thread)[:12]}" in html  # the same signed payload, whatever the timestamp


def test_nothing_new_with_a_ticket_is_204_in_one_query(
    student_client, thread, student, django_assert_num_queries
):
    thread.refresh_from_db()
    with django_assert_num_queries(1):
        response = poll(student_client, thread, thread.version, ticket(student, thread))
    assert response.status_code == 204
    assert response.content == b""


def test_a_change_with_a_ticket_still_needs_the_session(thread, student, group):
    thread.refresh_from_db()
    old = thread.version
    make_response(thread, student, body="Something new.")
    response = poll(Client(), thread, old, ticket(student, thread))  # logged out
    assert response["HX-Redirect"].startswith(reverse("login"))
    assert b"Something new." not in response.content


def test_a_ticket_for_another_thread_takes_the_slow_path(outsider, thread, student):
    from tests.factories import AssignmentFactory

    elsewhere = AssignmentFactory()
    client = Client()
    client.force_login(outsider)
    thread.refresh_from_db()
    assert poll(client, thread, thread.version, ticket(outsider, elsewhere)).status_code == 404


def test_a_forged_ticket_takes_the_slow_path(thread):
    thread.refresh_from_db()
    response = poll(Client(), thread, thread.version, "WzEsMV0:forged:signature")
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_removed_student_with_a_ticket_learns_nothing_new(student_client, thread, student, group):
    thread.refresh_from_db()
    old_ticket = ticket(student, thread)
    remove_student(group=group, student=student)  # bumps the version
    thread.refresh_from_db()
    response = poll(student_client, thread, thread.version - 1, old_ticket)
    assert response.status_code == 404


def test_polls_within_a_second_share_one_query(
    student_client, thread, student, peer, django_assert_num_queries
):
    peer_client = Client()
    peer_client.force_login(peer)
    thread.refresh_from_db()
    with django_assert_num_queries(1):
        assert poll(student_client, thread, thread.version, ticket(student, thread)).status_code == 204
    with django_assert_num_queries(0):  # another page, another student, same thread
        assert poll(peer_client, thread, thread.version, ticket(peer, thread)).status_code == 204


def test_a_post_through_this_process_reaches_the_next_poll_at_once(student_client, thread, student, peer):
    thread.refresh_from_db()
    old = thread.version
    assert poll(student_client, thread, old, ticket(student, thread)).status_code == 204
    make_response(thread, student, body="My own answer, so I may read others.")
    make_response(thread, peer, body="Posted a moment after the last poll.")
    response = poll(student_client, thread, old, ticket(student, thread))
    assert response.status_code == 200
    assert b"Posted a moment after the last poll." in response.content


def test_a_lock_through_this_process_reaches_the_next_poll_at_once(
    student_client, thread, student, instructor
):
    thread.refresh_from_db()
    old = thread.version
    assert poll(student_client, thread, old, ticket(student, thread)).status_code == 204
    set_thread_lock(assignment=thread, locked=True, by=instructor)
    assert poll(student_client, thread, old, ticket(student, thread)).status_code == 200


def test_a_write_by_another_process_shows_within_a_second(student_client, thread, student, monkeypatch):
    """Another worker's write does not clear this worker's memo: it shows once the memo is a second old."""
    thread.refresh_from_db()
    old = thread.version
    assert poll(student_client, thread, old, ticket(student, thread)).status_code == 204
    Assignment.objects.filter(pk=thread.pk).update(version=F("version") + 1)  # as another process would
    assert poll(student_client, thread, old, ticket(student, thread)).status_code == 204
    later = caching.monotonic() + caching.POLL_SECONDS
    monkeypatch.setattr(caching, "monotonic", lambda: later)
    assert poll(student_client, thread, old, ticket(student, thread)).status_code == 200
