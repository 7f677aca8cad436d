"""The thread page and its plain (non-htmx) form posts, for each role and rule."""

import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from classroom.models import Membership, Response
from tests.factories import GroupFactory, UserFactory, make_response
from tests.helpers import (
    close_at_due_time,
    create_url,
    delete_url,
    detail_url,
    edit_url,
    page_poll,
    peer_in,
    poll_url,
    reply_url,
    set_rules,
    thread_url,
)


def lock(assignment):
    return set_rules(assignment, locked_at=timezone.now())


def article(html: str, response) -> str:
    """The HTML of one response card on a page."""
    match = re.search(rf'<article id="response-{response.pk}".*?</article>', html, re.DOTALL)
    assert match, f"response-{response.pk} is not on the page"
    return match.group(0)


# ---- who sees which thread -------------------------------------------------------------


def test_member_student_sees_open_thread(student_client, thread):
    response = student_client.get(thread_url(thread))
    assert response.status_code == 200
    assert "<html" in response.content.decode()


def test_student_outside_group_gets_404_for_thread(client, outsider, thread):
    client.force_login(outsider)
    assert client.get(thread_url(thread)).status_code == 404


def test_student_of_another_group_gets_404_for_thread(client, thread, instructor):
    other_student = UserFactory(password=None)
    GroupFactory(instructors=[instructor], students=[other_student])
    client.force_login(other_student)
    assert client.get(thread_url(thread)).status_code == 404


def test_member_student_gets_404_before_thread_opens(student_client, thread):
    set_rules(thread, opens_at=timezone.now() + timedelta(hours=2), due_at=timezone.now() + timedelta(days=3))
    assert student_client.get(thread_url(thread)).status_code == 404


def test_member_student_sees_thread_once_opens_at_has_passed(student_client, thread):
    set_rules(thread, opens_at=timezone.now() - timedelta(seconds=1))
    assert student_client.get(thread_url(thread)).status_code == 200


def test_owning_instructor_sees_thread_before_it_opens(instructor_client, thread):
    set_rules(thread, opens_at=timezone.now() + timedelta(hours=2), due_at=timezone.now() + timedelta(days=3))
    response = instructor_client.get(thread_url(thread))
    assert response.status_code == 200
    assert "Students cannot see this thread until it opens." in response.content.decode()


def test_other_instructor_gets_404_for_thread(client, other_instructor, thread):
    client.force_login(other_instructor)
    assert client.get(thread_url(thread)).status_code == 404


def test_anonymous_visitor_is_sent_to_login_from_thread(client, thread):
    response = client.get(thread_url(thread))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_removed_student_gets_404_for_thread(student_client, student, thread):
    Membership.objects.filter(student=student).delete()
    assert student_client.get(thread_url(thread)).status_code == 404


def test_unknown_thread_is_404(student_client, db):
    assert student_client.get(reverse("classroom:thread_detail", args=[999_999])).status_code == 404


# ---- what the thread page shows ----------------------------------------------------------


def test_thread_shows_brief_title_summary_commentary_and_question_set_apart(student_client, thread):
    brief = thread.brief
    html = student_client.get(thread_url(thread)).content.decode()
    assert f'<h1 id="brief-title" lang="en" dir="ltr">{brief.title}</h1>' in html
    assert brief.summary in html
    assert brief.commentary in html
    question = re.search(r'<div class="brief-question"[^>]*>.*?</div>', html, re.DOTALL)
    assert question and brief.question in question.group(0)
    assert "The question" in question.group(0)


def test_thread_shows_due_date_in_local_time(student_client, thread):
    html = student_client.get(thread_url(thread)).content.decode()
    assert "Due <strong>" + date_format(timezone.localtime(thread.due_at), "l j F, H:i") in html


def test_thread_without_due_date_says_so(student_client, thread):
    set_rules(thread, due_at=None)
    assert "No due date" in student_client.get(thread_url(thread)).content.decode()


def test_thread_states_its_rules_in_plain_words(student_client, thread):
    set_rules(
        thread,
        post_first=True,
        anonymous_to_peers=True,
        min_words=40,
        replies_required=2,
        allow_late=True,
        points=15,
    )
    html = student_client.get(thread_url(thread)).content.decode()
    rules = re.search(r'<ul class="rules".*?</ul>', html, re.DOTALL).group(0)
    assert "Post your own answer before you see your classmates'." in rules
    assert "Classmates see you as a pseudonym; your instructor sees your name." in rules
    assert "Answers need at least 40 words." in rules
    assert "Reply to at least 2 classmates." in rules
    assert "Late answers are accepted and marked late." in rules
    assert "Worth 15 points." in rules


def test_thread_without_late_answers_says_none_after_due_time(student_client, thread):
    html = student_client.get(thread_url(thread)).content.decode()
    assert "No answers after the due time." in html


def test_brief_text_is_escaped_on_thread(student_client, thread):
    brief = thread.brief
    brief.summary = "<script>alert('summary')</script> happened."
    brief.save()
    html = student_client.get(thread_url(thread)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_student_who_has_not_answered_sees_the_answer_form(student_client, thread):
    html = student_client.get(thread_url(thread)).content.decode()
    assert f'action="{create_url(thread)}"' in html
    assert 'name="client_token"' in html
    assert "csrfmiddlewaretoken" in html


def test_student_who_answered_sees_link_to_own_answer_instead_of_form(student_client, student, thread):
    answer = make_response(thread, student)
    html = student_client.get(thread_url(thread)).content.decode()
    assert "You have answered." in html
    assert f'href="#response-{answer.pk}"' in html
    assert f'action="{create_url(thread)}"' not in html


def test_instructor_sees_no_answer_form(instructor_client, thread):
    html = instructor_client.get(thread_url(thread)).content.decode()
    assert f'action="{create_url(thread)}"' not in html
    assert "You teach this group" in html


def test_thread_counts_answers_and_replies(student_client, student, thread, group):
    peer = peer_in(group)
    answer = make_response(thread, peer)
    make_response(thread, student, parent=answer, body="A reply.")
    html = student_client.get(thread_url(thread)).content.decode()
    stats = re.search(r'<div id="thread-stats".*?</p>', html, re.DOTALL).group(0)
    assert re.search(r"<strong>1</strong> of 2 students answered", stats)
    assert "<strong>1</strong> reply" in stats


# ---- posting an answer (plain form post) -------------------------------------------------


def test_student_answer_is_stored_and_redirects_to_its_anchor(student_client, student, thread):
    response = student_client.post(
        create_url(thread), {"body": "Trade talks rarely change anything.", "client_token": str(uuid.uuid4())}
    )
    answer = Response.objects.get(assignment=thread, author=student)
    assert response.status_code == 302
    assert response["Location"] == f"{thread_url(thread)}#response-{answer.pk}"
    assert answer.parent is None
    assert answer.body == "Trade talks rarely change anything."


def test_posted_answer_shows_on_thread_after_redirect(student_client, thread):
    response = student_client.post(create_url(thread), {"body": "An answer worth reading."}, follow=True)
    assert response.status_code == 200
    assert "An answer worth reading." in response.content.decode()


def test_empty_answer_is_refused_inline_and_nothing_is_stored(student_client, thread):
    response = student_client.post(create_url(thread), {"body": "   "})
    assert response.status_code == 200
    assert "Write something before you post." in response.content.decode()
    assert not Response.objects.exists()


def test_answer_under_min_words_is_refused_and_keeps_the_text(student_client, thread):
    set_rules(thread, min_words=10)
    response = student_client.post(create_url(thread), {"body": "Only five words right here."})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Write at least 10 words; this has 5." in html
    assert "Only five words right here.</textarea>" in html
    assert not Response.objects.exists()


def test_answer_over_ten_thousand_characters_is_refused_and_keeps_the_text(student_client, thread):
    body = "lengthy " * 1251  # 10,007 characters once stripped
    response = student_client.post(create_url(thread), {"body": body})
    html = response.content.decode()
    assert response.status_code == 200
    assert "10000" in html or "10,000" in html
    assert body + "</textarea>" in html
    assert not Response.objects.exists()


def test_answer_of_exactly_ten_thousand_characters_is_accepted(student_client, student, thread):
    body = "abcd " * 1999 + "abcde"
    assert len(body) == 10_000
    student_client.post(create_url(thread), {"body": body})
    assert Response.objects.get(author=student).body == body


def test_answer_markdown_is_rendered(student_client, student, thread):
    student_client.post(create_url(thread), {"body": "It is **not** settled.\n\n- one\n- two"})
    html = student_client.get(thread_url(thread)).content.decode()
    card = article(html, Response.objects.get(author=student))
    assert "<strong>not</strong>" in card
    assert "<li>one</li>" in card


def test_answer_markdown_is_sanitised(student_client, student, thread):
    body = (
        "<script>alert('x')</script>\n\n"
        '<img src="x" onerror="alert(1)">\n\n'
        "[click me](javascript:alert(1))\n\n"
        '<a href="javascript:alert(2)" onclick="alert(3)">raw link</a>\n\n'
        "[fine](https://example.org/page)"
    )
    student_client.post(create_url(thread), {"body": body})
    html = student_client.get(thread_url(thread)).content.decode()
    card = article(html, Response.objects.get(author=student))
    assert "<script" not in card
    assert "<img" not in card
    assert not re.search(r"<[^>]*\son\w+\s*=", card)
    assert not re.search(r"<a[^>]*javascript:", card, re.IGNORECASE)
    assert 'href="https://example.org/page"' in card


def test_student_answers_only_once(student_client, student, thread):
    first = make_response(thread, student, body="My first answer.")
    response = student_client.post(create_url(thread), {"body": "A second answer."})
    assert response.status_code == 200
    html = response.content.decode()
    assert "You have answered." in html
    assert f'href="#response-{first.pk}"' in html
    assert Response.objects.filter(author=student, parent=None).count() == 1


def test_same_client_token_twice_creates_one_answer(student_client, student, thread):
    data = {"body": "Submitted twice by a double click.", "client_token": str(uuid.uuid4())}
    first = student_client.post(create_url(thread), data)
    second = student_client.post(create_url(thread), data)
    answer = Response.objects.get(author=student)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"{thread_url(thread)}#response-{answer.pk}"


def test_retry_after_success_with_same_token_returns_the_stored_answer(student_client, student, thread):
    token = str(uuid.uuid4())
    student_client.post(create_url(thread), {"body": "The first try went through.", "client_token": token})
    retry = student_client.post(
        create_url(thread), {"body": "The first try went through.", "client_token": token}
    )
    assert retry.status_code == 302
    assert Response.objects.filter(author=student).count() == 1


def test_new_client_token_after_answering_does_not_create_a_second_answer(student_client, student, thread):
    student_client.post(create_url(thread), {"body": "First.", "client_token": str(uuid.uuid4())})
    student_client.post(create_url(thread), {"body": "Second.", "client_token": str(uuid.uuid4())})
    assert Response.objects.filter(author=student).count() == 1


def test_instructor_cannot_post_a_top_level_answer(instructor_client, thread):
    response = instructor_client.post(create_url(thread), {"body": "The answer is yes."})
    assert response.status_code == 200
    assert "You teach this group" in response.content.decode()
    assert not Response.objects.exists()


# ---- due time, late answers, locked threads ---------------------------------------------


def test_answer_after_due_time_is_refused_and_not_stored(student_client, thread):
    close_at_due_time(thread)
    response = student_client.post(create_url(thread), {"body": "Sorry I am late."})
    assert response.status_code == 200
    assert "late answers are not accepted" in response.content.decode()
    assert not Response.objects.exists()


def test_thread_past_due_shows_closed_notice_instead_of_form(student_client, thread):
    close_at_due_time(thread)
    html = student_client.get(thread_url(thread)).content.decode()
    assert "Closed" in html
    assert "late answers are not accepted" in html
    assert f'action="{create_url(thread)}"' not in html


def test_late_answer_is_stored_as_late_when_late_answers_are_allowed(student_client, student, thread):
    close_at_due_time(thread, allow_late=True)
    response = student_client.post(create_url(thread), {"body": "Better late than never."})
    answer = Response.objects.get(author=student)
    assert response.status_code == 302
    assert answer.is_late
    card = article(student_client.get(thread_url(thread)).content.decode(), answer)
    assert ">Late</span>" in card


def test_answer_on_time_is_not_marked_late(student_client, student, thread):
    student_client.post(create_url(thread), {"body": "Right on time."})
    answer = Response.objects.get(author=student)
    assert not answer.is_late
    assert ">Late</span>" not in article(student_client.get(thread_url(thread)).content.decode(), answer)


def test_locked_thread_refuses_answers(student_client, thread):
    lock(thread)
    response = student_client.post(create_url(thread), {"body": "Let me in."})
    assert response.status_code == 200
    assert "Your instructor has locked this thread." in response.content.decode()
    assert not Response.objects.exists()


def test_locked_thread_refuses_late_answers_too(student_client, thread):
    close_at_due_time(thread, allow_late=True)
    lock(thread)
    student_client.post(create_url(thread), {"body": "Let me in."})
    assert not Response.objects.exists()


def test_locked_thread_refuses_replies(student_client, thread, group):
    answer = make_response(thread, peer_in(group))
    lock(thread)
    response = student_client.post(reply_url(answer), {"body": "A reply."})
    assert response.status_code == 200
    assert "locked" in response.content.decode()
    assert not Response.objects.filter(parent=answer).exists()


def test_locked_thread_shows_no_reply_form(student_client, thread, group):
    answer = make_response(thread, peer_in(group))
    lock(thread)
    html = student_client.get(reply_url(answer)).content.decode()
    assert "This thread no longer takes replies." in html
    assert "<textarea" not in html


# ---- replies -------------------------------------------------------------------------------


def test_reply_form_page_shows_the_response_and_a_form(student_client, thread, group):
    answer = make_response(thread, peer_in(group), body="Peer answer text.")
    response = student_client.get(reply_url(answer))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "Peer answer text." in html
    assert f'action="{reply_url(answer)}"' in html
    assert "<textarea" in html


def test_reply_is_stored_under_the_answer_and_redirects_to_it(student_client, student, thread, group):
    answer = make_response(thread, peer_in(group))
    response = student_client.post(reply_url(answer), {"body": "I disagree, politely."})
    reply = Response.objects.get(author=student)
    assert response.status_code == 302
    assert response["Location"] == f"{thread_url(thread)}#response-{reply.pk}"
    assert reply.parent == answer
    assert reply.reply_to is None


def test_reply_to_a_reply_attaches_to_the_answer_and_quotes_whom_it_answers(
    student_client, student, thread, group
):
    peer = peer_in(group)
    third = peer_in(group, username="xu_third", first_name="Xanthe", last_name="Umberfield")
    answer = make_response(thread, peer)
    first_reply = make_response(thread, third, parent=answer, body="The first reply says this.")
    student_client.post(reply_url(first_reply), {"body": "Answering the first reply."})
    reply = Response.objects.get(author=student)
    assert reply.parent == answer
    assert reply.reply_to == first_reply
    html = student_client.get(thread_url(thread)).content.decode()
    card = article(html, reply)
    assert "Replying to <bdi>Xanthe Umberfield</bdi>" in card
    assert "The first reply says this." in card
    replies = re.search(rf'<ol class="replies" id="replies-{answer.pk}".*?</ol>', html, re.DOTALL).group(0)
    assert f'id="response-{reply.pk}"' in replies
    assert f'id="response-{first_reply.pk}"' in replies


def test_empty_reply_is_refused_inline(student_client, thread, group):
    answer = make_response(thread, peer_in(group))
    response = student_client.post(reply_url(answer), {"body": ""})
    assert response.status_code == 200
    assert "Write something before you post." in response.content.decode()
    assert not Response.objects.filter(parent=answer).exists()


def test_replies_are_not_held_to_min_words(student_client, student, thread, group):
    set_rules(thread, min_words=50)
    answer = make_response(thread, peer_in(group), body="word " * 50)
    student_client.post(reply_url(answer), {"body": "Good point."})
    assert Response.objects.filter(author=student, parent=answer).exists()


def test_instructor_can_reply_to_an_answer(instructor_client, instructor, thread, group):
    answer = make_response(thread, peer_in(group))
    response = instructor_client.post(reply_url(answer), {"body": "Nice evidence here."})
    reply = Response.objects.get(author=instructor)
    assert response.status_code == 302
    assert reply.by_instructor
    assert reply.parent == answer


def test_same_client_token_twice_creates_one_reply(student_client, student, thread, group):
    answer = make_response(thread, peer_in(group))
    data = {"body": "Only once.", "client_token": str(uuid.uuid4())}
    student_client.post(reply_url(answer), data)
    student_client.post(reply_url(answer), data)
    assert Response.objects.filter(author=student, parent=answer).count() == 1


def test_reply_to_deleted_answer_is_refused(student_client, thread, group):
    peer = peer_in(group)
    answer = make_response(thread, peer)
    Response.objects.filter(pk=answer.pk).update(deleted_at=timezone.now())
    response = student_client.post(reply_url(answer), {"body": "Hello?"})
    assert response.status_code == 200
    assert "no longer there" in response.content.decode()
    assert not Response.objects.filter(parent=answer).exists()


# ---- editing -------------------------------------------------------------------------------


def test_author_edits_own_answer_and_it_shows_edited(student_client, student, thread):
    answer = make_response(thread, student, body="First version.")
    form = student_client.get(edit_url(answer))
    assert form.status_code == 200
    assert "First version.</textarea>" in form.content.decode()
    response = student_client.post(edit_url(answer), {"body": "Second version."})
    assert response.status_code == 302
    assert response["Location"] == f"{thread_url(thread)}#response-{answer.pk}"
    answer.refresh_from_db()
    assert answer.body == "Second version."
    assert answer.edited_at is not None
    card = article(student_client.get(thread_url(thread)).content.decode(), answer)
    assert "Second version." in card
    assert "· edited" in card


def test_saving_unchanged_text_does_not_mark_edited(student_client, student, thread):
    answer = make_response(thread, student, body="Same text.")
    student_client.post(edit_url(answer), {"body": "Same text."})
    answer.refresh_from_db()
    assert answer.edited_at is None


def test_edit_under_min_words_is_refused_inline_and_keeps_the_text(student_client, student, thread):
    set_rules(thread, min_words=5)
    answer = make_response(thread, student, body="one two three four five six")
    response = student_client.post(edit_url(answer), {"body": "too short"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Write at least 5 words" in html
    assert "too short</textarea>" in html
    answer.refresh_from_db()
    assert answer.body == "one two three four five six"


def test_student_cannot_edit_a_classmates_answer(student_client, thread, group):
    answer = make_response(thread, peer_in(group), body="Peer's words.")
    got = student_client.get(edit_url(answer))
    posted = student_client.post(edit_url(answer), {"body": "Vandalised."})
    assert got.status_code in (302, 404)
    assert posted.status_code in (302, 404)
    if posted.status_code == 302:
        assert posted["Location"] == f"{thread_url(thread)}#response-{answer.pk}"
        assert (
            "You can no longer edit this response." in student_client.get(posted["Location"]).content.decode()
        )
    answer.refresh_from_db()
    assert answer.body == "Peer's words."
    assert answer.edited_at is None


def test_instructor_cannot_edit_a_students_answer(instructor_client, student, thread):
    answer = make_response(thread, student, body="Student's words.")
    instructor_client.post(edit_url(answer), {"body": "Teacher's words."})
    answer.refresh_from_db()
    assert answer.body == "Student's words."


def test_student_cannot_edit_after_thread_is_locked(student_client, student, thread):
    answer = make_response(thread, student, body="Before the lock.")
    lock(thread)
    response = student_client.post(edit_url(answer), {"body": "After the lock."})
    assert response.status_code in (302, 404)
    answer.refresh_from_db()
    assert answer.body == "Before the lock."


def test_student_cannot_edit_after_due_time(student_client, student, thread):
    answer = make_response(thread, student, body="Before the deadline.")
    close_at_due_time(thread)
    response = student_client.post(edit_url(answer), {"body": "After the deadline."})
    assert response.status_code in (302, 404)
    answer.refresh_from_db()
    assert answer.body == "Before the deadline."


def test_edit_link_shows_only_on_own_response(student_client, student, thread, group):
    own = make_response(thread, student)
    other = make_response(thread, peer_in(group))
    html = student_client.get(thread_url(thread)).content.decode()
    assert edit_url(own) in article(html, own)
    assert edit_url(other) not in article(html, other)
    assert delete_url(other) not in article(html, other)


def test_edit_link_is_gone_once_thread_is_locked(student_client, student, thread):
    own = make_response(thread, student)
    lock(thread)
    card = article(student_client.get(thread_url(thread)).content.decode(), own)
    assert edit_url(own) not in card
    assert delete_url(own) not in card


# ---- deleting ------------------------------------------------------------------------------


def test_deleting_own_answer_without_replies_removes_it_from_the_thread(student_client, student, thread):
    answer = make_response(thread, student, body="Soon gone.")
    response = student_client.post(delete_url(answer))
    assert response.status_code == 302
    assert response["Location"] == thread_url(thread)
    answer.refresh_from_db()
    assert answer.deleted_at is not None  # soft: the row stays
    html = student_client.get(thread_url(thread)).content.decode()
    assert f'id="response-{answer.pk}"' not in html
    assert "Soon gone." not in html


def test_deleting_own_answer_with_replies_leaves_a_placeholder(student_client, student, thread, group):
    answer = make_response(thread, student, body="Replied to, then deleted.")
    reply = make_response(thread, peer_in(group), parent=answer, body="The reply stays.")
    student_client.post(delete_url(answer))
    html = student_client.get(thread_url(thread)).content.decode()
    card = article(html, answer)
    assert "This answer was deleted by its author." in card
    assert "Replied to, then deleted." not in html
    assert "The reply stays." in article(html, reply)


def test_student_may_answer_again_after_deleting_the_answer(student_client, student, thread):
    answer = make_response(thread, student)
    student_client.post(delete_url(answer))
    student_client.post(create_url(thread), {"body": "A fresh answer."})
    assert (
        Response.objects.filter(author=student, parent=None, deleted_at=None).get().body == "A fresh answer."
    )


def test_deleting_own_reply_removes_it(student_client, student, thread, group):
    answer = make_response(thread, peer_in(group))
    reply = make_response(thread, student, parent=answer, body="Regrettable reply.")
    student_client.post(delete_url(reply))
    html = student_client.get(thread_url(thread)).content.decode()
    assert "Regrettable reply." not in html
    assert f'id="response-{answer.pk}"' in html


def test_student_cannot_delete_a_classmates_answer(student_client, thread, group):
    answer = make_response(thread, peer_in(group), body="Still here.")
    response = student_client.post(delete_url(answer))
    assert response.status_code in (302, 404)
    answer.refresh_from_db()
    assert answer.deleted_at is None
    assert "Still here." in student_client.get(thread_url(thread)).content.decode()


def test_student_cannot_delete_after_thread_is_locked(student_client, student, thread):
    answer = make_response(thread, student)
    lock(thread)
    student_client.post(delete_url(answer))
    answer.refresh_from_db()
    assert answer.deleted_at is None


def test_student_cannot_delete_after_due_time(student_client, student, thread):
    answer = make_response(thread, student)
    close_at_due_time(thread)
    student_client.post(delete_url(answer))
    answer.refresh_from_db()
    assert answer.deleted_at is None


def test_delete_needs_post(student_client, student, thread):
    answer = make_response(thread, student)
    assert student_client.get(delete_url(answer)).status_code == 405
    answer.refresh_from_db()
    assert answer.deleted_at is None


# ---- post first ----------------------------------------------------------------------------


@pytest.fixture
def post_first_thread(thread):
    return set_rules(thread, post_first=True)


def test_post_first_student_who_has_not_answered_sees_no_peer_responses(
    student_client, post_first_thread, group
):
    answer = make_response(post_first_thread, peer_in(group), body="A peer's hidden insight.")
    html = student_client.get(thread_url(post_first_thread)).content.decode()
    assert "A peer's hidden insight." not in html
    assert f"response-{answer.pk}" not in html
    assert "Post your answer first." in html


def test_post_first_student_who_has_not_answered_gets_no_peer_response_from_poll(
    student_client, post_first_thread, group
):
    make_response(post_first_thread, peer_in(group), body="A peer's hidden insight.")
    response = student_client.get(poll_url(post_first_thread, 0))
    assert "A peer's hidden insight." not in response.content.decode()


def test_post_first_student_who_has_not_answered_gets_404_for_a_peer_response(
    student_client, post_first_thread, group
):
    answer = make_response(post_first_thread, peer_in(group))
    assert student_client.get(detail_url(answer)).status_code == 404
    assert student_client.get(detail_url(answer), headers={"HX-Request": "true"}).status_code == 404
    assert student_client.get(reply_url(answer)).status_code == 404
    assert student_client.post(reply_url(answer), {"body": "Sneaky reply."}).status_code == 404
    assert not Response.objects.filter(parent=answer).exists()


def test_post_first_student_sees_peer_responses_after_answering(
    student_client, student, post_first_thread, group
):
    make_response(post_first_thread, peer_in(group), body="A peer's hidden insight.")
    student_client.post(create_url(post_first_thread), {"body": "My own take."})
    html = student_client.get(thread_url(post_first_thread)).content.decode()
    assert "A peer's hidden insight." in html
    assert "My own take." in html


def test_post_first_instructor_sees_all_responses(instructor_client, post_first_thread, group):
    make_response(post_first_thread, peer_in(group), body="A peer's hidden insight.")
    assert "A peer's hidden insight." in instructor_client.get(thread_url(post_first_thread)).content.decode()


def test_without_post_first_student_sees_peers_before_answering(student_client, thread, group):
    make_response(thread, peer_in(group), body="Open for all to read.")
    assert "Open for all to read." in student_client.get(thread_url(thread)).content.decode()


# ---- anonymous to peers --------------------------------------------------------------------


def test_anonymous_thread_shows_peers_as_classmate_numbers(student_client, student, thread, group):
    set_rules(thread, anonymous_to_peers=True)
    peer = peer_in(group)
    answer = make_response(thread, peer)
    make_response(thread, student)
    html = student_client.get(thread_url(thread)).content.decode()
    card = article(html, answer)
    assert "Classmate 1" in card
    assert "Zephyrine" not in html
    assert "Quillfeather" not in html


def test_anonymous_thread_shows_own_answer_as_you(student_client, student, thread):
    set_rules(thread, anonymous_to_peers=True)
    answer = make_response(thread, student)
    assert "You (Classmate 1)" in article(student_client.get(thread_url(thread)).content.decode(), answer)


def test_anonymous_thread_shows_real_names_to_instructor(instructor_client, thread, group):
    set_rules(thread, anonymous_to_peers=True)
    answer = make_response(thread, peer_in(group))
    card = article(instructor_client.get(thread_url(thread)).content.decode(), answer)
    assert "Zephyrine Quillfeather" in card


def test_named_thread_shows_peers_real_names(student_client, thread, group):
    answer = make_response(thread, peer_in(group))
    assert "Zephyrine Quillfeather" in article(
        student_client.get(thread_url(thread)).content.decode(), answer
    )


def test_classmate_numbers_are_stable_per_student(student_client, student, thread, group):
    set_rules(thread, anonymous_to_peers=True)
    peer = peer_in(group)
    answer = make_response(thread, peer)
    mine = make_response(thread, student)
    reply = make_response(thread, peer, parent=mine, body="Replying to you.")
    html = student_client.get(thread_url(thread)).content.decode()
    assert "Classmate 1" in article(html, answer)
    assert "Classmate 1" in article(html, reply)
    assert "Replying to <bdi>You (Classmate 2)</bdi>" not in article(
        html, reply
    )  # a direct reply quotes nobody


# ---- role matrix (plain requests) ------------------------------------------------------------

ROLES = ["anonymous", "outsider", "member", "other_instructor", "owner"]


@pytest.fixture
def member_answer(thread, student):
    return make_response(thread, student, body="The member's answer.")


def assert_sent_to_login(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("outsider", 404), ("member", 200), ("other_instructor", 404), ("owner", 200)],
)
def test_thread_detail_by_role(as_role, thread, role, status):
    response = as_role(role).get(thread_url(thread))
    assert response.status_code == status
    if role == "anonymous":
        assert_sent_to_login(response)


@pytest.mark.parametrize(
    ("role", "status", "stored"),
    [
        ("anonymous", 302, False),
        ("outsider", 404, False),
        ("member", 302, True),
        ("other_instructor", 404, False),
        ("owner", 200, False),  # instructors reply; the form says so
    ],
)
def test_response_create_by_role(as_role, thread, role, status, stored):
    response = as_role(role).post(create_url(thread), {"body": "Answer by role."})
    assert response.status_code == status
    if role == "anonymous":
        assert_sent_to_login(response)
    assert Response.objects.filter(body="Answer by role.").exists() is stored


@pytest.mark.parametrize(
    ("role", "unchanged", "changed"),
    [
        ("anonymous", 302, 302),
        ("outsider", 404, 404),
        ("member", 204, 200),
        ("other_instructor", 404, 404),
        ("owner", 204, 200),
    ],
)
def test_thread_poll_by_role(as_role, thread, group, role, unchanged, changed):
    client = as_role(role)
    before = thread.version
    link = f"{poll_url(thread, before)}&e={thread.epoch}"
    assert client.get(link).status_code == unchanged
    make_response(thread, peer_in(group))
    response = client.get(link)
    assert response.status_code == changed
    if role == "anonymous":
        assert_sent_to_login(response)


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("outsider", 404), ("member", 200), ("other_instructor", 404), ("owner", 200)],
)
def test_response_reply_form_by_role(as_role, thread, group, role, status):
    answer = make_response(thread, peer_in(group))
    response = as_role(role).get(reply_url(answer))
    assert response.status_code == status
    if role == "anonymous":
        assert_sent_to_login(response)


@pytest.mark.parametrize(
    ("role", "status", "stored"),
    [
        ("anonymous", 302, False),
        ("outsider", 404, False),
        ("member", 302, True),
        ("other_instructor", 404, False),
        ("owner", 302, True),
    ],
)
def test_response_reply_post_by_role(as_role, thread, group, role, status, stored):
    answer = make_response(thread, peer_in(group))
    response = as_role(role).post(reply_url(answer), {"body": "Reply by role."})
    assert response.status_code == status
    if role == "anonymous":
        assert_sent_to_login(response)
    assert Response.objects.filter(parent=answer, body="Reply by role.").exists() is stored


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("outsider", 404),
        ("member", 200),  # the author
        ("other_instructor", 404),
        ("owner", 302),  # not the author: refused, back to the thread
    ],
)
def test_response_edit_form_by_role(as_role, member_answer, role, status):
    response = as_role(role).get(edit_url(member_answer))
    assert response.status_code == status
    if role == "anonymous":
        assert_sent_to_login(response)
    if role == "owner":
        assert response["Location"].endswith(f"#response-{member_answer.pk}")


@pytest.mark.parametrize(
    ("role", "status", "changed"),
    [
        ("anonymous", 302, False),
        ("outsider", 404, False),
        ("member", 302, True),
        ("other_instructor", 404, False),
        ("owner", 302, False),
    ],
)
def test_response_edit_post_by_role(as_role, member_answer, role, status, changed):
    response = as_role(role).post(edit_url(member_answer), {"body": "Edited by role."})
    assert response.status_code == status
    if role == "anonymous":
        assert_sent_to_login(response)
    member_answer.refresh_from_db()
    assert (member_answer.body == "Edited by role.") is changed


@pytest.mark.parametrize(
    ("role", "status", "deleted"),
    [
        ("anonymous", 302, False),
        ("outsider", 404, False),
        ("member", 302, True),
        ("other_instructor", 404, False),
        ("owner", 302, False),
    ],
)
def test_response_delete_by_role(as_role, member_answer, role, status, deleted):
    response = as_role(role).post(delete_url(member_answer))
    assert response.status_code == status
    if role == "anonymous":
        assert_sent_to_login(response)
    member_answer.refresh_from_db()
    assert (member_answer.deleted_at is not None) is deleted


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("outsider", 404), ("member", 302), ("other_instructor", 404), ("owner", 302)],
)
def test_response_detail_by_role(as_role, member_answer, thread, role, status):
    response = as_role(role).get(detail_url(member_answer))
    assert response.status_code == status
    if role == "anonymous":
        assert_sent_to_login(response)
    elif status == 302:
        assert response["Location"] == f"{thread_url(thread)}#response-{member_answer.pk}"


def test_responses_of_unopened_thread_are_404_for_member(student_client, thread, group):
    answer = make_response(thread, peer_in(group))
    set_rules(thread, opens_at=timezone.now() + timedelta(hours=1), due_at=timezone.now() + timedelta(days=1))
    assert student_client.get(detail_url(answer)).status_code == 404
    assert student_client.get(reply_url(answer)).status_code == 404
    assert student_client.get(poll_url(thread, 0)).status_code == 404
    assert student_client.post(create_url(thread), {"body": "Early."}).status_code == 404


# ---- query counts --------------------------------------------------------------------------

# Measured on SQLite and PostgreSQL with an empty fragment cache: 10 queries for a
# student (session, user, thread with its instructors, seat, own responses, the thread's
# outline, the responses of items not cached, counts) and 8 for the instructor, whatever
# the size of the thread. The bounds sit just above, so a query per response (or per
# response of the viewer's own) fails at once.
STUDENT_THREAD_PAGE_MAX_QUERIES = 11
INSTRUCTOR_THREAD_PAGE_MAX_QUERIES = 9


def fill_thread(assignment, group, student, instructor, answers: int):
    """`answers` students answer; each answer gets a reply, some from the viewer or the instructor."""
    User = get_user_model()
    authors = User.objects.bulk_create(
        User(username=f"filler{n}", first_name=f"Filler{n}", last_name="Student") for n in range(answers)
    )
    Membership.objects.bulk_create(Membership(group=group, student=author) for author in authors)
    posted = [
        make_response(assignment, author, body=f"Answer number {n}.") for n, author in enumerate(authors)
    ]
    mine = make_response(assignment, student, body="The viewer's answer.")
    count = len(posted) + 1
    for n, answer in enumerate(posted):
        replier = (student, instructor, authors[(n + 1) % len(authors)])[n % 3]
        reply = make_response(assignment, replier, parent=answer, body=f"Reply {n}.")
        make_response(assignment, authors[n], parent=reply, body=f"Reply to reply {n}.")
        count += 2
    make_response(assignment, instructor, parent=mine, body="Feedback in the thread.")
    return count + 1


@pytest.mark.parametrize(("answers", "responses"), [(1, 5), (66, 200)])
def test_thread_page_queries_do_not_grow_with_responses_for_student(
    student_client, student, instructor, thread, group, answers, responses, django_assert_max_num_queries
):
    set_rules(thread, anonymous_to_peers=True)
    assert fill_thread(thread, group, student, instructor, answers) == responses
    with django_assert_max_num_queries(STUDENT_THREAD_PAGE_MAX_QUERIES):
        response = student_client.get(thread_url(thread), {"all": "1"})
    assert response.content.decode().count('<article id="response-') == responses
    with django_assert_max_num_queries(STUDENT_THREAD_PAGE_MAX_QUERIES):  # the first, windowed screen
        assert student_client.get(thread_url(thread)).status_code == 200


@pytest.mark.parametrize(("answers", "responses"), [(1, 5), (66, 200)])
def test_thread_page_queries_do_not_grow_with_responses_for_instructor(
    instructor_client, student, instructor, thread, group, answers, responses, django_assert_max_num_queries
):
    set_rules(thread, anonymous_to_peers=True)
    assert fill_thread(thread, group, student, instructor, answers) == responses
    with django_assert_max_num_queries(INSTRUCTOR_THREAD_PAGE_MAX_QUERIES):
        response = instructor_client.get(thread_url(thread), {"all": "1"})
    assert response.content.decode().count('<article id="response-') == responses


def test_the_page_after_a_classmates_post_costs_one_query_more_than_the_warm_page(
    student_client, student, instructor, thread, group, django_assert_max_num_queries
):
    """After a post only the changed family is read (with the thread's changes, in one query):
    the seat and the class size come with the thread, the student's own posts and the counts
    from the rows the page reads anyway."""
    fill_thread(thread, group, student, instructor, 20)
    student_client.get(thread_url(thread))
    with CaptureQueriesContext(connection) as warm:
        student_client.get(thread_url(thread))
    classmate = Membership.objects.filter(group=group).exclude(student=student).first().student
    answer = Response.objects.filter(assignment=thread, parent=None).exclude(author=student).last()
    make_response(thread, classmate, parent=answer, body="A new reply by a classmate.")
    with django_assert_max_num_queries(len(warm) + 1):
        page = student_client.get(thread_url(thread)).content.decode()
    assert "A new reply by a classmate." in page


def test_second_answer_from_another_tab_is_refused_and_its_text_is_kept_to_copy(
    student_client, thread, student
):
    make_response(thread, student, body="My first answer.")
    response = student_client.post(
        reverse("classroom:response_create", args=[thread.pk]),
        {"body": "A second answer typed in another tab."},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "You have already answered" in html
    assert "A second answer typed in another tab." in html
    assert Response.objects.filter(author=student, parent=None).count() == 1


def test_long_thread_shows_the_latest_answers_first_screen_and_offers_the_earlier_ones(
    student_client, student, instructor, thread, group
):
    fill_thread(thread, group, student, instructor, 66)
    html = student_client.get(thread_url(thread)).content.decode()
    assert html.count('class="thread-item"') == 40
    assert "Show 27 earlier answers" in html
    assert "Answer number 65." in html  # the newest
    assert "Answer number 0." not in html  # the oldest waits behind the link
    everything = student_client.get(thread_url(thread), {"all": "1"}).content.decode()
    assert everything.count('class="thread-item"') == 67
    assert "earlier answer" not in everything


def test_a_students_own_answer_stays_on_the_first_screen_however_many_came_after(
    student_client, student, thread, group
):
    set_rules(thread, post_first=False)
    make_response(thread, student, body="My answer, posted first of all.")
    for n in range(45):
        make_response(thread, peer_in(group, username=f"later{n}", last_name=f"Later{n}"), body=f"Later {n}.")
    html = student_client.get(thread_url(thread)).content.decode()
    assert "My answer, posted first of all." in html
    assert html.count('class="thread-item"') == 41  # the newest 40 and the student's own
    assert "Show 5 earlier answers" in html  # 46 answers: the student's own is not behind the link
    assert html.index("My answer, posted first of all.") < html.index(
        "Later 44."
    )  # in its place, oldest first
    # The live page after one more answer equals a fresh load, own answer included.
    poll = page_poll(student_client, thread)
    make_response(thread, peer_in(group, username="latest", last_name="Latest"), body="The latest answer.")
    live = student_client.get(poll, headers={"HX-Request": "true"}).content.decode()
    assert "My answer, posted first of all." in live and "The latest answer." in live
    assert "Show 6 earlier answers" in student_client.get(thread_url(thread)).content.decode()


def test_pinned_answer_stays_on_the_first_screen_of_a_long_thread(
    student_client, student, instructor, thread, group
):
    from classroom.actions import set_pin

    fill_thread(thread, group, student, instructor, 66)
    oldest = Response.objects.get(body="Answer number 0.")
    set_pin(response=oldest, by=instructor, pinned=True)
    html = student_client.get(thread_url(thread)).content.decode()
    assert html.index("Answer number 0.") < html.index("Answer number 65.")


def test_cached_thread_items_show_each_student_their_own_controls(client, student, instructor, thread, group):
    """A cached item is shared by students only when it holds none of the viewer's posts."""
    other = UserFactory(username="otherone", first_name="Other", last_name="One")
    Membership.objects.create(group=group, student=other)
    mine = make_response(thread, student, body="Sam's answer.")
    theirs = make_response(thread, other, body="Other's answer.")
    client.force_login(other)
    client.get(thread_url(thread))  # fills the cache with Other's view
    client.force_login(student)
    html = client.get(thread_url(thread)).content.decode()
    assert reverse("classroom:response_edit", args=[mine.pk]) in html
    assert reverse("classroom:response_edit", args=[theirs.pk]) not in html


def test_cached_own_item_carries_a_csrf_token_valid_for_the_current_csrf_cookie(student, thread):
    """Own items are cached per CSRF secret: after the secret changes, the form still works."""
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    mine = make_response(thread, student, body="My answer, to delete later.")
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    client.get(thread_url(thread))  # sets the CSRF cookie
    client.get(thread_url(thread))  # renders (and caches) the item under that secret
    client.cookies["csrftoken"] = _get_new_csrf_string()  # as after a new login
    html = client.get(thread_url(thread)).content.decode()
    delete_url = re.escape(reverse("classroom:response_delete", args=[mine.pk]))
    form = re.search(rf'action="{delete_url}".*?name="csrfmiddlewaretoken" value="([^"]+)"', html, re.S)
    response = client.post(
        reverse("classroom:response_delete", args=[mine.pk]), {"csrfmiddlewaretoken": form.group(1)}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.is_deleted
