"""The thread outline read incrementally (only responses changed since the last version this
process read) is the outline read from scratch, whatever happened in between."""

import pytest

from classroom import caching, readmodel
from classroom.actions import (
    delete_response,
    edit_response,
    hide_response,
    post_response,
    set_pin,
    unhide_response,
)
from classroom.models import Assignment
from tests.factories import UserFactory, make_response

pytestmark = pytest.mark.django_db


def outline(assignment, *, fresh: bool):
    if fresh:
        caching.forget_everything()
    return readmodel.thread_outline(Assignment.objects.get(pk=assignment.pk))


def test_incremental_outline_matches_a_fresh_one_after_every_kind_of_change(
    thread, group, student, instructor
):
    peers = [UserFactory() for _ in range(3)]
    for peer in peers:
        group.memberships.create(student=peer)
    first = make_response(thread, peers[0], body="First answer.")
    second = make_response(thread, peers[1], body="Second answer.")
    outline(thread, fresh=True)  # the process now knows the rows at this version

    changes = [
        lambda: make_response(thread, peers[2], body="Third answer."),
        lambda: post_response(assignment=thread, author=student, body="A reply.", parent=first),
        lambda: edit_response(response=second, body="Second answer, edited.", by=peers[1]),
        lambda: hide_response(response=first, by=instructor, reason="Off topic."),
        lambda: set_pin(response=second, by=instructor, pinned=True),
        lambda: delete_response(response=second, by=peers[1]),
    ]
    for change in changes:
        change()
        incremental = outline(thread, fresh=False)
        assert incremental == outline(thread, fresh=True)
        assert caching._rows  # the second call read from scratch and kept the rows again


def test_the_outline_updated_family_by_family_keeps_its_order_and_counts(thread, group, student, instructor):
    """Families taken out and put back in their place (pinned first, then oldest first), the
    untouched ones the very same objects, and the counts those of an outline built whole."""
    peers = [UserFactory() for _ in range(5)]
    for peer in peers:
        group.memberships.create(student=peer)
    answers = [make_response(thread, peer, body=f"Answer {n}.") for n, peer in enumerate(peers[:4])]
    outline(thread, fresh=True)
    changes = [
        lambda: set_pin(response=answers[2], by=instructor, pinned=True),
        lambda: set_pin(response=answers[0], by=instructor, pinned=True),
        lambda: make_response(thread, peers[4], body="A new answer while two are pinned."),
        lambda: post_response(
            assignment=thread, author=student, body="A reply to a pinned one.", parent=answers[2]
        ),
        lambda: hide_response(response=answers[1], by=instructor, reason="Off topic."),
        lambda: post_response(assignment=thread, author=peers[1], body="Still here.", parent=answers[1]),
        lambda: set_pin(response=answers[2], by=instructor, pinned=False),
        lambda: unhide_response(response=answers[1], by=instructor),
        lambda: delete_response(response=answers[3], by=peers[3]),
        lambda: make_response(thread, student, body="The student's own answer, last."),
    ]
    for change in changes:
        before = outline(thread, fresh=False)
        change()
        after = outline(thread, fresh=False)
        assert after == outline(thread, fresh=True)
        outline(thread, fresh=False)  # known again at this version, for the next change
        kept = {family.pk for family in before.families} & {family.pk for family in after.families}
        changed = [pk for pk in kept if before.by_pk[pk] is not after.by_pk[pk]]
        assert len(changed) <= 1  # one family made again; the others taken as they were
    whole = outline(thread, fresh=True)
    assert [family.pk for family in whole.families] == sorted(
        (family.pk for family in whole.families), key=lambda pk: whole.by_pk[pk].order
    )
    assert whole.answer_authors.keys() == {*(peer.pk for peer in peers[:3]), peers[4].pk, student.pk}


def test_incremental_outline_reads_only_the_changed_responses(thread, group, django_assert_num_queries):
    students = [UserFactory() for _ in range(6)]
    for student in students:
        group.memberships.create(student=student)
    for n, student in enumerate(students[:5]):
        make_response(thread, student, body=f"Answer {n}.")
    outline(thread, fresh=True)
    make_response(thread, students[5], body="One more.")
    current = Assignment.objects.get(pk=thread.pk)
    with django_assert_num_queries(1) as captured:
        readmodel.thread_outline(current)
    assert '"version" >' in captured.captured_queries[0]["sql"]


def test_the_window_taken_from_the_counts_is_the_window_walked_family_by_family(
    thread, group, student, instructor, monkeypatch
):
    """A long thread's first screen (the newest answers, the pinned ones) for a teacher and for a
    student with no hidden post, from the outline's counts and ends, equals the one that tests
    every family as a student with a hidden post of their own gets it."""
    monkeypatch.setattr(readmodel, "WINDOW", 3)
    peers = [UserFactory() for _ in range(7)]
    for peer in peers:
        group.memberships.create(student=peer)
    answers = [make_response(thread, peer, body=f"Answer {n}.") for n, peer in enumerate(peers)]
    set_pin(response=answers[3], by=instructor, pinned=True)
    hide_response(response=answers[5], by=instructor, reason="Off topic.")
    delete_response(response=answers[6], by=peers[6])
    current = Assignment.objects.select_related("group", "brief").get(pk=thread.pk)
    for user, kind in ((instructor, "teacher"), (student, "student")):
        viewer = readmodel.Viewer.of(user, current)
        assert readmodel.reader_kind(viewer) == kind
        counted = readmodel._window(viewer, False, kind)
        walked = readmodel._window(viewer, False, None)
        assert counted == walked
        assert counted[1] == (3 if kind == "teacher" else 1)
