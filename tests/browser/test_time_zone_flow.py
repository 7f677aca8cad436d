"""Time zones in real Chromium: the sign-up takes the browser's zone, the profile changes it,
and the thread shows each reader the due time in their own zone, named."""

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from classroom.models import User
from tests.factories import AssignmentFactory, GroupFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set AGORA_SCREENSHOTS to a folder to keep the screens this flow passes through.
SCREENSHOTS = os.environ.get("AGORA_SCREENSHOTS")


def shoot(page, name: str) -> None:
    if not SCREENSHOTS:
        return
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def zoned_page(browser):
    """A page in a browser that lives in the given time zone."""
    contexts = []

    def make(zone: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id=zone)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_sign_up_takes_the_browsers_zone_and_the_thread_shows_the_due_time_in_it(
    live_server, zoned_page, login, instructor
):
    group = GroupFactory(name="Period 3", instructors=[instructor])
    thread = AssignmentFactory(group=group, due_at=datetime(2027, 12, 8, 0, 59, tzinfo=UTC))

    page = zoned_page("America/Chicago")
    page.goto(f"{live_server.url}/join/{group.join_code}/")
    page.get_by_label("Your name").fill("Ana Lima")
    expect(page.get_by_label("Username")).to_have_value("ana.lima")  # suggested from the name
    page.get_by_label("Password").fill("a-Strong-pass-123")
    page.get_by_role("button", name=re.compile(r"^Join ")).click()
    expect(page.get_by_text("Welcome to Agora, Ana!")).to_be_visible()
    assert User.objects.get(username="ana.lima").time_zone == "America/Chicago"

    page.wait_for_url(f"{live_server.url}{thread.get_absolute_url()}")  # the group's one open discussion
    expect(page.locator(".thread-when")).to_contain_text("Tuesday 7 December, 18:59 CST")
    page.goto(f"{live_server.url}/")
    expect(page.locator(".assignment-when")).to_contain_text("due Tue 7 Dec, 18:59 CST")
    page.goto(f"{live_server.url}{thread.get_absolute_url()}")
    expect(page.locator(".thread-when")).to_contain_text("Tuesday 7 December, 18:59 CST")
    shoot(page, "thread-chicago")

    # The teacher, in Berlin, reads the same instant in Berlin's time, then sets a zone.
    teacher = login(zoned_page("Europe/Berlin"), instructor.username)
    teacher.goto(f"{live_server.url}{thread.get_absolute_url()}")
    expect(teacher.locator(".thread-when")).to_contain_text(
        "Wednesday 8 December, 00:59 UTC"
    )  # no zone chosen yet
    teacher.goto(f"{live_server.url}/profile/")
    select = teacher.get_by_label("Your time zone")
    expect(select).to_have_value("")
    select.select_option("Europe/Berlin")
    teacher.get_by_role("button", name="Save time zone").click()
    expect(teacher.get_by_text("Times are now shown in Europe/Berlin.")).to_be_visible()
    expect(teacher.get_by_label("Your time zone")).to_have_value("Europe/Berlin")
    shoot(teacher, "profile-berlin")
    teacher.goto(f"{live_server.url}{thread.get_absolute_url()}")
    expect(teacher.locator(".thread-when")).to_contain_text("Wednesday 8 December, 01:59 CET")
    teacher.goto(f"{live_server.url}{thread.get_absolute_url()}settings/")
    expect(teacher.get_by_text("Times are in Europe/Berlin.")).to_be_visible()
    expect(teacher.get_by_label("Due")).to_have_value("2027-12-08T01:59")
    shoot(teacher, "settings-berlin")
