"""A class discusses a brief in real Chromium: set-up, joining, answering, replying, live."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from briefs.models import Brief
from classroom.models import Assignment
from tests.factories import AssignmentFactory, GroupFactory, make_response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-Strong-pass-123"
# The poll runs every 5 s: a change made elsewhere shows within two rounds.
POLL_WAIT = 15_000

ANSWER_A = "Direct flights would make trade and family visits easier, but energy deals matter more."
ANSWER_B = "Air links are symbolic; the oil market follows sanctions, not flights."
REPLY_B = "Do you think the sanctions would have to go first?"


def sign_up_with_code(page, live_server, code: str, first: str, last: str, username: str) -> None:
    page.goto(f"{live_server.url}/join/")
    page.get_by_label("Join code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Join Period 3")).to_be_visible()
    page.get_by_label("Your name").fill(f"{first} {last}")
    expect(page.get_by_label("Username")).not_to_have_value("")  # the suggestion has arrived: typing now wins
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Join Period 3").click()
    expect(page.get_by_text(f"Welcome to Agora, {first}! You are in Period 3.")).to_be_visible()


def mark_page(page) -> None:
    """Tag the window: the tag survives htmx swaps and is gone after any reload."""
    page.evaluate("window.__marker = 'no reload'")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__marker") == "no reload"


def stats(page):
    return page.locator("#thread-stats")


def test_instructor_sets_up_post_first_thread_and_two_students_discuss_it_live(
    live_server, new_context, login, instructor
):
    call_command("import_briefs", "briefs/fixtures/briefs-russia-us-2025.txt", verbosity=0)
    brief = Brief.objects.get(title__startswith="Russia has proposed restoring direct air links")

    # 1. The instructor creates a group, reads its join code and assigns a brief, post-first.
    teacher = new_context().new_page()
    login(teacher, "teacher")
    teacher.get_by_role("button", name="New group").click()
    teacher.get_by_label("Group name").fill("Period 3")
    teacher.get_by_role("button", name="Create group").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Period 3")
    expect(teacher.get_by_text("Share the join code with your students.")).to_be_visible()
    code = teacher.locator(".join-code").inner_text().strip()
    assert len(code.replace("-", "")) == 8

    teacher.get_by_role("button", name="Assign a brief").click()
    expect(teacher.get_by_role("heading", name="Assign a brief")).to_be_visible()
    # The picker is searchable: typing narrows the list without a reload.
    teacher.get_by_label("Find a brief").fill("air links")
    choices = teacher.locator("#brief-choices")
    expect(choices).to_contain_text("match “air links”")
    choices.get_by_role("radio", name=brief.title).check()
    expect(teacher.get_by_role("checkbox", name="Period 3")).to_be_checked()
    teacher.get_by_label("Students post before seeing classmates").check()
    teacher.get_by_role("button", name="Assign").click()
    expect(teacher.get_by_text("Assigned to Period 3.")).to_be_visible()
    expect(teacher.get_by_role("heading", level=1)).to_have_text(brief.title)
    expect(teacher.get_by_role("list", name="Rules for this discussion")).to_contain_text(
        "Post your own answer before you see your classmates'."
    )

    # 2. Two students join with the code, each in their own browser.
    ann = new_context().new_page()
    sign_up_with_code(ann, live_server, code, "Ann", "Archer", "ann")
    ben = new_context().new_page()
    sign_up_with_code(ben, live_server, code.lower().replace("-", " "), "Ben", "Baker", "ben")
    for student in (ann, ben):  # the group's one open discussion is where joining lands
        expect(student.get_by_role("heading", level=1)).to_have_text(brief.title)
        expect(stats(student)).to_contain_text("0 of 2 students answered")
        expect(student.get_by_text("Post your answer first.")).to_be_visible()

    # 3. Ann answers; the page swaps in her answer and the counts without a reload.
    mark_page(ann)
    mark_page(ben)
    ann.get_by_role("textbox", name="Your answer").fill(ANSWER_A)
    ann.get_by_role("button", name="Post answer").click()
    expect(ann.get_by_text("You have answered.")).to_be_visible()
    expect(ann.get_by_role("textbox", name="Your answer")).to_have_count(0)
    expect(ann.get_by_role("article", name="Answer by You")).to_contain_text(ANSWER_A)
    expect(stats(ann)).to_contain_text("1 of 2 students answered")
    assert_not_reloaded(ann)

    # 4. Ben's poll brings the new count, but not Ann's answer: he has not posted yet.
    expect(stats(ben)).to_contain_text("1 of 2 students answered", timeout=POLL_WAIT)
    expect(ben.get_by_text(ANSWER_A)).to_have_count(0)
    expect(ben.get_by_text("Post your answer first.")).to_be_visible()

    ben.get_by_role("textbox", name="Your answer").fill(ANSWER_B)
    ben.get_by_role("button", name="Post answer").click()
    expect(ben.get_by_text("You have answered.")).to_be_visible()
    expect(ben.get_by_role("article", name="Answer by Ann Archer")).to_contain_text(ANSWER_A)
    expect(ben.get_by_role("article", name="Answer by You")).to_contain_text(ANSWER_B)
    expect(stats(ben)).to_contain_text("2 of 2 students answered")
    assert_not_reloaded(ben)

    # 5. Ben replies to Ann; Ann's page shows the reply without a reload.
    ben.get_by_role("link", name="Reply to Ann Archer").click()
    ben.get_by_role("textbox", name="Reply to Ann Archer").fill(REPLY_B)
    ben.get_by_role("button", name="Post reply").click()
    expect(ben.get_by_role("article", name="Reply by You")).to_contain_text(REPLY_B)
    expect(ben.get_by_role("textbox", name="Reply to Ann Archer")).to_have_count(0)
    expect(stats(ben)).to_contain_text("2 of 2 students answered · 1 reply")
    assert_not_reloaded(ben)
    # Ben's next poll brings his own reply again; it is not shown twice.
    version = Assignment.objects.get(brief=brief).version
    expect(ben.locator("#thread-poll")).to_have_attribute(
        "hx-get", re.compile(rf"\?v={version}&e="), timeout=POLL_WAIT
    )
    expect(ben.get_by_role("article", name="Reply by You")).to_have_count(1)

    ann_thread = ann.get_by_role("listitem").filter(has=ann.get_by_role("article", name="Answer by You"))
    expect(ann_thread.get_by_role("article", name="Reply by Ben Baker")).to_contain_text(
        REPLY_B, timeout=POLL_WAIT
    )
    expect(ann.get_by_role("article", name="Answer by Ben Baker")).to_contain_text(ANSWER_B)
    expect(ann.get_by_role("article", name="Answer by Ben Baker")).to_have_count(1)
    expect(ann.get_by_role("article", name="Answer by You")).to_have_count(1)
    expect(stats(ann)).to_contain_text("2 of 2 students answered · 1 reply")
    assert_not_reloaded(ann)

    # The instructor's page shows everyone by name.
    teacher.reload()
    expect(teacher.get_by_role("article", name="Answer by Ann Archer")).to_contain_text(ANSWER_A)
    expect(teacher.get_by_role("article", name="Answer by Ben Baker")).to_contain_text(ANSWER_B)
    expect(teacher.get_by_role("article", name="Reply by Ben Baker")).to_contain_text(REPLY_B)


@pytest.fixture
def class_group(instructor, ann, ben):
    return GroupFactory(name="Period 3", instructors=[instructor], students=[ann, ben])


def test_anonymous_thread_shows_pseudonyms_to_students_and_names_to_instructor(
    live_server, new_context, login, class_group, ann, ben
):
    thread = AssignmentFactory(group=class_group, anonymous_to_peers=True)
    make_response(thread, ann, body=ANSWER_A)
    bens_answer = make_response(thread, ben, body=ANSWER_B)

    page = new_context().new_page()
    login(page, "ann")
    page.goto(f"{live_server.url}{thread.get_absolute_url()}")
    expect(page.get_by_role("article", name="Answer by You (Classmate 1)")).to_contain_text(ANSWER_A)
    expect(page.get_by_role("article", name="Answer by Classmate 2")).to_contain_text(ANSWER_B)
    expect(page.get_by_role("link", name="Reply to Classmate 2")).to_be_visible()

    # A reply that arrives through the poll is anonymous too.
    make_response(thread, ben, body=REPLY_B, parent=bens_answer)
    expect(page.get_by_role("article", name="Reply by Classmate 2")).to_contain_text(
        REPLY_B, timeout=POLL_WAIT
    )
    expect(page.locator("body")).not_to_contain_text("Baker")
    expect(page.locator("body")).not_to_contain_text("Ben")

    teacher = new_context().new_page()
    login(teacher, "teacher")
    teacher.goto(f"{live_server.url}{thread.get_absolute_url()}")
    expect(teacher.get_by_role("article", name="Answer by Ann Archer (Classmate 1)")).to_contain_text(
        ANSWER_A
    )
    expect(teacher.get_by_role("article", name="Answer by Ben Baker (Classmate 2)")).to_contain_text(ANSWER_B)
    expect(teacher.get_by_role("article", name="Reply by Ben Baker (Classmate 2)")).to_contain_text(REPLY_B)


def test_thread_past_due_without_late_answers_shows_closed_notice_and_no_form(
    live_server, page, login, class_group
):
    now = timezone.now()
    thread = AssignmentFactory(
        group=class_group, opens_at=now - timedelta(days=3), due_at=now - timedelta(days=1), allow_late=False
    )
    login(page, "ann")
    page.get_by_role("region", name="Closed").get_by_role("link", name=thread.brief.title).click()
    expect(
        page.get_by_text("This thread closed at its due time, and late answers are not accepted.")
    ).to_be_visible()
    expect(page.get_by_role("textbox", name="Your answer")).to_have_count(0)
    expect(page.get_by_role("button", name="Post answer")).to_have_count(0)


def test_answer_sent_after_due_time_is_refused_and_text_stays_in_box(live_server, page, login, class_group):
    thread = AssignmentFactory(group=class_group, allow_late=False)
    login(page, "ann")
    page.goto(f"{live_server.url}{thread.get_absolute_url()}")
    mark_page(page)
    page.get_by_role("textbox", name="Your answer").fill(ANSWER_A)

    # The due time passes while Ann is still writing.
    Assignment.objects.filter(pk=thread.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    page.get_by_role("button", name="Post answer").click()

    expect(
        page.get_by_text("This thread closed at its due time, and late answers are not accepted.")
    ).to_be_visible()
    expect(page.get_by_role("textbox", name="Your answer")).to_have_value(ANSWER_A)
    expect(page.get_by_text("You have answered.")).to_have_count(0)
    assert_not_reloaded(page)
    assert not thread.responses.exists()


def test_short_answer_shows_inline_error_keeps_text_and_counter_follows_typing(
    live_server, page, login, class_group
):
    thread = AssignmentFactory(group=class_group, min_words=20)
    login(page, "ann")
    page.goto(f"{live_server.url}{thread.get_absolute_url()}")
    box = page.get_by_role("textbox", name="Your answer")
    counter = page.locator(f'[data-word-count-for="{box.get_attribute("id")}"]')
    expect(counter).to_have_text("0 words · at least 20 needed")

    box.press_sequentially("Too short")
    expect(counter).to_have_text("2 words · at least 20 needed")
    box.press_sequentially(" to count.")
    expect(counter).to_have_text("4 words · at least 20 needed")

    mark_page(page)
    page.get_by_role("button", name="Post answer").click()
    expect(page.get_by_text("Write at least 20 words; this has 4.")).to_be_visible()
    expect(box).to_have_value("Too short to count.")
    expect(counter).to_have_text("4 words · at least 20 needed")
    expect(stats(page)).to_contain_text("0 of 2 students answered")
    assert_not_reloaded(page)

    # The swapped-in box keeps the text; go on writing at its end.
    box.focus()
    page.keyboard.press("Control+End")
    page.keyboard.type(" " + " ".join(["more"] * 16))
    expect(counter).to_have_text("20 words · minimum of 20 reached")
    page.get_by_role("button", name="Post answer").click()
    expect(page.get_by_text("You have answered.")).to_be_visible()
    expect(stats(page)).to_contain_text("1 of 2 students answered")
    assert_not_reloaded(page)


def test_reply_form_opened_with_keyboard_takes_focus(live_server, page, login, class_group, ben):
    thread = AssignmentFactory(group=class_group, post_first=False)
    make_response(thread, ben, body=ANSWER_B)
    login(page, "ann")
    page.goto(f"{live_server.url}{thread.get_absolute_url()}")

    reply_link = page.get_by_role("link", name="Reply to Ben Baker")
    reply_link.focus()
    page.keyboard.press("Enter")
    reply_box = page.get_by_role("textbox", name="Reply to Ben Baker")
    expect(reply_box).to_be_focused()

    page.keyboard.type(REPLY_B)
    expect(reply_box).to_have_value(REPLY_B)
