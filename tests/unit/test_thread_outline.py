"""The thread outline read incrementally (only responses changed since the last version this
process read) is the outline read from scratch, whatever happened in between."""

import pytest

from classroom import caching, readmodel
from classroom.actions import delete_response, edit_response, hide_response, post_response, set_pin
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
