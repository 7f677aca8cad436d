"""Colours follow the device until a person picks light or dark; printing leaves only what is read."""

import os
from pathlib import Path

import pytest

from classroom.actions import save_feedback
from tests.factories import make_response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BACKGROUND = "getComputedStyle(document.body).backgroundColor"
LIGHT, DARK = "rgb(246, 248, 247)", "rgb(18, 23, 29)"


def test_colours_follow_the_device_and_a_choice_is_remembered_before_the_page_paints(
    live_server, page, login, student
):
    login(page, "sam")
    page.emulate_media(color_scheme="dark")
    page.reload()
    assert page.evaluate(BACKGROUND) == DARK  # the device's choice, with nothing chosen here
    assert page.evaluate("document.documentElement.dataset.theme") is None

    page.get_by_label("Colours").select_option("light")
    assert page.evaluate(BACKGROUND) == LIGHT
    # On the next page the choice is on <html> before any of the body exists (no flash of dark).
    page.add_init_script(
        """document.addEventListener("readystatechange", () => {
             if (document.readyState === "interactive") window.themeAtParse = document.documentElement.dataset.theme;
           }, {once: true});"""
    )
    page.goto(f"{live_server.url}/profile/")
    assert page.evaluate("window.themeAtParse") == "light"
    assert page.evaluate(BACKGROUND) == LIGHT
    assert page.get_by_label("Colours").input_value() == "light"

    page.get_by_label("Colours").select_option("dark")
    page.emulate_media(color_scheme="light")
    page.reload()
    assert page.evaluate(BACKGROUND) == DARK  # chosen dark beats a light device

    page.get_by_label("Colours").select_option("system")
    assert page.evaluate(BACKGROUND) == LIGHT
    page.reload()
    assert page.evaluate("localStorage.getItem('agora-theme')") is None
    assert page.evaluate("document.documentElement.dataset.theme") is None


def keep_screenshot(page, name: str) -> None:
    """AGORA_SCREENSHOTS=folder keeps how the printed page looks."""
    if folder := os.environ.get("AGORA_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def visible(page, selector: str) -> bool:
    return page.evaluate(
        f"""[...document.querySelectorAll({selector!r})].some((e) => e.getClientRects().length > 0)"""
    )


def test_a_printed_thread_shows_the_brief_and_answers_without_navigation_or_buttons(
    live_server, page, login, student, peer, thread
):
    from classroom.models import Membership

    Membership.objects.get_or_create(group=thread.group, student=student)
    make_response(thread, peer, body="A classmate's printed answer.")
    make_response(thread, student, body="My own printed answer.")
    login(page, "sam")
    page.goto(f"{live_server.url}{thread.get_absolute_url()}")
    page.emulate_media(media="print")
    keep_screenshot(page, "print-thread")
    assert visible(page, "#brief-title")
    assert visible(page, ".brief-question")
    assert page.get_by_text("A classmate's printed answer.").is_visible()
    for hidden in (
        ".site-header",
        ".site-footer",
        "#composer",
        ".response-actions",
        "button",
        "#thread-poll",
    ):
        assert not visible(page, hidden), hidden


def test_a_printed_report_keeps_every_column_and_the_score_on_a_narrow_page(
    live_server, page, login, instructor, student, thread
):
    from classroom.models import Membership

    Membership.objects.get_or_create(group=thread.group, student=student)
    make_response(thread, student, body="An answer to grade.")
    save_feedback(
        assignment=thread, student=student, score=7, comment="Clear and well argued.", by=instructor
    )
    login(page, "teacher")
    page.set_viewport_size({"width": 700, "height": 900})  # about an A4 page's printable width
    page.goto(f"{live_server.url}{thread.get_absolute_url()}report/")
    page.emulate_media(media="print")
    keep_screenshot(page, "print-report")
    headings = page.locator(".report-table thead th")
    assert headings.first.is_visible()
    assert [h.strip() for h in headings.all_inner_texts()] == [
        "Student",
        "Answer",
        "Argument",
        "Score and feedback",
    ]
    score = page.locator(".report-table input[name='score']")
    assert score.input_value() == "7"
    box = score.bounding_box()
    assert box and box["x"] + box["width"] <= 700
    assert page.evaluate("document.documentElement.scrollWidth") <= 700
    assert not visible(page, ".site-header")
    assert not visible(page, ".report-filters")
