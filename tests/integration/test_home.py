"""The home page: a student's assignments by state; an instructor's groups and participation."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from classroom.actions import set_thread_lock
from classroom.models import Membership
from tests.factories import (
    AssignmentFactory,
    BriefFactory,
    GroupFactory,
    InstructorFactory,
    UserFactory,
    make_response,
)

HOME_URL = reverse("classroom:home")
NBSP = "\xa0"


def assign(group, title, **fields):
    return AssignmentFactory(group=group, brief=BriefFactory(title=title), **fields)


def section(html: str, name: str) -> str:
    """The HTML of one section of the student home (due, late, answered, closed), or ""."""
    match = re.search(rf'<h2 id="{name}-title">.*?</section>', html, re.S)
    return match.group(0) if match else ""


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME_URL)
    assert response.status_code == 200
    return len(queries)


def test_anonymous_visitor_is_sent_to_login_from_home(client, db):
    response = client.get(HOME_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# ---- student home -----------------------------------------------------------


@pytest.fixture
def student_threads(group, student, instructor):
    """One assignment in each state for `student`, plus some they must never see."""
    now = timezone.now()
    past = {"opens_at": now - timedelta(days=5), "due_at": now - timedelta(days=2, minutes=5)}
    threads = {
        "due": assign(group, "Open and unanswered"),
        "late": assign(group, "Past due but late allowed", allow_late=True, **past),
        "answered": assign(group, "Already answered"),
        "closed": assign(group, "Past due and closed", **past),
        "locked": assign(group, "Locked by the teacher"),
        "future": assign(group, "Not open yet", opens_at=now + timedelta(hours=3)),
        "elsewhere": assign(GroupFactory(instructors=[instructor]), "Another group's brief"),
    }
    make_response(threads["answered"], student)
    set_thread_lock(assignment=threads["locked"], locked=True)
    return threads


def test_student_home_sorts_assignments_into_to_answer_late_answered_and_closed(
    student_client, student_threads
):
    html = student_client.get(HOME_URL).content.decode()
    assert "To answer" in section(html, "due")
    assert "Open and unanswered" in section(html, "due")
    assert "Late — still accepted" in section(html, "late")
    assert "Past due but late allowed" in section(html, "late")
    assert "Already answered" in section(html, "answered")
    assert "Past due and closed" in section(html, "closed")
    assert "Locked by the teacher" in section(html, "closed")
    for title in ("Open and unanswered", "Past due but late allowed", "Already answered"):
        assert html.count(title) == 1


def test_student_home_hides_assignments_before_they_open(student_client, student_threads):
    assert "Not open yet" not in student_client.get(HOME_URL).content.decode()


def test_student_home_never_shows_other_groups_assignments(student_client, student_threads):
    assert "Another group" not in student_client.get(HOME_URL).content.decode()


def test_student_home_marks_past_due_threads_closed_or_late(student_client, student_threads):
    html = student_client.get(HOME_URL).content.decode()
    assert '<span class="badge badge-danger">Closed</span>' in section(html, "closed")
    assert '<span class="badge badge-warn">Late</span>' in section(html, "late")
    assert '<span class="badge badge-danger">Locked</span>' in section(html, "closed")


def test_student_home_says_how_many_classmates_have_answered(student_client, group, student):
    thread = assign(group, "Counting answers")
    classmates = [UserFactory() for _ in range(3)]
    for classmate in classmates:
        Membership.objects.create(group=group, student=classmate)
    make_response(thread, classmates[0])
    make_response(thread, classmates[1])
    make_response(thread, classmates[1], body="A reply is not an answer.", parent=thread.responses.first())
    html = student_client.get(HOME_URL).content.decode()
    assert "Period 3 · 2 of 4 classmates have answered" in html


def test_student_home_shows_due_times_with_their_zone_and_how_far_off(student_client, group):
    now = timezone.now()
    later, earlier = now + timedelta(days=3, minutes=30), now - timedelta(days=2)
    assign(group, "Due later", due_at=later)
    assign(group, "Was due", allow_late=True, opens_at=now - timedelta(days=9), due_at=earlier)
    html = student_client.get(HOME_URL).content.decode()
    assert f"{timezone.localtime(later):%a %-d %b, %H:%M} UTC</time> (in 3{NBSP}days)" in section(html, "due")
    assert f"{timezone.localtime(earlier):%a %-d %b, %H:%M} UTC</time> (2{NBSP}days ago)" in section(
        html, "late"
    )


def test_student_home_lists_assignments_across_all_their_groups(
    student_client, student, other_instructor, group
):
    second = GroupFactory(name="Debate club", instructors=[other_instructor], students=[student])
    assign(group, "From Period 3")
    assign(second, "From debate club")
    html = student_client.get(HOME_URL).content.decode()
    assert "From Period 3" in html
    assert "From debate club" in html
    assert "Period 3 · Debate club" in html or "Debate club · Period 3" in html


def test_student_home_with_no_group_points_to_joining(client, outsider):
    client.force_login(outsider)
    html = client.get(HOME_URL).content.decode()
    assert "You are not in a group yet." in html
    assert "Ask your teacher for a join code" in html
    assert reverse("classroom:join_start") in html


def test_student_in_a_group_with_nothing_assigned_is_told_so(student_client, group):
    assert (
        "When your teacher assigns a brief, it appears here." in student_client.get(HOME_URL).content.decode()
    )


def build_student_world(student, instructor, groups: int, assignments: int, classmates: int):
    for _ in range(groups):
        members = [UserFactory() for _ in range(classmates)]
        group = GroupFactory(instructors=[instructor], students=[student, *members])
        now = timezone.now()
        for index in range(assignments):
            past_due = index % 2 == 1
            thread = AssignmentFactory(
                group=group,
                allow_late=index % 4 == 1,
                opens_at=now - timedelta(days=9),
                due_at=now + timedelta(days=-2 if past_due else 2),
            )
            for member in members:
                if not past_due:
                    make_response(thread, member)
            if index % 3 == 0 and not past_due:
                make_response(thread, student)


def test_student_home_query_count_does_not_grow_with_assignments(
    student_client, student, instructor, django_assert_max_num_queries
):
    build_student_world(student, instructor, groups=1, assignments=1, classmates=1)
    few = count_queries(student_client)
    build_student_world(student, instructor, groups=3, assignments=6, classmates=4)
    assert count_queries(student_client) == few
    # session, user, assignments, groups, invitations
    with django_assert_max_num_queries(5):
        student_client.get(HOME_URL)


# ---- instructor home --------------------------------------------------------


def test_instructor_home_lists_their_groups_with_join_codes(instructor_client, group, other_instructor):
    GroupFactory(name="Omar's seminar", instructors=[other_instructor])
    html = instructor_client.get(HOME_URL).content.decode()
    assert "Period 3" in html
    assert group.join_code_display in html
    assert "1 student ·" in html
    assert "seminar" not in html


def test_instructor_home_shows_each_assignments_participation(instructor_client, group, student, instructor):
    thread = assign(group, "Participation brief")
    for _ in range(3):
        Membership.objects.create(group=group, student=UserFactory())
    answer = make_response(thread, student)
    make_response(thread, instructor, body="Nice reasoning.", parent=answer)
    html = instructor_client.get(HOME_URL).content.decode()
    assert "Participation brief" in html
    assert "1 of 4 posted" in html


def test_instructor_home_shows_co_taught_groups_to_each_instructor(client, group, other_instructor):
    group.instructors.add(other_instructor)
    assign(group, "Shared brief")
    client.force_login(other_instructor)
    html = client.get(HOME_URL).content.decode()
    assert "Period 3" in html
    assert "Shared brief" in html
    assert html.count("Shared brief") == 1


def test_instructor_home_offers_to_assign_when_a_group_has_nothing(instructor_client, group):
    html = instructor_client.get(HOME_URL).content.decode()
    assert "No briefs assigned yet." in html
    assert f"{reverse('classroom:assignment_create')}?group={group.pk}" in html


def test_instructor_without_groups_is_invited_to_create_one(client, other_instructor):
    client.force_login(other_instructor)
    html = client.get(HOME_URL).content.decode()
    assert "Create your first group" in html


def test_instructor_home_says_when_a_thread_opens_or_is_locked(instructor_client, group):
    assign(group, "Opens later", opens_at=timezone.now() + timedelta(days=2))
    locked = assign(group, "Locked one")
    set_thread_lock(assignment=locked, locked=True)
    html = instructor_client.get(HOME_URL).content.decode()
    assert "Opens later" in html
    assert "Opens " in html
    assert "Locked</span>" in html


def build_instructor_world(instructor, groups: int, assignments: int, students: int):
    for _ in range(groups):
        members = [UserFactory() for _ in range(students)]
        group = GroupFactory(instructors=[instructor, InstructorFactory()], students=members)
        for _ in range(assignments):
            thread = AssignmentFactory(group=group)
            for member in members[:2]:
                answer = make_response(thread, member)
                make_response(thread, instructor, body="Good.", parent=answer)


def test_instructor_home_query_count_does_not_grow_with_groups(
    instructor_client, instructor, django_assert_max_num_queries
):
    build_instructor_world(instructor, groups=1, assignments=1, students=2)
    few = count_queries(instructor_client)
    build_instructor_world(instructor, groups=4, assignments=5, students=5)
    assert count_queries(instructor_client) == few
    # session, user, groups with their assignments (2), archived groups, invitations
    with django_assert_max_num_queries(6):
        instructor_client.get(HOME_URL)
