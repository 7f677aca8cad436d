"""Thread actions and read rules, without HTTP: posting, replying, editing, deleting, seeing."""

import re
import threading
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone

from classroom import actions
from classroom.actions import ActionRefused, delete_response, edit_response, post_response
from classroom.models import Assignment, Membership, Participation, Response
from classroom.permissions import can_see_peers, get_visible_response
from tests.factories import AssignmentFactory, GroupFactory, make_response


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def set_rules(assignment, **rules):
    for name, value in rules.items():
        setattr(assignment, name, value)
    assignment.save()
    return assignment


def past_due(assignment, **rules):
    now = timezone.now()
    return set_rules(assignment, opens_at=now - timedelta(days=2), due_at=now - timedelta(minutes=1), **rules)


def version_of(assignment) -> int:
    return Assignment.objects.get(pk=assignment.pk).version


# ---- posting an answer -------------------------------------------------------------------


def test_post_response_stores_answer_with_rendered_body_and_word_count(thread, student):
    answer = post_response(assignment=thread, author=student, body="  It is **not** settled, I'd say.  ")
    assert answer.parent is None
    assert answer.body == "It is **not** settled, I'd say."
    assert answer.body_html == "<p>It is <strong>not</strong> settled, I'd say.</p>\n"
    assert answer.word_count == 6
    assert not answer.by_instructor
    assert not answer.is_late


def test_post_response_bumps_the_thread_version_and_stamps_the_response(thread, student):
    before = version_of(thread)
    answer = post_response(assignment=thread, author=student, body="An answer.")
    assert version_of(thread) == before + 1
    assert answer.created_version == answer.version == before + 1


def test_first_answer_gives_the_student_a_seat_with_the_next_alias(thread, student, peer):
    first = post_response(assignment=thread, author=peer, body="First.")
    second = post_response(assignment=thread, author=student, body="Second.")
    assert (first.alias, second.alias) == (1, 2)
    seat = Participation.objects.get(assignment=thread, student=student)
    assert seat.alias == 2
    assert seat.first_posted_at == second.created_at


def test_students_alias_is_the_same_on_all_their_responses(thread, student, peer):
    answer = post_response(assignment=thread, author=peer, body="Answer.")
    mine = post_response(assignment=thread, author=student, body="Mine.")
    reply = post_response(assignment=thread, author=peer, body="Reply.", parent=mine)
    assert reply.alias == answer.alias == 1
    assert Participation.objects.filter(assignment=thread).count() == 2


def test_empty_answer_is_refused(thread, student):
    with pytest.raises(ActionRefused, match="Write something before you post."):
        post_response(assignment=thread, author=student, body=" \n\t ")
    assert not Response.objects.exists()


def test_answer_over_ten_thousand_characters_is_refused(thread, student):
    with pytest.raises(ActionRefused, match="Keep it under 10,000 characters"):
        post_response(assignment=thread, author=student, body="x" * 10_001)
    assert not Response.objects.exists()


def test_answer_of_ten_thousand_characters_is_accepted(thread, student):
    assert post_response(assignment=thread, author=student, body="x" * 10_000).body == "x" * 10_000


def test_answer_under_min_words_is_refused(thread, student):
    set_rules(thread, min_words=6)
    with pytest.raises(ActionRefused, match="Write at least 6 words; this has 5."):
        post_response(assignment=thread, author=student, body="one two three four five")
    assert not Response.objects.exists()


def test_answer_with_exactly_min_words_is_accepted(thread, student):
    set_rules(thread, min_words=6)
    assert (
        post_response(assignment=thread, author=student, body="one two three four five six").word_count == 6
    )


def test_refused_post_does_not_bump_version_or_seat_the_student(thread, student):
    set_rules(thread, min_words=6)
    before = version_of(thread)
    with pytest.raises(ActionRefused):
        post_response(assignment=thread, author=student, body="short")
    assert version_of(thread) == before
    assert not Participation.objects.exists()


def test_student_answers_once_per_thread(thread, student):
    post_response(assignment=thread, author=student, body="First answer.")
    with pytest.raises(ActionRefused, match="already answered"):
        post_response(assignment=thread, author=student, body="Second answer.")
    assert Response.objects.filter(author=student, parent=None).count() == 1


def test_student_may_answer_again_after_deleting_the_answer(thread, student):
    first = post_response(assignment=thread, author=student, body="First answer.")
    delete_response(response=first, by=student)
    second = post_response(assignment=thread, author=student, body="Second answer.")
    assert second.pk != first.pk
    assert second.alias == first.alias


def test_one_answer_per_thread_not_per_student(thread, student, group, brief):
    other_thread = AssignmentFactory(group=group)
    post_response(assignment=thread, author=student, body="Here.")
    assert (
        post_response(assignment=other_thread, author=student, body="And there.").assignment == other_thread
    )


# ---- double submits ------------------------------------------------------------------------


def test_same_client_token_twice_returns_the_first_answer(thread, student):
    token = uuid.uuid4()
    first = post_response(assignment=thread, author=student, body="Sent twice.", client_token=token)
    again = post_response(assignment=thread, author=student, body="Sent twice.", client_token=token)
    assert again.pk == first.pk
    assert Response.objects.count() == 1


def test_same_client_token_twice_does_not_bump_the_version_again(thread, student):
    token = uuid.uuid4()
    post_response(assignment=thread, author=student, body="Sent twice.", client_token=token)
    before = version_of(thread)
    post_response(assignment=thread, author=student, body="Sent twice.", client_token=token)
    assert version_of(thread) == before


def test_same_client_token_twice_returns_the_first_reply(thread, student, peer):
    answer = post_response(assignment=thread, author=peer, body="Answer.")
    token = uuid.uuid4()
    first = post_response(assignment=thread, author=student, body="Reply.", parent=answer, client_token=token)
    again = post_response(assignment=thread, author=student, body="Reply.", parent=answer, client_token=token)
    assert again.pk == first.pk
    assert Response.objects.filter(parent=answer).count() == 1


def test_different_client_tokens_post_separate_replies(thread, student, peer):
    answer = post_response(assignment=thread, author=peer, body="Answer.")
    for _ in range(2):
        post_response(
            assignment=thread, author=student, body="Reply.", parent=answer, client_token=uuid.uuid4()
        )
    assert Response.objects.filter(parent=answer).count() == 2


def test_client_tokens_are_per_author(thread, student, peer):
    token = uuid.uuid4()
    mine = post_response(assignment=thread, author=student, body="Mine.", client_token=token)
    theirs = post_response(assignment=thread, author=peer, body="Theirs.", client_token=token)
    assert mine.pk != theirs.pk


def test_duplicate_answer_that_waited_for_the_thread_lock_returns_the_first(thread, student, monkeypatch):
    """Two copies of one submit: the second waits for the thread lock while the first is stored.

    Once it holds the lock it must return that one, not refuse with "already answered" (the
    student would see an error for a post that worked), and write nothing: the thread keeps
    the version the first copy gave it, and the page sent back is built at that version.
    """
    token = uuid.uuid4()
    stored = []

    class FirstCopyStoredMeanwhile:
        def atomic(self, *args, **kwargs):
            monkeypatch.setattr(actions, "transaction", transaction)
            stored.append(
                post_response(assignment=thread, author=student, body="Double click.", client_token=token)
            )
            return transaction.atomic(*args, **kwargs)

        def __getattr__(self, name):
            return getattr(transaction, name)

    monkeypatch.setattr(actions, "transaction", FirstCopyStoredMeanwhile())
    second = post_response(assignment=thread, author=student, body="Double click.", client_token=token)
    assert second.pk == stored[0].pk
    assert Response.objects.filter(author=student).count() == 1
    thread.refresh_from_db()
    assert thread.version == stored[0].version == second.assignment.version
    assert second.author_seat.alias == stored[0].alias


def test_a_retried_reply_stores_nothing_and_returns_the_first(thread, student, peer):
    answer = post_response(assignment=thread, author=peer, body="Answer.")
    token = uuid.uuid4()
    first = post_response(
        assignment=thread, author=student, body="A reply.", parent=answer, client_token=token
    )
    thread.refresh_from_db()
    version = thread.version
    again = post_response(
        assignment=thread, author=student, body="A reply.", parent=answer, client_token=token
    )
    assert again.pk == first.pk
    assert Response.objects.filter(author=student).count() == 1
    thread.refresh_from_db()
    assert thread.version == version == again.assignment.version


class AtomicAfterBarrier:
    """Stands in for django.db.transaction in classroom.actions: both copies of a submit
    meet here before either opens its transaction (and takes the thread lock)."""

    def __init__(self, barrier: threading.Barrier):
        self.barrier = barrier

    def atomic(self, *args, **kwargs):
        self.barrier.wait(timeout=10)
        return transaction.atomic(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(transaction, name)


def post_twice_at_once(monkeypatch, **post) -> list:
    monkeypatch.setattr(actions, "transaction", AtomicAfterBarrier(threading.Barrier(2)))
    outcomes = []

    def submit():
        try:
            outcomes.append(post_response(**post))
        except Exception as error:  # the assertions below report it
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two connections writing at once need a server database (the SQLite test database is in memory)",
)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_copies_of_one_answer_submit_at_once_store_one_and_both_get_it(thread, student, monkeypatch):
    token = uuid.uuid4()
    outcomes = post_twice_at_once(
        monkeypatch, assignment=thread, author=student, body="Racing.", client_token=token
    )
    assert len(outcomes) == 2
    assert all(isinstance(outcome, Response) for outcome in outcomes), outcomes
    assert outcomes[0].pk == outcomes[1].pk
    assert Response.objects.filter(author=student).count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_copies_of_one_reply_submit_at_once_store_one_and_both_get_it(thread, student, peer, monkeypatch):
    answer = post_response(assignment=thread, author=peer, body="Answer.")
    token = uuid.uuid4()
    outcomes = post_twice_at_once(
        monkeypatch, assignment=thread, author=student, body="Racing.", parent=answer, client_token=token
    )
    assert len(outcomes) == 2
    assert all(isinstance(outcome, Response) for outcome in outcomes), outcomes
    assert outcomes[0].pk == outcomes[1].pk
    assert Response.objects.filter(author=student).count() == 1


# ---- replies -------------------------------------------------------------------------------


def test_reply_to_an_answer_hangs_under_it(thread, student, peer):
    answer = post_response(assignment=thread, author=peer, body="Answer.")
    reply = post_response(assignment=thread, author=student, body="Reply.", parent=answer)
    assert reply.parent == answer
    assert reply.reply_to is None
    assert reply.is_reply


def test_reply_to_a_reply_attaches_to_the_answer_and_remembers_whom_it_answers(thread, student, peer):
    answer = post_response(assignment=thread, author=peer, body="Answer.")
    first = post_response(assignment=thread, author=student, body="Reply.", parent=answer)
    second = post_response(assignment=thread, author=peer, body="Reply to reply.", parent=first)
    third = post_response(assignment=thread, author=student, body="And again.", parent=second)
    assert second.parent == answer and second.reply_to == first
    assert third.parent == answer and third.reply_to == second


def test_replies_are_not_held_to_min_words(thread, student, peer):
    set_rules(thread, min_words=30)
    answer = post_response(assignment=thread, author=peer, body="word " * 30)
    assert post_response(assignment=thread, author=student, body="Agreed.", parent=answer).word_count == 1


def test_empty_reply_is_refused(thread, student, peer):
    answer = post_response(assignment=thread, author=peer, body="Answer.")
    with pytest.raises(ActionRefused, match="Write something"):
        post_response(assignment=thread, author=student, body="", parent=answer)


def test_reply_to_a_deleted_response_is_refused(thread, student, peer):
    answer = post_response(assignment=thread, author=peer, body="Answer.")
    delete_response(response=answer, by=peer)
    answer.refresh_from_db()
    with pytest.raises(ActionRefused, match="no longer there"):
        post_response(assignment=thread, author=student, body="Hello?", parent=answer)


def test_reply_to_a_response_of_another_thread_is_refused(thread, student, group):
    other_thread = AssignmentFactory(group=group)
    elsewhere = post_response(assignment=other_thread, author=student, body="Elsewhere.")
    with pytest.raises(ActionRefused, match="no longer there"):
        post_response(assignment=thread, author=student, body="Cross-thread.", parent=elsewhere)


def test_students_reply_as_often_as_they_like(thread, student, peer):
    answer = post_response(assignment=thread, author=peer, body="Answer.")
    for n in range(3):
        post_response(assignment=thread, author=student, body=f"Reply {n}.", parent=answer)
    assert Response.objects.filter(author=student).count() == 3


# ---- who may post --------------------------------------------------------------------------


def test_student_outside_the_group_cannot_post(thread, outsider):
    with pytest.raises(ActionRefused, match="Only members"):
        post_response(assignment=thread, author=outsider, body="Let me in.")
    assert not Response.objects.exists()


def test_removed_student_cannot_post(thread, student, group):
    Membership.objects.filter(group=group, student=student).delete()
    with pytest.raises(ActionRefused, match="Only members"):
        post_response(assignment=thread, author=student, body="Still here?")


def test_other_instructor_cannot_post(thread, other_instructor, peer):
    answer = post_response(assignment=thread, author=peer, body="Answer.")
    with pytest.raises(ActionRefused, match="Only members"):
        post_response(assignment=thread, author=other_instructor, body="Drive-by.", parent=answer)


def test_instructor_cannot_post_a_top_level_answer(thread, instructor):
    with pytest.raises(ActionRefused, match="Instructors reply to answers"):
        post_response(assignment=thread, author=instructor, body="The answer is 42.")


def test_instructor_reply_is_marked_and_has_no_alias(thread, instructor, peer):
    answer = post_response(assignment=thread, author=peer, body="Answer.")
    reply = post_response(assignment=thread, author=instructor, body="Good.", parent=answer)
    assert reply.by_instructor
    assert reply.alias is None
    assert not Participation.objects.filter(student=instructor).exists()


def test_instructor_reply_after_due_time_is_not_late(thread, instructor, peer):
    answer = post_response(assignment=thread, author=peer, body="Answer.")
    past_due(thread)
    assert not post_response(assignment=thread, author=instructor, body="Feedback.", parent=answer).is_late


def test_instructor_cannot_reply_in_a_locked_thread(thread, instructor, peer):
    answer = post_response(assignment=thread, author=peer, body="Answer.")
    set_rules(thread, locked_at=timezone.now())
    with pytest.raises(ActionRefused, match="locked"):
        post_response(assignment=thread, author=instructor, body="Too late.", parent=answer)


# ---- time and locks ------------------------------------------------------------------------


def test_answer_before_the_thread_opens_is_refused(thread, student):
    set_rules(thread, opens_at=timezone.now() + timedelta(hours=1), due_at=timezone.now() + timedelta(days=1))
    with pytest.raises(ActionRefused, match="not open yet"):
        post_response(assignment=thread, author=student, body="Early bird.")


def test_answer_after_due_time_is_refused_and_nothing_is_stored(thread, student):
    past_due(thread)
    before = version_of(thread)
    with pytest.raises(ActionRefused, match="late answers are not accepted"):
        post_response(assignment=thread, author=student, body="Too late.")
    assert not Response.objects.exists()
    assert version_of(thread) == before


def test_reply_after_due_time_is_refused(thread, student, peer):
    answer = post_response(assignment=thread, author=peer, body="Answer.")
    past_due(thread)
    with pytest.raises(ActionRefused, match="late answers are not accepted"):
        post_response(assignment=thread, author=student, body="Late reply.", parent=answer)


def test_answer_after_due_time_is_stored_as_late_when_late_answers_are_allowed(thread, student):
    past_due(thread, allow_late=True)
    assert post_response(assignment=thread, author=student, body="Late.").is_late


def test_answer_just_before_due_time_is_not_late(thread, student):
    due = thread.due_at
    answer = post_response(
        assignment=thread, author=student, body="Just in time.", now=due - timedelta(seconds=1)
    )
    assert not answer.is_late


def test_answer_just_after_due_time_is_refused(thread, student):
    with pytest.raises(ActionRefused):
        post_response(
            assignment=thread, author=student, body="Just late.", now=thread.due_at + timedelta(seconds=1)
        )


def test_locked_thread_refuses_answers(thread, student):
    set_rules(thread, locked_at=timezone.now())
    with pytest.raises(ActionRefused, match="locked this thread"):
        post_response(assignment=thread, author=student, body="Locked out.")
    assert not Response.objects.exists()


def test_locked_thread_refuses_late_answers_even_when_allowed(thread, student):
    past_due(thread, allow_late=True)
    set_rules(thread, locked_at=timezone.now())
    with pytest.raises(ActionRefused, match="locked"):
        post_response(assignment=thread, author=student, body="Locked out.")


def test_archived_group_refuses_answers(thread, student, group):
    group.set_archived(True)
    with pytest.raises(ActionRefused, match="archived"):
        post_response(assignment=thread, author=student, body="Anyone home?")


def test_action_reads_the_rules_from_the_database_not_the_callers_copy(thread, student):
    stale = Assignment.objects.get(pk=thread.pk)
    Assignment.objects.filter(pk=thread.pk).update(locked_at=timezone.now())
    with pytest.raises(ActionRefused, match="locked"):
        post_response(assignment=stale, author=student, body="Stale page.")


# ---- Markdown, sanitised -------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        "[click](JaVaScRiPt:alert(1))",
        '<p onclick="alert(1)">hi</p>',
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<iframe src="https://evil.example"></iframe>',
        '<a href="https://ok.example" onmouseover="alert(1)">hover</a>',
    ],
)
def test_response_html_has_no_script_handlers_or_dangerous_links(thread, student, body):
    html = post_response(assignment=thread, author=student, body=body).body_html
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "<iframe" not in lowered
    assert not re.search(r"<a[^>]*href=\"(javascript|data):", lowered)
    assert not re.search(r"<[^>]*\son\w+\s*=", lowered)


def test_response_html_keeps_safe_markdown(thread, student):
    body = "> quoted\n\n1. first\n2. second\n\n`code` and [a link](https://example.org)"
    html = post_response(assignment=thread, author=student, body=body).body_html
    assert "<blockquote>" in html
    assert "<ol>" in html
    assert "<code>code</code>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow ugc">a link</a>' in html


# ---- editing -------------------------------------------------------------------------------


def test_author_edits_own_answer(thread, student):
    answer = post_response(assignment=thread, author=student, body="Before.")
    before = version_of(thread)
    edited = edit_response(response=answer, body="After **all**.", by=student)
    assert edited.body == "After **all**."
    assert edited.body_html == "<p>After <strong>all</strong>.</p>\n"
    assert edited.word_count == 2
    assert edited.edited_at is not None
    assert edited.version == version_of(thread) == before + 1
    assert edited.created_version < edited.version


def test_edit_with_the_same_text_does_not_mark_edited(thread, student):
    answer = post_response(assignment=thread, author=student, body="Same.")
    assert edit_response(response=answer, body="  Same.  ", by=student).edited_at is None


def test_edit_under_min_words_is_refused(thread, student):
    set_rules(thread, min_words=3)
    answer = post_response(assignment=thread, author=student, body="one two three")
    with pytest.raises(ActionRefused, match="at least 3 words"):
        edit_response(response=answer, body="one two", by=student)
    answer.refresh_from_db()
    assert answer.body == "one two three"


def test_edit_of_a_reply_is_not_held_to_min_words(thread, student, peer):
    set_rules(thread, min_words=3)
    answer = post_response(assignment=thread, author=peer, body="one two three")
    reply = post_response(assignment=thread, author=student, body="Yes indeed.", parent=answer)
    assert edit_response(response=reply, body="Yes.", by=student).body == "Yes."


def test_student_cannot_edit_someone_elses_response(thread, student, peer):
    answer = post_response(assignment=thread, author=peer, body="Theirs.")
    before = version_of(thread)
    with pytest.raises(ActionRefused, match="can no longer edit"):
        edit_response(response=answer, body="Mine now.", by=student)
    answer.refresh_from_db()
    assert answer.body == "Theirs."
    assert version_of(thread) == before


def test_instructor_cannot_edit_a_students_response(thread, instructor, student):
    answer = post_response(assignment=thread, author=student, body="Student's.")
    with pytest.raises(ActionRefused):
        edit_response(response=answer, body="Teacher's.", by=instructor)


def test_student_cannot_edit_after_thread_is_locked(thread, student):
    answer = post_response(assignment=thread, author=student, body="Before the lock.")
    set_rules(thread, locked_at=timezone.now())
    with pytest.raises(ActionRefused):
        edit_response(response=answer, body="After the lock.", by=student)
    answer.refresh_from_db()
    assert answer.body == "Before the lock."


def test_student_cannot_edit_after_due_time(thread, student):
    answer = post_response(assignment=thread, author=student, body="On time.")
    with pytest.raises(ActionRefused):
        edit_response(
            response=answer, body="Revised late.", by=student, now=thread.due_at + timedelta(minutes=1)
        )
    answer.refresh_from_db()
    assert answer.body == "On time."


def test_deleted_response_cannot_be_edited(thread, student):
    answer = post_response(assignment=thread, author=student, body="Gone.")
    delete_response(response=answer, by=student)
    with pytest.raises(ActionRefused):
        edit_response(response=answer, body="Back?", by=student)


def test_instructor_edits_own_reply_after_due_time_but_not_when_locked(thread, instructor, peer):
    answer = post_response(assignment=thread, author=peer, body="Answer.")
    reply = post_response(assignment=thread, author=instructor, body="Feedback.", parent=answer)
    past_due(thread)
    assert edit_response(response=reply, body="Better feedback.", by=instructor).body == "Better feedback."
    set_rules(thread, locked_at=timezone.now())
    with pytest.raises(ActionRefused):
        edit_response(response=reply, body="Locked feedback.", by=instructor)


# ---- deleting ------------------------------------------------------------------------------


def test_delete_is_soft_and_bumps_the_version(thread, student):
    answer = post_response(assignment=thread, author=student, body="Gone soon.")
    before = version_of(thread)
    deleted = delete_response(response=answer, by=student)
    assert deleted.deleted_at is not None
    assert deleted.version == version_of(thread) == before + 1
    assert Response.objects.filter(pk=answer.pk).exists()


def test_deleting_an_answer_keeps_its_replies(thread, student, peer):
    answer = post_response(assignment=thread, author=student, body="Answer.")
    reply = post_response(assignment=thread, author=peer, body="Reply.", parent=answer)
    delete_response(response=answer, by=student)
    reply.refresh_from_db()
    assert reply.deleted_at is None
    assert reply.parent_id == answer.pk


def test_student_cannot_delete_someone_elses_response(thread, student, peer):
    answer = post_response(assignment=thread, author=peer, body="Theirs.")
    with pytest.raises(ActionRefused, match="can no longer delete"):
        delete_response(response=answer, by=student)
    answer.refresh_from_db()
    assert answer.deleted_at is None


def test_student_cannot_delete_after_thread_is_locked(thread, student):
    answer = post_response(assignment=thread, author=student, body="Mine.")
    set_rules(thread, locked_at=timezone.now())
    with pytest.raises(ActionRefused):
        delete_response(response=answer, by=student)
    answer.refresh_from_db()
    assert answer.deleted_at is None


def test_student_cannot_delete_after_due_time(thread, student):
    answer = post_response(assignment=thread, author=student, body="Mine.")
    with pytest.raises(ActionRefused):
        delete_response(response=answer, by=student, now=thread.due_at + timedelta(minutes=1))
    answer.refresh_from_db()
    assert answer.deleted_at is None


def test_deleting_twice_is_refused(thread, student):
    answer = post_response(assignment=thread, author=student, body="Once.")
    delete_response(response=answer, by=student)
    with pytest.raises(ActionRefused):
        delete_response(response=answer, by=student)


# ---- who sees what -------------------------------------------------------------------------


def test_student_sees_assignments_of_own_groups_once_open(thread, student, group, instructor):
    unopened = AssignmentFactory(
        group=group, opens_at=timezone.now() + timedelta(hours=1), due_at=timezone.now() + timedelta(days=2)
    )
    elsewhere = AssignmentFactory(group=GroupFactory(instructors=[instructor]))
    visible = set(Assignment.objects.visible_to(student))
    assert thread in visible
    assert unopened not in visible
    assert elsewhere not in visible


def test_student_sees_an_assignment_from_the_moment_it_opens(thread, student):
    opens = thread.opens_at
    assert (
        not Assignment.objects.visible_to(student, now=opens - timedelta(seconds=1))
        .filter(pk=thread.pk)
        .exists()
    )
    assert Assignment.objects.visible_to(student, now=opens).filter(pk=thread.pk).exists()


def test_instructor_sees_own_groups_assignments_even_unopened(thread, instructor, group, other_instructor):
    unopened = AssignmentFactory(
        group=group, opens_at=timezone.now() + timedelta(hours=1), due_at=timezone.now() + timedelta(days=2)
    )
    theirs = AssignmentFactory(group=GroupFactory(instructors=[other_instructor]))
    visible = set(Assignment.objects.visible_to(instructor))
    assert {thread, unopened} <= visible
    assert theirs not in visible


def test_other_instructor_and_outsider_and_anonymous_see_nothing(thread, other_instructor, outsider):
    assert not Assignment.objects.visible_to(other_instructor).exists()
    assert not Assignment.objects.visible_to(outsider).exists()
    assert not Assignment.objects.visible_to(AnonymousUser()).exists()


def test_post_first_student_sees_peers_only_after_answering(thread, student):
    set_rules(thread, post_first=True)
    assert not can_see_peers(student, thread)
    post_response(assignment=thread, author=student, body="My answer.")
    assert can_see_peers(student, thread)


def test_post_first_student_who_only_has_a_seat_does_not_see_peers(thread, student):
    set_rules(thread, post_first=True)
    Participation.objects.create(assignment=thread, student=student, alias=1)
    assert not can_see_peers(student, thread)


def test_without_post_first_students_see_peers_at_once(thread, student):
    assert can_see_peers(student, thread)


def test_instructor_always_sees_peers(thread, instructor):
    set_rules(thread, post_first=True)
    assert can_see_peers(
        instructor, Assignment.objects.prefetch_related("group__instructors").get(pk=thread.pk)
    )


def test_post_first_student_cannot_fetch_a_peers_response_before_answering(thread, student, peer):
    set_rules(thread, post_first=True)
    theirs = make_response(thread, peer)
    with pytest.raises(Http404):
        get_visible_response(student, theirs.pk)
    make_response(thread, student)
    assert get_visible_response(student, theirs.pk) == theirs


def test_outsider_cannot_fetch_a_response(thread, peer, outsider, other_instructor):
    theirs = make_response(thread, peer)
    for user in (outsider, other_instructor):
        with pytest.raises(Http404):
            get_visible_response(user, theirs.pk)


def test_author_and_instructor_can_fetch_a_response(thread, peer, instructor):
    set_rules(thread, post_first=True)
    theirs = make_response(thread, peer)
    assert get_visible_response(peer, theirs.pk) == theirs
    assert get_visible_response(instructor, theirs.pk) == theirs
