"""Long unbroken names and words wrap inside the page: no screen gets wider than the window.

A 200-character group name once made the group page 2,171 px wide at 1280. Each main
screen is loaded with long unbroken words in every name and text a person can type,
at a desktop and a phone width. AGORA_SCREENSHOTS=folder keeps a screenshot of each.
"""

import os
from pathlib import Path

import pytest

from classroom.actions import save_feedback
from tests.factories import (
    AssignmentFactory,
    BriefFactory,
    GroupFactory,
    TagFactory,
    UserFactory,
    make_response,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 390]


def word(letter: str, length: int = 200) -> str:
    return letter * length


@pytest.fixture
def long_class(instructor, password):
    student = UserFactory(
        username=word("s", 150),
        first_name=word("F", 150),
        last_name=word("L", 150),
        email="",
        password=password,
    )
    group = GroupFactory(name=word("G", 120), instructors=[instructor], students=[student])
    brief = BriefFactory(
        title=word("T"),
        summary=f"{word('S')} is the summary.",
        commentary=f"{word('C')} is the commentary.",
        question=f"{word('Q')}?",
        created_by=instructor,
    )
    brief.tags.add(TagFactory(name=word("t", 50)))
    thread = AssignmentFactory(group=group, brief=brief, points=10)
    answer = make_response(thread, student, body=f"{word('A')} and https://example.org/{word('u')}")
    make_response(thread, instructor, body=word("R"), parent=answer)
    save_feedback(assignment=thread, student=student, score=5, comment=word("K"), by=instructor)
    return {"group": group, "thread": thread, "brief": brief, "student": student}


# The elements that reach past the window's right edge, innermost first, for the failure message.
STICKING_OUT = """
() => [...document.querySelectorAll("body *")]
  .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
  .filter((element) => ![...element.children].some((child) => child.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 3)
  .map((element) => `${element.tagName.toLowerCase()}.${[...element.classList].join(".")}`)
"""


def look_at(page, url: str, name: str, width: int) -> str:
    """'' when the page fits the window, else how much wider it is and what sticks out."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url)
    folder = os.environ.get("AGORA_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    extra = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    return f"{extra} px wider: {', '.join(page.evaluate(STICKING_OUT))}" if extra > 0 else ""


def test_no_screen_is_wider_than_the_window_with_long_unbroken_words(
    live_server, new_context, login, long_class
):
    teacher = login(new_context().new_page(), "teacher")
    student = login(new_context().new_page(), long_class["student"].username)
    thread, group, brief = long_class["thread"], long_class["group"], long_class["brief"]
    screens = {
        "teacher-home": (teacher, "/"),
        "group": (teacher, group.get_absolute_url()),
        "thread-teacher": (teacher, thread.get_absolute_url()),
        "report": (teacher, f"{thread.get_absolute_url()}report/"),
        "dashboard": (teacher, f"{group.get_absolute_url()}dashboard/"),
        "gradebook": (teacher, f"{group.get_absolute_url()}gradebook/"),
        "library": (teacher, "/briefs/"),
        "brief": (teacher, f"/briefs/{brief.slug}/"),
        "student-home": (student, "/"),
        "thread-student": (student, thread.get_absolute_url()),
    }
    too_wide = {
        f"{name} at {width}": extra
        for name, (page, path) in screens.items()
        for width in WIDTHS
        if (extra := look_at(page, f"{live_server.url}{path}", name, width))
    }
    assert too_wide == {}
