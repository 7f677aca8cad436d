"""What an instructor reads about one thread (one row per student) and about a whole group
(the participation dashboard, the gradebook), and the CSV exports of both.

A constant number of queries whatever the class size: members, responses, feedback.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from classroom.models import DISPUTES, Assignment, Feedback, Membership, Participation, Response, User

FILTERS = {
    "missing": gettext_lazy("Not yet posted"),
    "late": gettext_lazy("Late"),
    "ungraded": gettext_lazy("Ungraded"),
}
EVIDENCE_FILTERS = {
    "fact": gettext_lazy("Dispute a fact"),
    "interpretation": gettext_lazy("Dispute the interpretation"),
}
# A student's answer on the report, as its CSV says it (StudentRow.status).
ROW_STATUS_LABELS = {
    "not yet": gettext_lazy("not yet"),
    "late": gettext_lazy("late"),
    "posted": gettext_lazy("posted"),
}


@dataclass
class StudentRow:
    student: User
    answer: Response | None = None
    replies_given: int = 0
    replies_received: int = 0
    feedback: Feedback | None = None
    extension: datetime | None = None
    stance_before: int | None = None
    stance_after: int | None = None
    fair_steelmen: int = 0

    @property
    def status(self) -> str:
        if self.answer is None:
            return "not yet"
        return "late" if self.answer.is_late else "posted"

    @property
    def words(self) -> int:
        return self.answer.word_count if self.answer else 0

    @property
    def posted_at(self) -> datetime | None:
        return self.answer.created_at if self.answer else None

    @property
    def is_graded(self) -> bool:
        return self.feedback is not None and self.feedback.score is not None


def student_rows(assignment: Assignment) -> list[StudentRow]:
    members = Membership.objects.filter(group=assignment.group_id).select_related("student")
    rows = {membership.student_id: StudentRow(student=membership.student) for membership in members}
    responses = list(
        Response.objects.filter(assignment=assignment, deleted_at=None).only(
            "id",
            "author_id",
            "parent_id",
            "reply_to_id",
            "word_count",
            "created_at",
            "is_late",
            "by_instructor",
            "disputes",
            "quote_part",
            "quote_index",
            "edited_after_reveal_at",
            "steelman_fair_at",
        )
    )
    authors = {response.pk: response.author_id for response in responses}
    for response in responses:
        row = rows.get(response.author_id)
        if response.parent_id is None:
            if row is not None and row.answer is None:
                row.answer = response
            continue
        answered = authors.get(response.reply_to_id or response.parent_id)
        if row is not None and answered != response.author_id:  # a reply to oneself is not one given
            row.replies_given += 1
            row.fair_steelmen += response.steelman_fair_at is not None
        if answered in rows and answered != response.author_id and not response.by_instructor:
            rows[answered].replies_received += 1
    for feedback in Feedback.objects.filter(assignment=assignment, student_id__in=rows):
        rows[feedback.student_id].feedback = feedback
    for student_id, due, before, after in Participation.objects.filter(assignment=assignment).values_list(
        "student_id", "due_at_override", "stance_before", "stance_after"
    ):
        if student_id in rows:
            rows[student_id].extension = due
            rows[student_id].stance_before, rows[student_id].stance_after = before, after
    return sorted(
        rows.values(),
        key=lambda r: (r.student.last_name.lower(), r.student.first_name.lower(), r.student.username),
    )


@dataclass
class StanceSummary:
    """Where the class stood before answering and after the discussion, and who moved."""

    scale: list[tuple[int, str]]
    before: list[int]  # students per point of the scale
    after: list[int]
    placed_again: int
    moved_up: int  # toward the last label of the scale
    moved_down: int  # toward the first

    @property
    def placed(self) -> int:
        return sum(self.before)

    @property
    def stayed(self) -> int:
        return self.placed_again - self.moved_up - self.moved_down

    def rows(self) -> list[tuple[str, int, int, float, float]]:
        """(label, before, after, bar widths in % of the largest count) for the chart."""
        largest = max([*self.before, *self.after, 1])
        return [
            (label, before, after, 100 * before / largest, 100 * after / largest)
            for (_value, label), before, after in zip(self.scale, self.before, self.after, strict=True)
        ]


def stance_summary(
    assignment: Assignment, stances: dict[int, tuple[int | None, int | None]]
) -> StanceSummary:
    scale = assignment.stance_scale()
    before, after = [0] * len(scale), [0] * len(scale)
    placed_again = moved_up = moved_down = 0
    for first, second in stances.values():
        if first is None:
            continue
        before[first - 1] += 1
        if second is not None:
            after[second - 1] += 1
            placed_again += 1
            moved_up += second > first
            moved_down += second < first
    return StanceSummary(scale, before, after, placed_again, moved_up, moved_down)


def dispute_counts(rows: list[StudentRow]) -> dict[str, int]:
    """Answers by what they do with the brief: build on it, dispute a fact, dispute the interpretation."""
    counts = {value or "builds": 0 for value, _label in DISPUTES}
    for row in rows:
        if row.answer is not None:
            counts[row.answer.disputes or "builds"] += 1
    return counts


def filter_rows(rows: list[StudentRow], show: str) -> list[StudentRow]:
    if show == "missing":
        return [row for row in rows if row.answer is None]
    if show == "late":
        return [row for row in rows if row.answer and row.answer.is_late]
    if show == "ungraded":
        return [row for row in rows if not row.is_graded]
    if show in EVIDENCE_FILTERS:
        return [row for row in rows if row.answer and row.answer.disputes == show]
    return rows


def csv_bytes(header: list[str], rows: list[list[object]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads accents and dashes correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else safe_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# A spreadsheet runs a cell as a formula when it starts with one of these (the fullwidth
# forms too: some spreadsheets fold them to ASCII).
FORMULA_START = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"
# Where a cell can start in the eyes of a reader: the file is comma-separated, but Excel
# in a locale with a decimal comma splits on ";", others on tab or "|", and a reader that
# does not take the quotes (a quote in the middle of its field is plain text to it) ends a
# row at a line break. So "x;=1+1" is a formula in Excel in Germany or France.
_FORMULA_AFTER_A_SPLIT = re.compile(f'(?:^|[,;\t|\r\n])[ "]*(?=[{re.escape(FORMULA_START)}])')


def safe_cell(value: object) -> object:
    """Text with a quote before every formula start, wherever any reader may begin a cell.

    The apostrophe (OWASP's advice) makes a spreadsheet show the text as text, and the rest
    of the text reads as typed: only a formula character at the start or right after a
    separator (spaces and double quotes in between) gets one, not every cell.
    """
    if not isinstance(value, str):
        return value
    return _FORMULA_AFTER_A_SPLIT.sub(lambda split: split.group() + "'", value)


def grades_csv(assignment: Assignment) -> bytes:
    rows = [
        [
            row.student.username,
            row.student.display_name,
            row.student.email,
            format_score(row.feedback.score) if row.feedback else "",
            assignment.points,
            row.feedback.comment if row.feedback else "",
            str(ROW_STATUS_LABELS[row.status]),
        ]
        for row in student_rows(assignment)
    ]
    # Agora's own export, read by people: its column names in the reader's language.
    header = [_("username"), _("name"), _("email"), _("score"), _("points"), _("feedback"), _("status")]
    return csv_bytes(header, rows)


def format_score(score: Decimal | None) -> str:
    if score is None:
        return ""
    return f"{score.normalize():f}"


def responses_csv(assignments: list[Assignment]) -> bytes:
    """Every live response of these threads, as plain text, oldest first."""
    rows = []
    for response in (
        Response.objects.filter(assignment__in=assignments, deleted_at=None)
        .select_related("author", "assignment__brief")
        .order_by("assignment_id", "created_at", "id")
    ):
        rows.append(
            [
                response.assignment.brief.title,
                response.pk,
                response.author.username,
                response.author.display_name,
                _("Classmate %(number)d") % {"number": response.alias} if response.alias else "",
                timezone.localtime(response.created_at).isoformat(timespec="seconds"),
                response.parent_id or "",
                _("yes") if response.is_late else "",
                _("yes") if response.is_hidden else "",
                response.body,
            ]
        )
    header = [
        _("thread"),
        _("id"),
        _("username"),
        _("name"),
        _("pseudonym"),
        _("time"),
        _("reply to"),
        _("late"),
        _("hidden"),
        _("body"),
    ]
    return csv_bytes(header, rows)


@dataclass
class AssignmentBar:
    assignment: Assignment
    posted: int
    late: int
    missing: int

    @property
    def total(self) -> int:
        return self.posted + self.late + self.missing

    def widths(self, scale: int = 100) -> tuple[float, float, float]:
        total = self.total or 1
        return (scale * self.posted / total, scale * self.late / total, scale * self.missing / total)


def group_answers(group_id: int) -> tuple[list[Assignment], list[User], dict[tuple[int, int], bool]]:
    """The group's discussions (oldest first), its students (by name) and their live answers as
    {(student id, discussion id): is late}: the dashboard's and the gradebook's common reads."""
    assignments = list(
        Assignment.objects.filter(group_id=group_id).select_related("brief").order_by("opens_at", "id")
    )
    students = [m.student for m in Membership.objects.filter(group_id=group_id).select_related("student")]
    students.sort(key=lambda s: (s.last_name.lower(), s.first_name.lower(), s.username))
    answers = {
        (author, assignment): late
        for author, assignment, late in Response.objects.filter(
            assignment__group_id=group_id, parent=None, deleted_at=None
        ).values_list("author_id", "assignment_id", "is_late")
    }
    return assignments, students, answers


def answer_status(
    late: bool | None, assignment: Assignment, now: datetime, extension: datetime | None = None
) -> str:
    """The answer's state: "posted", "late", "missing" (due or locked, not answered), "open"
    (not answered, not due) or "upcoming" (not open yet); `late` is None: not answered."""
    if late is not None:
        return "late" if late else "posted"
    if not assignment.has_opened(now):
        return "upcoming"
    return "missing" if assignment.is_locked or assignment.is_past_due(now, extension) else "open"


def group_dashboard(group_id: int) -> tuple[list[AssignmentBar], list[tuple[User, list[str]]]]:
    """Per assignment: posted / late / not yet. Per student: one cell per assignment.

    Cells: "posted", "late", "missing" (due and not answered), "open" (not answered yet,
    not due), "upcoming" (not open yet).
    """
    now = timezone.now()
    assignments, students, answers = group_answers(group_id)

    def cell(student: User, assignment: Assignment) -> str:
        return answer_status(answers.get((student.pk, assignment.pk)), assignment, now)

    grid = [(student, [cell(student, a) for a in assignments]) for student in students]
    bars = []
    for index, assignment in enumerate(assignments):
        column = [cells[index] for _student, cells in grid]
        bars.append(
            AssignmentBar(
                assignment=assignment,
                posted=column.count("posted"),
                late=column.count("late"),
                missing=len(column) - column.count("posted") - column.count("late"),
            )
        )
    return bars, grid


# ---- the gradebook: every student × every discussion of one group -------------------------

CELL_LABELS = {
    "posted": gettext_lazy("answered"),
    "late": gettext_lazy("late"),
    "open": gettext_lazy("not yet"),
    "missing": gettext_lazy("missing"),
    "upcoming": gettext_lazy("not open yet"),
}


@dataclass
class GradeCell:
    """One student in one discussion: the score given (None: not graded) and where the answer stands.

    Agora has no "excused"; a per-student extension is the model's only exception, so a cell
    says "extended" beside its status when the student has one.
    """

    score: Decimal | None
    status: str  # a key of CELL_LABELS
    extended_to: datetime | None = None

    @property
    def label(self) -> str:
        return CELL_LABELS[self.status]

    @property
    def score_text(self) -> str:
        return format_score(self.score)


@dataclass
class GradebookRow:
    student: User
    cells: list[GradeCell]

    @property
    def total(self) -> Decimal:
        return sum((cell.score for cell in self.cells if cell.score is not None), Decimal(0))

    @property
    def total_text(self) -> str:
        return format_score(self.total)

    @property
    def graded(self) -> int:
        return sum(1 for cell in self.cells if cell.score is not None)


@dataclass
class Gradebook:
    assignments: list[Assignment]
    rows: list[GradebookRow]

    @property
    def points_possible(self) -> int:
        return sum(assignment.points for assignment in self.assignments)


def gradebook(group_id: int, now: datetime | None = None) -> Gradebook:
    """Scores and statuses of the group's students in its discussions, oldest discussion first.

    Five queries whatever the size of the class or the number of discussions: the
    discussions, the members, their answers, the scores, the extensions.
    """
    now = now or timezone.now()
    assignments, students, answers = group_answers(group_id)
    scores = {
        (student, assignment): score
        for student, assignment, score in Feedback.objects.filter(
            assignment__group_id=group_id, score__isnull=False
        ).values_list("student_id", "assignment_id", "score")
    }
    extensions = {
        (student, assignment): due
        for student, assignment, due in Participation.objects.filter(
            assignment__group_id=group_id, due_at_override__isnull=False
        ).values_list("student_id", "assignment_id", "due_at_override")
    }

    def cell(student: User, assignment: Assignment) -> GradeCell:
        key = (student.pk, assignment.pk)
        extension = extensions.get(key)
        status = answer_status(answers.get(key), assignment, now, extension)
        return GradeCell(score=scores.get(key), status=status, extended_to=extension)

    rows = [GradebookRow(student, [cell(student, a) for a in assignments]) for student in students]
    return Gradebook(assignments=assignments, rows=rows)


def csv_table(rows: list[list[object]]) -> bytes:
    """Like csv_bytes, but every row, the header too, goes through safe_cell: here the
    header holds the teachers' brief titles, which a spreadsheet would run as formulas too."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if value is None else safe_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def gradebook_csv(book: Gradebook) -> bytes:
    """Agora's own layout: one row per student, a score column and a status column per discussion."""
    header = [_("username"), _("name"), _("email")]
    for assignment in book.assignments:
        header += [assignment.brief.title, _("%(title)s (status)") % {"title": assignment.brief.title}]
    header += [_("total"), _("points possible")]
    rows: list[list[object]] = [header]
    for row in book.rows:
        line: list[object] = [row.student.username, row.student.display_name, row.student.email]
        for cell in row.cells:
            status = (
                _("%(status)s, extended") % {"status": cell.label} if cell.extended_to else str(cell.label)
            )
            line += [cell.score_text, status]
        rows.append([*line, row.total_text, book.points_possible])
    return csv_table(rows)


# Canvas's gradebook import reads the layout of Canvas's own gradebook export: the five
# student columns, then one column per assignment named "<title> (<Canvas id>)", and a
# second row that starts "Points Possible". Checked against university guides to Canvas's
# gradebook import and export (Ohio State's "Import a CSV file into Carmen grades": Student
# name, Student ID, SIS User ID, SIS Login ID, Section, then one column per assignment; VCU's
# "Gradebook Action Menu" on the exported columns) and against the gradebook CSV fixtures in
# Canvas's own repository (instructure/canvas-lms, spec/fixtures/gradebooks/).
# These names, and "Points Possible" below, are what Canvas parses: never translated.
CANVAS_STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def canvas_student_name(student: User) -> str:
    """Canvas's own export writes "Last, First"; it matches students by this when no id matches."""
    if student.last_name and student.first_name:
        return f"{student.last_name}, {student.first_name}"
    return student.display_name


def canvas_gradebook_csv(book: Gradebook, section: str) -> bytes:
    """The group's scores as a Canvas gradebook import file.

    Agora knows no Canvas user ids or SIS ids: "ID" and "SIS User ID" stay empty, "SIS
    Login ID" carries the student's email (or their username without one), the login most
    schools give Canvas, and Canvas falls back to the name. "Section" is the group's name.
    The number in each assignment's parentheses is Agora's discussion id; Canvas matches
    the column by that id or by title, and offers to create the assignment when neither
    matches (its import preview shows which).
    """
    header = [*CANVAS_STUDENT_COLUMNS]
    header += [f"{assignment.brief.title} ({assignment.pk})" for assignment in book.assignments]
    points = ["Points Possible", "", "", "", "", *[assignment.points for assignment in book.assignments]]
    rows: list[list[object]] = [header, points]
    for row in book.rows:
        student = row.student
        rows.append(
            [
                canvas_student_name(student),
                "",
                "",
                student.email or student.username,
                section,
                *[cell.score_text for cell in row.cells],
            ]
        )
    return csv_table(rows)


# Moodle's CSV grade import ("Import grades" > "CSV file") takes any columns: on its preview
# the teacher maps one column to a user field ("Map from" Email address → "Map to"
# useremail, or Username → username) and each other column to a grade item, or to a new
# item named after it. No points row: every row after the header must be a student.
# Checked against MoodleDocs "Grade import" (docs.moodle.org: CSV grade import, its "Map
# from" / "Map to" tips, and the note that email addresses are compared case-sensitively).
# Moodle's own field names, which its import maps by: never translated.
MOODLE_STUDENT_COLUMNS = ["First name", "Last name", "Username", "Email address"]


def moodle_gradebook_csv(book: Gradebook) -> bytes:
    header = [*MOODLE_STUDENT_COLUMNS, *[assignment.brief.title for assignment in book.assignments]]
    rows: list[list[object]] = [header]
    for row in book.rows:
        student = row.student
        rows.append(
            [
                student.first_name,
                student.last_name,
                student.username,
                student.email,
                *[cell.score_text for cell in row.cells],
            ]
        )
    return csv_table(rows)
