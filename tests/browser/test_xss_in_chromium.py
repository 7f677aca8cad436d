"""The XSS corpus in real Chromium: a thread full of hostile answers, names and a hostile
brief, and a hostile import; no dialog opens, no payload runs, no injected element exists."""

import pytest
from playwright.sync_api import expect

from classroom.models import Feedback
from tests.factories import AssignmentFactory, BriefFactory, GroupFactory, UserFactory, make_response
from tests.security.test_hostile_input import PAYLOADS, one_line

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Time for failed image loads (src=x) and the like to fire their handlers.
SETTLE_MS = 800

INJECTED = """() => {
  const found = document.querySelectorAll(
    "main script, main img, main iframe, main object, main embed, main math, main svg:not(.bar), "
    + "main [onerror], main [onload], main [onclick], main [onmouseover], main [ontoggle], main [hx-on\\\\:\\\\:load]"
  );
  const links = [...document.querySelectorAll("main a[href]")].map(a => a.getAttribute("href"))
    .filter(href => /^\\s*(javascript|data|vbscript):/i.test(href.replace(/[\\x00-\\x20]/g, "")));
  return {elements: [...found].map(el => el.outerHTML.slice(0, 120)), links};
}"""


def watch(page) -> list[str]:
    """Fail-safe: every dialog is dismissed and recorded."""
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def assert_inert(page, dialogs: list[str]) -> None:
    page.wait_for_timeout(SETTLE_MS)
    assert dialogs == []
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate(INJECTED) == {"elements": [], "links": []}


def hostile_brief(**overrides):
    text = " ".join(one_line(p) for p in PAYLOADS)
    fields = {
        "title": one_line(PAYLOADS[2]),
        "summary": text[:5000],
        "commentary": one_line(PAYLOADS[4]) + " " + one_line(PAYLOADS[9]),
        "question": one_line(PAYLOADS[0]) + " " + one_line(PAYLOADS[25]) + "?",
    }
    return BriefFactory(**(fields | overrides))


def test_thread_full_of_payloads_runs_nothing_for_students_or_the_instructor(
    live_server, new_context, login, instructor
):
    group = GroupFactory(name=PAYLOADS[2], instructors=[instructor])
    ann = UserFactory(username="ann", first_name=PAYLOADS[0], last_name=PAYLOADS[4])
    ben = UserFactory(username="ben", first_name=PAYLOADS[26], last_name="Baker")
    cy = UserFactory(username="cy", first_name="Cy", last_name=PAYLOADS[-2])
    for student in (ann, ben, cy):
        group.memberships.create(student=student)
    thread = AssignmentFactory(group=group, brief=hostile_brief())
    answer = make_response(thread, ann, body=PAYLOADS[12])
    for number, payload in enumerate(PAYLOADS):
        make_response(thread, ben if number % 2 else cy, body=payload, parent=answer)
    make_response(thread, cy, body="\n\n".join(PAYLOADS))
    Feedback.objects.create(
        assignment=thread, student=ann, comment="\n".join(PAYLOADS), updated_by=instructor
    )

    # Ann reads the thread (and her feedback), then Ben answers with a payload through htmx.
    student = new_context().new_page()
    dialogs = watch(student)
    login(student, "ann")
    assert_inert(student, dialogs)
    student.goto(f"{live_server.url}{thread.get_absolute_url()}")
    expect(student.get_by_role("note", name="Feedback from your instructor")).to_be_visible()
    expect(student.locator("article.response")).to_have_count(len(PAYLOADS) + 2)
    assert_inert(student, dialogs)

    poster = new_context().new_page()
    poster_dialogs = watch(poster)
    login(poster, "ben")
    poster.goto(f"{live_server.url}{thread.get_absolute_url()}")
    poster.get_by_role("textbox", name="Your answer").fill("\n".join(PAYLOADS[:12]))
    poster.get_by_role("button", name="Post answer").click()
    expect(poster.get_by_text("You have answered.")).to_be_visible()
    expect(poster.locator("article.response.is-own")).not_to_have_count(0)
    assert_inert(poster, poster_dialogs)
    # Ann's poll brings Ben's answer in: still nothing runs.
    expect(student.locator("article.response")).to_have_count(len(PAYLOADS) + 3, timeout=15_000)
    assert_inert(student, dialogs)

    # The instructor sees real names, the roster, the report with the feedback.
    teacher = new_context().new_page()
    teacher_dialogs = watch(teacher)
    login(teacher, "teacher")
    assert_inert(teacher, teacher_dialogs)
    for path in (
        thread.get_absolute_url(),
        group.get_absolute_url(),
        f"/a/{thread.pk}/report/",
        f"/groups/{group.pk}/dashboard/",
    ):
        teacher.goto(f"{live_server.url}{path}")
        assert_inert(teacher, teacher_dialogs)
    # Hovering and focusing every link in the bodies does nothing either.
    teacher.goto(f"{live_server.url}{thread.get_absolute_url()}")
    for link in teacher.locator(".response-body a").all():
        link.hover()
        link.focus()
    assert_inert(teacher, teacher_dialogs)


def test_hostile_brief_imported_and_edited_in_the_browser_runs_nothing(live_server, page, login, instructor):
    dialogs = watch(page)
    login(page, "teacher")
    lines = []
    for number, payload in enumerate(PAYLOADS[:10]):
        line = one_line(payload)
        lines += [
            f"{line} headline {number}",
            f"Summary {number} {line} end.",
            f"Question {number} {line}?",
            "",
        ]
    page.goto(f"{live_server.url}/briefs/import/")
    page.get_by_label("Or paste the briefs").fill("\n".join(lines))
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(page.locator("article.import-card")).to_have_count(10)
    assert_inert(page, dialogs)

    page.get_by_role("button", name="Add 10 briefs to the library").click()
    page.wait_for_url(f"{live_server.url}/briefs/")
    assert_inert(page, dialogs)

    brief = hostile_brief(created_by=instructor)  # its owner edits it
    page.goto(f"{live_server.url}{brief.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(brief.title)
    assert_inert(page, dialogs)

    # The live preview (htmx) shows what is typed, as text.
    page.goto(f"{live_server.url}/briefs/{brief.slug}/edit/")
    page.get_by_label("Title").fill(one_line(PAYLOADS[26]))
    page.get_by_label("Summary").fill(PAYLOADS[3] + " " + PAYLOADS[7])
    expect(page.locator(".preview-pane")).to_contain_text("onerror=alert(1)", timeout=5_000)
    assert_inert(page, dialogs)
    page.get_by_role("button", name="Save brief").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(one_line(PAYLOADS[26]))
    assert_inert(page, dialogs)
