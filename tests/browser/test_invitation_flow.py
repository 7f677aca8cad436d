"""Another teacher's student in real Chromium: the teacher's roster invites her without
naming her, she accepts on her home page, and only then is in the class."""

import pytest
from playwright.sync_api import expect

from classroom.models import Membership
from tests.factories import AssignmentFactory, BriefFactory, GroupFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def anns_other_class(other_instructor, ann):
    """Ann is Omar's student, not Tess's."""
    return GroupFactory(name="Omar's seminar", instructors=[other_instructor], students=[ann])


def test_a_roster_invites_another_teachers_student_who_accepts_on_her_home(
    live_server, new_context, login, group, ann, anns_other_class
):
    AssignmentFactory(group=group, brief=BriefFactory(title="Direct flights resume"))
    teacher = new_context().new_page()
    login(teacher, "teacher")
    teacher.goto(f"{live_server.url}{group.get_absolute_url()}")
    teacher.get_by_role("link", name="Import students from a class list (CSV)").click()
    teacher.get_by_label("Or paste it").fill("username,name,email\nann,,\n")
    teacher.get_by_role("button", name="Preview").click()
    row = teacher.get_by_role("row").filter(has_text="ann")
    expect(row).to_contain_text("An existing account: they will be invited and join when they accept")
    expect(teacher.locator("main")).not_to_contain_text("Archer")
    teacher.get_by_role("button", name="Invite 1 student to Period 3").click()
    expect(teacher.get_by_text("1 invited")).to_be_visible()
    assert not Membership.objects.filter(group=group, student=ann).exists()
    teacher.get_by_role("link", name="Back to Period 3").click()
    expect(teacher.get_by_role("heading", name="Invited, not yet joined")).to_be_visible()
    expect(teacher.locator(".invited-list")).to_contain_text("ann")

    student = new_context().new_page()
    login(student, "ann")
    invitation = student.get_by_role("article", name="Invitation to Period 3")
    expect(invitation).to_contain_text("Tess Teacher invites you to join Period 3.")
    expect(student.get_by_text("Direct flights resume")).to_have_count(0)
    accept = invitation.get_by_role("button", name="Accept and join Period 3")
    accept.focus()  # reachable and pressed from the keyboard
    student.keyboard.press("Enter")
    expect(student.get_by_text("Welcome to Period 3!")).to_be_visible()
    expect(student.get_by_role("article", name="Invitation to Period 3")).to_have_count(0)
    expect(student.get_by_role("link", name="Direct flights resume")).to_be_visible()
    assert Membership.objects.filter(group=group, student=ann).exists()

    teacher.reload()
    expect(teacher.get_by_role("heading", name="Invited, not yet joined")).to_have_count(0)
    expect(teacher.get_by_role("rowheader", name="Ann Archer", exact=True)).to_be_visible()


def test_declining_leaves_her_out_of_the_class(
    live_server, page, login, group, ann, anns_other_class, instructor
):
    from classroom.models import Invitation

    Invitation.objects.create(group=group, invitee=ann, invited_by=instructor)
    login(page, "ann")
    page.get_by_role("button", name="Decline the invitation to Period 3").click()
    expect(page.get_by_text("You declined the invitation to Period 3.")).to_be_visible()
    expect(page.get_by_role("article", name="Invitation to Period 3")).to_have_count(0)
    assert not Membership.objects.filter(group=group, student=ann).exists()
