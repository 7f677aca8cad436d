"""The roster's plan and the invitation actions, without HTTP."""

import pytest

from classroom.actions import (
    ActionRefused,
    accept_invitation,
    decline_invitation,
    import_roster,
    withdraw_invitation,
)
from classroom.models import Invitation, Membership
from classroom.roster import parse_roster
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def plan_for(group, by, text, commit=False):
    rows, errors = parse_roster(text)
    assert not errors
    return import_roster(group=group, rows=rows, by=by, commit=commit)


def test_the_plan_adds_the_teachers_own_students_and_invites_everyone_else(
    group, instructor, invited_student, outsider
):
    mine = UserFactory(username="mine")
    GroupFactory(instructors=[instructor], students=[mine])
    plan = plan_for(group, instructor, "username\nmine\nolly\nivy\nsam\nnewbie\n")
    assert [row.username for row, _ in plan.join] == ["mine"]
    assert [row.username for row, _ in plan.invite] == ["olly"]
    assert [row.username for row in plan.invited] == ["ivy"]
    assert [row.username for row, _ in plan.already] == ["sam"]
    assert [row.username for row in plan.new] == ["newbie"]
    assert (plan.adding, plan.inviting) == (2, 1)
    assert [row.line for _, row, _, _ in plan.preview()] == [2, 3, 4, 5, 6]


def test_the_preview_names_nobody_it_invites(group, instructor, outsider):
    plan = plan_for(group, instructor, "username,name,email\nolly,Typed Name,typed@school.example\n")
    assert plan.preview() == [("invite", plan.invite[0][0], "", "")]


def test_the_groups_own_teacher_is_refused(group, instructor, co_instructor):
    plan = plan_for(group, instructor, "username\ncoteacher\n", commit=True)
    assert [str(error) for error in plan.errors] == ["line 2: “coteacher” teaches this group"]


def test_carrying_out_the_plan_invites_once(group, instructor, outsider):
    plan_for(group, instructor, "username\nolly\n", commit=True)
    plan_for(group, instructor, "username\nolly\n", commit=True)
    assert Invitation.objects.filter(group=group, invitee=outsider).count() == 1
    assert not Membership.objects.filter(group=group, student=outsider).exists()


def test_only_the_invited_person_accepts_or_declines(invitation, student):
    with pytest.raises(ActionRefused):
        accept_invitation(invitation=invitation, by=student)
    with pytest.raises(ActionRefused):
        decline_invitation(invitation=invitation, by=student)
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_only_a_teacher_of_the_group_withdraws(invitation, other_instructor, co_instructor):
    with pytest.raises(ActionRefused):
        withdraw_invitation(invitation=invitation, by=other_instructor)
    withdraw_invitation(invitation=invitation, by=co_instructor)
    assert not Invitation.objects.filter(pk=invitation.pk).exists()


def test_accepting_joins_and_spends_the_invitation(invitation, invited_student, group):
    membership, created = accept_invitation(invitation=invitation, by=invited_student)
    assert created and membership.group == group
    assert not Invitation.objects.filter(pk=invitation.pk).exists()


def test_an_archived_group_refuses_and_keeps_the_invitation(invitation, invited_student, group):
    group.set_archived(True)
    with pytest.raises(ActionRefused, match="archived"):
        accept_invitation(invitation=invitation, by=invited_student)
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert not Membership.objects.filter(group=group, student=invited_student).exists()
