"""From a join link to a first answer in real Chromium, counting what the student does."""

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from classroom.models import Response, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWER = "Direct flights help families first; trade follows only if sanctions ease."


@pytest.fixture
def counted(monkeypatch):
    """Every action the test takes in the browser: each fill, click, check and navigation is one."""
    actions: list[str] = []

    def counting(method, kind):
        def wrapper(self, *args, **kwargs):
            actions.append(f"{kind} {args[0] if kind == 'goto' else self}")
            return method(self, *args, **kwargs)

        return wrapper

    for cls, name in ((Locator, "fill"), (Locator, "click"), (Locator, "check"), (Locator, "press")):
        monkeypatch.setattr(cls, name, counting(getattr(cls, name), name))
    for name in ("goto", "click", "fill", "press", "check"):
        monkeypatch.setattr(Page, name, counting(getattr(Page, name), name))
    return actions


def test_student_goes_from_join_link_to_first_answer_in_six_actions(
    live_server, page, group, thread, counted
):
    join_url = live_server.url + reverse("classroom:join_group", args=[group.join_code])

    page.goto(join_url)
    page.get_by_label("Your name").fill("Ana Lima")
    # The username is suggested from the name as it is typed, shown, and can be changed.
    expect(page.get_by_label("Username")).to_have_value("ana.lima")
    page.get_by_label("Password").fill("a-Strong-pass-123")
    page.get_by_role("button", name="Join Period 3").click()

    # Joined, logged in, and in the group's one open discussion, its answer box ready.
    expect(page.get_by_role("heading", level=1)).to_have_text(thread.brief.title)
    expect(page.get_by_text("Welcome to Agora, Ana! You are in Period 3.")).to_be_visible()
    page.locator("#composer").get_by_role("textbox").fill(ANSWER)
    page.get_by_role("button", name="Post answer").click()

    expect(page.locator(".response").filter(has_text=ANSWER)).to_be_visible()
    ana = User.objects.get(username="ana.lima")
    assert Response.objects.filter(author=ana, assignment=thread, parent=None).count() == 1
    assert len(counted) == 6, counted


def test_teacher_copies_the_join_link_from_the_group_page(live_server, new_context, login, group, instructor):
    context = new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    teacher = login(context.new_page(), "teacher")
    teacher.goto(live_server.url + group.get_absolute_url())
    link = live_server.url + reverse("classroom:join_group", args=[group.join_code])
    expect(teacher.get_by_label("Join link")).to_have_value(link)
    copy = teacher.get_by_role("button", name="Copy the join link")
    copy.focus()
    teacher.keyboard.press("Enter")  # reachable and usable from the keyboard
    status = teacher.locator(f"#join-link-{group.pk}-status")
    expect(status).to_have_text("Copied")
    expect(status).to_have_attribute("aria-live", "polite")
    assert teacher.evaluate("navigator.clipboard.readText()") == link


def test_without_a_clipboard_the_link_is_selected_in_its_field(
    live_server, new_context, login, group, instructor
):
    context = new_context()
    context.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    teacher = login(context.new_page(), "teacher")
    teacher.goto(live_server.url + group.get_absolute_url())
    expect(teacher.get_by_role("button", name="Copy the join link")).to_be_hidden()
    field = teacher.get_by_label("Join link")
    field.focus()
    assert teacher.evaluate(
        "window.getSelection().toString() || document.activeElement.value.substring("
        "document.activeElement.selectionStart, document.activeElement.selectionEnd)"
    ) == (field.input_value())
