"""A classmate's reply reaches the student's open page: the bell counts it, the list links to it,
and the mail arrives in a real SMTP server, under the classmate's pseudonym."""

import pytest
from playwright.sync_api import expect

from classroom.models import Membership
from tests.factories import AssignmentFactory, make_response
from tests.helpers import keep_screenshot
from tests.smtp import Inbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def bell(page):
    return page.locator("#notification-bell")


def test_a_reply_arrives_in_the_bell_of_the_open_page_and_in_the_mail(
    live_server, new_context, login, smtp, group, student, ben, settings
):
    settings.AGORA_SITE_URL = live_server.url
    Membership.objects.create(group=group, student=ben)
    thread = AssignmentFactory(group=group, anonymous_to_peers=True)
    answer = make_response(thread, student, body="Tariffs protect jobs in the short run only.")
    page = new_context().new_page()
    login(page, "sam")
    page.goto(f"{live_server.url}{thread.get_absolute_url()}")
    expect(bell(page)).not_to_have_attribute("hx-get", "/notifications/bell/")  # its count has loaded
    expect(bell(page).locator(".bell-count")).to_have_text("")

    # Ben replies from his own browser.
    other = new_context().new_page()
    login(other, "ben")
    other.goto(f"{live_server.url}{thread.get_absolute_url()}")
    classmate = f"Classmate {answer.alias}"
    other.get_by_role("link", name=f"Reply to {classmate}").click()
    other.get_by_role("textbox", name=f"Reply to {classmate}").fill(
        "Even in the short run, prices rise for everyone."
    )
    other.get_by_role("button", name="Post reply").click()
    expect(other.get_by_role("article", name="Reply by You")).to_be_visible()

    # Sam's open page: the poll brings the bell, read out by its live region.
    expect(bell(page).locator(".bell-count")).to_contain_text("1 unread", timeout=15_000)
    expect(bell(page).locator("[aria-live=polite]")).to_have_count(1)
    keep_screenshot(page, "notify-bell-1280", full_page=False)

    [mail] = smtp.inbox.to(student.email)
    assert "Classmate" in mail["Subject"] and "Ben" not in Inbox.everything(mail)
    reply_id = answer.replies.get().pk
    assert f"{live_server.url}/a/{thread.pk}/#response-{reply_id}" in Inbox.text(mail)

    # The bell opens the list; its link goes to the exact reply.
    bell(page).click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    keep_screenshot(page, "notify-list-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    keep_screenshot(page, "notify-list-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("button.link-button", has_text="replied to you").click()  # the headline, not "Mark read"
    expect(page).to_have_url(f"{live_server.url}/a/{thread.pk}/#response-{reply_id}")
    expect(page.locator(f"#response-{reply_id}")).to_be_visible()
    # Opened, so read: the bell has nothing left, and the list links to it as read.
    expect(bell(page).locator(".bell-count")).to_have_text("")
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_text("All read")).to_be_visible()
    page.get_by_role("link", name="replied to you").click()
    expect(page).to_have_url(f"{live_server.url}/a/{thread.pk}/#response-{reply_id}")
