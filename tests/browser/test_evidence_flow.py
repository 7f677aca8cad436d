"""Arguing from evidence in real Chromium: a stance before answering, quoting the brief by
selecting a sentence, a fair reveal that opens every answer at once, steelman replies the
author can call fair, and the class chart that shows who changed their mind."""

import re

import pytest
from playwright.sync_api import expect

from classroom.actions import post_response, set_stance
from tests.factories import BriefFactory, make_response
from tests.helpers import keep_screenshot, set_rules

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The poll runs every 5 s: what another student does shows within one round (and a margin).
ONE_POLL = 8_000

SUMMARY = (
    "Russia has proposed restoring direct air links with the United States. "
    "Officials in Moscow said flights could resume within months. "
    "Washington has not replied."
)
COMMENTARY = (
    "The offer is less about travel than about testing whether sanctions can be loosened piece by piece. "
    "Symbolic gestures cost little."
)
OFFICIALS = "Officials in Moscow said flights could resume within months."
TESTING = (
    "The offer is less about travel than about testing whether sanctions can be loosened piece by piece."
)

ANSWER_SAM = "Flights would help families first; the sanctions question is separate and much slower."
ANSWER_ANN = "Months is optimistic: insurers and airports need far longer than ministers admit."
ANSWER_BEN = "Air links are symbolic; the oil market follows sanctions, not flights."
RESTATEMENT = (
    "Sam thinks flights matter mostly to families and that sanctions are a separate, slower question."
)
REPLY_BEN = "But can the two really be separated when airlines need sanctioned parts?"


@pytest.fixture
def brief(db):
    return BriefFactory(
        title="Direct flights between Russia and the United States",
        summary=SUMMARY,
        commentary=COMMENTARY,
        question="Would restoring flights change the relationship?",
    )


@pytest.fixture
def classmate(group, ann):
    """Ann, in sam's group."""
    from classroom.models import Membership

    Membership.objects.create(group=group, student=ann)
    return ann


@pytest.fixture
def second_classmate(group, ben):
    """Ben, in sam's group."""
    from classroom.models import Membership

    Membership.objects.create(group=group, student=ben)
    return ben


def open_thread(new_context, login, live_server, username: str, thread):
    page = new_context().new_page()
    login(page, username)
    page.goto(f"{live_server.url}{thread.get_absolute_url()}")
    return page


def mark_page(page) -> None:
    """Tag the window: the tag survives htmx swaps and is gone after any reload."""
    page.evaluate("window.__marker = 'no reload'")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__marker") == "no reload"


def screenshot(page, name: str) -> None:
    keep_screenshot(page, f"evidence-{name}")


def drag_across(page, sentence) -> None:
    """Select (part of) a sentence with the mouse, as a reader would: press, drag, release."""
    sentence.scroll_into_view_if_needed()
    box = sentence.evaluate(
        "(el) => { const r = el.getClientRects()[0]; return {x: r.left, y: r.top, w: r.width, h: r.height}; }"
    )
    y = box["y"] + box["h"] / 2
    page.mouse.move(box["x"] + 3, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["w"] - 3, y, steps=8)
    page.mouse.up()


def quote_list(page):
    return page.get_by_label("Quote a sentence of the brief")


def chosen_sentences(page):
    return page.locator(".brief .sentence.is-chosen")


def test_student_takes_a_stance_then_quotes_and_disputes_the_brief(
    live_server, new_context, login, thread, classmate
):
    set_rules(thread, stance=True)
    set_stance(assignment=thread, student=classmate, value=2, moment="before")
    post_response(assignment=thread, author=classmate, body=ANSWER_ANN, quote=("summary", 1), disputes="fact")

    # 1. The stance scale comes first; no classmate's answer, no sign of what they quoted.
    sam = open_thread(new_context, login, live_server, "sam", thread)
    scale = sam.get_by_role("group", name="Before you answer: where do you stand on the question?")
    expect(scale).to_be_visible()
    expect(sam.get_by_text("Say where you stand first (above).")).to_be_visible()
    expect(sam.get_by_role("textbox", name="Your answer")).to_have_count(0)
    expect(sam.get_by_text(ANSWER_ANN)).to_have_count(0)
    expect(sam.locator(".brief .heat")).to_have_count(0)
    screenshot(sam, "stance-before")
    mark_page(sam)

    # 2. Sam places herself with the keyboard alone: arrows along the scale, Tab, Enter.
    scale.get_by_role("radio", name="Strongly disagree").focus()
    for _ in range(3):
        sam.keyboard.press("ArrowRight")
    expect(scale.get_by_role("radio", name="Agree", exact=True)).to_be_checked()
    sam.keyboard.press("Tab")
    expect(sam.get_by_role("button", name="Save my stance")).to_be_focused()
    sam.keyboard.press("Enter")
    expect(sam.get_by_text("Your stance: Agree.")).to_be_visible()
    answer_box = sam.get_by_role("textbox", name="Your answer")
    expect(answer_box).to_be_visible()
    expect(sam.get_by_role("article", name="Answer by Ann Archer")).to_contain_text(ANSWER_ANN)
    assert_not_reloaded(sam)

    # 3. Selecting words of a sentence in the brief picks that sentence to quote, and says so.
    expect(quote_list(sam)).to_have_value("")
    drag_across(sam, sam.locator("#brief-summary-1"))
    expect(quote_list(sam)).to_have_value("summary:1")
    expect(sam.locator("#thread-announcer")).to_have_text(
        re.compile(r"^Quoting: Officials in Moscow said .*…$")
    )
    expect(chosen_sentences(sam)).to_have_count(1)
    expect(chosen_sentences(sam)).to_have_id("brief-summary-1")

    # A click on another sentence moves the choice; so does picking from the list by hand.
    sam.locator("#brief-commentary-1").click()
    expect(quote_list(sam)).to_have_value("commentary:1")
    expect(chosen_sentences(sam)).to_have_id("brief-commentary-1")
    quote_list(sam).select_option("commentary:0")
    expect(chosen_sentences(sam)).to_have_count(1)
    expect(chosen_sentences(sam)).to_have_id("brief-commentary-0")
    quote_list(sam).select_option("")
    expect(chosen_sentences(sam)).to_have_count(0)
    drag_across(sam, sam.locator("#brief-commentary-0"))
    expect(quote_list(sam)).to_have_value("commentary:0")
    expect(chosen_sentences(sam)).to_have_id("brief-commentary-0")

    # 4. She says what her answer does with the brief, and posts.
    sam.get_by_label("Disputes the commentary's interpretation").check()
    answer_box.fill(ANSWER_SAM)
    sam.get_by_role("button", name="Post answer").click()
    expect(sam.get_by_text("You have answered.")).to_be_visible()
    card = sam.get_by_role("article", name="Answer by You")
    expect(card).to_contain_text(ANSWER_SAM)
    quote = card.get_by_role("link", name=TESTING)
    expect(quote).to_have_attribute("href", "#brief-commentary-0")
    expect(card.get_by_text("Agree", exact=True)).to_be_visible()
    expect(card.get_by_text("Disputes the commentary's interpretation")).to_be_visible()
    expect(sam.get_by_role("article", name="Answer by Ann Archer")).to_contain_text(
        "Disputes a fact in the summary"
    )
    # The chart of the class's stances appears once she has answered.
    chart = sam.get_by_role("figure", name=re.compile("Where the class stands"))
    expect(chart).to_contain_text("2 before answering, 0 after the discussion")
    expect(chart).to_contain_text("Nobody has placed themselves again yet.")
    assert_not_reloaded(sam)

    # 5. Each quoted sentence shows how many answers quote it (redrawn live), and the
    # quote leads back to its sentence.
    quote.click()
    assert sam.url.endswith("#brief-commentary-0")
    expect(sam.locator("#brief-commentary-0")).to_be_in_viewport()
    expect(sam.locator("#brief-commentary-0 .heat")).to_have_text("(quoted by 1 answer)")
    expect(sam.locator("#brief-summary-1 .heat")).to_have_text("(quoted by 1 answer)")
    expect(sam.locator(".brief .heat")).to_have_count(2)
    screenshot(sam, "answered")


def test_fair_reveal_opens_both_answers_at_once_when_the_quorum_answers(
    live_server, new_context, login, thread, classmate, second_classmate
):
    set_rules(thread, reveal_quorum=60)  # 3 students: the second answer reaches 66 %

    sam = open_thread(new_context, login, live_server, "sam", thread)
    mark_page(sam)
    sam.get_by_role("textbox", name="Your answer").fill(ANSWER_SAM)
    sam.get_by_role("button", name="Post answer").click()
    expect(sam.get_by_text("You have answered.")).to_be_visible()
    waiting = sam.get_by_text("Everyone's answers are revealed at once")
    expect(waiting).to_contain_text("when 60% of the class has answered")
    expect(waiting).to_contain_text("1 of 3 so far")
    # Only her own answer is shown (she can still go to it and edit it), nobody else's.
    expect(sam.get_by_role("article", name="Answer by You")).to_contain_text(ANSWER_SAM)
    expect(sam.get_by_role("article", name=re.compile("^Answer by"))).to_have_count(1)

    ben = open_thread(new_context, login, live_server, "ben", thread)
    expect(ben.get_by_text("Everyone's answers are revealed at once")).to_contain_text("1 of 3 so far")
    expect(ben.get_by_text(ANSWER_SAM)).to_have_count(0)
    ben.get_by_role("textbox", name="Your answer").fill(ANSWER_BEN)
    ben.get_by_role("button", name="Post answer").click()
    expect(ben.get_by_role("article", name="Answer by Sam Student")).to_contain_text(ANSWER_SAM)
    expect(ben.get_by_role("article", name="Answer by You")).to_contain_text(ANSWER_BEN)

    # Within one poll, sam's page shows both answers, without a reload.
    expect(sam.get_by_role("article", name="Answer by Ben Baker")).to_contain_text(
        ANSWER_BEN, timeout=ONE_POLL
    )
    expect(sam.get_by_role("article", name="Answer by You")).to_contain_text(ANSWER_SAM)
    expect(waiting).to_have_count(0)
    expect(sam.locator("#thread-stats")).to_contain_text("2 of 3 students answered")
    expect(sam.locator("#thread-announcer")).to_have_text("Your classmates' answers are now shown.")
    assert_not_reloaded(sam)


def test_steelman_reply_restates_the_view_and_its_author_marks_it_fair(
    live_server, new_context, login, thread, student, classmate, second_classmate
):
    set_rules(thread, steelman=True)
    make_response(thread, student, body=ANSWER_SAM)

    sam = open_thread(new_context, login, live_server, "sam", thread)
    mark_page(sam)
    ben = open_thread(new_context, login, live_server, "ben", thread)
    ben.get_by_role("link", name="Reply to Sam Student").click()
    restate = ben.get_by_role("textbox", name="First, restate the view of Sam Student in your own words")
    expect(restate).to_be_visible()
    reply_box = ben.get_by_role("textbox", name="Reply to Sam Student")

    # Without the restatement the browser will not send the reply; with a token one, the
    # server sends it back. Both keep what Ben typed.
    reply_box.fill(REPLY_BEN)
    ben.get_by_role("button", name="Post reply").click()
    assert restate.evaluate("field => field.validity.valueMissing")  # the browser held the form back
    expect(reply_box).to_have_value(REPLY_BEN)
    assert restate.evaluate("(el) => el.validity.valueMissing")
    restate.fill("You like flights.")
    ben.get_by_role("button", name="Post reply").click()
    expect(ben.get_by_text("First restate their view in your own words (at least 8 words)")).to_be_visible()
    expect(restate).to_have_value("You like flights.")
    expect(reply_box).to_have_value(REPLY_BEN)
    expect(ben.get_by_role("article", name="Reply by You")).to_have_count(0)

    restate.fill(RESTATEMENT)
    ben.get_by_role("button", name="Post reply").click()
    bens_reply = ben.get_by_role("article", name="Reply by You")
    expect(bens_reply).to_contain_text("Their view, restated")
    expect(bens_reply).to_contain_text(RESTATEMENT)
    expect(bens_reply).to_contain_text(REPLY_BEN)
    expect(bens_reply.get_by_role("button", name="This is a fair restatement of my view")).to_have_count(0)

    # Sam's poll brings the reply; she calls the restatement fair.
    reply = sam.get_by_role("article", name="Reply by Ben Baker")
    fair = reply.get_by_role("button", name="This is a fair restatement of my view")
    expect(fair).to_be_visible(timeout=ONE_POLL)
    fair.click()
    expect(reply.get_by_text("Marked fair by its author")).to_be_visible()
    expect(reply.get_by_role("button", name="Take back “fair”")).to_be_visible()
    assert_not_reloaded(sam)
    screenshot(sam, "steelman-fair")


def test_student_places_herself_again_after_the_discussion_and_the_chart_shows_the_move(
    live_server, new_context, login, thread, student, classmate
):
    set_rules(thread, stance=True)
    for who, body in [(student, ANSWER_SAM), (classmate, ANSWER_ANN)]:
        set_stance(assignment=thread, student=who, value=4, moment="before")
        make_response(thread, who, body=body)

    sam = open_thread(new_context, login, live_server, "sam", thread)
    mark_page(sam)
    chart = sam.get_by_role("figure", name=re.compile("Where the class stands"))
    expect(chart).to_contain_text("Nobody has placed themselves again yet.")
    again = sam.get_by_role("group", name="After the discussion, where do you stand now?")
    expect(again).to_contain_text("Your first stance: Agree.")

    again.get_by_role("radio", name="Strongly agree").check()
    sam.get_by_role("button", name="Save where I stand now").click()
    expect(sam.locator("#thread-announcer")).to_have_text("Your stance is saved.")
    expect(chart).to_contain_text(
        "Of 1 who placed themselves again: 1 moved toward “Strongly agree”, 0 toward “Strongly disagree”, 0 stayed."
    )
    expect(chart).to_contain_text("2 before answering, 1 after the discussion")
    # Her card shows the move at once, not at the next poll.
    expect(sam.get_by_role("article", name="Answer by You").get_by_text("now Strongly agree")).to_be_visible(
        timeout=2_000
    )
    expect(sam.get_by_role("radio", name="Strongly agree")).to_be_checked()
    assert_not_reloaded(sam)


def test_heat_marks_appear_without_a_reload(live_server, new_context, login, thread, classmate):
    set_rules(thread, stance=True)
    set_stance(assignment=thread, student=classmate, value=2, moment="before")
    post_response(assignment=thread, author=classmate, body=ANSWER_ANN, quote=("summary", 1))

    sam = open_thread(new_context, login, live_server, "sam", thread)
    expect(sam.locator(".brief .heat")).to_have_count(0)
    sam.get_by_role("radio", name="Agree", exact=True).check()
    sam.get_by_role("button", name="Save my stance").click()
    # Ann's answer is now shown to sam, and with it the mark on the sentence it quotes.
    expect(sam.get_by_role("article", name="Answer by Ann Archer")).to_be_visible()
    expect(sam.locator("#brief-summary-1 .heat")).to_have_text("(quoted by 1 answer)", timeout=2_000)

    sam.locator("#brief-summary-1").click()
    sam.get_by_role("textbox", name="Your answer").fill(ANSWER_SAM)
    sam.get_by_role("button", name="Post answer").click()
    expect(sam.get_by_text("You have answered.")).to_be_visible()
    expect(sam.locator("#brief-summary-1 .heat")).to_have_text("(quoted by 2 answers)", timeout=2_000)
