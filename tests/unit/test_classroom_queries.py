"""The classroom's read rules: who sees which assignment, participation counts, who teaches what."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from classroom.actions import delete_response, remove_student
from classroom.models import Assignment, Group, Membership, Response
from classroom.permissions import may_see
from tests.factories import AssignmentFactory, GroupFactory, InstructorFactory, UserFactory, make_response

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def upcoming(group):
    """An assignment of `group` that opens tomorrow."""
    return AssignmentFactory(group=group, opens_at=timezone.now() + timedelta(days=1))


def visible(user, now=None):
    seen = set(Assignment.objects.visible_to(user, now))
    if now is None:  # may_see() applies the same rule to one loaded assignment
        assert {a for a in Assignment.objects.select_related("group") if may_see(user, a)} == seen
    return seen


def participation(assignment):
    annotated = Assignment.objects.with_participation().get(pk=assignment.pk)
    return annotated.posted_count, annotated.member_count


def add_member(group, **fields):
    member = UserFactory(**fields)
    Membership.objects.create(group=group, student=member)
    return member


# ---- Assignment.objects.visible_to -------------------------------------------


def test_owning_instructor_sees_their_groups_assignments_even_before_they_open(instructor, thread, upcoming):
    assert visible(instructor) == {thread, upcoming}


def test_co_instructor_sees_the_groups_assignments_even_before_they_open(co_instructor, thread, upcoming):
    assert visible(co_instructor) == {thread, upcoming}


def test_other_instructor_sees_no_assignment_of_a_group_they_do_not_teach(other_instructor, thread, upcoming):
    mine = AssignmentFactory(group=GroupFactory(instructors=[other_instructor]))
    assert visible(other_instructor) == {mine}


def test_member_student_sees_only_opened_assignments_of_their_groups(student, thread, upcoming):
    AssignmentFactory()
    assert visible(student) == {thread}


def test_member_student_sees_an_assignment_from_its_opening_time(student, upcoming):
    assert visible(student, now=upcoming.opens_at - timedelta(seconds=1)) == set()
    assert visible(student, now=upcoming.opens_at) == {upcoming}


def test_outsider_student_sees_no_assignment(outsider, thread):
    assert visible(outsider) == set()


def test_removed_member_no_longer_sees_the_groups_assignments(group, student, thread):
    make_response(thread, student)
    remove_student(group=group, student=student)
    assert visible(student) == set()


def test_anonymous_visitor_sees_no_assignment(thread):
    assert visible(AnonymousUser()) == set()


def test_student_in_two_groups_sees_each_assignment_once(group, student, thread):
    second = GroupFactory(students=[student])
    other_thread = AssignmentFactory(group=second)
    assert sorted(Assignment.objects.visible_to(student).values_list("pk", flat=True)) == sorted(
        [thread.pk, other_thread.pk]
    )


def test_instructor_who_teaches_a_group_sees_each_assignment_once_with_co_instructors(
    group, instructor, other_instructor, thread
):
    group.instructors.add(other_instructor, InstructorFactory())
    assert list(Assignment.objects.visible_to(instructor).values_list("pk", flat=True)) == [thread.pk]


# ---- Assignment.objects.with_participation -----------------------------------


def test_participation_counts_members_and_members_who_answered(group, student, thread):
    add_member(group)
    add_member(group)
    make_response(thread, student)
    assert participation(thread) == (1, 3)


def test_participation_with_no_members_is_zero_of_zero(instructor):
    empty = AssignmentFactory(group=GroupFactory(instructors=[instructor]))
    assert participation(empty) == (0, 0)


def test_participation_does_not_count_replies(group, student, thread):
    replier = add_member(group)
    answer = make_response(thread, student)
    make_response(thread, replier, body="I agree with this.", parent=answer)
    assert participation(thread) == (1, 2)


def test_participation_does_not_count_instructor_posts(group, student, instructor, thread):
    answer = make_response(thread, student)
    make_response(thread, instructor, body="Good point.", parent=answer)
    Response.objects.create(assignment=thread, author=instructor, body="Top-level note.", by_instructor=True)
    assert participation(thread) == (1, 1)


def test_participation_does_not_count_removed_students(group, student, thread):
    stayer = add_member(group)
    make_response(thread, student)
    make_response(thread, stayer)
    remove_student(group=group, student=student)
    assert participation(thread) == (1, 1)


def test_participation_does_not_count_deleted_answers(group, student, thread):
    answer = make_response(thread, student)
    delete_response(response=answer, by=student)
    assert participation(thread) == (0, 1)


def test_participation_counts_a_student_once_after_deleting_and_answering_again(group, student, thread):
    delete_response(response=make_response(thread, student), by=student)
    make_response(thread, student, body="My second thought.")
    assert participation(thread) == (1, 1)


def test_participation_counts_each_thread_separately(group, student, thread, brief):
    second = AssignmentFactory(group=group)
    make_response(second, student)
    assert participation(thread) == (0, 1)
    assert participation(second) == (1, 1)


def test_participation_of_a_student_in_two_groups_counts_only_in_the_right_group(group, student, thread):
    other_group = GroupFactory(students=[student])
    other_thread = AssignmentFactory(group=other_group, brief=thread.brief)
    make_response(other_thread, student)
    assert participation(thread) == (0, 1)
    assert participation(other_thread) == (1, 1)


def test_with_student_state_says_whether_that_student_answered(group, student, thread):
    classmate = add_member(group)
    make_response(thread, classmate)
    assert Assignment.objects.with_student_state(student).get(pk=thread.pk).has_answered is False
    assert Assignment.objects.with_student_state(classmate).get(pk=thread.pk).has_answered is True


# ---- Group.objects.taught_by ---------------------------------------------------


def test_taught_by_lists_the_instructors_groups_only(instructor, other_instructor, group):
    mine = GroupFactory(instructors=[instructor])
    GroupFactory(instructors=[other_instructor])
    assert set(Group.objects.taught_by(instructor)) == {group, mine}


def test_taught_by_includes_co_taught_groups_once(instructor, other_instructor, group):
    group.instructors.add(other_instructor)
    assert list(Group.objects.taught_by(other_instructor)) == [group]
    assert list(Group.objects.taught_by(instructor)) == [group]


def test_taught_by_is_empty_for_students_and_anonymous(group, student):
    assert not Group.objects.taught_by(student).exists()
    assert not Group.objects.taught_by(AnonymousUser()).exists()


def test_taught_by_includes_archived_groups_and_active_leaves_them_out(instructor, group):
    group.set_archived(True)
    assert list(Group.objects.taught_by(instructor)) == [group]
    assert not Group.objects.taught_by(instructor).active().exists()


def test_with_member_count_counts_memberships(instructor, group):
    add_member(group)
    empty = GroupFactory(instructors=[instructor])
    counts = {g.pk: g.member_count for g in Group.objects.taught_by(instructor).with_member_count()}
    assert counts == {group.pk: 2, empty.pk: 0}


def test_assignment_taught_by_is_empty_for_students_and_other_instructors(student, other_instructor, thread):
    assert list(Assignment.objects.taught_by(thread.group.instructors.get())) == [thread]
    assert not Assignment.objects.taught_by(student).exists()
    assert not Assignment.objects.taught_by(other_instructor).exists()
    assert not Assignment.objects.taught_by(AnonymousUser()).exists()
