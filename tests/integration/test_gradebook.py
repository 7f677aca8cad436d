"""The group's gradebook: every student × every discussion, on screen and as CSV for Agora,
Canvas and Moodle."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from classroom.actions import delete_response, extend_due, post_response, save_feedback
from classroom.models import Membership
from tests.factories import AssignmentFactory, BriefFactory, GroupFactory, UserFactory
from tests.helpers import client_for

HTMX = {"HX-Request": "true"}
EXPORTS = ["group_gradebook_export", "group_gradebook_canvas", "group_gradebook_moodle"]


def page_url(group) -> str:
    return reverse("classroom:group_gradebook", args=[group.pk])


def export_url(name, group) -> str:
    return reverse(f"classroom:{name}", args=[group.pk])


def member(group, username, first_name, last_name, email=None):
    user = UserFactory(username=username, first_name=first_name, last_name=last_name, password=None)
    if email is not None:
        user.email = email
        user.save(update_fields=["email"])
    Membership.objects.create(group=group, student=user)
    return user


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "a byte-order mark, so Excel reads accents"
    return list(csv.reader(io.StringIO(text[1:])))


def student_row(html: str, student) -> str:
    match = re.search(rf'<tr id="student-{student.pk}">.*?</tr>', html, re.DOTALL)
    assert match, f"no row for {student.display_name}"
    return match.group(0)


def cells(row_html: str) -> list[tuple[str, str]]:
    """(status class, text) of each discussion cell of a row, in order."""
    found = re.findall(r'<td class="grade-cell status-(\w+)">(.*?)</td>', row_html, re.DOTALL)
    return [(status, re.sub(r"<[^>]+>", " ", text).split()) for status, text in found]


@pytest.fixture
def term(group, student, instructor):
    """Two discussions, closed then open, and three students graded in part.

    "Trade talks" (10 points, closed): Sam answered on time, scored 8.5; Lena answered late,
    scored 6; Nia did not answer. "Energy prices" (5 points, open): Sam answered, not graded;
    Lena has an extension; Nia has not answered.
    """
    now = timezone.now()
    lena = member(group, "lena", "Lena", "Late", email="lena@school.example")
    nia = member(group, "nia", "Nia", "Nothing", email="")
    closed = AssignmentFactory(
        group=group,
        brief=BriefFactory(title="Trade talks"),
        opens_at=now - timedelta(days=3),
        due_at=now - timedelta(days=1),
        allow_late=True,
        points=10,
    )
    post_response(assignment=closed, author=student, body="On time.", now=now - timedelta(days=2))
    post_response(assignment=closed, author=lena, body="Late.")
    save_feedback(assignment=closed, student=student, score=Decimal("8.5"), comment="Good.", by=instructor)
    save_feedback(assignment=closed, student=lena, score=Decimal("6"), comment="", by=instructor)
    current = AssignmentFactory(
        group=group,
        brief=BriefFactory(title="Energy prices"),
        opens_at=now - timedelta(hours=1),
        due_at=now + timedelta(days=2),
        points=5,
    )
    post_response(assignment=current, author=student, body="Early bird.")
    extend_due(assignment=current, student=lena, due_at=now + timedelta(days=5), by=instructor)
    return {"sam": student, "lena": lena, "nia": nia, "closed": closed, "current": current}


# ---- who sees it ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["page", *EXPORTS])
def test_anonymous_visitor_is_sent_to_login(group, url):
    target = page_url(group) if url == "page" else export_url(url, group)
    response = client_for(None).get(target)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["outsider", "member", "classmate", "other_instructor", "admin"])
@pytest.mark.parametrize("url", ["page", *EXPORTS])
def test_everyone_but_the_groups_teachers_gets_404(people, group, term, role, url):
    target = page_url(group) if url == "page" else export_url(url, group)
    client = client_for(people[role])
    for headers in ({}, HTMX):
        response = client.get(target, headers=headers)
        assert response.status_code == 404, (role, url)
        assert b"Trade talks" not in response.content


@pytest.mark.parametrize("role", ["owner", "co_instructor"])
def test_the_groups_teachers_see_the_gradebook_and_its_files(people, group, term, role):
    client = client_for(people[role])
    html = client.get(page_url(group)).content.decode()
    assert "<h1>Gradebook</h1>" in html and "Sam Student" in html
    for name in EXPORTS:
        response = client.get(export_url(name, group))
        assert response.status_code == 200, name
        assert "attachment" in response["Content-Disposition"]


def test_another_teachers_group_is_404_even_to_a_teacher(instructor_client, other_instructor, outsider):
    theirs = GroupFactory(instructors=[other_instructor], students=[outsider])
    assert instructor_client.get(page_url(theirs)).status_code == 404
    for name in EXPORTS:
        assert instructor_client.get(export_url(name, theirs)).status_code == 404


def test_post_is_405(instructor_client, group):
    assert instructor_client.post(page_url(group)).status_code == 405
    for name in EXPORTS:
        assert instructor_client.post(export_url(name, group)).status_code == 405


def test_unknown_group_is_404(instructor_client, db):
    assert instructor_client.get(reverse("classroom:group_gradebook", args=[999_999])).status_code == 404


def test_group_page_and_report_link_to_the_gradebook(instructor_client, group, thread):
    for url in (group.get_absolute_url(), reverse("classroom:assignment_report", args=[thread.pk])):
        assert page_url(group) in instructor_client.get(url).content.decode(), url


# ---- what the page shows ---------------------------------------------------------------------


def test_each_cell_shows_the_score_and_the_answers_status(instructor_client, group, term):
    html = instructor_client.get(page_url(group)).content.decode()
    assert cells(student_row(html, term["sam"])) == [
        ("posted", ["8.5", "answered"]),
        ("posted", ["–", "not", "graded", "answered"]),
    ]
    lena = cells(student_row(html, term["lena"]))
    assert lena[0] == ("late", ["6", "late"])
    assert lena[1][0] == "open" and lena[1][1][:5] == ["–", "not", "graded", "not", "yet"]
    assert "extended" in lena[1][1]
    assert cells(student_row(html, term["nia"])) == [
        ("missing", ["–", "not", "graded", "missing"]),
        ("open", ["–", "not", "graded", "not", "yet"]),
    ]


def test_totals_per_student_and_points_possible_per_discussion(instructor_client, group, term):
    html = instructor_client.get(page_url(group)).content.decode()
    points = re.search(r'<tr class="gradebook-points">(.*?)</tr>', html, re.DOTALL).group(1)
    assert re.findall(r"<td[^>]*>(\d+)</td>", points) == ["10", "5", "15"]
    assert '<strong>8.5</strong> <span class="muted">/ 15</span>' in student_row(html, term["sam"])
    assert "<strong>6</strong>" in student_row(html, term["lena"])
    assert "<strong>0</strong>" in student_row(html, term["nia"])
    assert "1 of 2 graded" in student_row(html, term["sam"])
    assert "15 points possible" in html


def test_discussions_are_columns_oldest_first_linking_to_their_reports(instructor_client, group, term):
    html = instructor_client.get(page_url(group)).content.decode()
    titles = re.findall(r'<th scope="col" class="gradebook-discussion"><a href="([^"]+)">(.*?)</a>', html)
    assert titles == [
        (reverse("classroom:assignment_report", args=[term["closed"].pk]), "Trade talks"),
        (reverse("classroom:assignment_report", args=[term["current"].pk]), "Energy prices"),
    ]


def test_the_table_scrolls_in_a_labelled_focusable_region(instructor_client, group, term):
    html = instructor_client.get(page_url(group)).content.decode()
    region = re.search(r'<div class="gradebook-scroll"[^>]*>', html).group(0)
    assert 'role="region"' in region and 'tabindex="0"' in region
    assert 'aria-labelledby="gradebook-caption"' in region
    assert '<caption id="gradebook-caption">' in html


def test_a_deleted_answer_is_not_an_answer(instructor_client, group, student, thread):
    answer = post_response(assignment=thread, author=student, body="Second thoughts.")
    delete_response(response=answer, by=student)
    html = instructor_client.get(page_url(group)).content.decode()
    assert cells(student_row(html, student))[0][0] == "open"


def test_only_this_groups_students_and_discussions(instructor_client, instructor, group, term, outsider):
    other = GroupFactory(instructors=[instructor], students=[outsider])
    elsewhere = AssignmentFactory(group=other, brief=BriefFactory(title="Elsewhere debate"))
    post_response(assignment=elsewhere, author=outsider, body="Not in this group.")
    html = instructor_client.get(page_url(group)).content.decode()
    assert "Elsewhere debate" not in html and "Olly Outsider" not in html


def test_an_empty_group_says_what_to_do(instructor_client, instructor):
    empty = GroupFactory(instructors=[instructor])
    assert "No discussions yet" in instructor_client.get(page_url(empty)).content.decode()
    AssignmentFactory(group=empty)
    assert "No students yet" in instructor_client.get(page_url(empty)).content.decode()


def gradebook_queries() -> int:
    """The session (none when sessions live in Redis), the user, the group with the teacher
    check, then the gradebook's five: discussions, members, answers, scores, extensions."""
    session = 0 if settings.SESSION_ENGINE.endswith(".cache") else 1
    return session + 2 + 5


def test_query_count_does_not_grow_with_students_or_discussions(
    instructor_client, instructor, group, term, django_assert_num_queries
):
    with django_assert_num_queries(gradebook_queries()):
        html = instructor_client.get(page_url(group)).content.decode()
    assert html.count('<td class="grade-cell') == 3 * 2
    for n in range(30):
        pupil = member(group, f"pupil{n}", "Pupil", f"Number{n}")
        post_response(assignment=term["current"], author=pupil, body="An answer.")
        save_feedback(assignment=term["current"], student=pupil, score=Decimal(3), comment="", by=instructor)
    for _ in range(6):
        AssignmentFactory(group=group)
    with django_assert_num_queries(gradebook_queries()):
        html = instructor_client.get(page_url(group)).content.decode()
    assert html.count('<td class="grade-cell') == 33 * 8


# ---- the files -----------------------------------------------------------------------------


def test_canvas_file_has_the_documented_columns_points_row_and_one_row_per_student(
    instructor_client, group, term
):
    rows = read_csv(instructor_client.get(export_url("group_gradebook_canvas", group)))
    closed, current = term["closed"], term["current"]
    assert rows[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        f"Trade talks ({closed.pk})",
        f"Energy prices ({current.pk})",
    ]
    assert rows[1] == ["Points Possible", "", "", "", "", "10", "5"]
    assert rows[2:] == [
        ["Late, Lena", "", "", "lena@school.example", "Period 3", "6", ""],
        ["Nothing, Nia", "", "", "nia", "Period 3", "", ""],
        ["Student, Sam", "", "", term["sam"].email, "Period 3", "8.5", ""],
    ]


def test_moodle_file_has_a_column_to_map_students_by_and_one_per_discussion(instructor_client, group, term):
    rows = read_csv(instructor_client.get(export_url("group_gradebook_moodle", group)))
    assert rows[0] == ["First name", "Last name", "Username", "Email address", "Trade talks", "Energy prices"]
    assert rows[1:] == [
        ["Lena", "Late", "lena", "lena@school.example", "6", ""],
        ["Nia", "Nothing", "nia", "", "", ""],
        ["Sam", "Student", "sam", term["sam"].email, "8.5", ""],
    ]


def test_agora_file_has_score_and_status_per_discussion_and_the_total(instructor_client, group, term):
    response = instructor_client.get(export_url("group_gradebook_export", group))
    assert 'filename="gradebook-period-3.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == [
        "username",
        "name",
        "email",
        "Trade talks",
        "Trade talks (status)",
        "Energy prices",
        "Energy prices (status)",
        "total",
        "points possible",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["sam"][3:] == ["8.5", "answered", "", "answered", "8.5", "15"]
    assert by_name["lena"][3:] == ["6", "late", "", "not yet, extended", "6", "15"]
    assert by_name["nia"][3:] == ["", "missing", "", "not yet", "0", "15"]


def test_the_per_discussion_file_stays(instructor_client, group, term):
    rows = read_csv(instructor_client.get(reverse("classroom:grades_export", args=[term["closed"].pk])))
    assert rows[0] == ["username", "name", "email", "score", "points", "feedback", "status"]


@pytest.mark.parametrize("name", EXPORTS)
def test_no_cell_of_any_file_starts_a_formula(instructor_client, instructor, group, student, name):
    AssignmentFactory(group=group, brief=BriefFactory(title='=HYPERLINK("http://evil.example","x")'))
    student.first_name, student.last_name = "@SUM(A1)", "+cmd|' /C calc'!A0"
    student.save(update_fields=["first_name", "last_name"])
    rows = read_csv(instructor_client.get(export_url(name, group)))
    for row in rows:
        for value in row:
            assert not value or value[0] not in "=+-@", (name, value)
    assert any("'=HYPERLINK" in value for value in rows[0]), name
