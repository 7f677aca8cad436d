"""What undoes a teacher's work on the group page asks first: removing a student, a new join
code (every link already sent stops working), archiving. Found clicking through as a teacher:
one click removed a student."""

import pytest
from playwright.sync_api import expect

from classroom.models import Group, Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_dialogs(page, accept: bool, questions: list[str]) -> None:
    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.on("dialog", answer)


def test_removing_a_student_asks_first_and_cancel_keeps_her(live_server, page, login, group, student):
    login(page, "teacher")
    page.goto(f"{live_server.url}{group.get_absolute_url()}")
    questions: list[str] = []
    answer_dialogs(page, accept=False, questions=questions)
    page.get_by_role("button", name="Remove Sam Student").click()
    expect(page.get_by_role("rowheader", name="Sam Student")).to_be_visible()
    assert questions == ["Remove Sam Student from Period 3?"]
    assert Membership.objects.filter(group=group, student=student).exists()


def test_removing_a_student_goes_ahead_when_the_teacher_confirms(live_server, page, login, group, student):
    login(page, "teacher")
    page.goto(f"{live_server.url}{group.get_absolute_url()}")
    questions: list[str] = []
    answer_dialogs(page, accept=True, questions=questions)
    page.get_by_role("button", name="Remove Sam Student").click()
    expect(page.get_by_role("rowheader", name="Sam Student")).to_have_count(0)
    assert not Membership.objects.filter(group=group, student=student).exists()


def test_a_new_code_and_archiving_ask_first(live_server, page, login, group):
    login(page, "teacher")
    page.goto(f"{live_server.url}{group.get_absolute_url()}")
    questions: list[str] = []
    answer_dialogs(page, accept=False, questions=questions)
    code = group.join_code
    page.get_by_role("button", name="New code (the old one stops working)").click()
    page.get_by_role("button", name="Archive this group").click()
    expect(page.get_by_role("button", name="Archive this group")).to_be_visible()
    assert len(questions) == 2 and "stops working" in questions[0] and "Archive Period 3?" in questions[1]
    group = Group.objects.get(pk=group.pk)
    assert group.join_code == code and group.archived_at is None
