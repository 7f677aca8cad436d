"""The composer as a student uses it: Write / Preview, the focus after posting, and the live
region that says who replied."""

import pytest
from playwright.sync_api import expect

from classroom.actions import post_response
from classroom.models import Response
from tests.factories import make_response
from tests.helpers import set_rules

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWER = "**Sanctions** rarely work *alone*; the talks matter more."


def open_thread(page, live_server, login, thread):
    login(page, "sam")
    page.goto(f"{live_server.url}{thread.get_absolute_url()}")
    return page.get_by_role("textbox", name="Your answer")


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_preview_shows_the_answer_as_classmates_will_see_it_and_write_brings_the_box_back(
    live_server, page, login, thread
):
    box = open_thread(page, live_server, login, thread)
    box.fill(ANSWER)
    page.get_by_role("button", name="Preview").click()

    preview = page.get_by_role("region", name="Preview of your answer")
    expect(preview).to_be_visible()
    expect(preview.locator("strong")).to_have_text("Sanctions")
    expect(preview.locator("em")).to_have_text("alone")
    expect(page.get_by_role("button", name="Preview")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Write")).to_have_attribute("aria-pressed", "false")
    expect(preview).to_be_focused()
    assert Response.objects.count() == 0

    page.get_by_role("button", name="Write").click()
    expect(box).to_be_visible()
    expect(box).to_have_value(ANSWER)
    expect(box).to_be_focused()
    expect(page.get_by_role("region", name="Preview of your answer")).to_have_count(0)


def test_the_preview_buttons_work_from_the_keyboard(live_server, page, login, thread):
    box = open_thread(page, live_server, login, thread)
    box.fill(ANSWER)
    page.get_by_role("button", name="Preview").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("region", name="Preview of your answer")).to_be_focused()


def test_after_posting_the_focus_is_on_the_new_answer_not_the_page(live_server, page, login, thread):
    box = open_thread(page, live_server, login, thread)
    box.fill("My considered answer about the talks.")
    page.get_by_role("button", name="Post answer").click()
    answer = page.get_by_role("article", name="Answer by You")
    expect(answer).to_be_focused()
    assert focused_id(page) == f"response-{Response.objects.get().pk}"


def test_after_posting_from_the_preview_the_answer_is_posted_once_and_focused(
    live_server, page, login, thread
):
    box = open_thread(page, live_server, login, thread)
    box.fill(ANSWER)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("region", name="Preview of your answer")).to_be_visible()
    page.get_by_role("button", name="Post answer").click()
    expect(page.get_by_role("article", name="Answer by You")).to_be_focused()
    assert Response.objects.count() == 1
    assert Response.objects.get().body == ANSWER


def test_the_live_region_says_who_replied_to_you(live_server, page, login, thread, student, peer):
    box = open_thread(page, live_server, login, thread)
    box.fill("My considered answer about the talks.")
    page.get_by_role("button", name="Post answer").click()
    expect(page.get_by_role("article", name="Answer by You")).to_be_visible()
    answer = Response.objects.get(author=student)
    post_response(assignment=thread, author=peer, body="I disagree, and here is why.", parent=answer)
    announcer = page.locator("#thread-announcer")
    expect(announcer).to_have_text(f"{peer.display_name} replied to you.", timeout=15_000)
    expect(page.get_by_text("I disagree, and here is why.")).to_be_visible()


def test_preview_works_with_javascript_off(live_server, browser, login, thread):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        box = open_thread(page, live_server, login, thread)
        box.fill(ANSWER)
        page.get_by_role("button", name="Preview").click()
        preview = page.get_by_role("region", name="Preview of your answer")
        expect(preview.locator("strong")).to_have_text("Sanctions")
        page.get_by_role("button", name="Post answer").click()
        expect(page.get_by_role("article", name="Answer by You")).to_contain_text("rarely work")
        assert Response.objects.count() == 1
    finally:
        context.close()


def test_in_an_anonymous_thread_the_live_region_names_the_pseudonym(
    live_server, page, login, thread, student, peer
):
    set_rules(thread, anonymous_to_peers=True)
    box = open_thread(page, live_server, login, thread)
    box.fill("My considered answer about the talks.")
    page.get_by_role("button", name="Post answer").click()
    expect(page.get_by_role("article", name="Answer by You (Classmate 1)")).to_be_visible()
    answer = Response.objects.get(author=student)
    reply = post_response(assignment=thread, author=peer, body="I disagree, and here is why.", parent=answer)
    announcer = page.locator("#thread-announcer")
    expect(announcer).to_have_text(f"Classmate {reply.alias} replied to you.", timeout=15_000)
    expect(announcer).not_to_contain_text(peer.last_name)


def test_post_answer_is_the_button_disabled_while_the_answer_is_on_its_way(live_server, page, login, thread):
    box = open_thread(page, live_server, login, thread)
    box.fill("My considered answer about the talks.")
    post_url = f"{live_server.url}/a/{thread.pk}/responses/"
    held = []
    page.route(post_url, lambda route: held.append(route))
    page.get_by_role("button", name="Post answer").click()
    expect(page.get_by_role("button", name="Post answer")).to_be_disabled()
    held[0].continue_()
    expect(page.get_by_role("article", name="Answer by You")).to_be_focused()


def test_after_saving_an_edit_the_focus_is_on_the_edited_answer(live_server, page, login, thread, student):
    """Found clicking through: after "Save changes" the focus fell to the page's body."""
    make_response(thread, student, body="My first draft of an answer.")
    open_thread(page, live_server, login, thread)
    page.get_by_role("link", name="Edit your answer").click()
    page.get_by_role("textbox").last.fill("My answer, said better.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("article", name="Answer by You")).to_contain_text("My answer, said better.")
    expect(page.get_by_role("article", name="Answer by You")).to_be_focused()
