"""A live page equals a fresh load: the poll keeps the brief whole, and deletes and restores
made in another process never leave this process serving the past (thread epochs)."""

import re

import pytest
from django.core.management import call_command

from briefs.actions import save_brief
from briefs.models import Brief
from classroom import caching
from classroom.actions import (
    delete_response,
    edit_response,
    hide_response,
    move_to_newest_brief,
    post_response,
    set_pin,
)
from classroom.models import Response
from classroom.readmodel import WINDOW
from tests.factories import UserFactory, make_response
from tests.helpers import client_for, page_poll, peer_in, set_rules, thread_url, without_csrf_tokens

HTMX = {"HX-Request": "true"}


def stats_line(html: str) -> str:
    match = re.search(r'<div id="thread-stats".*?<p>(.*?)</p>', html, re.DOTALL)
    assert match, "no counts on the page"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def heat(html: str) -> str:
    """How many answers the page says quote the summary's first sentence."""
    match = re.search(
        r'id="brief-summary-0".*?<sup class="heat[^"]*"[^>]*><span[^>]*>[^<]*</span>(\d+)<', html
    )
    return match.group(1) if match else "0"


def as_another_process(monkeypatch) -> None:
    """What another worker does reaches this process only through the database: its own
    `forget_everything` (which frees memory after a restore or delete) clears nothing here."""
    monkeypatch.setattr(caching, "forget_everything", lambda: None)


@pytest.mark.django_db
def test_a_new_answer_by_the_poll_keeps_the_briefs_commentary_and_question(thread, student, group, brief):
    assert thread.evidence  # quoting the brief, the default: the poll re-sends the heat marks
    make_response(thread, student, body="My own answer first.")
    client = client_for(student)
    link = page_poll(client, thread)
    make_response(thread, peer_in(group), body="A classmate's answer arrives.")
    html = client.get(link, headers=HTMX).content.decode()
    brief_part = html.split('<div id="brief-part" hx-swap-oob="true">', 1)[1]
    assert brief.commentary in brief_part
    assert brief.question in brief_part
    assert "A classmate&#x27;s answer arrives." in html or "A classmate's answer arrives." in html


@pytest.mark.django_db
def test_an_edited_reply_reaches_the_reply_that_quotes_it_by_the_poll(thread, student, group):
    """Found by the long live-equals-reload run (seed 7, step 226): a reply shows the words of
    the reply it answers, and the poll sent the edited reply's card but not the one quoting it."""
    peer = peer_in(group)
    answer = make_response(thread, student, body="My answer about the talks.")
    first = make_response(thread, peer, body="A first reply, soon to be edited.", parent=answer)
    make_response(thread, student, body="Answering that reply.", parent=first)
    client = client_for(student)
    link = page_poll(client, thread)
    edit_response(response=first, body="The first reply, as edited later.", by=peer)
    html = client.get(link, headers=HTMX).content.decode()
    quotes = re.findall(r'<p class="reply-to">.*?<q>(.*?)</q>', html, re.DOTALL)
    assert quotes == ["The first reply, as edited later."]


@pytest.mark.django_db
def test_an_earlier_answer_deleted_changes_the_count_of_earlier_answers_by_the_poll(
    thread, student, instructor, group
):
    """Found by the long live-equals-reload run on PostgreSQL (seed 8, step 325): the answer
    deleted was behind "Show N earlier answers", so no card changed and the live page kept N.
    A student's count goes down; a teacher still sees the deleted answer, so theirs stays."""
    answers = [
        make_response(
            thread, peer_in(group, username=f"early{n}", last_name=f"Early{n}"), body=f"Answer {n}."
        )
        for n in range(WINDOW + 2)
    ]
    client, teacher = client_for(student), client_for(instructor)
    link, teacher_link = page_poll(client, thread), page_poll(teacher, thread)
    assert "Show 2 earlier answers" in client.get(thread_url(thread)).content.decode()
    delete_response(response=answers[0], by=answers[0].author)
    html = client.get(link, headers=HTMX).content.decode()
    assert "Show 1 earlier answer" in html
    assert "Show 1 earlier answer" in client.get(thread_url(thread)).content.decode()
    teacher.get(teacher_link, headers=HTMX)
    assert "Show 2 earlier answers" in teacher.get(thread_url(thread)).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_user_deleted_in_the_admin_leaves_no_ghost_answers(thread, student, group, instructor, monkeypatch):
    peers = [peer_in(group, username=f"ghost{n}", first_name="Gus", last_name=f"Ghost{n}") for n in range(2)]
    for n, peer in enumerate(peers):
        post_response(
            assignment=thread, author=peer, body=f"Answer number {n} by a ghost to be.", quote=("summary", 0)
        )
    make_response(thread, student, body="The viewer's own answer.")
    viewer = client_for(student)
    link = page_poll(viewer, thread)
    before = viewer.get(thread_url(thread)).content.decode()
    assert stats_line(before).startswith("3 of 3")
    assert heat(before) == "2"

    as_another_process(monkeypatch)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    deleted = client_for(admin).post(f"/admin/classroom/user/{peers[0].pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not Response.objects.filter(author_id=peers[0].pk).exists()

    page = viewer.get(thread_url(thread)).content.decode()
    assert "Answer number 0" not in page
    assert stats_line(page).startswith("2 of 2")
    assert heat(page) == "1"  # the one answer left quotes the first sentence
    polled = viewer.get(link, headers=HTMX)
    assert polled["HX-Retarget"] == "#thread-page"
    assert "Answer number 0" not in polled.content.decode()
    monkeypatch.undo()
    caching.forget_everything()
    assert viewer.get(thread_url(thread)).content.decode().count('class="thread-item"') == page.count(
        'class="thread-item"'
    )


@pytest.mark.django_db(transaction=True)
def test_after_a_restore_running_workers_serve_the_restored_thread(
    tmp_path, thread, student, group, instructor, monkeypatch
):
    peer = peer_in(group)
    answer = make_response(thread, peer, body="Before the backup.")
    make_response(thread, student, body="Mine, before the backup.")
    backup = tmp_path / "agora-backup"
    call_command("backup_data", str(backup), verbosity=0)
    make_response(thread, instructor, parent=answer, body="Written after the backup, lost by the restore.")
    viewer = client_for(student)
    assert (
        "lost by the restore" in viewer.get(thread_url(thread)).content.decode()
    )  # now in this process's memos

    as_another_process(monkeypatch)
    call_command("restore_data", str(backup), yes=True, verbosity=0)
    viewer = client_for(student)  # the restore brought back the sessions of the backup
    page = viewer.get(thread_url(thread)).content.decode()
    assert "lost by the restore" not in page
    assert "Before the backup." in page
    assert stats_line(page).endswith("0 replies")

    restored_answer = Response.objects.get(body="Before the backup.")
    make_response(
        thread.__class__.objects.get(pk=thread.pk),
        instructor,
        parent=restored_answer,
        body="After the restore.",
    )
    assert "After the restore." in viewer.get(thread_url(thread)).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_restore_touches_no_cache_key_outside_agoras(tmp_path, thread, student):
    from django.core.cache import cache

    make_response(thread, student, body="Kept.")
    backup = tmp_path / "agora-backup"
    call_command("backup_data", str(backup), verbosity=0)
    cache.set("agoras-own-session", "still signed in", 300)
    redis = cache._cache.get_client(write=True) if hasattr(cache._cache, "get_client") else None
    if redis is not None:  # a key of another site sharing the Redis database
        redis.set("another-site:session", "still signed in")
    call_command("restore_data", str(backup), yes=True, verbosity=0)
    assert cache.get("agoras-own-session") == "still signed in"
    if redis is not None:
        assert redis.get("another-site:session") == b"still signed in"
        redis.delete("another-site:session")


@pytest.mark.django_db
def test_a_brief_version_the_teacher_moves_to_reaches_open_pages_by_the_poll(
    thread, student, brief, instructor
):
    client = client_for(student)
    link = page_poll(client, thread)
    edited = Brief.objects.get(pk=brief.pk)
    edited.commentary = "A commentary rewritten while the class reads."
    save_brief(brief=edited, by=instructor)
    assert client.get(link, headers=HTMX).status_code == 204  # the thread keeps its version
    move_to_newest_brief(assignment=thread, by=instructor)
    response = client.get(link, headers=HTMX)
    assert response.status_code == 200
    assert "A commentary rewritten while the class reads." in response.content.decode()


@pytest.mark.django_db
def test_a_student_waiting_for_classmates_sees_their_own_answer_pinned_and_no_replies_by_the_poll(
    thread, student, instructor, group
):
    """Found by the long live-equals-reload run on PostgreSQL + Redis (seed 9): a student who
    answered but waits for the class to reveal answers saw the teacher's pin only on a reload,
    and the live page could differ from a fresh load on the replies under their answer."""
    set_rules(thread, reveal_quorum=100)  # answers appear when the whole class has answered
    peer_in(group)
    answer = make_response(thread, student, body="My answer, waiting for the class.")
    client = client_for(student)
    link = page_poll(client, thread)
    set_pin(response=answer, by=instructor, pinned=True)
    html = client.get(link, headers=HTMX).content.decode()
    card = re.search(rf'<article id="response-{answer.pk}" class="([^"]*)"', html)
    assert card and "is-pinned" in card.group(1).split()
    link = page_poll(client, thread)
    make_response(thread, instructor, body="A teacher's note on this answer.", parent=answer)
    live = client.get(link, headers=HTMX).content.decode()
    fresh = client.get(thread_url(thread)).content.decode()
    assert "A teacher&#x27;s note" not in live and "A teacher&#x27;s note" not in fresh
    assert "My answer, waiting for the class." in fresh
    assert "revealed at once" in fresh  # still waiting: the case this test is about


def fresh_load(client, url: str) -> str:
    """The page as a worker that knows nothing of the thread serves it, leaving this process's
    own memory (its rows, outlines and values, brought up to date version by version) as it was."""
    kept = {name: dict(getattr(caching, name)) for name in ("_rows", "_last_outlines", "_polled", "_bells")}
    memos = {
        memo: dict(memo.values)
        for memo in (caching._values, caching._outlines, caching._fragments, caching._worked)
    }
    caching.forget_everything()
    html = client.get(url).content.decode()
    for name, values in kept.items():
        getattr(caching, name).clear()
        getattr(caching, name).update(values)
    for memo, values in memos.items():
        memo.values.clear()
        memo.values.update(values)
    return html


def comparable(html: str) -> str:
    """A page without what differs between any two renders of it (CSRF tokens, form tokens,
    the poll ticket's signing time) or within a second (the bell's version, read at most once
    a second per worker: classroom.caching.bell_version)."""
    html = without_csrf_tokens(html)
    html = re.sub(r'name="client_token" value="[^"]*"', 'name="client_token"', html)
    return re.sub(r"\b([tn])=[^&\"]+", r"\1=", html)


@pytest.mark.django_db
def test_the_page_right_after_each_kind_of_change_equals_a_fresh_load(
    thread, student, instructor, group, monkeypatch
):
    """The outline brought up to date family by family, its counts and the first screen of a
    long thread (three answers here) equal a fresh load, after every change that reshapes it:
    the reveal of a post-first thread, a student's own answer kept on the first screen, new
    answers, a reply, an edit, a hide, a pin behind "Show N earlier answers", an unpin, a delete."""
    import classroom.readmodel

    monkeypatch.setattr(classroom.readmodel, "WINDOW", 3)
    set_rules(thread, post_first=True)
    peers = [peer_in(group, username=f"outline{n}", last_name=f"Outline{n}") for n in range(6)]
    answers = {}
    readers = {
        "student": client_for(student),
        "teacher": client_for(instructor),
        "peer": client_for(peers[0]),
    }
    url = thread_url(thread)

    def answer(n: int) -> None:
        answers[n] = make_response(thread, peers[n], body=f"Answer {n}.")

    changes = [
        lambda: answer(0),
        lambda: answer(1),
        lambda: answers.setdefault("own", make_response(thread, student, body="My own answer, early.")),
        *(lambda n=n: answer(n) for n in range(2, 6)),
        lambda: post_response(assignment=thread, author=peers[2], body="A reply.", parent=answers[0]),
        lambda: edit_response(response=answers[4], body="Answer 4, edited.", by=peers[4]),
        lambda: hide_response(response=answers[5], by=instructor, reason="Off topic."),
        lambda: set_pin(response=answers[1], by=instructor, pinned=True),
        lambda: post_response(assignment=thread, author=peers[1], body="A reply, pinned.", parent=answers[1]),
        lambda: set_pin(response=answers[1], by=instructor, pinned=False),
        lambda: delete_response(response=answers[3], by=peers[3]),
        lambda: hide_response(response=answers["own"], by=instructor, reason="Off topic."),
        lambda: make_response(thread, instructor, body="A teacher's reply to it.", parent=answers["own"]),
    ]
    for client in readers.values():
        client.get(url)
    for step, change in enumerate(changes):
        change()
        for name, client in readers.items():
            live = client.get(url).content.decode()
            assert comparable(live) == comparable(fresh_load(client, url)), (step, name)
    html = readers["student"].get(url).content.decode()
    assert "My own answer, early." in html and "earlier answer" in html
