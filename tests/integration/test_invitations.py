"""Invitations: a roster names another teacher's student; she sees the invitation on her
home and joins only by accepting. Each view as each role; the boundary end to end."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from classroom.models import Invitation, Membership
from tests.factories import AssignmentFactory, GroupFactory, InstructorFactory, UserFactory
from tests.helpers import client_for

HOME_URL = reverse("classroom:home")
ROLES = ["anonymous", "outsider", "member", "invited", "other_instructor", "co_instructor", "owner"]
# What would tell who she is: none of it may reach a teacher who is not hers.
IVY_SECRETS = ("Ivadne", "Pemberthwaite", "ivadne.p@mail.example")


def accept_url(invitation) -> str:
    return reverse("classroom:invitation_accept", args=[invitation.pk])


def decline_url(invitation) -> str:
    return reverse("classroom:invitation_decline", args=[invitation.pk])


def withdraw_url(invitation) -> str:
    return reverse("classroom:invitation_withdraw", args=[invitation.group_id, invitation.pk])


def is_member(group, user) -> bool:
    return Membership.objects.filter(group=group, student=user).exists()


def state() -> tuple:
    return (
        sorted(Invitation.objects.values_list("group_id", "invitee_id")),
        sorted(Membership.objects.values_list("group_id", "student_id")),
    )


# ---- each view, each role ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_the_invited_person_can_accept_their_invitation(role, people, invitation, group):
    before = state()
    response = client_for(people[role]).post(accept_url(invitation))
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    elif role == "invited":
        assert response.status_code == 302 and response["Location"] == HOME_URL
        assert is_member(group, people["invited"])
        assert not Invitation.objects.filter(pk=invitation.pk).exists()
        return
    else:
        assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize("role", ROLES)
def test_only_the_invited_person_can_decline_their_invitation(role, people, invitation, group):
    before = state()
    response = client_for(people[role]).post(decline_url(invitation))
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    elif role == "invited":
        assert response.status_code == 302 and response["Location"] == HOME_URL
        assert not Invitation.objects.filter(pk=invitation.pk).exists()
        assert not is_member(group, people["invited"])
        return
    else:
        assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize("role", ROLES)
def test_only_the_groups_teachers_can_withdraw_an_invitation(role, people, invitation, group):
    before = state()
    response = client_for(people[role]).post(withdraw_url(invitation))
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    elif role in ("owner", "co_instructor"):
        assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
        assert not Invitation.objects.filter(pk=invitation.pk).exists()
        return
    else:
        assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize("name", ["invitation_accept", "invitation_decline"])
def test_invitation_views_refuse_get(name, invited_student_client, invitation):
    assert invited_student_client.get(reverse(f"classroom:{name}", args=[invitation.pk])).status_code == 405
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_withdraw_refuses_get(instructor_client, invitation):
    assert instructor_client.get(withdraw_url(invitation)).status_code == 405


def test_an_invitation_is_withdrawn_only_through_its_own_group(instructor, invitation, other_instructor):
    """The owner of another group cannot reach this group's invitation through theirs."""
    theirs = GroupFactory(instructors=[other_instructor])
    url = reverse("classroom:invitation_withdraw", args=[theirs.pk, invitation.pk])
    assert client_for(other_instructor).post(url).status_code == 404
    mine = GroupFactory(instructors=[instructor])
    url = reverse("classroom:invitation_withdraw", args=[mine.pk, invitation.pk])
    assert client_for(instructor).post(url).status_code == 404
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_unknown_invitation_is_404(invited_student_client, invitation):
    missing = invitation.pk + 1000
    for name in ("invitation_accept", "invitation_decline"):
        assert invited_student_client.post(reverse(f"classroom:{name}", args=[missing])).status_code == 404


# ---- what accepting and declining do ------------------------------------------------------------


def test_home_shows_the_invitation_with_accept_and_decline(invited_student_client, invitation):
    html = invited_student_client.get(HOME_URL).content.decode()
    assert "<strong><bdi>Tess Teacher</bdi></strong> invites you to join <strong>Period 3</strong>." in html
    assert f'action="{accept_url(invitation)}"' in html
    assert f'action="{decline_url(invitation)}"' in html
    assert html.count("csrfmiddlewaretoken") >= 2  # plain forms, no JavaScript needed


def test_accepting_makes_her_a_member_and_opens_the_groups_threads(invited_student_client, invitation, group):
    thread = AssignmentFactory(group=group)
    assert invited_student_client.get(thread.get_absolute_url()).status_code == 404
    response = invited_student_client.post(accept_url(invitation), follow=True)
    assert "Welcome to Period 3!" in response.content.decode()
    assert invited_student_client.get(thread.get_absolute_url()).status_code == 200
    assert "invites you" not in invited_student_client.get(HOME_URL).content.decode()


def test_accepting_an_invitation_to_a_group_she_is_in_already_changes_nothing(
    invited_student_client, invitation, group, invited_student
):
    Membership.objects.create(group=group, student=invited_student)
    response = invited_student_client.post(accept_url(invitation), follow=True)
    assert "You are already in Period 3." in response.content.decode()
    assert Membership.objects.filter(group=group, student=invited_student).count() == 1
    assert not Invitation.objects.filter(pk=invitation.pk).exists()


def test_joining_by_code_spends_the_invitation(invited_student_client, invitation, group):
    invited_student_client.post(reverse("classroom:join_group", args=[group.join_code]))
    assert not Invitation.objects.filter(pk=invitation.pk).exists()


def test_an_archived_groups_invitation_cannot_be_accepted(
    invited_student_client, invitation, group, invited_student
):
    group.set_archived(True)
    assert "invites you" not in invited_student_client.get(HOME_URL).content.decode()
    response = invited_student_client.post(accept_url(invitation), follow=True)
    assert "archived" in response.content.decode()
    assert not is_member(group, invited_student)
    assert Invitation.objects.filter(pk=invitation.pk).exists()  # back on her home if the group returns
    group.set_archived(False)
    assert "invites you" in invited_student_client.get(HOME_URL).content.decode()


def test_a_teacher_of_the_group_cannot_accept_as_a_student(group, other_instructor):
    """Invited, then made a co-teacher before accepting: refused with a message, nothing joins."""
    invitation = Invitation.objects.create(group=group, invitee=other_instructor)
    group.instructors.add(other_instructor)
    response = client_for(other_instructor).post(accept_url(invitation), follow=True)
    assert "You teach this group" in response.content.decode()
    assert not is_member(group, other_instructor)


def test_an_invited_instructor_sees_the_invitation_on_their_home(group, instructor):
    """The roster does not tell instructors apart, so their home shows invitations too."""
    colleague = InstructorFactory(username="colleague")
    Invitation.objects.create(group=group, invitee=colleague, invited_by=instructor)
    html = client_for(colleague).get(HOME_URL).content.decode()
    assert "invites you to join <strong>Period 3</strong>" in html


def test_an_invitation_whose_teacher_is_gone_still_reads(
    group, invited_student_client, invitation, instructor
):
    instructor.delete()
    html = invited_student_client.get(HOME_URL).content.decode()
    assert "You are invited to join <strong>Period 3</strong>." in html


def test_declining_removes_the_invitation_and_she_stays_out(
    invited_student_client, invitation, group, invited_student
):
    response = invited_student_client.post(decline_url(invitation), follow=True)
    assert "You declined the invitation to Period 3." in response.content.decode()
    assert not is_member(group, invited_student)
    assert "invites you" not in invited_student_client.get(HOME_URL).content.decode()


# ---- the group page, for its teacher ------------------------------------------------------------


def test_group_page_lists_invited_by_username_only_with_withdraw(instructor_client, invitation, group):
    html = instructor_client.get(group.get_absolute_url()).content.decode()
    assert "Invited, not yet joined" in html
    assert "<code>ivy</code>" in html
    assert f'action="{withdraw_url(invitation)}"' in html
    for secret in IVY_SECRETS:
        assert secret not in html


def test_withdrawing_takes_the_invitation_off_her_home(instructor_client, invitation, invited_student_client):
    response = instructor_client.post(withdraw_url(invitation), follow=True)
    assert "The invitation to ivy is withdrawn." in response.content.decode()
    assert "invites you" not in invited_student_client.get(HOME_URL).content.decode()


# ---- the boundary, end to end -----------------------------------------------------------------


def test_teacher_b_cannot_name_enrol_or_grade_teacher_as_student_until_she_accepts(db):
    """Teacher A's student is named in teacher B's roster: B learns nothing and enrols nobody;
    she sees the invitation, accepts, and only then is B's student."""
    teacher_a = InstructorFactory(username="teacher_a", first_name="Ada", last_name="Ashford")
    teacher_b = InstructorFactory(username="teacher_b", first_name="Bo", last_name="Brandt")
    amira = UserFactory(
        username="amira", first_name="Amira", last_name="Zolotarev", email="amira.z@mail.example"
    )
    GroupFactory(name="A's class", instructors=[teacher_a], students=[amira])
    b_group = GroupFactory(name="B's class", instructors=[teacher_b])
    b_thread = AssignmentFactory(group=b_group)
    b = client_for(teacher_b)
    url = reverse("classroom:roster_import", args=[b_group.pk])
    roster = "username,name,email\namira,,\n"

    preview = b.post(url, {"step": "preview", "text": roster}).content.decode()
    for secret in ("Amira", "Zolotarev", "amira.z@mail.example", "Ada Ashford", "A&#x27;s class"):
        assert secret not in preview
    assert "they will be invited" in preview

    b.post(url, {"step": "confirm", "text": roster})
    assert not is_member(b_group, amira)
    grades = b.get(reverse("classroom:grades_export", args=[b_thread.pk])).content.decode("utf-8-sig")
    assert "amira" not in grades.lower() and "mail.example" not in grades
    assert (
        b.get(reverse("classroom:assignment_report", args=[b_thread.pk])).content.decode().count("Zolotarev")
        == 0
    )
    for name, args in (
        ("classroom:feedback_save", [b_thread.pk, amira.pk]),
        ("classroom:due_extend", [b_thread.pk, amira.pk]),
        ("classroom:member_remove", [b_group.pk, amira.pk]),
    ):
        assert b.post(reverse(name, args=args), {"score": "5", "comment": "x"}).status_code == 404, name

    her = client_for(amira)
    home = her.get(HOME_URL).content.decode()
    assert (
        "<strong><bdi>Bo Brandt</bdi></strong> invites you to join <strong>B&#x27;s class</strong>." in home
    )
    invitation = Invitation.objects.get(group=b_group, invitee=amira)
    her.post(accept_url(invitation))
    assert is_member(b_group, amira)
    grades = b.get(reverse("classroom:grades_export", args=[b_thread.pk])).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(grades)))
    assert [(row["username"], row["email"]) for row in rows] == [("amira", "amira.z@mail.example")]


# ---- query counts -------------------------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def invite_to_new_groups(user, how_many: int) -> None:
    for _ in range(how_many):
        teacher = InstructorFactory()
        Invitation.objects.create(group=GroupFactory(instructors=[teacher]), invitee=user, invited_by=teacher)


def test_student_home_with_invitations_makes_a_constant_number_of_queries(
    invited_student_client, invited_student, django_assert_max_num_queries
):
    few = count_queries(invited_student_client, HOME_URL)
    invite_to_new_groups(invited_student, 6)
    assert invited_student_client.get(HOME_URL).content.decode().count("invites you to join") == 7
    assert count_queries(invited_student_client, HOME_URL) == few
    # session, user, assignments, groups, invitations
    with django_assert_max_num_queries(5):
        invited_student_client.get(HOME_URL)


def test_instructor_home_with_invitations_makes_a_constant_number_of_queries(
    other_instructor, django_assert_max_num_queries
):
    client = client_for(other_instructor)
    invite_to_new_groups(other_instructor, 1)
    few = count_queries(client, HOME_URL)
    invite_to_new_groups(other_instructor, 5)
    assert count_queries(client, HOME_URL) == few
    # session, user, groups with their assignments (2), archived groups, invitations
    with django_assert_max_num_queries(6):
        client.get(HOME_URL)


def test_group_page_with_invitations_makes_a_constant_number_of_queries(
    instructor_client, group, instructor, django_assert_max_num_queries
):
    Invitation.objects.create(group=group, invitee=UserFactory(), invited_by=instructor)
    few = count_queries(instructor_client, group.get_absolute_url())
    for _ in range(10):
        Invitation.objects.create(group=group, invitee=UserFactory(), invited_by=instructor)
    assert count_queries(instructor_client, group.get_absolute_url()) == few
    # session, user, group, members, assignments, co-instructors, invitations
    with django_assert_max_num_queries(8):  # invitations and the set-password links log each cost one
        instructor_client.get(group.get_absolute_url())
