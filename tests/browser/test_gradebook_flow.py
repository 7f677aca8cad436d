"""A teacher opens the class gradebook from the group page, reads it on a laptop and a phone,
scrolls it with the keyboard, and downloads the file for Canvas."""

from decimal import Decimal

import pytest

from classroom.actions import save_feedback
from tests.factories import AssignmentFactory, BriefFactory, GroupFactory, UserFactory, make_response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def graded_class(instructor):
    """Eight discussions, so the table is wider than a phone; a student with a 150-letter name
    (the longest the column holds)."""
    students = [
        UserFactory(username=f"pupil{n}", first_name="Pupil", last_name=f"Number{n}") for n in range(4)
    ]
    students.append(UserFactory(username="long", first_name="M" * 150, last_name="Longname"))
    group = GroupFactory(name="Period 5", instructors=[instructor], students=students)
    threads = [
        AssignmentFactory(group=group, brief=BriefFactory(title=f"Discussion number {n} on trade"), points=10)
        for n in range(8)
    ]
    make_response(threads[0], students[0])
    save_feedback(assignment=threads[0], student=students[0], score=Decimal("7.5"), comment="", by=instructor)
    return {"group": group, "threads": threads, "students": students}


def test_teacher_reads_and_scrolls_the_gradebook_and_downloads_the_canvas_file(
    live_server, page, login, graded_class
):
    group = graded_class["group"]
    login(page, "teacher")
    page.goto(f"{live_server.url}{group.get_absolute_url()}")
    page.get_by_role("button", name="Gradebook", exact=True).click()
    page.wait_for_url(f"**/groups/{group.pk}/gradebook/")
    region = page.get_by_role("region", name="Scores and answers by student and discussion")
    row = page.locator("tr", has_text="Number0")
    assert row.locator("td").first.inner_text().split() == ["7.5", "answered"]

    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width

    # On a phone the table scrolls inside its region, from the keyboard; the names stay put.
    name_cell = row.locator("th")
    before = name_cell.bounding_box()["x"]
    region.focus()
    assert page.evaluate("document.activeElement.classList.contains('gradebook-scroll')")
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)  # wait_for_function evaluates a string, which the CSP forbids
    assert region.evaluate("element => element.scrollLeft") > 100
    assert abs(name_cell.bounding_box()["x"] - before) < 1, "the student column scrolled away"
    assert name_cell.is_visible()

    with page.expect_download() as download:
        page.get_by_role("button", name="For Canvas (CSV)").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    header, points = text.splitlines()[:2]
    assert header.startswith("Student,ID,SIS User ID,SIS Login ID,Section,Discussion number 0 on trade (")
    assert points == "Points Possible,,,,," + ",".join(["10"] * 8)
