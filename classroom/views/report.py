"""The instructor's report on one thread: who posted, words, replies, feedback and score; CSV."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from classroom.actions import ActionRefused, save_feedback
from classroom.forms import FeedbackForm
from classroom.permissions import (
    get_taught_assignment,
    get_taught_group,
    get_taught_student,
    instructor_required,
)
from classroom.reports import (
    EVIDENCE_FILTERS,
    FILTERS,
    StudentRow,
    canvas_gradebook_csv,
    dispute_counts,
    filter_rows,
    format_score,
    gradebook,
    gradebook_csv,
    grades_csv,
    moodle_gradebook_csv,
    responses_csv,
    stance_summary,
    student_rows,
)
from classroom.reports import group_dashboard as dashboard_data


@require_GET
@instructor_required
@vary_on_headers("HX-Request")
def assignment_report(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = get_taught_assignment(request.user, assignment_id)
    show = request.GET.get("show", "")
    show = show if show in report_filters(assignment) else ""
    rows = student_rows(assignment)
    for row in rows:
        row.form = feedback_form(assignment, row)
    return render(request, "classroom/assignment_report.html", report_context(assignment, rows, show))


def report_filters(assignment) -> dict[str, str]:
    return FILTERS | EVIDENCE_FILTERS if assignment.evidence else FILTERS


def report_context(assignment, rows: list[StudentRow], show: str) -> dict:
    for row in rows:
        row.stance_text = " → ".join(
            assignment.stance_label(value) for value in (row.stance_before, row.stance_after) if value
        )
    stances = {row.student.pk: (row.stance_before, row.stance_after) for row in rows}
    return {
        "assignment": assignment,
        "rows": filter_rows(rows, show),
        "show": show,
        "filters": report_filters(assignment),
        "stance_chart": stance_summary(assignment, stances) if assignment.stance else None,
        "disputes": dispute_counts(rows) if assignment.evidence else None,
        "totals": {
            "members": len(rows),
            "posted": sum(1 for r in rows if r.answer),
            "late": sum(1 for r in rows if r.answer and r.answer.is_late),
            "graded": sum(1 for r in rows if r.is_graded),
        },
    }


def feedback_form(assignment, row: StudentRow, data=None) -> FeedbackForm:
    initial = {}
    if row.feedback:
        initial = {"score": format_score(row.feedback.score), "comment": row.feedback.comment}
    return FeedbackForm(data, points=assignment.points, initial=initial, auto_id=f"id_s{row.student.pk}_%s")


@require_POST
@instructor_required
@vary_on_headers("HX-Request")
def feedback_save(request: HttpRequest, assignment_id: int, student_id: int) -> HttpResponse:
    """Save one student's score and comment; htmx gets the row back, a plain post the page."""
    assignment = get_taught_assignment(request.user, assignment_id)
    student = get_taught_student(request.user, assignment.group_id, student_id)
    rows = student_rows(assignment)
    row = next(r for r in rows if r.student.pk == student.pk)
    form = feedback_form(assignment, row, request.POST)
    saved = False
    if form.is_valid():
        try:
            row.feedback = save_feedback(
                assignment=assignment,
                student=student,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                by=request.user,
            )
            saved = True
        except ActionRefused as refusal:
            form.add_error(None, str(refusal))
    if saved and not request.htmx:
        return redirect(
            reverse("classroom:assignment_report", args=[assignment.pk]) + f"#student-{student.pk}"
        )
    for other in rows:
        other.form = feedback_form(assignment, other)
    row.form = form if not saved else feedback_form(assignment, row)
    context = report_context(assignment, rows, "")
    if request.htmx:
        # The row as a fresh load draws it (its stance too), and the page's graded count with it.
        context |= {"row": row, "saved": saved}
        page = render(request, "classroom/assignment_report.html#student-row", context)
        totals = render_to_string("classroom/assignment_report.html#report-totals", context | {"oob": True})
        page.content += totals.encode()
        return page
    return render(request, "classroom/assignment_report.html", context)


def csv_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    # Names in any script: an ASCII fallback and the UTF-8 name (RFC 6266) for browsers that read it.
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def export_name(assignment) -> str:
    """The group and the brief's title as a file name, cut between words, not inside one."""
    name = slugify(f"{assignment.group.name} {assignment.brief.title}", allow_unicode=True)
    if len(name) > 80:
        name = name[:81].rsplit("-", 1)[0]
    return name[:80] or "thread"


@require_GET
@instructor_required
def grades_export(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = get_taught_assignment(request.user, assignment_id)
    return csv_response(grades_csv(assignment), f"grades-{export_name(assignment)}.csv")


@require_GET
@instructor_required
def responses_export(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = get_taught_assignment(request.user, assignment_id)
    return csv_response(responses_csv([assignment]), f"responses-{export_name(assignment)}.csv")


@require_GET
@instructor_required
def group_responses_export(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_taught_group(request.user, group_id)
    return csv_response(
        responses_csv(list(group.assignments.all())), f"responses-{slugify(group.name)[:60]}.csv"
    )


@require_GET
@instructor_required
def group_dashboard(request: HttpRequest, group_id: int) -> HttpResponse:
    """Participation at a glance: a bar per assignment, a row per student."""
    group = get_taught_group(request.user, group_id)
    bars, grid = dashboard_data(group.pk)
    # Quiet: nothing posted, though something was open to answer; a discussion not open yet does not count.
    quiet = [
        student
        for student, cells in grid
        if any(c in ("missing", "open") for c in cells) and not any(c in ("posted", "late") for c in cells)
    ]
    context = {"group": group, "bars": bars, "grid": grid, "quiet": quiet}
    return render(request, "classroom/group_dashboard.html", context)


@require_GET
@instructor_required
def group_gradebook(request: HttpRequest, group_id: int) -> HttpResponse:
    """Every student's score and status in every discussion of the group, with totals."""
    group = get_taught_group(request.user, group_id)
    context = {"group": group, "book": gradebook(group.pk)}
    return render(request, "classroom/group_gradebook.html", context)


GRADEBOOK_LAYOUTS = {
    "agora": ("gradebook", lambda book, group: gradebook_csv(book)),
    "canvas": ("gradebook-canvas", lambda book, group: canvas_gradebook_csv(book, section=group.name)),
    "moodle": ("gradebook-moodle", lambda book, group: moodle_gradebook_csv(book)),
}


@require_GET
@instructor_required
def group_gradebook_export(request: HttpRequest, group_id: int, layout: str) -> HttpResponse:
    """The gradebook as CSV: Agora's own columns, or a file Canvas or Moodle imports."""
    group = get_taught_group(request.user, group_id)
    prefix, write = GRADEBOOK_LAYOUTS[layout]
    return csv_response(write(gradebook(group.pk), group), f"{prefix}-{slugify(group.name)[:60]}.csv")
