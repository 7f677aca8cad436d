"""The whole dance in Chromium: the course page's iframe initiates the login, the platform
authorises, its form_post launches, and Agora's thread works inside the iframe (the frame is
a third party there: its cookies must be partitioned to be kept at all)."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from classroom.models import Assignment, Group
from tests.factories import AssignmentFactory

SHOTS = os.environ.get("AGORA_SHOTS", "")  # a folder for screenshots to look at, when set


def shoot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=Path(SHOTS) / f"{name}.png")


def tool_frame(page):
    return page.frame_locator("iframe[name=tool]")


@pytest.mark.browser
def test_teacher_then_student_launch_into_the_thread_inside_the_iframe(
    platform, live_server, new_context, brief
):
    teacher = new_context().new_page()
    teacher.goto(platform.course_url("link-1", "teacher"))
    frame = tool_frame(teacher)
    # The teacher's first launch makes the course's group and lands on it, signed in.
    expect(frame.get_by_role("heading", name="History 101")).to_be_visible()
    group = Group.objects.get(name="History 101")

    # The link is made to open a thread (what deep linking does).
    thread = AssignmentFactory(group=group, brief=brief)
    platform.links["link-1"]["custom"] = {"agora_assignment": str(thread.pk)}

    student = new_context().new_page()
    student.goto(platform.course_url("link-1", "ana"))
    frame = tool_frame(student)
    composer = frame.locator("#composer")
    expect(composer).to_be_visible()
    shoot(student, "lti-student-composer-in-iframe-1280")
    answer = "The brief leaves out who pays for the new bridge, and that decides whether it is fair."
    composer.get_by_role("textbox").first.fill(answer)
    composer.get_by_role("button", name="Post").first.click()
    expect(frame.get_by_text(answer)).to_be_visible()
    assert group.memberships.filter(student__first_name="Ana").exists()

    teacher.goto(platform.course_url("link-1", "teacher"))
    frame = tool_frame(teacher)
    expect(frame.get_by_text(answer)).to_be_visible()
    frame.get_by_role("link", name="Report and grades").click()
    expect(frame.get_by_role("heading", name="Participation and grades")).to_be_visible()
    shoot(teacher, "lti-report-in-iframe-1280")
    frame_url = teacher.frame("tool").url
    assert frame_url.startswith(live_server.url) and frame_url.endswith(
        reverse("classroom:assignment_report", args=[thread.pk])
    )


@pytest.mark.browser
def test_teacher_adds_a_discussion_by_deep_linking_and_a_student_opens_it(platform, new_context):
    from tests.factories import BriefFactory

    BriefFactory(title="Bridge tolls in the city budget")
    wanted = BriefFactory(title="Who pays for the new harbour?")
    teacher = new_context().new_page()
    teacher.goto(platform.course_url("add", "teacher"))
    frame = tool_frame(teacher)
    expect(frame.get_by_role("heading", name="Add a discussion to History 101")).to_be_visible()
    frame.get_by_label("Find a brief").fill("harbour")
    expect(frame.get_by_text("1 brief match")).to_be_visible()
    frame.get_by_label("Who pays for the new harbour?").check()
    frame.get_by_label("Points").fill("20")
    shoot(teacher, "lti-deep-link-picker-1280")
    frame.get_by_role("button", name="Add to the course").click()
    expect(frame.get_by_role("heading", name="Added to the course")).to_be_visible()

    thread = Assignment.objects.get(brief=wanted, group__name="History 101")
    (item,) = platform.added
    assert item["custom"] == {"agora_assignment": str(thread.pk)}
    assert item["lineItem"]["scoreMaximum"] == 20 and item["data"] == "opaque-add"

    student = new_context().new_page()
    student.goto(platform.course_url(item["link_id"], "ana"))
    frame = tool_frame(student)
    expect(frame.locator("#composer")).to_be_visible()
    expect(frame.get_by_text("Who pays for the new harbour?").first).to_be_visible()
    assert student.frame("tool").url.endswith(f"/a/{thread.pk}/#composer")
    answer = "Harbour fees fall on the fishermen first, so the city should say who pays the rest."
    frame.locator("#composer").get_by_role("textbox").first.fill(answer)
    frame.locator("#composer").get_by_role("button", name="Post").first.click()
    expect(frame.get_by_text(answer)).to_be_visible()

    # The teacher grades in the report, inside the iframe; the score lands in the LMS's line item.
    teacher.goto(platform.course_url(item["link_id"], "teacher"))
    frame = tool_frame(teacher)
    frame.get_by_role("link", name="Report and grades").click()
    frame.get_by_role("spinbutton", name="Score for Ana Lima").fill("17")
    frame.get_by_role("textbox", name="Feedback for Ana Lima").fill("Good use of the brief.")
    frame.get_by_role("textbox", name="Feedback for Ana Lima").press("Control+Enter")
    expect(frame.get_by_role("status").filter(has_text="Saved ✓")).to_be_visible()
    shoot(teacher, "lti-report-graded-in-iframe-1280")
    sent = platform.scores[(item["link_id"], platform.people["ana"].sub)]
    assert (sent["scoreGiven"], sent["scoreMaximum"]) == (17.0, 20.0)


@pytest.mark.browser
def test_a_refused_launch_shows_its_reason_inside_the_iframe(platform, new_context):
    platform.changes = {"aud": "another-tool"}
    page = new_context().new_page()
    page.goto(platform.course_url("link-1", "teacher"))
    frame = tool_frame(page)
    expect(frame.get_by_role("heading", name="Agora could not open this link")).to_be_visible()
    expect(frame.get_by_text("This launch was meant for another tool")).to_be_visible()
