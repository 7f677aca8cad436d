"""Instructor moderation in a thread: hide, unhide, highlight, pin, lock, extensions, the log.

Each action is tested through the test client, plain and with htmx, for every role,
and for what the other people in the thread see afterwards (page bytes and poll).
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from briefs.actions import save_brief
from briefs.models import Brief
from classroom.actions import extend_due, hide_response, set_thread_lock
from classroom.models import Assignment, ModerationEvent, Participation, Response
from tests.factories import make_response
from tests.helpers import client_for, close_at_due_time, create_url, page_poll, peer_in, poll_url, thread_url

HTMX = {"HX-Request": "true"}
REASON = "Names a classmate; please rewrite without it."


# ---- helpers ---------------------------------------------------------------------------------


def hide_url(response) -> str:
    return reverse("classroom:response_hide", args=[response.pk])


def unhide_url(response) -> str:
    return reverse("classroom:response_unhide", args=[response.pk])


def highlight_url(response) -> str:
    return reverse("classroom:response_highlight", args=[response.pk])


def pin_url(response) -> str:
    return reverse("classroom:response_pin", args=[response.pk])


def lock_url(assignment) -> str:
    return reverse("classroom:thread_lock", args=[assignment.pk])


def extend_url(assignment, student) -> str:
    return reverse("classroom:due_extend", args=[assignment.pk, student.pk])


def log_url(assignment) -> str:
    return reverse("classroom:moderation_log", args=[assignment.pk])


def report_url(assignment) -> str:
    return reverse("classroom:assignment_report", args=[assignment.pk])


def version_of(assignment) -> int:
    return Assignment.objects.get(pk=assignment.pk).version


def local_input(moment) -> str:
    """How a datetime-local field submits a time: local, to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def card(html: str, response) -> str:
    match = re.search(rf'<article id="response-{response.pk}".*?</article>', html, re.DOTALL)
    assert match, f"response-{response.pk} is not in the HTML"
    return match.group(0)


def partial(response) -> str:
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    return html


def answer_order(html: str) -> list[int]:
    """The ids of the top-level answers in the order the page lists them."""
    return [int(pk) for pk in re.findall(r'<li class="thread-item" id="thread-item-(\d+)">', html)]


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def events(assignment, action=None):
    qs = ModerationEvent.objects.filter(assignment=assignment)
    return qs.filter(action=action) if action else qs


# ---- a thread with something to moderate --------------------------------------------------


@pytest.fixture
def answer(thread, peer):
    return make_response(thread, peer, body="Zebra-striped argument about tariffs.")


@pytest.fixture
def reply(thread, student, answer):
    return make_response(thread, student, parent=answer, body="Sam replies about the zebra argument.")


# ---- role matrix -------------------------------------------------------------------------


def snapshot(assignment):
    """Everything a moderation request could change."""
    thread = Assignment.objects.get(pk=assignment.pk)
    return (
        thread.version,
        thread.locked_at,
        list(
            Response.objects.filter(assignment=assignment)
            .order_by("pk")
            .values_list("pk", "hidden_at", "hidden_reason", "highlighted", "pinned_at", "version")
        ),
        list(Participation.objects.filter(assignment=assignment).values_list("student", "due_at_override")),
        ModerationEvent.objects.count(),
    )


def endpoint(name, scene):
    """(method, url, data) for one moderation URL, aimed at the scene's thread."""
    thread, answer, hidden, student = scene["thread"], scene["answer"], scene["hidden"], scene["student"]
    later = local_input(thread.due_at + timedelta(days=2))
    return {
        "hide": ("post", hide_url(answer), {"reason": REASON}),
        "unhide": ("post", unhide_url(hidden), {}),
        "highlight": ("post", highlight_url(answer), {"highlighted": "1"}),
        "pin": ("post", pin_url(answer), {"pinned": "1"}),
        "lock": ("post", lock_url(thread), {}),
        "extend": ("post", extend_url(thread, student), {"due_at": later}),
        "log": ("get", log_url(thread), None),
    }[name]


ENDPOINTS = ["hide", "unhide", "highlight", "pin", "lock", "extend", "log"]
POST_ONLY = ["hide", "unhide", "highlight", "pin", "lock", "extend"]


@pytest.fixture
def scene(thread, student, peer, instructor, people):
    answer = make_response(thread, peer, body="A visible answer.")
    second = make_response(thread, peer_in(thread.group, "hidee", "Hugo", "Hidden"), body="A hidden answer.")
    hidden = hide_response(response=second, by=instructor, reason="Earlier hide")
    return {
        "thread": thread,
        "answer": answer,
        "hidden": hidden,
        "student": student,
        "people": people,
    }


def call(client, method, url, data, **extra):
    return client.get(url, **extra) if method == "get" else client.post(url, data, **extra)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_visitor_is_sent_to_login_from_moderation_urls(scene, name):
    method, url, data = endpoint(name, scene)
    before = snapshot(scene["thread"])
    response = call(client_for(None), method, url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert snapshot(scene["thread"]) == before


@pytest.mark.parametrize("role", ["outsider", "member", "other_instructor"])
@pytest.mark.parametrize("name", ENDPOINTS)
def test_students_and_other_instructors_get_404_from_moderation_urls_and_nothing_changes(scene, name, role):
    method, url, data = endpoint(name, scene)
    before = snapshot(scene["thread"])
    client = client_for(scene["people"][role])
    assert call(client, method, url, data).status_code == 404
    assert call(client, method, url, data, headers=HTMX).status_code == 404
    assert snapshot(scene["thread"]) == before


@pytest.mark.parametrize("role", ["owner", "co_instructor"])
@pytest.mark.parametrize("name", ENDPOINTS)
def test_owning_and_co_instructor_may_use_moderation_urls(scene, name, role):
    method, url, data = endpoint(name, scene)
    actor = scene["people"][role]
    before = ModerationEvent.objects.count()
    response = call(client_for(actor), method, url, data)
    if method == "get":
        assert response.status_code == 200
        return
    assert response.status_code == 302
    assert ModerationEvent.objects.count() == before + 1
    assert ModerationEvent.objects.filter(actor=actor).exclude(reason="Earlier hide").count() == 1


@pytest.mark.parametrize("name", POST_ONLY)
def test_get_on_post_only_moderation_url_is_405(scene, name, instructor_client):
    _, url, _ = endpoint(name, scene)
    before = snapshot(scene["thread"])
    assert instructor_client.get(url).status_code == 405
    assert snapshot(scene["thread"]) == before


def test_post_to_moderation_log_is_405(scene, instructor_client):
    assert instructor_client.post(log_url(scene["thread"])).status_code == 405


def test_instructor_cannot_moderate_a_response_in_another_instructors_thread(
    client, other_instructor, answer
):
    client.force_login(other_instructor)
    for url, data in [
        (hide_url(answer), {"reason": REASON}),
        (highlight_url(answer), {"highlighted": "1"}),
        (pin_url(answer), {"pinned": "1"}),
    ]:
        assert client.post(url, data, headers=HTMX).status_code == 404
    answer.refresh_from_db()
    assert (answer.hidden_at, answer.highlighted, answer.pinned_at) == (None, False, None)
    assert not ModerationEvent.objects.exists()


def test_student_cannot_hide_own_response(student_client, thread, student):
    own = make_response(thread, student)
    assert student_client.post(hide_url(own), {"reason": "I regret it"}).status_code == 404
    own.refresh_from_db()
    assert own.hidden_at is None


def test_unknown_response_is_404_for_moderation(instructor_client, db):
    assert instructor_client.post(hide_url(Response(pk=999_999)), {"reason": REASON}).status_code == 404


# ---- hide ----------------------------------------------------------------------------------


def test_hide_with_reason_stores_who_when_why_and_redirects_to_the_response(
    instructor_client, instructor, answer
):
    response = instructor_client.post(hide_url(answer), {"reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == f"{thread_url(answer.assignment)}#response-{answer.pk}"
    answer.refresh_from_db()
    assert answer.hidden_at is not None
    assert answer.hidden_by == instructor
    assert answer.hidden_reason == REASON
    event = ModerationEvent.objects.get()
    assert (event.action, event.actor, event.response, event.student, event.reason) == (
        "hide",
        instructor,
        answer,
        answer.author,
        REASON,
    )


def test_htmx_hide_returns_the_card_marked_hidden_with_the_reason(instructor_client, answer):
    response = instructor_client.post(hide_url(answer), {"reason": REASON}, headers=HTMX)
    html = partial(response)
    mine = card(html, answer)
    assert "is-hidden" in mine
    assert f"Hidden from the students. Reason: {REASON}" in mine
    assert "Zebra-striped argument" in mine  # the instructor still reads it
    assert "Show to the class again" in mine
    assert "Hidden from the students; its author sees why." in html  # announced
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("reason", ["", "   "])
def test_hide_without_reason_is_refused_with_a_message_and_nothing_changes(instructor_client, answer, reason):
    before = version_of(answer.assignment)
    response = instructor_client.post(hide_url(answer), {"reason": reason}, follow=True)
    assert "Say why: the student sees the reason." in response.content.decode()
    answer.refresh_from_db()
    assert answer.hidden_at is None
    assert answer.hidden_reason == ""
    assert not ModerationEvent.objects.exists()
    assert version_of(answer.assignment) == before


def test_htmx_hide_without_reason_is_refused_inline(instructor_client, answer):
    html = partial(instructor_client.post(hide_url(answer), {"reason": ""}, headers=HTMX))
    mine = card(html, answer)
    assert 'role="alert">Say why: the student sees the reason.</p>' in mine
    assert "is-hidden" not in mine
    answer.refresh_from_db()
    assert answer.hidden_at is None
    assert not ModerationEvent.objects.exists()


def test_overlong_reason_is_cut_to_300_characters(instructor_client, answer):
    instructor_client.post(hide_url(answer), {"reason": "x" * 400})
    answer.refresh_from_db()
    assert answer.hidden_reason == "x" * 300
    assert ModerationEvent.objects.get().reason == "x" * 300


def test_author_sees_that_the_answer_was_hidden_and_why(client, peer, instructor, answer):
    hide_response(response=answer, by=instructor, reason=REASON)
    client.force_login(peer)
    mine = card(client.get(thread_url(answer.assignment)).content.decode(), answer)
    assert f"Your instructor hid this from your classmates. Reason: {REASON}" in mine
    assert "Zebra-striped argument" in mine


def test_peers_do_not_see_a_hidden_answer_in_the_page_bytes(student_client, instructor, answer, peer):
    hide_response(response=answer, by=instructor, reason=REASON)
    html = student_client.get(thread_url(answer.assignment)).content.decode()
    assert "Zebra-striped" not in html
    assert REASON not in html
    assert "Quillfeather" not in html
    assert f"response-{answer.pk}" not in html


def test_peers_poll_redraws_the_page_without_a_newly_hidden_answer(student_client, instructor, answer):
    link = page_poll(student_client, answer.assignment)
    hide_response(response=answer, by=instructor, reason=REASON)
    response = student_client.get(link, headers={"HX-Request": "true"})
    html = partial(response)
    assert response["HX-Retarget"] == "#thread-page"
    assert f'id="response-{answer.pk}"' not in html
    assert "Zebra-striped" not in html
    assert REASON not in html
    assert "Quillfeather" not in html


def test_authors_poll_shows_the_hidden_answer_with_the_reason(client, peer, instructor, answer):
    client.force_login(peer)
    link = page_poll(client, answer.assignment)
    hide_response(response=answer, by=instructor, reason=REASON)
    mine = card(partial(client.get(link, headers={"HX-Request": "true"})), answer)
    assert 'hx-swap-oob="outerHTML"' in mine
    assert "Zebra-striped argument" in mine
    assert f"Reason: {REASON}" in mine


def test_hidden_answer_with_replies_shows_peers_only_a_placeholder(
    client, instructor, thread, group, answer, reply
):
    hide_response(response=answer, by=instructor, reason=REASON)
    third = peer_in(group, username="third", first_name="Thaddeus", last_name="Thirdly")
    client.force_login(third)
    html = client.get(thread_url(thread)).content.decode()
    placeholder = card(html, answer)
    assert "This answer is not shown." in placeholder
    assert "Zebra-striped" not in html
    assert REASON not in html
    assert "Quillfeather" not in html
    assert "Sam replies about the zebra argument." in card(html, reply)


def test_hidden_reply_is_not_shown_to_peers_nor_quoted(client, instructor, thread, group, student, answer):
    first = make_response(thread, student, parent=answer, body="A rude remark nobody should read.")
    quoting = make_response(thread, answer.author, parent=first, body="I disagree with you.")
    hide_response(response=first, by=instructor, reason=REASON)
    third = peer_in(group, username="third", first_name="Thaddeus", last_name="Thirdly")
    client.force_login(third)
    html = client.get(thread_url(thread)).content.decode()
    assert "A rude remark" not in html
    assert REASON not in html
    assert "I disagree with you." in card(html, quoting)


def test_instructor_still_sees_hidden_answer_in_the_thread(instructor_client, instructor, answer):
    hide_response(response=answer, by=instructor, reason=REASON)
    mine = card(instructor_client.get(thread_url(answer.assignment)).content.decode(), answer)
    assert "Zebra-striped argument" in mine
    assert f"Hidden from the students. Reason: {REASON}" in mine


# ---- unhide ----------------------------------------------------------------------------------


def test_unhide_shows_the_answer_to_peers_again_and_is_logged(
    instructor_client, instructor, student_client, answer
):
    hide_response(response=answer, by=instructor, reason=REASON)
    response = instructor_client.post(unhide_url(answer))
    assert response.status_code == 302
    answer.refresh_from_db()
    assert (answer.hidden_at, answer.hidden_by, answer.hidden_reason) == (None, None, "")
    assert events(answer.assignment, "unhide").get().actor == instructor
    html = student_client.get(thread_url(answer.assignment)).content.decode()
    assert "Zebra-striped argument" in card(html, answer)
    assert REASON not in html


def test_htmx_unhide_returns_the_card_without_the_hidden_note(instructor_client, instructor, answer):
    hide_response(response=answer, by=instructor, reason=REASON)
    html = partial(instructor_client.post(unhide_url(answer), headers=HTMX))
    mine = card(html, answer)
    assert "is-hidden" not in mine
    assert "Hidden from the students" not in mine
    assert "Hide…" in mine
    assert "Shown to the class again." in html


def test_peers_poll_brings_an_unhidden_answer_back(student_client, instructor, answer):
    hide_response(response=answer, by=instructor, reason=REASON)
    since = version_of(answer.assignment)
    instructor_client = client_for(instructor)
    instructor_client.post(unhide_url(answer))
    html = partial(student_client.get(poll_url(answer.assignment, since)))
    assert "Zebra-striped argument" in card(html, answer)


# ---- highlight ---------------------------------------------------------------------------


def test_highlight_shows_peers_highlighted_by_your_instructor(
    instructor_client, instructor, student_client, answer
):
    response = instructor_client.post(highlight_url(answer), {"highlighted": "1"})
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.highlighted
    assert events(answer.assignment, "highlight").get().actor == instructor
    mine = card(student_client.get(thread_url(answer.assignment)).content.decode(), answer)
    assert "Highlighted by your instructor" in mine
    assert "is-highlighted" in mine


def test_unhighlight_removes_it_and_is_logged(instructor_client, student_client, answer):
    instructor_client.post(highlight_url(answer), {"highlighted": "1"})
    instructor_client.post(highlight_url(answer), {"highlighted": "0"})
    answer.refresh_from_db()
    assert not answer.highlighted
    assert list(events(answer.assignment).values_list("action", flat=True)) == ["unhighlight", "highlight"]
    mine = card(student_client.get(thread_url(answer.assignment)).content.decode(), answer)
    assert "Highlighted by your instructor" not in mine


def test_htmx_highlight_returns_the_card_with_the_toggle_flipped(instructor_client, answer):
    html = partial(instructor_client.post(highlight_url(answer), {"highlighted": "1"}, headers=HTMX))
    mine = card(html, answer)
    assert "Highlighted by your instructor" in mine
    assert '<input type="hidden" name="highlighted" value="0">' in mine
    assert "Remove highlight" in mine
    assert "Highlighted for the class." in html
    html = partial(instructor_client.post(highlight_url(answer), {"highlighted": "0"}, headers=HTMX))
    assert '<input type="hidden" name="highlighted" value="1">' in card(html, answer)
    assert "Highlight removed." in html


def test_peers_poll_shows_a_new_highlight(student_client, instructor_client, answer):
    since = version_of(answer.assignment)
    instructor_client.post(highlight_url(answer), {"highlighted": "1"})
    html = partial(student_client.get(poll_url(answer.assignment, since)))
    assert "Highlighted by your instructor" in card(html, answer)


def test_reply_can_be_highlighted(instructor_client, student_client, reply):
    instructor_client.post(highlight_url(reply), {"highlighted": "1"})
    reply.refresh_from_db()
    assert reply.highlighted


# ---- pin -------------------------------------------------------------------------------------


@pytest.fixture
def three_answers(thread, group):
    now = timezone.now()
    answers = []
    for n, name in enumerate(["ada", "bob", "cyd"]):
        author = peer_in(group, username=name, first_name=name.title(), last_name="Pupil")
        answer = make_response(thread, author, body=f"Answer by {name}.")
        Response.objects.filter(pk=answer.pk).update(created_at=now - timedelta(minutes=30 - n))
        answers.append(answer)
    return answers


def test_pinned_answer_comes_first_in_the_thread(instructor_client, student_client, thread, three_answers):
    first, second, third = three_answers
    html = student_client.get(thread_url(thread)).content.decode()
    assert answer_order(html) == [first.pk, second.pk, third.pk]
    response = instructor_client.post(pin_url(third), {"pinned": "1"})
    assert response.status_code == 302
    third.refresh_from_db()
    assert third.is_pinned
    html = student_client.get(thread_url(thread)).content.decode()
    assert answer_order(html) == [third.pk, first.pk, second.pk]
    assert ">Pinned</span>" in card(html, third)


def test_two_pinned_answers_come_first_in_the_order_they_were_pinned(
    instructor_client, student_client, thread, three_answers
):
    first, second, third = three_answers
    instructor_client.post(pin_url(third), {"pinned": "1"})
    Response.objects.filter(pk=third.pk).update(pinned_at=timezone.now() - timedelta(minutes=1))
    instructor_client.post(pin_url(second), {"pinned": "1"})
    html = student_client.get(thread_url(thread)).content.decode()
    assert answer_order(html) == [third.pk, second.pk, first.pk]


def test_unpin_puts_the_answer_back_in_time_order_and_is_logged(
    instructor_client, instructor, student_client, thread, three_answers
):
    first, second, third = three_answers
    instructor_client.post(pin_url(third), {"pinned": "1"})
    instructor_client.post(pin_url(third), {"pinned": "0"})
    third.refresh_from_db()
    assert not third.is_pinned
    assert list(events(thread).values_list("action", flat=True)) == ["unpin", "pin"]
    html = student_client.get(thread_url(thread)).content.decode()
    assert answer_order(html) == [first.pk, second.pk, third.pk]


def test_htmx_pin_returns_the_card_marked_pinned(instructor_client, answer):
    html = partial(instructor_client.post(pin_url(answer), {"pinned": "1"}, headers=HTMX))
    mine = card(html, answer)
    assert "is-pinned" in mine
    assert ">Unpin</button>" in mine
    assert "Pinned to the top of the thread." in html


def test_pinning_a_reply_is_refused_with_a_message(instructor_client, reply):
    response = instructor_client.post(pin_url(reply), {"pinned": "1"}, follow=True)
    assert "Only answers can be pinned, not replies." in page_messages(response)
    reply.refresh_from_db()
    assert reply.pinned_at is None
    assert not ModerationEvent.objects.exists()


def test_htmx_pinning_a_reply_is_refused_inline(instructor_client, reply):
    html = partial(instructor_client.post(pin_url(reply), {"pinned": "1"}, headers=HTMX))
    assert "Only answers can be pinned, not replies." in card(html, reply)
    reply.refresh_from_db()
    assert reply.pinned_at is None


def test_reply_card_offers_no_pin_button(instructor_client, reply):
    html = instructor_client.get(thread_url(reply.assignment)).content.decode()
    assert pin_url(reply) not in card(html, reply)


# ---- lock --------------------------------------------------------------------------------


def test_lock_stops_students_posting_and_reopen_lets_them_again(
    instructor_client, instructor, student_client, student, thread
):
    response = instructor_client.post(lock_url(thread))
    assert response.status_code == 302
    assert response["Location"] == thread_url(thread)
    thread.refresh_from_db()
    assert thread.is_locked
    refused = student_client.post(create_url(thread), {"body": "Can I still post?"})
    assert "Your instructor has locked this thread." in refused.content.decode()
    assert not Response.objects.filter(author=student).exists()

    instructor_client.post(lock_url(thread))
    thread.refresh_from_db()
    assert not thread.is_locked
    assert student_client.post(create_url(thread), {"body": "Now I can."}).status_code == 302
    assert Response.objects.filter(author=student).exists()
    assert list(events(thread).values_list("action", "actor")) == [
        ("unlock", instructor.pk),
        ("lock", instructor.pk),
    ]


def test_locked_thread_says_so_to_students(instructor_client, student_client, thread):
    instructor_client.post(lock_url(thread))
    html = student_client.get(thread_url(thread)).content.decode()
    assert ">Locked</span>" in html
    assert "Your instructor has locked this thread." in html


# ---- extensions ------------------------------------------------------------------------------


def test_extension_lets_one_student_post_after_the_due_time_without_late(
    instructor_client, instructor, student_client, student, client, peer, thread
):
    close_at_due_time(thread)
    due = timezone.now() + timedelta(days=1)
    response = instructor_client.post(extend_url(thread, student), {"due_at": local_input(due)})
    assert response.status_code == 302
    assert response["Location"] == f"{report_url(thread)}#student-{student.pk}"
    seat = Participation.objects.get(assignment=thread, student=student)
    assert seat.due_at_override == due.replace(second=0, microsecond=0)

    assert student_client.post(create_url(thread), {"body": "Thanks for the extra day."}).status_code == 302
    answer = Response.objects.get(author=student)
    assert not answer.is_late

    client.force_login(peer)
    refused = client.post(create_url(thread), {"body": "Me too?"})
    assert "late answers are not accepted" in refused.content.decode()
    assert not Response.objects.filter(author=peer).exists()


def test_extension_spares_the_late_mark_only_for_its_student(
    instructor_client, student_client, student, client, peer, thread
):
    close_at_due_time(thread, allow_late=True)
    instructor_client.post(
        extend_url(thread, student), {"due_at": local_input(timezone.now() + timedelta(days=1))}
    )
    student_client.post(create_url(thread), {"body": "On time for me."})
    client.force_login(peer)
    client.post(create_url(thread), {"body": "Late for me."})
    assert not Response.objects.get(author=student).is_late
    assert Response.objects.get(author=peer).is_late


def test_student_sees_own_extension_on_the_thread(instructor_client, student_client, student, thread):
    close_at_due_time(thread)
    instructor_client.post(
        extend_url(thread, student), {"due_at": local_input(timezone.now() + timedelta(days=1))}
    )
    html = student_client.get(thread_url(thread)).content.decode()
    assert "Your extension:" in html
    assert 'action="' + create_url(thread) + '"' in html


def test_extension_is_logged_and_confirmed(instructor_client, instructor, student, thread):
    due = thread.due_at + timedelta(days=2)
    response = instructor_client.post(extend_url(thread, student), {"due_at": local_input(due)}, follow=True)
    assert any(m.startswith("Extension for Sam Student until") for m in page_messages(response))
    event = events(thread, "extend").get()
    assert (event.actor, event.student, event.response) == (instructor, student, None)


def test_empty_due_at_removes_the_extension(instructor_client, instructor, student, thread):
    extend_due(assignment=thread, student=student, due_at=thread.due_at + timedelta(days=1), by=instructor)
    response = instructor_client.post(extend_url(thread, student), {"due_at": ""}, follow=True)
    assert "Extension for Sam Student removed." in page_messages(response)
    assert Participation.objects.get(assignment=thread, student=student).due_at_override is None
    assert events(thread, "extend").count() == 2


def test_removed_extension_closes_the_thread_for_that_student_again(
    instructor_client, instructor, student_client, student, thread
):
    close_at_due_time(thread)
    extend_due(assignment=thread, student=student, due_at=timezone.now() + timedelta(days=1), by=instructor)
    instructor_client.post(extend_url(thread, student), {"due_at": ""})
    refused = student_client.post(create_url(thread), {"body": "Too late after all."})
    assert "late answers are not accepted" in refused.content.decode()
    assert not Response.objects.filter(author=student).exists()


@pytest.mark.parametrize("offset", [timedelta(hours=-1), timedelta(0)])
def test_extension_not_after_the_due_time_is_refused_and_nothing_changes(
    instructor_client, student, thread, offset
):
    thread.due_at = thread.due_at.replace(second=0, microsecond=0)
    thread.save()
    before = version_of(thread)
    response = instructor_client.post(
        extend_url(thread, student), {"due_at": local_input(thread.due_at + offset)}, follow=True
    )
    assert "An extension must end after the thread's own due time." in page_messages(response)
    assert not Participation.objects.filter(assignment=thread, due_at_override__isnull=False).exists()
    assert not ModerationEvent.objects.exists()
    assert version_of(thread) == before


def test_extension_with_an_unreadable_date_is_refused(instructor_client, student, thread):
    response = instructor_client.post(extend_url(thread, student), {"due_at": "next tuesday"}, follow=True)
    assert "That date is not valid: check the day, the month, the hour and any UTC offset." in page_messages(
        response
    )
    assert not ModerationEvent.objects.exists()


def test_extension_for_a_student_outside_the_group_is_404(instructor_client, outsider, thread):
    due = local_input(thread.due_at + timedelta(days=1))
    assert instructor_client.post(extend_url(thread, outsider), {"due_at": due}).status_code == 404
    assert not Participation.objects.filter(student=outsider).exists()
    assert not ModerationEvent.objects.exists()


def test_extension_shows_on_the_report(instructor_client, instructor, student, thread):
    due = (thread.due_at + timedelta(days=2)).replace(second=0, microsecond=0)
    extend_due(assignment=thread, student=student, due_at=due, by=instructor)
    html = instructor_client.get(report_url(thread)).content.decode()
    row = re.search(rf'<tr id="student-{student.pk}".*?</tr>', html, re.DOTALL).group(0)
    assert f"Extended to {timezone.localtime(due):%-d %b, %H:%M} UTC" in row  # the site's zone: none chosen
    assert f'value="{local_input(due)}"' in row


# ---- the moderation log ----------------------------------------------------------------------


def test_every_moderation_action_is_in_the_log_with_who_what_when_and_why(
    instructor_client, co_instructor, thread, student, answer, reply
):
    co_client = client_for(co_instructor)
    instructor_client.post(hide_url(answer), {"reason": REASON})
    co_client.post(unhide_url(answer))
    instructor_client.post(highlight_url(reply), {"highlighted": "1"})
    instructor_client.post(highlight_url(reply), {"highlighted": "0"})
    instructor_client.post(pin_url(answer), {"pinned": "1"})
    instructor_client.post(pin_url(answer), {"pinned": "0"})
    instructor_client.post(lock_url(thread))
    instructor_client.post(lock_url(thread))
    newer = Brief.objects.get(pk=thread.brief_id)
    newer.commentary = "A commentary its owner rewrote."
    save_brief(brief=newer, by=co_instructor)
    instructor_client.post(reverse("classroom:assignment_brief_version", args=[thread.pk]))
    instructor_client.post(extend_url(thread, student), {"due_at": local_input(thread.due_at + timedelta(1))})

    assert set(events(thread).values_list("action", flat=True)) == set(ModerationEvent.Action.values)
    response = instructor_client.get(log_url(thread))
    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(r"<tr>\s*<td[^>]*><time.*?</tr>", html, re.DOTALL)
    assert len(rows) == 10
    assert "extended the due time" in rows[0]  # newest first
    hide_row = next(row for row in rows if "hid a response" in row)
    assert "Tess Teacher" in hide_row
    assert "Zephyrine Quillfeather" in hide_row
    assert REASON in hide_row
    assert f'#response-{answer.pk}">see it in the thread</a>' in hide_row  # not "hid a response (response)"
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', hide_row)
    unhide_row = next(row for row in rows if "showed a hidden response again" in row)
    assert "Cora Colleague" in unhide_row
    for label in ModerationEvent.Action.labels:
        assert str(label) in html


def test_log_lists_only_this_threads_events(instructor_client, instructor, thread, brief, group):
    from tests.factories import AssignmentFactory

    other = AssignmentFactory(group=group)
    set_thread_lock(assignment=other, locked=True, by=instructor)
    html = instructor_client.get(log_url(thread)).content.decode()
    assert "Nothing has been moderated in this thread." in html


def test_log_escapes_the_reason(instructor_client, instructor, answer):
    hide_response(response=answer, by=instructor, reason="<script>alert(1)</script>")
    html = instructor_client.get(log_url(answer.assignment)).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_thread_links_instructors_to_the_log_but_not_students(instructor_client, student_client, thread):
    assert log_url(thread) in instructor_client.get(thread_url(thread)).content.decode()
    assert log_url(thread) not in student_client.get(thread_url(thread)).content.decode()


def test_log_queries_do_not_grow_with_events(
    instructor_client, instructor, thread, group, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    answer = make_response(thread, peer_in(group))
    hide_response(response=answer, by=instructor, reason="one")
    with CaptureQueriesContext(connection) as few:
        assert instructor_client.get(log_url(thread)).status_code == 200
    for n in range(6):
        author = peer_in(group, username=f"p{n}", first_name="P", last_name=str(n))
        hide_response(response=make_response(thread, author), by=instructor, reason=f"reason {n}")
    with django_assert_max_num_queries(len(few)):
        assert instructor_client.get(log_url(thread)).status_code == 200


# ---- hidden answers cannot be reached around the thread page -----------------------------


def test_classmate_gets_404_for_the_reply_form_of_a_hidden_answer(thread, group, instructor, student):
    hidden = make_response(thread, peer_in(group), body="Something hidden.")
    hide_response(response=hidden, by=instructor, reason="Off topic")
    make_response(thread, student, body="My own answer to see peers.")
    response = client_for(student).get(reverse("classroom:response_reply", args=[hidden.pk]))
    assert response.status_code == 404
    assert "Zephyrine" not in response.content.decode()


def test_reply_to_a_hidden_answer_is_refused_and_nothing_is_stored(thread, group, instructor, student):
    hidden = make_response(thread, peer_in(group), body="Something hidden.")
    hide_response(response=hidden, by=instructor, reason="Off topic")
    before = Response.objects.count()
    from classroom.actions import ActionRefused, post_response

    with pytest.raises(ActionRefused):
        post_response(assignment=thread, author=student, body="A reply.", parent=hidden)
    assert Response.objects.count() == before


def test_double_submitted_lock_keeps_the_thread_locked(thread, instructor):
    client = client_for(instructor)
    client.post(lock_url(thread), {"locked": "1"})
    client.post(lock_url(thread), {"locked": "1"})
    thread.refresh_from_db()
    assert thread.is_locked
