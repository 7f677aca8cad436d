"""The thread through htmx: the fragments each action sends back, the poll, and anonymity."""

import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from classroom.actions import delete_response, edit_response
from classroom.models import Membership, Response
from tests.factories import make_response
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

HTMX = {"HX-Request": "true"}


def version_of(assignment) -> int:
    assignment.refresh_from_db()
    return assignment.version


def partial(response) -> str:
    """The fragment's HTML, after checking it is one: status 200 and no page around it."""
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    return html


def card(html: str, response) -> str:
    match = re.search(rf'<article id="response-{response.pk}".*?</article>', html, re.DOTALL)
    assert match, f"response-{response.pk} is not in the fragment"
    return match.group(0)


# ---- posting an answer -------------------------------------------------------------------


def test_htmx_answer_returns_composer_new_response_out_of_band_and_counts(student_client, student, thread):
    response = student_client.post(
        create_url(thread), {"body": "My **answer**.", "client_token": str(uuid.uuid4())}, headers=HTMX
    )
    html = partial(response)
    answer = Response.objects.get(author=student)
    assert html.lstrip().startswith('<section id="composer"')
    assert "You have answered." in html
    assert 'hx-swap-oob="beforeend:#response-list"' in html
    added = html.split('hx-swap-oob="beforeend:#response-list"', 1)[1]
    assert f'<li class="thread-item" id="thread-item-{answer.pk}">' in added
    assert "<strong>answer</strong>" in card(added, answer)
    assert re.search(
        r'<div id="thread-stats" class="thread-stats" hx-swap-oob="true">\s*<p><strong>1</strong> of 1', html
    )
    assert "Your answer is posted." in html
    assert "HX-Request" in response["Vary"]


def test_htmx_answer_under_post_first_reveals_the_whole_discussion(student_client, thread, group):
    set_rules(thread, post_first=True)
    peer_answer = make_response(thread, peer_in(group), body="Now you may read me.")
    html = partial(student_client.post(create_url(thread), {"body": "My answer."}, headers=HTMX))
    assert (
        '<section id="thread-responses" class="thread-responses" aria-labelledby="responses-title" hx-swap-oob="true">'
        in html
    )
    assert "Now you may read me." in card(html, peer_answer)
    assert "My answer." in html


def test_htmx_empty_answer_comes_back_inline_with_status_200(student_client, thread):
    html = partial(student_client.post(create_url(thread), {"body": "  "}, headers=HTMX))
    assert html.lstrip().startswith('<section id="composer"')
    assert "Write something before you post." in html
    assert not Response.objects.exists()


def test_htmx_answer_under_min_words_comes_back_inline_and_keeps_the_text(student_client, thread):
    set_rules(thread, min_words=12)
    html = partial(student_client.post(create_url(thread), {"body": "Too short to count."}, headers=HTMX))
    assert html.lstrip().startswith('<section id="composer"')
    assert "Write at least 12 words; this has 4." in html
    assert "Too short to count.</textarea>" in html
    assert not Response.objects.exists()


def test_htmx_answer_over_ten_thousand_characters_comes_back_inline_and_keeps_the_text(
    student_client, thread
):
    body = "x" * 10_001
    html = partial(student_client.post(create_url(thread), {"body": body}, headers=HTMX))
    assert html.lstrip().startswith('<section id="composer"')
    assert 'class="errorlist"' in html
    assert f"{body}</textarea>" in html
    assert not Response.objects.exists()


def test_htmx_answer_keeps_the_client_token_on_error_for_the_retry(student_client, thread):
    token = str(uuid.uuid4())
    html = partial(student_client.post(create_url(thread), {"body": "", "client_token": token}, headers=HTMX))
    assert f'value="{token}"' in html


def test_htmx_answer_after_due_time_is_refused_with_message(student_client, thread):
    close_at_due_time(thread)
    html = partial(student_client.post(create_url(thread), {"body": "Too late now."}, headers=HTMX))
    assert "late answers are not accepted" in html
    assert not Response.objects.exists()


def test_htmx_late_answer_is_stored_and_shows_late_when_allowed(student_client, student, thread):
    close_at_due_time(thread, allow_late=True)
    html = partial(student_client.post(create_url(thread), {"body": "Late but welcome."}, headers=HTMX))
    answer = Response.objects.get(author=student)
    assert answer.is_late
    assert ">Late</span>" in card(html, answer)


def test_htmx_answer_to_locked_thread_is_refused(student_client, thread):
    set_rules(thread, locked_at=timezone.now())
    html = partial(student_client.post(create_url(thread), {"body": "Locked out."}, headers=HTMX))
    assert "Your instructor has locked this thread." in html
    assert not Response.objects.exists()


def test_htmx_double_submit_with_one_token_stores_one_answer(student_client, student, thread):
    data = {"body": "Clicked twice.", "client_token": str(uuid.uuid4())}
    first = partial(student_client.post(create_url(thread), data, headers=HTMX))
    second = partial(student_client.post(create_url(thread), data, headers=HTMX))
    answer = Response.objects.get(author=student)
    assert f'id="response-{answer.pk}"' in first
    assert f'id="response-{answer.pk}"' in second
    assert "already answered" not in second


# ---- replies -------------------------------------------------------------------------------


def test_htmx_reply_form_is_a_slot_under_the_answer(student_client, thread, group):
    answer = make_response(thread, peer_in(group))
    response = student_client.get(reply_url(answer), headers=HTMX)
    html = partial(response)
    assert html.lstrip().startswith(f'<div id="reply-slot-{answer.pk}" class="reply-slot">')
    assert f'hx-post="{reply_url(answer)}"' in html
    assert f'action="{reply_url(answer)}"' in html
    assert "csrfmiddlewaretoken" in html
    assert "<textarea" in html
    assert "HX-Request" in response["Vary"]


def test_htmx_reply_form_for_a_reply_opens_in_the_answers_slot(student_client, thread, group):
    answer = make_response(thread, peer_in(group))
    first_reply = make_response(thread, peer_in(group, "xu_third", "Xanthe", "Umberfield"), parent=answer)
    html = partial(student_client.get(reply_url(first_reply), headers=HTMX))
    assert f'<div id="reply-slot-{answer.pk}"' in html
    assert f'hx-post="{reply_url(first_reply)}"' in html


def test_htmx_reply_returns_empty_slot_reply_out_of_band_and_counts(student_client, student, thread, group):
    answer = make_response(thread, peer_in(group))
    html = partial(student_client.post(reply_url(answer), {"body": "A *kind* reply."}, headers=HTMX))
    reply = Response.objects.get(author=student)
    assert f'<div id="reply-slot-{answer.pk}" class="reply-slot"></div>' in html
    assert f'<div hx-swap-oob="beforeend:#replies-{answer.pk}">' in html
    assert "<em>kind</em>" in card(html, reply)
    assert 'id="thread-stats"' in html
    assert "<strong>1</strong> reply" in html
    assert "Your reply is posted." in html


def test_htmx_reply_to_a_reply_joins_the_answer_and_quotes_whom_it_answers(
    student_client, student, thread, group
):
    answer = make_response(thread, peer_in(group))
    third = peer_in(group, "xu_third", "Xanthe", "Umberfield")
    first_reply = make_response(thread, third, parent=answer, body="The reply being answered.")
    html = partial(student_client.post(reply_url(first_reply), {"body": "Answering you."}, headers=HTMX))
    reply = Response.objects.get(author=student)
    assert reply.parent == answer
    assert reply.reply_to == first_reply
    assert f'<div hx-swap-oob="beforeend:#replies-{answer.pk}">' in html
    quoted = card(html, reply)
    assert "Replying to <bdi>Xanthe Umberfield</bdi>" in quoted
    assert "<q>The reply being answered.</q>" in quoted


def test_htmx_empty_reply_comes_back_in_the_slot_with_the_error(student_client, thread, group):
    answer = make_response(thread, peer_in(group))
    html = partial(student_client.post(reply_url(answer), {"body": ""}, headers=HTMX))
    assert html.lstrip().startswith(f'<div id="reply-slot-{answer.pk}"')
    assert "Write something before you post." in html
    assert not Response.objects.filter(parent=answer).exists()


def test_htmx_reply_after_due_time_is_refused_in_the_slot(student_client, thread, group):
    answer = make_response(thread, peer_in(group))
    close_at_due_time(thread)
    html = partial(student_client.post(reply_url(answer), {"body": "Late reply."}, headers=HTMX))
    assert "late answers are not accepted" in html
    assert "Late reply.</textarea>" in html
    assert not Response.objects.filter(parent=answer).exists()


# ---- editing and deleting ------------------------------------------------------------------


def test_htmx_edit_form_replaces_the_card(student_client, student, thread):
    answer = make_response(thread, student, body="Original words.")
    response = student_client.get(edit_url(answer), headers=HTMX)
    html = partial(response)
    assert html.lstrip().startswith(f'<article id="response-{answer.pk}" class="response is-editing')
    assert f'hx-post="{edit_url(answer)}"' in html
    assert "Original words.</textarea>" in html
    assert f'hx-get="{detail_url(answer)}"' in html  # cancel
    assert "HX-Request" in response["Vary"]


def test_htmx_edit_returns_the_updated_card_marked_edited(student_client, student, thread):
    answer = make_response(thread, student, body="Original words.")
    html = partial(student_client.post(edit_url(answer), {"body": "Better words."}, headers=HTMX))
    updated = card(html, answer)
    assert "Better words." in updated
    assert "· edited" in updated
    assert "Your changes are saved." in html


def test_htmx_edit_with_empty_body_keeps_the_form_and_the_old_text(student_client, student, thread):
    answer = make_response(thread, student, body="Original words.")
    html = partial(student_client.post(edit_url(answer), {"body": ""}, headers=HTMX))
    assert 'class="response is-editing' in html
    assert "Write something before you post." in html
    answer.refresh_from_db()
    assert answer.body == "Original words."


def test_htmx_edit_of_a_classmates_answer_is_refused_and_nothing_changes(student_client, thread, group):
    answer = make_response(thread, peer_in(group), body="Not yours.")
    got = student_client.get(edit_url(answer), headers=HTMX)
    posted = student_client.post(edit_url(answer), {"body": "Mine now."}, headers=HTMX)
    for response in (got, posted):
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            html = partial(response)
            assert "You can no longer edit this response." in html
            assert "<textarea" not in html
    answer.refresh_from_db()
    assert answer.body == "Not yours."
    assert answer.edited_at is None


def test_htmx_edit_after_lock_is_refused(student_client, student, thread):
    answer = make_response(thread, student, body="Frozen.")
    set_rules(thread, locked_at=timezone.now())
    html = partial(student_client.post(edit_url(answer), {"body": "Thawed."}, headers=HTMX))
    assert "You can no longer edit this response." in html
    answer.refresh_from_db()
    assert answer.body == "Frozen."


def test_htmx_delete_answer_returns_placeholder_new_composer_and_counts(student_client, student, thread):
    answer = make_response(thread, student, body="Gone soon.")
    response = student_client.post(delete_url(answer), headers=HTMX)
    html = partial(response)
    assert "This answer was deleted by its author." in card(html, answer)
    assert "Gone soon." not in html
    assert '<section id="composer" class="composer" aria-label="Your answer" hx-swap-oob="true">' in html
    assert f'action="{create_url(thread)}"' in html  # the student may answer again
    assert re.search(r'id="thread-stats"[^>]*hx-swap-oob="true">\s*<p><strong>0</strong>', html)
    assert "HX-Request" in response["Vary"]


def test_htmx_delete_reply_leaves_the_composer_alone(student_client, student, thread, group):
    answer = make_response(thread, peer_in(group))
    reply = make_response(thread, student, parent=answer, body="Withdrawn.")
    html = partial(student_client.post(delete_url(reply), headers=HTMX))
    assert "This reply was deleted by its author." in card(html, reply)
    assert 'id="composer"' not in html


def test_htmx_delete_of_a_classmates_answer_is_refused_and_nothing_changes(student_client, thread, group):
    answer = make_response(thread, peer_in(group), body="Stays put.")
    response = student_client.post(delete_url(answer), headers=HTMX)
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "You can no longer delete this response." in partial(response)
    answer.refresh_from_db()
    assert answer.deleted_at is None


def test_htmx_response_detail_is_the_card(student_client, student, thread):
    answer = make_response(thread, student, body="Just the card.")
    html = partial(student_client.get(detail_url(answer), headers=HTMX))
    assert html.lstrip().startswith(f'<article id="response-{answer.pk}"')
    assert "Just the card." in html


# ---- the poll ------------------------------------------------------------------------------


def test_poll_answers_204_when_nothing_changed(student_client, student, thread):
    make_response(thread, student)
    response = student_client.get(page_poll(student_client, thread), headers=HTMX)
    assert response.status_code == 204
    assert response.content == b""


def announcement(html: str) -> str | None:
    """What the page's live region is told to say, if anything."""
    match = re.search(r'<div hx-swap-oob="innerHTML:#thread-announcer">(.*?)</div>', html, re.DOTALL)
    return match.group(1).strip() if match else None


def test_poll_announces_a_reply_to_the_viewer_by_name(student_client, student, thread, group):
    answer = make_response(thread, student)
    link = page_poll(student_client, thread)
    make_response(thread, peer_in(group), parent=answer, body="Replying to you.")
    assert announcement(partial(student_client.get(link, headers=HTMX))) == (
        "Zephyrine Quillfeather replied to you."
    )


def test_poll_announces_a_reply_to_the_viewer_by_pseudonym_in_an_anonymous_thread(
    student_client, student, thread, group
):
    set_rules(thread, anonymous_to_peers=True)
    answer = make_response(thread, student)
    link = page_poll(student_client, thread)
    reply = make_response(thread, peer_in(group), parent=answer, body="Replying to you.")
    said = announcement(partial(student_client.get(link, headers=HTMX)))
    reply.refresh_from_db()
    assert said == f"Classmate {reply.alias} replied to you."
    assert "Quillfeather" not in said and "Zephyrine" not in said


def test_poll_announces_a_reply_to_the_viewers_reply_and_names_a_reply_to_someone_else_plainly(
    student_client, student, thread, group
):
    peer = peer_in(group)
    other = peer_in(group, username="ov_other", first_name="Otto", last_name="Vance")
    answer = make_response(thread, peer)
    mine = make_response(thread, student, parent=answer, body="My reply.")
    link = page_poll(student_client, thread)
    from classroom.actions import post_response

    post_response(assignment=thread, author=other, body="To you, student.", parent=mine)
    post_response(assignment=thread, author=other, body="To Zephyrine.", parent=answer)
    assert announcement(partial(student_client.get(link, headers=HTMX))) == (
        "Otto Vance replied to you. Otto Vance replied."
    )


def test_poll_sums_up_many_new_posts_after_naming_three(student_client, thread, group):
    link = page_poll(student_client, thread)
    for n in range(5):
        make_response(thread, peer_in(group, username=f"many{n}", first_name="Pat", last_name=f"Many{n}"))
    said = announcement(partial(student_client.get(link, headers=HTMX)))
    assert said == "Pat Many0 answered. Pat Many1 answered. Pat Many2 answered. 2 more new responses."


def test_poll_sends_a_new_answer_out_of_band_with_a_fresh_poller(student_client, thread, group):
    link = page_poll(student_client, thread)
    answer = make_response(thread, peer_in(group), body="Fresh from a classmate.")
    html = partial(student_client.get(link, headers=HTMX))
    assert (
        f'hx-get="{reverse("classroom:thread_poll", args=[thread.pk])}?v={version_of(thread)}&amp;e=' in html
    )
    added = html.split('<div hx-swap-oob="beforeend:#response-list">', 1)[1]
    assert "Fresh from a classmate." in card(added, answer)
    assert 'id="thread-stats"' in html
    assert announcement(html) == "Zephyrine Quillfeather answered."


def test_poll_after_the_new_version_answers_204(student_client, thread, group):
    make_response(thread, peer_in(group))
    assert student_client.get(page_poll(student_client, thread), headers=HTMX).status_code == 204


def test_poll_sends_a_new_reply_into_its_answers_replies(student_client, student, thread, group):
    answer = make_response(thread, student)
    link = page_poll(student_client, thread)
    reply = make_response(thread, peer_in(group), parent=answer, body="Replying to you.")
    html = partial(student_client.get(link, headers=HTMX))
    added = html.split(f'<div hx-swap-oob="beforeend:#replies-{answer.pk}">', 1)[1]
    assert "Replying to you." in card(added, reply)
    assert f'id="response-{answer.pk}"' not in html  # unchanged: not sent again


def test_poll_sends_an_edited_response_as_an_out_of_band_replacement(student_client, thread, group):
    peer = peer_in(group)
    answer = make_response(thread, peer, body="First draft.")
    link = page_poll(student_client, thread)
    edit_response(response=answer, body="Second draft.", by=peer)
    html = partial(student_client.get(link, headers=HTMX))
    replaced = card(html, answer)
    assert replaced.startswith(f'<article id="response-{answer.pk}"')
    assert 'hx-swap-oob="outerHTML"' in replaced.split(">", 1)[0]
    assert "Second draft." in replaced
    assert "· edited" in replaced
    assert "beforeend:#response-list" not in html
    assert announcement(html) is None


def test_poll_after_an_answer_is_deleted_redraws_the_page_without_it(student_client, thread, group):
    """A fresh load shows no trace of a deleted answer without replies: nor does the live page."""
    peer = peer_in(group)
    answer = make_response(thread, peer, body="About to vanish.")
    link = page_poll(student_client, thread)
    delete_response(response=answer, by=peer)
    response = student_client.get(link, headers=HTMX)
    html = partial(response)
    assert response["HX-Retarget"] == "#thread-page"
    assert f'id="response-{answer.pk}"' not in html
    assert "About to vanish." not in html
    assert "No answers yet." in html


def test_poll_sends_a_deleted_answer_as_a_placeholder_while_replies_keep_it(
    student_client, student, thread, group
):
    peer = peer_in(group)
    answer = make_response(thread, peer, body="About to vanish, replies stay.")
    make_response(thread, student, parent=answer, body="A reply that stays.")
    link = page_poll(student_client, thread)
    delete_response(response=answer, by=peer)
    response = student_client.get(link, headers=HTMX)
    html = partial(response)
    assert "HX-Retarget" not in response
    replaced = card(html, answer)
    assert 'hx-swap-oob="outerHTML"' in replaced.split(">", 1)[0]
    assert "was deleted by its author" in replaced
    assert "About to vanish" not in html


def test_poll_does_not_announce_the_viewers_own_response(student_client, student, thread):
    link = page_poll(student_client, thread)
    make_response(thread, student)
    html = partial(student_client.get(link, headers=HTMX))
    assert announcement(html) is None


def test_poll_without_a_version_sends_the_whole_page(student_client, thread, group):
    make_response(thread, peer_in(group), body="Shown as a fresh load shows it.")
    response = student_client.get(reverse("classroom:thread_poll", args=[thread.pk]), headers=HTMX)
    html = partial(response)
    assert response["HX-Retarget"] == "#thread-page"
    assert f"?v={version_of(thread)}" in html
    assert "Shown as a fresh load shows it." in html


def test_poll_for_post_first_student_who_has_not_answered_holds_back_peers(student_client, thread, group):
    set_rules(thread, post_first=True)
    link = page_poll(student_client, thread)
    answer = make_response(thread, peer_in(group), body="Not for your eyes yet.")
    response = student_client.get(link, headers=HTMX)
    html = response.content.decode()
    assert "Not for your eyes yet." not in html
    assert f"response-{answer.pk}" not in html
    assert announcement(html) is None
    assert "Quillfeather" not in html


def test_poll_for_post_first_student_after_answering_sends_peers(student_client, student, thread, group):
    set_rules(thread, post_first=True)
    make_response(thread, student)
    link = page_poll(student_client, thread)
    make_response(thread, peer_in(group), body="Now you may see this.")
    assert "Now you may see this." in partial(student_client.get(link, headers=HTMX))


# Measured: 9 queries (session, user, thread, its instructors, seat, own responses,
# changed responses, counts, members), whatever the number of new responses.
POLL_MAX_QUERIES = 10


@pytest.mark.parametrize("answers", [1, 30])  # 30 new answers: still within the first screen
def test_poll_queries_do_not_grow_with_new_responses(
    student_client, student, instructor, thread, group, answers, django_assert_max_num_queries
):
    mine = make_response(thread, student)
    link = page_poll(student_client, thread)
    User = get_user_model()
    authors = User.objects.bulk_create(
        User(username=f"poller{n}", first_name="P", last_name="Q") for n in range(answers)
    )
    Membership.objects.bulk_create(Membership(group=group, student=author) for author in authors)
    for author in authors:
        answer = make_response(thread, author)
        make_response(thread, student, parent=answer, body="My reply.")
        make_response(thread, instructor, parent=answer, body="Teacher's reply.")
    edit_response(response=mine, body="My answer, edited.", by=student)
    with django_assert_max_num_queries(POLL_MAX_QUERIES):
        response = student_client.get(link, headers=HTMX)
    assert response.content.decode().count('<article id="response-') == 3 * answers + 1


# Measured on SQLite: 9 statements and the savepoint pair around the write (session, user, the
# thread with the seat, the class size and whether the student has feedback, the posting limit,
# the version, what posting reads under the lock, the new seat, the answer; then what changed
# since the page), and the rate-limit sweep once a minute. It was 21, then 16.
# tests/integration/test_post_statements.py counts each kind of post exactly.
ANSWER_MAX_QUERIES = 12


def test_an_htmx_answer_reads_no_seat_members_or_feedback_of_its_own(
    client, thread, group, django_assert_max_num_queries
):
    set_rules(thread, post_first=False)
    for n in range(3):
        make_response(
            thread, peer_in(group, username=f"earlier{n}", last_name=f"Earlier{n}"), body=f"Earlier {n}."
        )
    newcomer = peer_in(group, username="newcomer", last_name="Newcomer")
    client.force_login(newcomer)
    client.get(thread_url(thread))
    body = "A first answer from a student who has not posted anything in this thread yet, typed in full."
    with django_assert_max_num_queries(ANSWER_MAX_QUERIES):
        response = client.post(
            create_url(thread), {"body": body, "client_token": str(uuid.uuid4())}, headers=HTMX
        )
    assert "Your answer is posted." in response.content.decode()


# ---- anonymous to peers: nothing in the bytes names a classmate ---------------------------------


def identifying_strings(user) -> list[str]:
    return [
        user.first_name,
        user.last_name,
        user.username,
        user.email,
        user.get_full_name(),
        f"user-{user.pk}",
        f"user_{user.pk}",
        f"author-{user.pk}",
        f'data-user="{user.pk}"',
        f'data-author="{user.pk}"',
        f'data-user-id="{user.pk}"',
        f"?user={user.pk}",
    ]


def assert_names_nobody(content: bytes, classmates) -> None:
    text = content.decode().lower()
    for pattern in ("data-user", "data-author", "data-student"):
        assert pattern not in text, f"{pattern!r} found in the bytes"
    for classmate in classmates:
        for needle in identifying_strings(classmate):
            assert needle.lower() not in text, f"{needle!r} ({classmate.username}) found in the bytes"


def test_anonymous_thread_never_names_a_classmate_to_a_peer(client, student, instructor, thread, group):
    set_rules(thread, anonymous_to_peers=True, post_first=True)
    zephyrine = peer_in(group)
    xanthe = peer_in(group, "xu_third", "Xanthe", "Umberfield")
    quentin = peer_in(group, "qv_fourth", "Quentinella", "Vasquezworth")
    classmates = [zephyrine, xanthe, quentin]

    z_answer = make_response(thread, zephyrine, body="Zephyr-free answer text.")
    x_reply = make_response(thread, xanthe, parent=z_answer, body="A reply from the second classmate.")
    make_response(thread, zephyrine, parent=x_reply, body="A reply to the reply.")
    make_response(thread, instructor, parent=z_answer, body="The instructor weighs in.")
    q_answer = make_response(thread, quentin, body="An answer that will be deleted.")
    make_response(thread, xanthe, parent=q_answer, body="A reply that keeps the deleted answer's place.")
    delete_response(response=q_answer, by=quentin)
    client.force_login(student)
    since = version_of(thread)

    # Before answering (post first): the page and the poll.
    assert_names_nobody(client.get(thread_url(thread)).content, classmates)
    assert_names_nobody(client.get(poll_url(thread, 0), headers=HTMX).content, classmates)

    # Answering: the htmx response reveals the whole discussion.
    posted = client.post(create_url(thread), {"body": "My own answer."}, headers=HTMX)
    assert "Classmate" in posted.content.decode()
    assert_names_nobody(posted.content, classmates)

    page = client.get(thread_url(thread))
    assert "Zephyr-free answer text." in page.content.decode()
    assert_names_nobody(page.content, classmates)

    for target in (z_answer, x_reply):
        form_page = client.get(reply_url(target))
        assert "Reply to Classmate" in form_page.content.decode()
        assert_names_nobody(form_page.content, classmates)
        assert_names_nobody(client.get(reply_url(target), headers=HTMX).content, classmates)
        assert_names_nobody(client.get(detail_url(target), headers=HTMX).content, classmates)

    reply = client.post(reply_url(x_reply), {"body": "My reply to the reply."}, headers=HTMX)
    assert "Replying to <bdi>Classmate" in reply.content.decode()
    assert_names_nobody(reply.content, classmates)

    edit_response(response=x_reply, body="An edited reply from the second classmate.", by=xanthe)
    make_response(thread, quentin, body="A second try from the fourth classmate.")
    poll = client.get(poll_url(thread, since), headers=HTMX)
    assert "An edited reply from the second classmate." in poll.content.decode()
    assert "A second try from the fourth classmate." in poll.content.decode()
    assert_names_nobody(poll.content, classmates)


def test_anonymous_thread_names_classmates_to_the_instructor(instructor_client, thread, group):
    set_rules(thread, anonymous_to_peers=True)
    zephyrine = peer_in(group)
    make_response(thread, zephyrine)
    assert (
        "Zephyrine Quillfeather (Classmate 1)" in instructor_client.get(thread_url(thread)).content.decode()
    )
    assert (
        "Zephyrine Quillfeather" in instructor_client.get(poll_url(thread, 0), headers=HTMX).content.decode()
    )


# ---- CSRF ----------------------------------------------------------------------------------


def test_htmx_post_without_csrf_token_is_refused(student, thread):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    response = client.post(create_url(thread), {"body": "No token."}, headers=HTMX)
    assert response.status_code == 403
    assert not Response.objects.exists()


def test_htmx_post_with_csrf_header_from_the_page_is_accepted(student, thread):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    client.get(thread_url(thread))
    token = client.cookies["csrftoken"].value
    response = client.post(
        create_url(thread), {"body": "With token."}, headers={**HTMX, "X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert Response.objects.filter(body="With token.").exists()


# ---- role matrix (htmx requests) -----------------------------------------------------------


@pytest.fixture
def member_answer(thread, student):
    return make_response(thread, student, body="The member's answer.")


def check_status(response, role, status):
    assert response.status_code == status
    if role == "anonymous":
        # htmx from a lost session: the whole page goes to login (HX-Redirect), no fragment swapped.
        assert response["HX-Redirect"].startswith(reverse("login"))
        assert "<html" not in response.content.decode()
    elif status == 200:
        assert "<html" not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 200), ("outsider", 404), ("member", 200), ("other_instructor", 404), ("owner", 200)],
)
def test_htmx_thread_detail_by_role(as_role, thread, role, status):
    response = as_role(role).get(thread_url(thread), headers=HTMX)
    assert response.status_code == status
    if role == "anonymous":
        # htmx from a lost session: the whole page goes to login (HX-Redirect), no fragment swapped.
        assert response["HX-Redirect"].startswith(reverse("login"))
        assert "<html" not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status", "stored"),
    [
        ("anonymous", 200, False),
        ("outsider", 404, False),
        ("member", 200, True),
        ("other_instructor", 404, False),
        ("owner", 200, False),
    ],
)
def test_htmx_response_create_by_role(as_role, thread, role, status, stored):
    response = as_role(role).post(create_url(thread), {"body": "Answer by role."}, headers=HTMX)
    check_status(response, role, status)
    assert Response.objects.filter(body="Answer by role.").exists() is stored


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 200), ("outsider", 404), ("member", 200), ("other_instructor", 404), ("owner", 200)],
)
def test_htmx_thread_poll_by_role(as_role, thread, group, role, status):
    make_response(thread, peer_in(group), body="Polled answer.")
    response = as_role(role).get(poll_url(thread, 0), headers=HTMX)
    check_status(response, role, status)
    assert ("Polled answer." in response.content.decode()) is (status == 200 and role != "anonymous")


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 200), ("outsider", 404), ("member", 200), ("other_instructor", 404), ("owner", 200)],
)
def test_htmx_response_reply_form_by_role(as_role, member_answer, role, status):
    response = as_role(role).get(reply_url(member_answer), headers=HTMX)
    check_status(response, role, status)


@pytest.mark.parametrize(
    ("role", "status", "stored"),
    [
        ("anonymous", 200, False),
        ("outsider", 404, False),
        ("member", 200, True),
        ("other_instructor", 404, False),
        ("owner", 200, True),
    ],
)
def test_htmx_response_reply_post_by_role(as_role, member_answer, role, status, stored):
    response = as_role(role).post(reply_url(member_answer), {"body": "Reply by role."}, headers=HTMX)
    check_status(response, role, status)
    assert Response.objects.filter(parent=member_answer, body="Reply by role.").exists() is stored


@pytest.mark.parametrize(
    ("role", "status", "refused"),
    [
        ("anonymous", 200, False),
        ("outsider", 404, False),
        ("member", 200, False),
        ("other_instructor", 404, False),
        ("owner", 200, True),
    ],
)
def test_htmx_response_edit_form_by_role(as_role, member_answer, role, status, refused):
    response = as_role(role).get(edit_url(member_answer), headers=HTMX)
    check_status(response, role, status)
    if status == 200 and role != "anonymous":
        html = response.content.decode()
        assert ("You can no longer edit this response." in html) is refused
        assert ("<textarea" in html) is not refused


@pytest.mark.parametrize(
    ("role", "status", "changed"),
    [
        ("anonymous", 200, False),
        ("outsider", 404, False),
        ("member", 200, True),
        ("other_instructor", 404, False),
        ("owner", 200, False),
    ],
)
def test_htmx_response_edit_post_by_role(as_role, member_answer, role, status, changed):
    response = as_role(role).post(edit_url(member_answer), {"body": "Edited by role."}, headers=HTMX)
    check_status(response, role, status)
    member_answer.refresh_from_db()
    assert (member_answer.body == "Edited by role.") is changed


@pytest.mark.parametrize(
    ("role", "status", "deleted"),
    [
        ("anonymous", 200, False),
        ("outsider", 404, False),
        ("member", 200, True),
        ("other_instructor", 404, False),
        ("owner", 200, False),
    ],
)
def test_htmx_response_delete_by_role(as_role, member_answer, role, status, deleted):
    response = as_role(role).post(delete_url(member_answer), headers=HTMX)
    check_status(response, role, status)
    member_answer.refresh_from_db()
    assert (member_answer.deleted_at is not None) is deleted


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 200), ("outsider", 404), ("member", 200), ("other_instructor", 404), ("owner", 200)],
)
def test_htmx_response_detail_by_role(as_role, member_answer, role, status):
    response = as_role(role).get(detail_url(member_answer), headers=HTMX)
    check_status(response, role, status)
    if status == 200 and role != "anonymous":
        assert "The member's answer." in response.content.decode()


def test_counts_sent_with_a_posted_reply_include_that_reply(student_client, thread, student, group):
    answer = make_response(thread, peer_in(group), body="An answer to reply to.")
    make_response(thread, student, body="My own answer.")
    student_client.get(thread_url(thread))  # the counts of this version are cached now
    response = student_client.post(
        reverse("classroom:response_reply", args=[answer.pk]), {"body": "A reply."}, headers=HTMX
    )
    assert re.search(r"<strong>1</strong> reply\b", response.content.decode())


def test_poll_names_nobody_while_the_fair_reveal_holds_answers_back(student_client, student, thread, group):
    set_rules(thread, reveal_quorum=100)
    peer = peer_in(group)
    peer_in(
        group, username="still_quiet", first_name="Quinn", last_name="Quiet"
    )  # keeps the share under 100%
    make_response(thread, student, body="My answer, before anyone else's.")
    link = page_poll(student_client, thread)
    make_response(thread, peer, body="Held back until the reveal.")
    html = student_client.get(link, headers=HTMX).content.decode()
    thread.refresh_from_db()
    assert thread.revealed_at is None
    assert announcement(html) is None
    assert "Quillfeather" not in html and "Held back until the reveal." not in html
