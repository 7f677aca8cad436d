"""The group's participation dashboard: a bar per discussion, a row per student, quiet students."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from classroom.actions import delete_response, post_response
from classroom.models import Membership
from tests.factories import AssignmentFactory, BriefFactory, GroupFactory, UserFactory

HTMX = {"HX-Request": "true"}


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def member(group, username, first_name, last_name):
    user = UserFactory(username=username, first_name=first_name, last_name=last_name, password=None)
    Membership.objects.create(group=group, student=user)
    return user


def dashboard_url(group) -> str:
    return reverse("classroom:group_dashboard", args=[group.pk])


def bar_numbers(html: str) -> list[str]:
    return re.findall(r'<span class="bar-numbers">(.*?)</span>', html)


def student_row(html: str, student) -> str:
    match = re.search(rf'<tr><th scope="row"><bdi>{student.display_name}</bdi></th>.*?</tr>', html, re.DOTALL)
    assert match, f"no row for {student.display_name}"
    return match.group(0)


def cell_states(row: str) -> list[str]:
    return re.findall(r'<td class="cell cell-(\w+)">', row)


def quiet_line(html: str) -> str:
    match = re.search(r"<strong>Quiet so far:</strong>(.*?)</p>", html, re.DOTALL)
    return match.group(1) if match else ""


@pytest.fixture
def term(group, student):
    """Three discussions (closed, open, not open yet) and four students.

    Closed: Sam on time, Lena late, Nia and Quinn nothing. Open: Sam only.
    """
    now = timezone.now()
    lena = member(group, "lena", "Lena", "Late")
    nia = member(group, "nia", "Nia", "Nothing")
    quinn = member(group, "quinn", "Quinn", "Quiet")
    closed = AssignmentFactory(
        group=group,
        brief=BriefFactory(title="Closed debate"),
        opens_at=now - timedelta(days=3),
        due_at=now - timedelta(days=1),
        allow_late=True,
    )
    post_response(assignment=closed, author=student, body="On time.", now=now - timedelta(days=2))
    post_response(assignment=closed, author=lena, body="Late.")
    current = AssignmentFactory(
        group=group, brief=BriefFactory(title="Open debate"), opens_at=now - timedelta(hours=1)
    )
    post_response(assignment=current, author=student, body="Early bird.")
    upcoming = AssignmentFactory(
        group=group,
        brief=BriefFactory(title="Future debate"),
        opens_at=now + timedelta(days=1),
        due_at=now + timedelta(days=8),
    )
    return {
        "sam": student,
        "lena": lena,
        "nia": nia,
        "quinn": quinn,
        "closed": closed,
        "current": current,
        "upcoming": upcoming,
    }


# ---- role matrix -------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_from_dashboard(group):
    response = client_for(None).get(dashboard_url(group))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["outsider", "member", "other_instructor"])
def test_students_and_other_instructors_get_404_for_dashboard(
    group, outsider, student, other_instructor, role
):
    user = {"outsider": outsider, "member": student, "other_instructor": other_instructor}[role]
    assert client_for(user).get(dashboard_url(group)).status_code == 404
    assert client_for(user).get(dashboard_url(group), headers=HTMX).status_code == 404


def test_owning_instructor_sees_dashboard(instructor_client, group):
    response = instructor_client.get(dashboard_url(group))
    assert response.status_code == 200
    assert "<h1>Participation</h1>" in response.content.decode()


def test_co_instructor_sees_dashboard(group, co_instructor):
    assert client_for(co_instructor).get(dashboard_url(group)).status_code == 200


def test_post_to_dashboard_is_405(instructor_client, group):
    assert instructor_client.post(dashboard_url(group)).status_code == 405


def test_dashboard_of_unknown_group_is_404(instructor_client, db):
    assert instructor_client.get(reverse("classroom:group_dashboard", args=[999_999])).status_code == 404


# ---- what it shows ---------------------------------------------------------------------------


def test_each_discussion_has_posted_late_and_not_yet_counts_as_text(instructor_client, group, term):
    html = instructor_client.get(dashboard_url(group)).content.decode()
    assert bar_numbers(html) == [
        "1 posted · 1 late · 2 not yet",
        "1 posted · 0 late · 3 not yet",
        "0 posted · 0 late · 4 not yet",
    ]
    titles = re.findall(r'class="bar-label">(.*?)</a>', html)
    assert titles == ["Closed debate", "Open debate", "Future debate"]
    assert 'aria-hidden="true"' in re.search(r'<svg class="bar".*?</svg>', html, re.DOTALL).group(0)


def test_bars_link_to_each_discussions_report(instructor_client, group, term):
    html = instructor_client.get(dashboard_url(group)).content.decode()
    for name in ("closed", "current", "upcoming"):
        assert reverse("classroom:assignment_report", args=[term[name].pk]) in html


def test_each_student_has_a_row_of_cells_one_per_discussion(instructor_client, group, term):
    html = instructor_client.get(dashboard_url(group)).content.decode()
    assert cell_states(student_row(html, term["sam"])) == ["posted", "posted", "upcoming"]
    assert cell_states(student_row(html, term["lena"])) == ["late", "open", "upcoming"]
    assert cell_states(student_row(html, term["nia"])) == ["missing", "open", "upcoming"]


def test_cells_say_their_state_in_words_not_only_colour(instructor_client, group, term):
    row = student_row(instructor_client.get(dashboard_url(group)).content.decode(), term["nia"])
    assert '<span class="visually-hidden"> missing</span>' in row
    assert '<span class="visually-hidden"> not yet</span>' in row
    assert '<span class="visually-hidden">not open yet</span>' in row
    sam = student_row(instructor_client.get(dashboard_url(group)).content.decode(), term["sam"])
    assert '<span class="visually-hidden"> posted</span>' in sam


def test_grid_has_a_caption_and_each_column_is_headed_by_its_discussion(instructor_client, group, term):
    html = instructor_client.get(dashboard_url(group)).content.decode()
    assert "<caption" in html
    head = re.search(r'<table class="heatmap">.*?</thead>', html, re.DOTALL).group(0)
    assert re.search(
        r'<th scope="col" class="heatmap-discussion"><a href="[^"]+">Closed debate</a></th>', head
    )
    assert 'class="heatmap-key' not in html  # no footnote list to match numbers against


def test_students_with_no_answer_anywhere_are_named_quiet(instructor_client, group, term):
    quiet = quiet_line(instructor_client.get(dashboard_url(group)).content.decode())
    assert "Nia Nothing" in quiet
    assert "Quinn Quiet" in quiet
    assert "Sam Student" not in quiet
    assert "Lena Late" not in quiet


def test_quiet_student_is_named_even_when_a_discussion_is_not_open_yet(instructor_client, group, student):
    now = timezone.now()
    AssignmentFactory(group=group, opens_at=now - timedelta(hours=1))
    AssignmentFactory(group=group, opens_at=now + timedelta(days=1), due_at=now + timedelta(days=2))
    assert "Sam Student" in quiet_line(instructor_client.get(dashboard_url(group)).content.decode())


def test_no_one_is_quiet_when_nothing_has_opened_yet(instructor_client, group, student):
    now = timezone.now()
    AssignmentFactory(group=group, opens_at=now + timedelta(days=1), due_at=now + timedelta(days=2))
    assert "Quiet so far" not in instructor_client.get(dashboard_url(group)).content.decode()


def test_deleted_answer_does_not_count_as_posted(instructor_client, group, student, thread):
    answer = post_response(assignment=thread, author=student, body="Second thoughts.")
    delete_response(response=answer, by=student)
    html = instructor_client.get(dashboard_url(group)).content.decode()
    assert cell_states(student_row(html, student)) == ["open"]
    assert "Sam Student" in quiet_line(html)


def test_dashboard_counts_only_this_groups_discussions_and_members(
    instructor_client, instructor, group, student, thread, outsider
):
    other = GroupFactory(instructors=[instructor], students=[outsider])
    elsewhere = AssignmentFactory(group=other, brief=BriefFactory(title="Elsewhere debate"))
    post_response(assignment=elsewhere, author=outsider, body="Not in this group.")
    html = instructor_client.get(dashboard_url(group)).content.decode()
    assert "Elsewhere debate" not in html
    assert "Olly Outsider" not in html
    assert bar_numbers(html) == ["0 posted · 0 late · 1 not yet"]


def test_empty_group_says_there_is_nothing_yet(instructor_client, instructor):
    empty = GroupFactory(instructors=[instructor])
    html = instructor_client.get(dashboard_url(empty)).content.decode()
    assert "No discussions yet." in html
    assert "No students or discussions yet." in html


def test_dashboard_queries_do_not_grow_with_the_class(instructor_client, group, term):
    def add_students(start, count):
        for n in range(start, start + count):
            pupil = member(group, f"pupil{n}", "Pupil", f"Number{n}")
            if n % 2:
                post_response(assignment=term["current"], author=pupil, body="An answer.")

    with CaptureQueriesContext(connection) as few:
        assert instructor_client.get(dashboard_url(group)).status_code == 200
    add_students(0, 36)  # 4 + 36 = 40 students
    with CaptureQueriesContext(connection) as many:
        html = instructor_client.get(dashboard_url(group)).content.decode()
    assert html.count('<th scope="row">') == 40
    assert len(many) == len(few)


def test_dashboard_queries_do_not_grow_with_discussions(instructor_client, group, term):
    with CaptureQueriesContext(connection) as few:
        instructor_client.get(dashboard_url(group))
    for _ in range(5):
        AssignmentFactory(group=group)
    with CaptureQueriesContext(connection) as many:
        html = instructor_client.get(dashboard_url(group)).content.decode()
    assert len(bar_numbers(html)) == 8
    assert len(many) == len(few)
