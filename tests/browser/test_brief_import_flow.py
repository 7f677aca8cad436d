"""An instructor curates the library in real Chromium: imports pasted briefs through the
preview, meets a malformed text, and writes a brief with the live preview beside it."""

import pytest
from playwright.sync_api import expect

from briefs.models import Brief
from tests.factories import BriefFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_BRIEF = (
    "Talks resume in Riyadh\n"
    "Ministers met on Tuesday to restore embassy staff.\n"
    "The meeting signals more than it settles.\n"
    "Will the talks last?\n"
)
KNOWN_SUMMARY = "Russia proposed restoring direct flights between the two countries."
KNOWN_QUESTION = "Who gains most from reopened air links?"


def test_instructor_pastes_briefs_previews_them_and_confirms(live_server, page, login, instructor):
    BriefFactory(title="Direct flights", summary=KNOWN_SUMMARY, question=KNOWN_QUESTION)
    login(page, "teacher")
    page.goto(f"{live_server.url}/briefs/")
    page.get_by_role("button", name="Import briefs").click()
    expect(page.get_by_role("heading", name="Import briefs", level=1)).to_be_visible()

    page.get_by_label("Or paste the briefs").fill(f"{NEW_BRIEF}\n{KNOWN_SUMMARY}\n{KNOWN_QUESTION}\n")
    page.get_by_role("button", name="Preview", exact=True).click()

    expect(page.get_by_role("heading", name="Preview", exact=True)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="briefs read")).to_contain_text("2 briefs read: 1 new")
    cards = page.locator("article.import-card")
    expect(cards).to_have_count(2)
    expect(cards.nth(0).get_by_role("heading")).to_have_text("Talks resume in Riyadh")
    expect(cards.nth(0)).to_contain_text("The meeting signals more than it settles.")
    expect(cards.nth(0)).to_contain_text("Will the talks last?")
    expect(cards.nth(0).locator(".badge")).to_have_text("New")
    expect(cards.nth(1)).to_contain_text(KNOWN_QUESTION)
    expect(cards.nth(1).locator(".badge")).to_have_text("Already in the library")
    # The pasted text is back in the box exactly, to fix in place if need be.
    expect(page.get_by_label("Or paste the briefs")).to_have_value(
        f"{NEW_BRIEF}\n{KNOWN_SUMMARY}\n{KNOWN_QUESTION}\n"
    )
    assert Brief.objects.count() == 1  # nothing written before the confirm

    page.get_by_role("button", name="Add 1 brief to the library").click()

    page.wait_for_url(f"{live_server.url}/briefs/")
    expect(page.get_by_role("status").filter(has_text="added")).to_have_text(
        "1 brief added, 1 already in the library."
    )
    expect(page.get_by_role("link", name="Talks resume in Riyadh")).to_be_visible()
    expect(page.get_by_text("2 briefs", exact=True)).to_be_visible()
    assert Brief.objects.count() == 2


def test_malformed_text_shows_the_error_with_its_line_and_no_confirm(live_server, page, login, instructor):
    login(page, "teacher")
    page.goto(f"{live_server.url}/briefs/import/")
    page.get_by_label("Or paste the briefs").fill(
        "Will the talks last?\n\nMinisters met on Tuesday.\nThe question lost its mark.\n"
    )
    page.get_by_role("button", name="Preview", exact=True).click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing can be imported until these 2 errors are fixed")
    expect(alert).to_contain_text("Line 1: a question with no summary before it")
    expect(alert).to_contain_text("Line 3: text after the last question")
    expect(page.get_by_role("button", name="to the library")).to_have_count(0)
    expect(page.get_by_role("button", name="Preview", exact=True)).to_be_visible()
    assert not Brief.objects.exists()


def test_instructor_writes_a_brief_with_the_live_preview_and_saves_it(live_server, page, login, instructor):
    login(page, "teacher")
    page.goto(f"{live_server.url}/briefs/new/")
    preview = page.locator("#brief-preview")
    expect(preview).to_contain_text("Start typing the summary and question")

    page.get_by_label("Summary").press_sequentially(
        "Both sides agreed to restore embassy staff. More in May."
    )
    expect(preview.locator(".preview-title")).to_have_text("Both sides agreed to restore embassy staff")
    expect(preview).to_contain_text("Both sides agreed to restore embassy staff. More in May.")

    page.get_by_label("Commentary").fill("Staffing is the easy part.")
    page.get_by_label("Question", exact=True).press_sequentially("What would make <the deal> last?")
    expect(preview.get_by_role("note", name="The question to discuss")).to_have_text(
        "The question What would make <the deal> last?"
    )
    expect(preview.locator(".brief-commentary")).to_contain_text("Staffing is the easy part.")

    page.get_by_label("Title").press_sequentially("Embassies reopen")
    expect(preview.locator(".preview-title")).to_have_text("Embassies reopen")

    page.get_by_role("button", name="Save brief").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Embassies reopen")
    expect(page.get_by_role("status")).to_contain_text("Brief added to the library.")
    expect(page.get_by_role("note", name="The question to discuss")).to_contain_text(
        "What would make <the deal> last?"
    )
    assert Brief.objects.get().slug == "embassies-reopen"
