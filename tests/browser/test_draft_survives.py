"""A post that never arrives keeps the student's text: in the box, and as a draft across a reload."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from classroom.models import Membership, Response
from tests.factories import make_response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWER = "Direct flights would make family visits easier, but the energy deals matter more to both sides."
REPLY = "Would the sanctions not have to go first?"
NOT_SENT = "Not sent: the connection or the server failed. Your text is still here; try again."
DRAFT_RESTORED = "Your unsent draft was restored."


def open_thread(page, live_server, login, thread):
    login(page, "sam")
    page.goto(f"{live_server.url}{thread.get_absolute_url()}")
    return page.get_by_role("textbox", name="Your answer")


def composer(page):
    return page.get_by_role("region", name="Your answer")


def wait_for_htmx_to_settle(page) -> None:
    """Drafts are restored when htmx settles new content, a moment after it appears."""
    expect(page.locator(".htmx-added, .htmx-settling")).to_have_count(0)


def drafts_in_storage(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter((key) => key.startsWith('agora-draft:'))")


@pytest.mark.parametrize("failure", ["connectionreset", "timedout"])
def test_answer_cut_off_on_the_way_stays_in_box_and_returns_after_reload(
    live_server, page, login, thread, failure
):
    box = open_thread(page, live_server, login, thread)
    box.fill(ANSWER)
    post_url = f"{live_server.url}{reverse('classroom:response_create', args=[thread.pk])}"
    page.route(post_url, lambda route: route.abort(failure))

    page.get_by_role("button", name="Post answer").click()

    expect(composer(page).get_by_role("alert")).to_have_text(NOT_SENT)
    expect(box).to_have_value(ANSWER)
    expect(page.get_by_role("button", name="Post answer")).to_be_enabled()
    assert Response.objects.count() == 0

    # The connection comes back; the student reloads and finds the draft in the box.
    page.unroute(post_url)
    page.reload()
    expect(box).to_have_value(ANSWER)
    expect(composer(page).get_by_text(DRAFT_RESTORED)).to_be_visible()
    expect(composer(page).get_by_role("alert")).to_have_count(0)

    page.get_by_role("button", name="Post answer").click()
    expect(page.get_by_text("You have answered.")).to_be_visible()
    expect(page.get_by_role("article", name="Answer by You")).to_contain_text(ANSWER)
    assert drafts_in_storage(page) == []
    page.reload()
    expect(page.get_by_role("article", name="Answer by You")).to_contain_text(ANSWER)
    expect(page.get_by_text(DRAFT_RESTORED)).to_have_count(0)
    assert Response.objects.count() == 1


def test_answer_sent_while_offline_stays_in_box_and_posts_once_back_online(live_server, page, login, thread):
    box = open_thread(page, live_server, login, thread)
    box.fill(ANSWER)
    page.context.set_offline(True)

    page.get_by_role("button", name="Post answer").click()

    expect(composer(page).get_by_role("alert")).to_have_text(NOT_SENT)
    expect(box).to_have_value(ANSWER)
    assert Response.objects.count() == 0

    # Back online, the student simply presses the button again.
    page.context.set_offline(False)
    page.get_by_role("button", name="Post answer").click()
    expect(page.get_by_text("You have answered.")).to_be_visible()
    expect(page.get_by_role("article", name="Answer by You")).to_contain_text(ANSWER)
    assert Response.objects.count() == 1
    assert drafts_in_storage(page) == []


@pytest.mark.parametrize("status", [500, 502])
def test_server_error_keeps_answer_in_box_and_says_it_was_not_sent(live_server, page, login, thread, status):
    box = open_thread(page, live_server, login, thread)
    box.fill(ANSWER)
    post_url = f"{live_server.url}{reverse('classroom:response_create', args=[thread.pk])}"
    # A crash in the app (500) or a proxy that lost the app server (502).
    page.route(post_url, lambda route: route.fulfill(status=status, body="<h1>Bad Gateway</h1>"))

    page.get_by_role("button", name="Post answer").click()

    expect(composer(page).get_by_role("alert")).to_have_text(NOT_SENT)
    expect(box).to_have_value(ANSWER)
    assert Response.objects.count() == 0
    page.reload()
    expect(box).to_have_value(ANSWER)


def test_answer_stored_but_lost_on_the_way_back_is_not_posted_twice_on_retry(
    live_server, page, login, thread
):
    box = open_thread(page, live_server, login, thread)
    box.fill(ANSWER)
    post_url = f"{live_server.url}{reverse('classroom:response_create', args=[thread.pk])}"

    def server_stores_then_connection_drops(route):
        route.fetch()
        route.abort("timedout")

    page.route(post_url, server_stores_then_connection_drops, times=1)
    page.get_by_role("button", name="Post answer").click()
    expect(composer(page).get_by_role("alert")).to_have_text(NOT_SENT)
    expect(box).to_have_value(ANSWER)
    assert Response.objects.count() == 1

    page.get_by_role("button", name="Post answer").click()
    expect(page.get_by_text("You have answered.")).to_be_visible()
    expect(page.get_by_role("article", name="Answer by You")).to_have_count(1)
    assert Response.objects.count() == 1


@pytest.fixture
def classmates_answer(thread, ben):
    Membership.objects.create(group=thread.group, student=ben)
    return make_response(thread, ben, body="Air links are symbolic; the oil market follows sanctions.")


def test_reply_cut_off_stays_in_box_and_returns_when_reply_form_reopens(
    live_server, page, login, thread, classmates_answer
):
    open_thread(page, live_server, login, thread)
    page.get_by_role("link", name="Reply to Ben Baker").click()
    reply_box = page.get_by_role("textbox", name="Reply to Ben Baker")
    reply_box.fill(REPLY)
    reply_url = f"{live_server.url}{reverse('classroom:response_reply', args=[classmates_answer.pk])}"

    def cut_off_posts(route):
        if route.request.method == "POST":
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(reply_url, cut_off_posts)

    page.get_by_role("button", name="Post reply").click()

    reply_form = page.locator("form.reply-form")
    expect(reply_form.get_by_role("alert")).to_have_text(NOT_SENT)
    expect(reply_box).to_have_value(REPLY)
    assert Response.objects.filter(parent=classmates_answer).count() == 0

    page.unroute(reply_url)
    page.reload()
    page.get_by_role("link", name="Reply to Ben Baker").click()
    expect(reply_box).to_have_value(REPLY)
    expect(reply_form.get_by_text(DRAFT_RESTORED)).to_be_visible()

    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("article", name="Reply by You")).to_contain_text(REPLY)
    expect(reply_box).to_have_count(0)
    assert drafts_in_storage(page) == []
    # A second reply to Ben starts empty: the posted one is no longer a draft.
    page.get_by_role("link", name="Reply to Ben Baker").click()
    expect(reply_box).to_be_visible()
    wait_for_htmx_to_settle(page)
    expect(reply_box).to_have_value("")
    expect(page.get_by_text(DRAFT_RESTORED)).to_have_count(0)
    assert Response.objects.filter(parent=classmates_answer).count() == 1


def test_a_draft_stays_with_its_student_on_a_shared_computer(live_server, page, login, thread, group, ben):
    """Sam leaves an unsent answer and logs out; Ben, on the same browser, gets an empty box."""
    Membership.objects.create(group=group, student=ben)
    box = open_thread(page, live_server, login, thread)
    box.fill(ANSWER)
    page.get_by_role("button", name="Log out").click()

    login(page, "ben")
    page.goto(f"{live_server.url}{thread.get_absolute_url()}")
    wait_for_htmx_to_settle(page)
    expect(page.get_by_role("textbox", name="Your answer")).to_have_value("")
    expect(page.get_by_text(DRAFT_RESTORED)).to_have_count(0)
    page.get_by_role("button", name="Log out").click()

    box = open_thread(page, live_server, login, thread)  # Sam again: her draft is still hers
    expect(box).to_have_value(ANSWER)
    expect(composer(page).get_by_text(DRAFT_RESTORED)).to_be_visible()
