"""A student's and an instructor's main flows in Russian and in Spanish, with no English left on a screen.

Each screen's visible text, and its aria-labels, titles, placeholders, alt texts and button
values, is scanned for the English source strings of the shipped catalog
(classroom/locale/<lang>/LC_MESSAGES/django.po, see tests/i18n_scan.py). The class's own
words (the brief, names, answers) are English on purpose and are taken out first. A failure
lists every English phrase on every screen, not only the first.

The student picks the language with the switcher on the join page; the instructor's
browser asks for it (Accept-Language).
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import (
    AssignmentFactory,
    BriefFactory,
    GroupFactory,
    InstructorFactory,
    UserFactory,
    make_response,
)
from tests.i18n_scan import english_on_screen, english_phrases, load_catalog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
BROWSER_LOCALES = {"ru": "ru-RU", "es": "es-ES"}
PASSWORD = "a-Strong-pass-123"

# What a person reads besides the text: labels for screen readers, tooltips, hints, confirmations.
SCREEN_TEXT = """
() => {
  const parts = [document.title, document.body.innerText];
  for (const element of document.querySelectorAll("[aria-label], [title], [placeholder], [alt], [data-confirm], input[type=submit], input[type=button]")) {
    for (const name of ["aria-label", "title", "placeholder", "alt", "data-confirm"]) {
      if (element.hasAttribute(name)) parts.push(element.getAttribute(name));
    }
    if (element.matches("input[type=submit], input[type=button]")) parts.push(element.value);
  }
  return parts.join("\\n");
}
"""


def catalog_phrases(language: str, content: list[str]) -> list[str]:
    po = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    if not po.exists():
        pytest.skip(
            f"No {language} catalog yet ({po.relative_to(settings.BASE_DIR)}): nothing to check against"
        )
    return english_phrases(load_catalog(po), content=content)


class Screens:
    """Collects the English found on each screen; the test fails once, with all of them."""

    def __init__(self, language: str, phrases: list[str], content: list[str]):
        self.language, self.phrases, self.content, self.found = language, phrases, content, {}

    def check(self, page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        expect(page.locator("html")).to_have_attribute("lang", self.language)
        english = english_on_screen(page.evaluate(SCREEN_TEXT), self.phrases, self.content)
        if english:
            self.found[name] = english

    def assert_none_left(self) -> None:
        mo = LOCALE_DIR / self.language / "LC_MESSAGES" / "django.mo"
        hint = "" if mo.exists() else f" (no compiled {mo.name}: run compilemessages)"
        report = "\n".join(f"  {screen}: " + " | ".join(phrases) for screen, phrases in self.found.items())
        assert not self.found, (
            f"English left on {len(self.found)} screen(s) in {self.language}{hint}:\n{report}"
        )


@pytest.fixture
def classroom(db):
    """A group with a code, a teacher, one classmate who has answered, and an open discussion."""
    teacher = InstructorFactory(username="teacher_i18n", first_name="Tamsin", last_name="Oakhart")
    classmate = UserFactory(username="classmate_i18n", first_name="Corvin", last_name="Ashdown")
    group = GroupFactory(name="Period Nine", instructors=[teacher], students=[classmate])
    group.join_code = "LANGCODE"
    group.save()
    brief = BriefFactory(created_by=teacher)
    second_brief = BriefFactory(created_by=teacher)
    assignment = AssignmentFactory(group=group, brief=brief)
    answer = make_response(
        assignment, classmate, body="Flights come first, then the talks on trade can move."
    )
    return {
        "teacher": teacher,
        "classmate": classmate,
        "group": group,
        "brief": brief,
        "second_brief": second_brief,
        "assignment": assignment,
        "answer": answer,
    }


def class_words(classroom, *more: str) -> list[str]:
    words = [classroom["group"].name, "LANGCODE", "LANG-CODE", *more]
    for brief in (classroom["brief"], classroom["second_brief"]):
        words += [brief.title, brief.summary, brief.commentary, brief.question]
    for person in (classroom["teacher"], classroom["classmate"]):
        words += [person.display_name, person.username, person.first_name, person.last_name]
    words.append(classroom["answer"].body)
    return [word for word in words if word]


@pytest.mark.parametrize("language", ["ru", "es"])
def test_a_new_student_joins_answers_and_replies_with_no_english_left(
    live_server, browser, classroom, language
):
    answer_text = "Trade matters more to both sides than the symbolism of air links."
    reply_text = "Could the flights start before any trade deal is signed?"
    content = class_words(classroom, "Nadia Newcomb", "nadia_i18n", answer_text, reply_text)
    screens = Screens(language, catalog_phrases(language, content), content)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        # The join page, in English until the student picks a language with the switcher.
        page.goto(f"{live_server.url}{reverse('classroom:join_start')}")
        page.locator("#language-switcher-page").select_option(language)
        page.locator("form.language-switcher button[type=submit]").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
        screens.check(page, "join: the code")

        page.locator("#id_code").fill("LANGCODE")
        page.locator("main form[method=post]:not(.language-switcher) button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/join/\w+/$"))
        screens.check(page, "join: the account")

        page.locator("#id_name").fill("Nadia Newcomb")
        expect(page.locator("#id_username")).not_to_have_value("")
        page.locator("#id_username").fill("nadia_i18n")
        page.locator("#id_password").fill(PASSWORD)
        page.locator("main form[method=post]:not(.language-switcher) button[type=submit]").click()

        # One open discussion: the new student lands in it and reads the brief.
        thread_url = classroom["assignment"].get_absolute_url()
        expect(page).to_have_url(f"{live_server.url}{thread_url}")
        expect(page.locator("#brief")).to_be_visible()
        screens.check(page, "thread: before answering")

        page.locator("#composer textarea[name=body]").fill(answer_text)
        page.locator("#composer .form-actions button[type=submit]").click()
        expect(page.locator("#response-list")).to_contain_text(answer_text)
        screens.check(page, "thread: answered, classmates' answers shown")

        answer = page.locator(f"#response-{classroom['answer'].pk}")
        answer.locator(f"a[href$='/r/{classroom['answer'].pk}/reply/'], a[href*='reply']").first.click()
        page.locator("form.reply-form textarea[name=body]").fill(reply_text)
        page.locator("form.reply-form button[type=submit]").click()
        expect(page.locator(f"#replies-{classroom['answer'].pk}")).to_contain_text(reply_text)
        screens.check(page, "thread: replied")

        page.goto(f"{live_server.url}{reverse('classroom:home')}")
        screens.check(page, "home")
    finally:
        context.close()
    screens.assert_none_left()


@pytest.mark.parametrize("language", ["ru", "es"])
def test_an_instructor_assigns_a_brief_and_reads_the_report_with_no_english_left(
    live_server, browser, classroom, language
):
    content = class_words(classroom)
    screens = Screens(language, catalog_phrases(language, content), content)
    group, teacher = classroom["group"], classroom["teacher"]
    teacher.set_password(PASSWORD)
    teacher.save()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=BROWSER_LOCALES[language])
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{reverse('login')}")
        screens.check(page, "login")
        page.locator("#id_username").fill(teacher.username)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("main form[method=post]:not(.language-switcher) button[type=submit]").click()
        expect(page).to_have_url(f"{live_server.url}/")
        screens.check(page, "home")

        page.goto(f"{live_server.url}{reverse('briefs:brief_list')}")
        screens.check(page, "brief library")

        page.goto(
            f"{live_server.url}{reverse('classroom:assignment_create')}?brief={classroom['second_brief'].slug}"
        )
        screens.check(page, "assign a brief")
        page.locator(f"input[name=groups][value='{group.pk}']").check()
        page.locator("main form[method=post]:not(.language-switcher) > button[type=submit]").click()
        expect(page.locator(".message")).to_be_visible()
        screens.check(page, "after assigning")

        page.goto(f"{live_server.url}{group.get_absolute_url()}")
        screens.check(page, "group page")

        page.goto(f"{live_server.url}{classroom['assignment'].get_absolute_url()}")
        screens.check(page, "thread, as its teacher")

        page.goto(
            f"{live_server.url}{reverse('classroom:assignment_report', args=[classroom['assignment'].pk])}"
        )
        screens.check(page, "report")
    finally:
        context.close()
    screens.assert_none_left()


def test_the_switcher_works_from_the_keyboard_and_the_next_page_keeps_the_language(live_server, page):
    page.goto(f"{live_server.url}{reverse('login')}")
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "language-switcher-page":
            break
    else:
        pytest.fail("the language switcher is not reachable with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused switcher shows no focus ring"

    page.locator("#language-switcher-page").select_option("es")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(f"{live_server.url}{reverse('login')}")
    page.goto(f"{live_server.url}{reverse('classroom:join_start')}")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("#language-switcher-page")).to_have_value("es")
