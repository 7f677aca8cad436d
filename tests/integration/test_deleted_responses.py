"""A post its author deleted stays visible to the group's teachers (the text, marked deleted,
with when); every student, its author included, sees it gone."""

import re

import pytest

from classroom.actions import delete_response
from tests.factories import make_response
from tests.helpers import client_for, delete_url, page_poll, thread_url

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def card(html: str, pk: int) -> str:
    match = re.search(rf'<article id="response-{pk}".*?</article>', html, re.DOTALL)
    return match.group(0) if match else ""


def test_a_deleted_answer_is_shown_to_the_teachers_marked_deleted_with_when(
    thread, student, peer, instructor, co_instructor
):
    answer = make_response(thread, student, body="Sanctions never work, full stop.")
    response = client_for(student).post(delete_url(answer))
    assert response.status_code in (200, 302)
    for teacher in (instructor, co_instructor):
        html = card(client_for(teacher).get(thread_url(thread)).content.decode(), answer.pk)
        assert "Sanctions never work, full stop." in html
        assert "Deleted by its author" in html
        assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT[^"]+">\w{3} \d+ \w{3}, \d\d:\d\d', html)
        assert 'aria-label="Deleted answer by' in html
        assert "Hide…" not in html and "Reply" not in html  # nothing to do with a deleted post


def test_a_deleted_answer_is_gone_for_its_author_and_classmates(thread, student, peer):
    answer = make_response(thread, student, body="Sanctions never work, full stop.")
    make_response(thread, peer, body="Another answer, still here.")
    delete_response(response=answer, by=student)
    for person in (student, peer):
        page = client_for(person).get(thread_url(thread)).content.decode()
        assert "Sanctions never work" not in page
        assert "Deleted by its author" not in page


def test_a_deleted_reply_shows_to_teachers_under_its_answer_and_to_students_not_at_all(
    thread, student, peer, instructor
):
    answer = make_response(thread, student, body="My answer.")
    reply = make_response(thread, peer, body="A reply I regret.", parent=answer)
    delete_response(response=reply, by=peer)
    teacher_page = client_for(instructor).get(thread_url(thread)).content.decode()
    replies = re.search(rf'<ol class="replies" id="replies-{answer.pk}".*?</ol>', teacher_page, re.DOTALL)
    assert "A reply I regret." in replies.group(0)
    assert "Deleted by its author" in card(teacher_page, reply.pk)
    for person in (student, peer):
        assert "A reply I regret." not in client_for(person).get(thread_url(thread)).content.decode()


def test_a_teachers_open_page_shows_a_deletion_live_as_a_reload_shows_it(thread, student, instructor):
    answer = make_response(thread, student, body="Sanctions never work, full stop.")
    teacher = client_for(instructor)
    link = page_poll(teacher, thread)
    delete_response(response=answer, by=student)
    live = teacher.get(link, headers=HTMX).content.decode()
    assert "Deleted by its author" in card(live, answer.pk)
    assert "Sanctions never work, full stop." in card(live, answer.pk)


def test_a_student_deleting_their_answer_gets_it_gone_in_the_htmx_reply(thread, student):
    answer = make_response(thread, student, body="Sanctions never work, full stop.")
    html = client_for(student).post(delete_url(answer), headers=HTMX).content.decode()
    assert "Sanctions never work" not in html
