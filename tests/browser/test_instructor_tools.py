"""An instructor's tools in real Chromium: moderating a thread that students watch live,
grading from the report page with the keyboard alone, and downloading the CSV exports."""

import csv
import io
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from classroom.actions import save_feedback
from classroom.models import Feedback
from tests.factories import AssignmentFactory, GroupFactory, make_response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The poll runs every 5 s: a change made elsewhere shows within two rounds.
POLL_WAIT = 15_000
BOM = b"\xef\xbb\xbf"

ANSWER_A = "Direct flights would make trade and family visits easier, but energy deals matter more."
ANSWER_B = "Air links are symbolic; the oil market follows sanctions, not flights."
ANSWER_C = "Nobody flies anywhere until the insurers agree, whatever the ministers say."
HIDE_REASON = "Please rewrite this without the personal remark."


@pytest.fixture
def class_group(instructor, ann, ben, cara):
    return GroupFactory(name="Period 3", instructors=[instructor], students=[ann, ben, cara])


@pytest.fixture
def discussed(class_group, ann, ben, cara):
    """An open thread where all three students have answered."""
    thread = AssignmentFactory(group=class_group, points=10)
    make_response(thread, ann, body=ANSWER_A)
    make_response(thread, ben, body=ANSWER_B)
    make_response(thread, cara, body=ANSWER_C)
    return thread


def open_page(new_context, login, live_server, username: str, path: str):
    page = new_context().new_page()
    login(page, username)
    page.goto(f"{live_server.url}{path}")
    return page


def mark_page(page) -> None:
    """Tag the window: the tag survives htmx swaps and is gone after any reload."""
    page.evaluate("window.__marker = 'no reload'")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__marker") == "no reload"


def test_hidden_and_highlighted_answers_reach_students_live(live_server, new_context, login, discussed):
    url = discussed.get_absolute_url()
    ann = open_page(new_context, login, live_server, "ann", url)
    ben = open_page(new_context, login, live_server, "ben", url)
    expect(ann.get_by_role("article", name="Answer by Ben Baker")).to_contain_text(ANSWER_B)
    expect(ann.get_by_role("article", name="Answer by You")).not_to_contain_text(
        "Highlighted by your instructor"
    )
    mark_page(ann)
    mark_page(ben)

    teacher = open_page(new_context, login, live_server, "teacher", url)
    bens_card = teacher.get_by_role("article", name="Answer by Ben Baker")
    bens_card.get_by_text("Hide…").click()
    bens_card.get_by_label("Why? The student sees this reason.").fill(HIDE_REASON)
    bens_card.get_by_role("button", name="Hide from the class").click()
    expect(bens_card).to_contain_text(f"Hidden from the students. Reason: {HIDE_REASON}")
    expect(bens_card.get_by_role("button", name="Show to the class again")).to_be_visible()

    anns_card = teacher.get_by_role("article", name="Answer by Ann Archer")
    anns_card.get_by_role("button", name="Highlight", exact=True).click()
    expect(anns_card).to_contain_text("Highlighted by your instructor")
    expect(anns_card.get_by_role("button", name="Remove highlight")).to_be_visible()

    # Ann's poll takes Ben's answer away and marks her own, without a reload.
    expect(ann.get_by_text(ANSWER_B)).to_have_count(0, timeout=POLL_WAIT)
    expect(ann.get_by_role("article", name="Answer by Ben Baker")).to_have_count(0)
    expect(ann.get_by_role("article", name="Answer by You")).to_contain_text(
        "Highlighted by your instructor", timeout=POLL_WAIT
    )
    expect(ann.get_by_role("article", name="Answer by You")).to_contain_text(ANSWER_A)
    expect(ann.get_by_role("article", name="Answer by Cara Clark")).to_contain_text(ANSWER_C)
    expect(ann.locator("body")).not_to_contain_text(HIDE_REASON)
    assert_not_reloaded(ann)

    # Ben still sees his answer, told that it is hidden and why; Ann's is highlighted for him too.
    bens_own = ben.get_by_role("article", name="Answer by You")
    expect(bens_own).to_contain_text(
        f"Your instructor hid this from your classmates. Reason: {HIDE_REASON}", timeout=POLL_WAIT
    )
    expect(bens_own).to_contain_text(ANSWER_B)
    expect(ben.get_by_role("article", name="Answer by Ann Archer")).to_contain_text(
        "Highlighted by your instructor", timeout=POLL_WAIT
    )
    assert_not_reloaded(ben)

    # The same after a reload: nothing only lives in the swapped-in pieces.
    ann.reload()
    expect(ann.get_by_role("article", name="Answer by You")).to_contain_text("Highlighted by your instructor")
    expect(ann.get_by_text(ANSWER_B)).to_have_count(0)
    ben.reload()
    expect(ben.get_by_role("article", name="Answer by You")).to_contain_text(
        f"Your instructor hid this from your classmates. Reason: {HIDE_REASON}"
    )


def score_box(page, name: str):
    return page.get_by_role("spinbutton", name=f"Score for {name}")


def feedback_box(page, name: str):
    return page.get_by_role("textbox", name=f"Feedback for {name}")


def row(page, student):
    return page.locator(f"#student-{student.pk}")


def test_instructor_grades_three_students_from_the_report_with_the_keyboard_only(
    live_server, new_context, login, discussed, ann, ben, cara
):
    teacher = open_page(new_context, login, live_server, "teacher", f"{discussed.get_absolute_url()}report/")
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Participation and grades")
    expect(teacher.locator(".report-totals")).to_contain_text("0 of 3 graded")
    mark_page(teacher)
    keyboard = teacher.keyboard

    # Ann: score, Tab, feedback, Ctrl+Enter.
    score_box(teacher, "Ann Archer").focus()
    keyboard.type("8")
    keyboard.press("Tab")
    expect(feedback_box(teacher, "Ann Archer")).to_be_focused()
    keyboard.type("Clear point about energy deals.")
    keyboard.press("Control+Enter")
    expect(row(teacher, ann).get_by_role("status")).to_have_text("Saved ✓")
    expect(score_box(teacher, "Ben Baker")).to_be_focused()

    # Ben: score, Tab, feedback, then back to the score and Enter there.
    keyboard.type("6.5")
    keyboard.press("Tab")
    expect(feedback_box(teacher, "Ben Baker")).to_be_focused()
    keyboard.type("Say more about the sanctions.")
    keyboard.press("Shift+Tab")
    expect(score_box(teacher, "Ben Baker")).to_be_focused()
    keyboard.press("Enter")
    expect(row(teacher, ben).get_by_role("status")).to_have_text("Saved ✓")
    expect(score_box(teacher, "Cara Clark")).to_be_focused()

    # Cara: score, Tab, feedback, Ctrl+Enter; nobody is left to grade after her.
    keyboard.type("9")
    keyboard.press("Tab")
    keyboard.type("Good use of the insurers' angle.")
    keyboard.press("Control+Enter")
    expect(row(teacher, cara).get_by_role("status")).to_have_text("Saved ✓")
    expect(teacher.locator(".report-totals")).to_contain_text("3 of 3 graded")  # live, before any reload
    expect(teacher.locator(".report-totals")).to_have_count(1)
    assert_not_reloaded(teacher)

    teacher.reload()
    expect(teacher.locator(".report-totals")).to_contain_text("3 of 3 graded")
    # The score box shows the score as the teacher typed it, without trailing zeros.
    for name, score, comment in [
        ("Ann Archer", "8", "Clear point about energy deals."),
        ("Ben Baker", "6.5", "Say more about the sanctions."),
        ("Cara Clark", "9", "Good use of the insurers' angle."),
    ]:
        expect(score_box(teacher, name)).to_have_value(score)
        expect(feedback_box(teacher, name)).to_have_value(comment)
    saved = {f.student.username: (f.score, f.comment) for f in Feedback.objects.select_related("student")}
    assert {name: (str(score), comment) for name, (score, comment) in saved.items()} == {
        "ann": ("8.00", "Clear point about energy deals."),
        "ben": ("6.50", "Say more about the sanctions."),
        "cara": ("9.00", "Good use of the insurers' angle."),
    }

    # Ann reads her feedback and score in the thread and on her home page.
    student = open_page(new_context, login, live_server, "ann", discussed.get_absolute_url())
    note = student.get_by_role("note", name="Feedback from your instructor")
    expect(note).to_contain_text("Feedback from your instructor · 8 / 10")
    expect(note).to_contain_text("Clear point about energy deals.")
    expect(student.locator("body")).not_to_contain_text("Say more about the sanctions.")
    student.goto(f"{live_server.url}/")
    card = student.locator("article.assignment-card").filter(has_text=discussed.brief.title)
    expect(card).to_contain_text("Score 8 / 10")


def download(page, link_name: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("button", name=link_name).click()
    with open(info.value.path(), "rb") as file:
        return info.value.suggested_filename, file.read()


def parse_csv(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(BOM)
    return list(csv.DictReader(io.StringIO(content[len(BOM) :].decode("utf-8"), newline="")))


def test_instructor_downloads_grades_and_responses_as_csv(
    live_server, new_context, login, class_group, instructor, ann, ben
):
    thread = AssignmentFactory(group=class_group, points=10)
    tricky = 'Café talks, “maybe” — and a "quoted" word,\nthen a second line.'
    answer = make_response(thread, ann, body=tricky)
    make_response(thread, ben, body=ANSWER_B)
    reply = make_response(thread, ben, body="Ann, which talks?", parent=answer)
    save_feedback(assignment=thread, student=ann, score=Decimal("8"), comment="Good, précis.", by=instructor)
    save_feedback(assignment=thread, student=ben, score=None, comment="", by=instructor)

    teacher = open_page(new_context, login, live_server, "teacher", f"/a/{thread.pk}/report/")

    filename, content = download(teacher, "Grades (CSV)")
    assert filename == f"grades-period-3-{thread.brief.slug}.csv"
    grades = parse_csv(content)
    assert list(grades[0]) == ["username", "name", "email", "score", "points", "feedback", "status"]
    assert [
        (g["username"], g["name"], g["score"], g["points"], g["feedback"], g["status"]) for g in grades
    ] == [
        ("ann", "Ann Archer", "8", "10", "Good, précis.", "posted"),
        ("ben", "Ben Baker", "", "10", "", "posted"),
        ("cara", "Cara Clark", "", "10", "", "not yet"),
    ]

    filename, content = download(teacher, "Responses (CSV)")
    assert filename == f"responses-period-3-{thread.brief.slug}.csv"
    responses = parse_csv(content)
    assert list(responses[0]) == [
        "thread", "id", "username", "name", "pseudonym", "time", "reply to", "late", "hidden", "body",
    ]  # fmt: skip
    assert [(r["username"], r["reply to"], r["body"]) for r in responses] == [
        ("ann", "", tricky),
        ("ben", "", ANSWER_B),
        ("ben", str(answer.pk), "Ann, which talks?"),
    ]
    assert {r["thread"] for r in responses} == {thread.brief.title}
    assert responses[2]["id"] == str(reply.pk)
