"""The instructor's report on a thread: status per student, filters, inline feedback, CSV exports."""

import csv
import io
import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from classroom.actions import delete_response, hide_response, post_response, save_feedback, set_stance
from classroom.models import Feedback, Membership
from tests.factories import AssignmentFactory, GroupFactory, UserFactory, make_response

HTMX = {"HX-Request": "true"}
BOM = b"\xef\xbb\xbf"
GRADES_HEADER = ["username", "name", "email", "score", "points", "feedback", "status"]
RESPONSES_HEADER = [
    "thread",
    "id",
    "username",
    "name",
    "pseudonym",
    "time",
    "reply to",
    "late",
    "hidden",
    "body",
]


# ---- helpers ---------------------------------------------------------------------------------


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def member(group, username, first_name, last_name, **extra):
    user = UserFactory(username=username, first_name=first_name, last_name=last_name, password=None, **extra)
    Membership.objects.create(group=group, student=user)
    return user


def report_url(assignment, show=None) -> str:
    url = reverse("classroom:assignment_report", args=[assignment.pk])
    return f"{url}?show={show}" if show else url


def feedback_url(assignment, student) -> str:
    return reverse("classroom:feedback_save", args=[assignment.pk, student.pk])


def grades_url(assignment) -> str:
    return reverse("classroom:grades_export", args=[assignment.pk])


def responses_url(assignment) -> str:
    return reverse("classroom:responses_export", args=[assignment.pk])


def group_responses_url(group) -> str:
    return reverse("classroom:group_responses_export", args=[group.pk])


def thread_url(assignment) -> str:
    return reverse("classroom:thread_detail", args=[assignment.pk])


def row_html(html: str, student) -> str:
    match = re.search(rf'<tr id="student-{student.pk}".*?</tr>', html, re.DOTALL)
    assert match, f"no row for {student.username}"
    return match.group(0)


def row_ids(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'<tr id="student-(\d+)"', html)}


def status(row: str) -> str:
    """The row's status badge: Posted, Late or Not yet."""
    return re.search(r'<span class="badge[^"]*">([^<]+)</span>', row).group(1)


def cells(row: str) -> list[str]:
    """The text of a row's <td> cells (tags stripped, whitespace collapsed)."""
    return [
        " ".join(re.sub(r"<[^>]+>", " ", td).split())
        for td in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
    ]


def read_csv(response) -> list[list[str]]:
    """Check the download is UTF-8 with a BOM, then parse it as a spreadsheet would."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert response.content.startswith(BOM)
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def by_username(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    header, *body = rows
    return {row[header.index("username")]: dict(zip(header, row, strict=True)) for row in body}


def set_rules(assignment, **rules):
    for name, value in rules.items():
        setattr(assignment, name, value)
    assignment.save()
    return assignment


@pytest.fixture
def classroom(thread, group, student, instructor):
    """Sam answered on time (5 words); Lena answered late and replied to Sam; Nia has not answered."""
    lena = member(group, "lena", "Lena", "Late")
    nia = member(group, "nia", "Nia", "Notyet")
    before_due = timezone.now() - timedelta(hours=1)
    sam_answer = post_response(
        assignment=thread, author=student, body="One two three four five.", now=before_due
    )
    set_rules(thread, due_at=timezone.now() - timedelta(minutes=30), allow_late=True)
    lena_answer = make_response(thread, lena, body="Late but with seven words in it.")
    make_response(thread, lena, parent=sam_answer, body="I reply to Sam.")
    return {"sam": student, "lena": lena, "nia": nia, "sam_answer": sam_answer, "lena_answer": lena_answer}


# ---- role matrix -------------------------------------------------------------------------


def endpoint(name, thread, student):
    return {
        "report": ("get", report_url(thread), None),
        "feedback": ("post", feedback_url(thread, student), {"score": "7", "comment": "Good."}),
        "grades": ("get", grades_url(thread), None),
        "responses": ("get", responses_url(thread), None),
        "group_responses": ("get", group_responses_url(thread.group), None),
    }[name]


ENDPOINTS = ["report", "feedback", "grades", "responses", "group_responses"]


def call(client, method, url, data, **extra):
    return client.get(url, **extra) if method == "get" else client.post(url, data, **extra)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_visitor_is_sent_to_login_from_report_urls(thread, student, name):
    method, url, data = endpoint(name, thread, student)
    response = call(client_for(None), method, url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("role", ["outsider", "member", "other_instructor"])
@pytest.mark.parametrize("name", ENDPOINTS)
def test_students_and_other_instructors_get_404_from_report_urls_and_nothing_changes(
    thread, student, people, name, role
):
    method, url, data = endpoint(name, thread, student)
    client = client_for(people[role])
    assert call(client, method, url, data).status_code == 404
    assert call(client, method, url, data, headers=HTMX).status_code == 404
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("role", ["owner", "co_instructor"])
@pytest.mark.parametrize("name", ENDPOINTS)
def test_owning_and_co_instructor_may_use_report_urls(thread, student, people, name, role):
    method, url, data = endpoint(name, thread, student)
    response = call(client_for(people[role]), method, url, data)
    if method == "get":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        feedback = Feedback.objects.get()
        assert (feedback.score, feedback.updated_by) == (Decimal("7"), people[role])


@pytest.mark.parametrize("name", ["report", "grades", "responses", "group_responses"])
def test_post_to_read_only_report_url_is_405(instructor_client, thread, student, name):
    _, url, _ = endpoint(name, thread, student)
    assert instructor_client.post(url).status_code == 405


def test_get_on_feedback_url_is_405(instructor_client, thread, student):
    assert instructor_client.get(feedback_url(thread, student)).status_code == 405
    assert not Feedback.objects.exists()


def test_report_of_unknown_assignment_is_404(instructor_client, db):
    assert instructor_client.get(reverse("classroom:assignment_report", args=[999_999])).status_code == 404


# ---- the report page -----------------------------------------------------------------------


def test_report_lists_every_student_with_status_words_replies_and_time(instructor_client, classroom):
    html = instructor_client.get(report_url(classroom["sam_answer"].assignment)).content.decode()
    assert row_ids(html) == {classroom[name].pk for name in ("sam", "lena", "nia")}

    sam = row_html(html, classroom["sam"])
    posted = f"{timezone.localtime(classroom['sam_answer'].created_at):%-d %b, %H:%M} UTC"  # the site's zone, named
    assert status(sam) == "Posted"
    assert cells(sam)[0] == f"{posted} 5 words 0 replies given 1 reply received"

    lena = row_html(html, classroom["lena"])
    assert status(lena) == "Late"
    assert cells(lena)[0].endswith(" 7 words 1 reply given 0 replies received")

    nia = row_html(html, classroom["nia"])
    assert status(nia) == "Not yet"
    assert cells(nia)[0] == "No answer yet 0 words 0 replies given 0 replies received"


def test_report_shows_totals(instructor_client, classroom):
    html = instructor_client.get(report_url(classroom["sam_answer"].assignment)).content.decode()
    totals = re.search(r'<p class="report-totals" id="report-totals">.*?</p>', html, re.DOTALL).group(0)
    assert re.search(r"<strong>2</strong> of 3 posted", totals)
    assert "<strong>1</strong> late" in totals
    assert re.search(r"<strong>0</strong> of 3 graded", totals)


def test_report_rows_link_posted_time_as_machine_readable(instructor_client, classroom):
    html = instructor_client.get(report_url(classroom["sam_answer"].assignment)).content.decode()
    created = timezone.localtime(classroom["sam_answer"].created_at)
    assert f'<time datetime="{created.isoformat()}' in row_html(html, classroom["sam"])


def test_deleted_answer_counts_as_not_yet(instructor_client, thread, student):
    answer = make_response(thread, student)
    delete_response(response=answer, by=student)
    html = instructor_client.get(report_url(thread)).content.decode()
    assert status(row_html(html, student)) == "Not yet"


def test_report_says_when_the_group_has_no_students(instructor_client, instructor, brief):
    empty = AssignmentFactory(group=GroupFactory(instructors=[instructor]), brief=brief)
    assert "No students in this group yet." in instructor_client.get(report_url(empty)).content.decode()


@pytest.mark.parametrize(
    ("show", "expected"),
    [("missing", {"nia"}), ("late", {"lena"}), ("ungraded", {"lena", "nia"}), ("", {"sam", "lena", "nia"})],
)
def test_report_filters_students(instructor_client, instructor, classroom, show, expected):
    thread = classroom["sam_answer"].assignment
    save_feedback(assignment=thread, student=classroom["sam"], score=Decimal(8), comment="", by=instructor)
    save_feedback(assignment=thread, student=classroom["nia"], score=None, comment="Waiting.", by=instructor)
    html = instructor_client.get(report_url(thread, show)).content.decode()
    assert row_ids(html) == {classroom[name].pk for name in expected}
    if show:
        assert f'<a href="?show={show}" aria-current="page">' in html


def test_unknown_filter_shows_everyone(instructor_client, classroom):
    html = instructor_client.get(report_url(classroom["sam_answer"].assignment, "nonsense")).content.decode()
    assert len(row_ids(html)) == 3
    assert '<a href="?" aria-current="page">Everyone</a>' in html


def test_filter_with_no_match_says_so(instructor_client, thread, student):
    make_response(thread, student)
    html = instructor_client.get(report_url(thread, "missing")).content.decode()
    assert row_ids(html) == set()
    assert "No student matches this filter." in html


def test_report_queries_do_not_grow_with_the_class(instructor_client, instructor, thread, group):
    def add_students(start, count):
        for n in range(start, start + count):
            pupil = member(group, f"pupil{n}", "Pupil", f"Number{n}")
            answer = make_response(thread, pupil, body=f"Answer number {n}.")
            make_response(thread, instructor, parent=answer, body="Noted.")
            save_feedback(
                assignment=thread, student=pupil, score=Decimal(n % 10), comment="ok", by=instructor
            )

    add_students(0, 5)
    with CaptureQueriesContext(connection) as five:
        assert instructor_client.get(report_url(thread)).status_code == 200
    add_students(5, 35)
    with CaptureQueriesContext(connection) as forty:
        html = instructor_client.get(report_url(thread)).content.decode()
    assert len(row_ids(html)) == 41  # with sam
    assert len(forty) == len(five)


# ---- feedback and score --------------------------------------------------------------------


def test_plain_feedback_post_saves_and_redirects_to_the_row(instructor_client, instructor, thread, student):
    response = instructor_client.post(
        feedback_url(thread, student), {"score": "8", "comment": "Well argued."}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{report_url(thread)}#student-{student.pk}"
    feedback = Feedback.objects.get(assignment=thread, student=student)
    assert (feedback.score, feedback.comment, feedback.updated_by) == (
        Decimal("8"),
        "Well argued.",
        instructor,
    )


def test_htmx_feedback_returns_only_that_row_marked_saved(instructor_client, thread, student, group):
    other = member(group, "other", "Otto", "Other")
    response = instructor_client.post(
        feedback_url(thread, student), {"score": "7.5", "comment": "Good sources."}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith(f'<tr id="student-{student.pk}"')
    assert html.count("<tr") == 1
    # The page's graded count comes with it, out of band: it said 0 until a reload.
    assert re.search(r'id="report-totals" hx-swap-oob="true">.*?<strong>1</strong> of 2 graded', html, re.S)
    assert f"student-{other.pk}" not in html
    assert 'data-saved="true"' in html
    assert "Saved ✓" in html
    assert 'value="7.5' in html
    assert "Good sources.</textarea>" in html
    assert "HX-Request" in response["Vary"]
    assert Feedback.objects.get().score == Decimal("7.5")


def test_saving_feedback_again_replaces_it(instructor_client, thread, student):
    instructor_client.post(feedback_url(thread, student), {"score": "4", "comment": "First go."})
    instructor_client.post(feedback_url(thread, student), {"score": "6", "comment": "Revised."})
    feedback = Feedback.objects.get()
    assert (feedback.score, feedback.comment) == (Decimal("6"), "Revised.")


def test_comment_without_score_is_saved_and_stays_ungraded(instructor_client, thread, student):
    instructor_client.post(feedback_url(thread, student), {"score": "", "comment": "Please answer."})
    feedback = Feedback.objects.get()
    assert (feedback.score, feedback.comment) == (None, "Please answer.")
    html = instructor_client.get(report_url(thread, "ungraded")).content.decode()
    assert student.pk in row_ids(html)


@pytest.mark.parametrize(
    ("score", "message"),
    [("11", "The most is 10 points."), ("-1", "Ensure this value is greater than or equal to 0.")],
)
def test_htmx_score_out_of_range_is_an_inline_error_keeping_the_input(
    instructor_client, thread, student, score, message
):
    response = instructor_client.post(
        feedback_url(thread, student), {"score": score, "comment": "Kept text."}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<tr id="student-{student.pk}"')
    assert "data-saved" not in html
    assert message in html
    assert f'value="{score}"' in html
    assert "Kept text.</textarea>" in html
    assert not Feedback.objects.exists()


def test_plain_score_out_of_range_shows_the_report_with_the_error(instructor_client, thread, student):
    response = instructor_client.post(feedback_url(thread, student), {"score": "12", "comment": "Kept."})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    row = row_html(html, student)
    assert "The most is 10 points." in row
    assert 'value="12"' in row
    assert not Feedback.objects.exists()


def test_score_limit_follows_the_assignments_points(instructor_client, thread, student):
    set_rules(thread, points=20)
    assert instructor_client.post(feedback_url(thread, student), {"score": "20"}).status_code == 302
    assert Feedback.objects.get().score == Decimal("20")


def test_feedback_for_a_student_outside_the_group_is_404(instructor_client, thread, outsider):
    response = instructor_client.post(feedback_url(thread, outsider), {"score": "5"}, headers=HTMX)
    assert response.status_code == 404
    assert not Feedback.objects.exists()


def test_feedback_for_a_student_of_another_of_my_groups_is_404(instructor_client, instructor, thread):
    elsewhere = UserFactory(password=None)
    GroupFactory(instructors=[instructor], students=[elsewhere])
    assert instructor_client.post(feedback_url(thread, elsewhere), {"score": "5"}).status_code == 404
    assert not Feedback.objects.exists()


def test_student_sees_feedback_and_score_on_the_thread(instructor_client, student_client, thread, student):
    make_response(thread, student)
    instructor_client.post(feedback_url(thread, student), {"score": "8", "comment": "Clear & <b>sharp</b>."})
    html = student_client.get(thread_url(thread)).content.decode()
    note = re.search(r'<div class="notice feedback-note".*?</div>', html, re.DOTALL).group(0)
    assert '<span class="score">8 / 10</span>' in note
    assert "Clear &amp; &lt;b&gt;sharp&lt;/b&gt;." in note


def test_feedback_saved_after_the_student_looked_shows_on_their_next_visit(
    instructor_client, student_client, thread, student
):
    make_response(thread, student)
    assert "feedback-note" not in student_client.get(thread_url(thread)).content.decode()
    instructor_client.post(feedback_url(thread, student), {"score": "6", "comment": "First."})
    assert "6 / 10" in student_client.get(thread_url(thread)).content.decode()
    instructor_client.post(feedback_url(thread, student), {"score": "9", "comment": "Second."})
    html = student_client.get(thread_url(thread)).content.decode()
    assert "9 / 10" in html and "Second." in html and "First." not in html


def test_student_sees_score_on_home_page(instructor_client, student_client, thread, student):
    make_response(thread, student)
    instructor_client.post(feedback_url(thread, student), {"score": "8", "comment": ""})
    assert "Score 8 / 10" in student_client.get(reverse("classroom:home")).content.decode()


def test_student_sees_fractional_score(instructor_client, student_client, thread, student):
    make_response(thread, student)
    instructor_client.post(feedback_url(thread, student), {"score": "7.5"})
    assert re.search(r"Score 7\.50? / 10", student_client.get(reverse("classroom:home")).content.decode())


def test_classmates_do_not_see_each_others_feedback(instructor_client, thread, student, group):
    peer = member(group, "peer", "Petra", "Peer")
    make_response(thread, student)
    make_response(thread, peer)
    instructor_client.post(feedback_url(thread, student), {"score": "3", "comment": "Only for Sam."})
    peer_client = client_for(peer)
    assert "Only for Sam." not in peer_client.get(thread_url(thread)).content.decode()
    assert "Score 3" not in peer_client.get(reverse("classroom:home")).content.decode()


# ---- CSV exports ---------------------------------------------------------------------------


def test_grades_csv_has_bom_header_and_one_row_per_student(instructor_client, instructor, classroom):
    thread = classroom["sam_answer"].assignment
    save_feedback(
        assignment=thread,
        student=classroom["sam"],
        score=Decimal("8.50"),
        comment="Naïve — but good.",
        by=instructor,
    )
    rows = read_csv(instructor_client.get(grades_url(thread)))
    assert rows[0] == GRADES_HEADER
    students = by_username(rows)
    assert set(students) == {"sam", "lena", "nia"}
    assert len(rows) == 4
    assert students["sam"] == {
        "username": "sam",
        "name": "Sam Student",
        "email": "sam@school.example",
        "score": "8.5",
        "points": "10",
        "feedback": "Naïve — but good.",
        "status": "posted",
    }
    assert (students["lena"]["status"], students["lena"]["score"]) == ("late", "")
    assert students["nia"]["status"] == "not yet"


def test_grades_csv_filename_names_group_and_brief(instructor_client, thread):
    response = instructor_client.get(grades_url(thread))
    assert response["Content-Disposition"].startswith('attachment; filename="grades-period-3-')
    assert response["Content-Disposition"].endswith('.csv"')


def test_csv_filename_holds_the_whole_title_cut_between_words_in_any_script(instructor_client, thread):
    thread.brief.title = "Москва и Вашингтон договорились о встрече в Эр-Рияде после долгих месяцев молчания"
    thread.brief.save()
    response = instructor_client.get(grades_url(thread))
    disposition = response["Content-Disposition"]
    assert "filename*=utf-8''grades-period-3-" in disposition
    from urllib.parse import unquote

    name = unquote(disposition.split("filename*=utf-8''")[1])
    assert name.endswith(".csv")
    stem = name.removeprefix("grades-").removesuffix(".csv")
    assert len(stem) <= 80
    assert "москва-и-вашингтон" in stem
    words = "period-3-москва-и-вашингтон-договорились-о-встрече-в-эр-рияде-после-долгих-месяцев-молчания"
    assert words.startswith(stem + "-") or words == stem  # cut at a word, not inside one


def test_responses_csv_lists_every_live_response(instructor_client, instructor, classroom, group):
    thread = classroom["sam_answer"].assignment
    gone = make_response(thread, classroom["sam"], parent=classroom["lena_answer"], body="Deleted soon.")
    delete_response(response=gone, by=classroom["sam"])
    hide_response(response=classroom["lena_answer"], by=instructor, reason="Off topic")
    make_response(thread, instructor, parent=classroom["lena_answer"], body="Teacher note.")
    rows = read_csv(instructor_client.get(responses_url(thread)))
    assert rows[0] == RESPONSES_HEADER
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert len(body) == 4
    assert "Deleted soon." not in {row["body"] for row in body}
    sam = next(row for row in body if row["id"] == str(classroom["sam_answer"].pk))
    assert sam == {
        "thread": thread.brief.title,
        "id": str(classroom["sam_answer"].pk),
        "username": "sam",
        "name": "Sam Student",
        "pseudonym": "Classmate 1",
        "time": timezone.localtime(classroom["sam_answer"].created_at).isoformat(timespec="seconds"),
        "reply to": "",
        "late": "",
        "hidden": "",
        "body": "One two three four five.",
    }
    lena = next(row for row in body if row["id"] == str(classroom["lena_answer"].pk))
    assert (lena["late"], lena["hidden"]) == ("yes", "yes")
    reply = next(row for row in body if row["body"] == "I reply to Sam.")
    assert reply["reply to"] == str(classroom["sam_answer"].pk)
    teacher = next(row for row in body if row["username"] == "teacher")
    assert teacher["pseudonym"] == ""


@pytest.mark.parametrize(
    ("zone", "written"),
    [
        ("America/Chicago", "2026-12-07T18:59:00-06:00"),  # winter: CST
        ("America/Chicago", "2026-07-07T18:59:00-05:00"),  # summer: CDT
        ("Europe/Berlin", "2026-12-08T01:59:00+01:00"),
        ("", "2026-12-08T00:59:00+00:00"),  # no zone chosen: the site's, UTC
    ],
)
def test_responses_csv_times_are_iso_8601_with_the_offset_of_the_teachers_zone(
    instructor_client, instructor, thread, student, zone, written
):
    instructor.time_zone = zone
    instructor.save()
    when = datetime.fromisoformat(written)
    answer = make_response(thread, student, body="On the minute.")
    type(answer).objects.filter(pk=answer.pk).update(created_at=when)
    rows = read_csv(instructor_client.get(responses_url(thread)))
    time = dict(zip(rows[0], rows[1], strict=True))["time"]
    assert time == written
    assert datetime.fromisoformat(time) == when  # the same instant, whoever downloads it


def test_responses_csv_keeps_multiline_bodies_in_one_cell(instructor_client, thread, student):
    make_response(thread, student, body='First line, with a comma.\n\nSecond "quoted" line.')
    rows = read_csv(instructor_client.get(responses_url(thread)))
    assert rows[1][-1] == 'First line, with a comma.\n\nSecond "quoted" line.'


def test_group_responses_csv_has_all_threads_of_the_group_only(
    instructor_client, instructor, other_instructor, thread, student, group
):
    second = AssignmentFactory(group=group)
    elsewhere = AssignmentFactory(group=GroupFactory(instructors=[other_instructor], students=[student]))
    make_response(thread, student, body="In the first thread.")
    make_response(second, student, body="In the second thread.")
    make_response(elsewhere, student, body="In another group.")
    rows = read_csv(instructor_client.get(group_responses_url(group)))
    assert rows[0] == RESPONSES_HEADER
    assert {(row[0], row[-1]) for row in rows[1:]} == {
        (thread.brief.title, "In the first thread."),
        (second.brief.title, "In the second thread."),
    }


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://evil")', "+1+2", "-3+4", "@SUM(A1)"])
def test_csv_cells_that_a_spreadsheet_would_run_are_prefixed_with_a_quote(
    instructor_client, instructor, thread, group, formula
):
    pupil = member(group, "pupil", formula, "", email="")
    make_response(thread, pupil, body=formula)
    save_feedback(assignment=thread, student=pupil, score=Decimal(5), comment=formula, by=instructor)
    grades = by_username(read_csv(instructor_client.get(grades_url(thread))))["pupil"]
    assert grades["name"] == "'" + formula
    assert grades["feedback"] == "'" + formula
    responses = by_username(read_csv(instructor_client.get(responses_url(thread))))["pupil"]
    assert responses["name"] == "'" + formula
    assert responses["body"] == "'" + formula
    group_rows = by_username(read_csv(instructor_client.get(group_responses_url(group))))["pupil"]
    assert group_rows["body"] == "'" + formula


# Text that hides a formula behind a separator some reader splits on, a line break, spaces
# or quotes, and the fullwidth forms.
HIDDEN_FORMULAS = [
    "x;=1+1",
    "x,=1+1",
    "x\t=1+1",
    "x|=1+1",
    'x; "=1+1"',
    "first line\n=1+1",
    "first line\r\n  +SUM(A1)",
    "a;-2+3;@SUM(A1)",
    "\uff1d1+1",
    "x;\uff0b1",
]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_cells_start_with_no_formula_whatever_separator_a_reader_splits_on(
    instructor_client, instructor, thread, group, delimiter
):
    from classroom.reports import FORMULA_START

    for n, text in enumerate(HIDDEN_FORMULAS):
        pupil = member(group, f"pupil{n}", text, text, email="")
        make_response(thread, pupil, body=text)
        save_feedback(assignment=thread, student=pupil, score=Decimal(5), comment=text, by=instructor)
    for url in (grades_url(thread), responses_url(thread), group_responses_url(group)):
        text = instructor_client.get(url).content.decode("utf-8-sig")
        cells = [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]
        # A reader that takes no quotes at all: every line, split on the separator.
        cells += [cell for line in text.splitlines() for cell in line.split(delimiter)]
        assert len(cells) > len(HIDDEN_FORMULAS)
        formulas = [cell for cell in cells if cell.lstrip(' "')[:1] in set(FORMULA_START)]
        assert formulas == [], (url, delimiter)


def test_csv_ordinary_text_reads_as_typed():
    from classroom.reports import safe_cell

    assert safe_cell("Prices rose 3% in May, then fell; analysts (e-mail: a@b.c) disagree.") == (
        "Prices rose 3% in May, then fell; analysts (e-mail: a@b.c) disagree."
    )
    assert safe_cell("x;=1+1") == "x;'=1+1"
    assert safe_cell("costs, -3 points") == "costs, '-3 points"
    assert safe_cell(7) == 7


def test_csv_username_that_looks_like_a_formula_is_prefixed(instructor_client, thread, group):
    member(group, "@pupil", "Plain", "Name")
    assert "'@pupil" in by_username(read_csv(instructor_client.get(grades_url(thread))))


def test_csv_exports_of_a_big_class_keep_queries_constant(instructor_client, instructor, thread, group):
    def add_students(start, count):
        for n in range(start, start + count):
            pupil = member(group, f"pupil{n}", "Pupil", f"Number{n}")
            make_response(thread, pupil, body=f"Answer number {n}.")
            save_feedback(assignment=thread, student=pupil, score=Decimal(n % 10), comment="", by=instructor)

    add_students(0, 3)
    counts = {}
    for url in (grades_url(thread), responses_url(thread), group_responses_url(group)):
        with CaptureQueriesContext(connection) as few:
            instructor_client.get(url)
        counts[url] = len(few)
    add_students(3, 20)
    for url, before in counts.items():
        with CaptureQueriesContext(connection) as many:
            instructor_client.get(url)
        assert len(many) == before, url


def test_scores_show_as_typed_on_the_students_thread_and_home(thread, group, student, instructor):
    from decimal import Decimal

    from classroom.actions import save_feedback

    make_response(thread, student, body="An answer.")
    save_feedback(assignment=thread, student=student, score=Decimal("7.5"), comment="Good.", by=instructor)
    client = Client()
    client.force_login(student)
    assert "7.5 / 10" in client.get(thread.get_absolute_url()).content.decode()
    assert "Score 7.5 / 10" in client.get(reverse("classroom:home")).content.decode()


def test_instructor_replies_do_not_count_as_replies_received(thread, group, student, instructor):
    from classroom.reports import student_rows

    answer = make_response(thread, student, body="An answer.")
    make_response(thread, instructor, body="Nice.", parent=answer)
    row = next(r for r in student_rows(thread) if r.student == student)
    assert row.replies_received == 0


def test_htmx_feedback_keeps_the_rows_stance_as_a_fresh_load_shows_it(instructor_client, thread, student):
    """Found clicking through: saving a grade redrew the row without the student's stance."""
    set_rules(thread, stance=True)
    set_stance(assignment=thread, student=student, value=4, moment="before")
    make_response(thread, student, body="My answer.")
    fresh = instructor_client.get(report_url(thread)).content.decode()
    stance = re.search(r'<span class="stance-text">(.*?)</span>', fresh).group(1)
    html = instructor_client.post(
        feedback_url(thread, student), {"score": "5"}, headers=HTMX
    ).content.decode()
    assert f'<span class="stance-text">{stance}</span>' in html


def test_a_reply_to_ones_own_post_is_no_reply_given_to_a_classmate(
    instructor_client, student_client, thread, student, group
):
    """Found clicking through: a student met "reply to 1 classmate" by replying to their own answer."""
    set_rules(thread, replies_required=1)
    peer = member(group, "peer", "Pia", "Peer")
    answer = make_response(thread, student, body="My answer.")
    own_reply = make_response(thread, student, body="Adding to my own answer.", parent=answer)
    page = student_client.get(thread.get_absolute_url()).content.decode()
    assert "Replies to classmates: <strong>0 of 1</strong></p>" in page
    assert "0 of 1 replies given" in row_html(
        instructor_client.get(report_url(thread)).content.decode(), student
    )
    # A classmate's reply under the student's own answer, answered: that one counts.
    peers_reply = make_response(thread, peer, body="A question for you.", parent=own_reply)
    make_response(thread, student, body="Here is my answer to it.", parent=peers_reply)
    page = student_client.get(thread.get_absolute_url()).content.decode()
    assert "Replies to classmates: <strong>1 of 1</strong> ✓" in page
    assert "1 of 1 reply given" in row_html(
        instructor_client.get(report_url(thread)).content.decode(), student
    )
