"""An instructor logs in, searches the library and opens a brief, in real Chromium."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_instructor_logs_in_searches_library_and_opens_brief(live_server, page, login, instructor):
    call_command("import_briefs", "briefs/fixtures/briefs-russia-us-2025.txt", verbosity=0)
    login(page, "teacher")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Brief library").click()
    expect(page.get_by_role("heading", name="Brief library")).to_be_visible()
    expect(page.get_by_text("26 briefs")).to_be_visible()

    page.get_by_label("Search briefs").fill("Darchiev ambassador")
    # htmx swaps the results in without a reload; the URL follows the search.
    expect(page.get_by_text("1 brief matching")).to_be_visible()
    assert "q=Darchiev" in page.url

    page.get_by_role("link", name="Alexander Darchiev, 64").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alexander Darchiev")
    expect(page.get_by_role("note", name="The question to discuss")).to_contain_text(
        "Russia's efforts to re-establish diplomatic channels"
    )


def test_student_cannot_open_library_in_browser(live_server, page, login, student):
    login(page, "sam")
    expect(page.get_by_role("link", name="Brief library")).to_have_count(0)
    response = page.goto(f"{live_server.url}/briefs/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
