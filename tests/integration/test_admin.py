"""The admin for site admins, through the real admin pages as a superuser: every action goes
through classroom.actions, so versions, the audit log and the live pages stay right."""

import re

import pytest
from django.urls import reverse

from classroom import names
from classroom.models import Assignment, Membership, ModerationEvent, Response, SetPasswordLink, User
from tests.factories import GroupFactory, UserFactory, make_response
from tests.helpers import client_for

CHANGELISTS = [
    "classroom_user", "classroom_group", "classroom_membership", "classroom_assignment",
    "classroom_response", "classroom_moderationevent", "classroom_invitation", "classroom_setpasswordlink",
]  # fmt: skip


def changelist(model: str) -> str:
    return reverse(f"admin:{model}_changelist")


def run_action(client, model: str, action: str, objects, **data):
    payload = {"action": action, "_selected_action": [obj.pk for obj in objects], **data}
    return client.post(changelist(model), payload)


@pytest.fixture
def admin_client(admin):
    return client_for(admin)


@pytest.mark.django_db
@pytest.mark.parametrize("model", CHANGELISTS)
def test_every_changelist_opens_and_searches_for_a_superuser(admin_client, model, thread, student, peer):
    make_response(thread, student)
    assert admin_client.get(changelist(model)).status_code == 200
    assert admin_client.get(changelist(model), {"q": "sam"}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", CHANGELISTS)
def test_a_user_who_is_not_staff_gets_the_admin_login_page(instructor, model):
    answer = client_for(instructor).get(changelist(model))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_group_page_shows_instructors_join_code_and_members(admin_client, group, student):
    html = admin_client.get(reverse("admin:classroom_group_change", args=[group.pk])).content.decode()
    assert group.join_code in html
    assert "sam" in html
    assert "archived_at" in html


@pytest.mark.django_db
def test_moving_a_student_joins_the_new_group_leaves_the_old_and_bumps_both_threads(
    admin_client, group, student, thread, instructor
):
    other = GroupFactory(name="Period 5", instructors=[instructor])
    before = Assignment.objects.get(pk=thread.pk).version
    membership = Membership.objects.get(group=group, student=student)
    form = run_action(admin_client, "classroom_membership", "move_to_group", [membership])
    assert form.status_code == 200 and "Move to" in form.content.decode()
    assert Membership.objects.filter(group=group, student=student).exists()  # nothing yet
    done = admin_client.post(
        changelist("classroom_membership"),
        {"action": "move_to_group", "_selected_action": [membership.pk], "apply": "1", "to_group": other.pk},
        follow=True,
    )
    assert "Sam moved to Period 5" in done.content.decode()
    assert Membership.objects.filter(group=other, student=student).exists()
    assert not Membership.objects.filter(group=group, student=student).exists()
    assert Assignment.objects.get(pk=thread.pk).version > before


@pytest.mark.django_db
def test_moving_to_an_archived_group_is_refused_and_changes_nothing(admin_client, group, student, instructor):
    archived = GroupFactory(name="Old class", instructors=[instructor])
    archived.set_archived(True)
    membership = Membership.objects.get(group=group, student=student)
    refused = admin_client.post(
        changelist("classroom_membership"),
        {
            "action": "move_to_group",
            "_selected_action": [membership.pk],
            "apply": "1",
            "to_group": archived.pk,
        },
    )
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert list(Membership.objects.filter(student=student).values_list("group", flat=True)) == [group.pk]


@pytest.mark.django_db
def test_deleting_a_membership_in_the_admin_removes_the_student_through_the_action(
    admin_client, group, student, thread
):
    before = Assignment.objects.get(pk=thread.pk)
    membership = Membership.objects.get(group=group, student=student)
    admin_client.post(reverse("admin:classroom_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert not Membership.objects.filter(pk=membership.pk).exists()
    after = Assignment.objects.get(pk=thread.pk)
    assert after.version > before.version and after.epoch != before.epoch


@pytest.mark.django_db
def test_adding_a_membership_in_the_admin_joins_through_the_action(admin_client, group, outsider, thread):
    before = Assignment.objects.get(pk=thread.pk).version
    admin_client.post(reverse("admin:classroom_membership_add"), {"student": outsider.pk, "group": group.pk})
    assert Membership.objects.filter(group=group, student=outsider).exists()
    assert Assignment.objects.get(pk=thread.pk).version > before


@pytest.mark.django_db
def test_hiding_a_response_goes_through_the_moderation_action(admin_client, admin, thread, student):
    answer = make_response(thread, student, body="Something to hide.")
    before = Assignment.objects.get(pk=thread.pk).version
    asked = run_action(admin_client, "classroom_response", "hide", [answer])
    assert "reason" in asked.content.decode()
    refused = admin_client.post(
        changelist("classroom_response"),
        {"action": "hide", "_selected_action": [answer.pk], "apply": "1", "reason": ""},
    )
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    assert Response.objects.get(pk=answer.pk).hidden_at is None
    admin_client.post(
        changelist("classroom_response"),
        {"action": "hide", "_selected_action": [answer.pk], "apply": "1", "reason": "Off topic"},
    )
    hidden = Response.objects.get(pk=answer.pk)
    assert hidden.hidden_at is not None and hidden.hidden_reason == "Off topic" and hidden.hidden_by == admin
    thread.refresh_from_db()
    assert thread.version > before and hidden.version == thread.version
    event = ModerationEvent.objects.get(response=answer)
    assert (event.action, event.actor, event.reason) == ("hide", admin, "Off topic")


@pytest.mark.django_db
def test_response_bodies_are_read_only_in_the_admin(admin_client, thread, student):
    answer = make_response(thread, student, body="The original words.")
    admin_client.post(reverse("admin:classroom_response_change", args=[answer.pk]), {"body": "Changed"})
    assert Response.objects.get(pk=answer.pk).body == "The original words."
    assert admin_client.get(reverse("admin:classroom_response_add")).status_code == 403


@pytest.mark.django_db
def test_deleting_a_response_in_the_admin_starts_a_new_epoch(admin_client, thread, student):
    answer = make_response(thread, student)
    before = Assignment.objects.get(pk=thread.pk).epoch
    admin_client.post(reverse("admin:classroom_response_delete", args=[answer.pk]), {"post": "yes"})
    assert not Response.objects.filter(pk=answer.pk).exists()
    assert Assignment.objects.get(pk=thread.pk).epoch != before


@pytest.mark.django_db
def test_a_set_password_link_made_in_the_admin_is_shown_once_and_logged(admin_client, admin, group, student):
    membership = Membership.objects.get(group=group, student=student)
    page = run_action(admin_client, "classroom_membership", "make_set_password_link", [membership])
    html = page.content.decode()
    link = re.search(r"https?://[^<\s]+/set-password/[^<\s]+|https?://testserver/[^<\s]+", html)
    assert page.status_code == 200 and link
    logged = SetPasswordLink.objects.get()
    assert (logged.student, logged.group, logged.made_by) == (student, group, admin)
    new_password = "a-long-new-passphrase-42"
    anonymous = client_for(None)
    form = anonymous.get(link.group(0), follow=True)
    assert form.status_code == 200
    anonymous.post(form.redirect_chain[-1][0] if form.redirect_chain else link.group(0),
                   {"new_password1": new_password, "new_password2": new_password})  # fmt: skip
    student.refresh_from_db()
    assert student.check_password(new_password)


@pytest.mark.django_db
def test_no_set_password_link_for_a_staff_account(admin_client, group):
    staff = UserFactory(username="helper", is_staff=True)
    membership = Membership.objects.create(group=group, student=staff)
    answer = run_action(admin_client, "classroom_membership", "make_set_password_link", [membership])
    assert answer.status_code == 302
    assert not SetPasswordLink.objects.exists()


@pytest.mark.django_db
def test_switching_off_an_account_logs_it_out(admin_client, student):
    logged_in = client_for(student)
    assert logged_in.get(reverse("classroom:home")).status_code == 200
    run_action(admin_client, "classroom_user", "deactivate", [student])
    student.refresh_from_db()
    assert not student.is_active
    answer = logged_in.get(reverse("classroom:home"))
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_an_admin_cannot_switch_off_their_own_account(admin_client, admin):
    run_action(admin_client, "classroom_user", "deactivate", [admin])
    admin.refresh_from_db()
    assert admin.is_active


@pytest.mark.django_db
def test_editing_a_threads_rules_in_the_admin_bumps_its_version(admin_client, thread):
    before = Assignment.objects.get(pk=thread.pk)
    url = reverse("admin:classroom_assignment_change", args=[thread.pk])
    html = admin_client.get(url).content.decode()
    assert thread.get_absolute_url() in html
    data = {
        "opens_at_0": before.opens_at.strftime("%Y-%m-%d"), "opens_at_1": before.opens_at.strftime("%H:%M:%S"),
        "due_at_0": "", "due_at_1": "", "min_words": 25, "replies_required": 1, "points": 10,
        "post_first": "on", "evidence": "on", "stance_labels": "", "reveal_quorum": "",
    }  # fmt: skip
    answer = admin_client.post(url, data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    after = Assignment.objects.get(pk=thread.pk)
    assert after.min_words == 25 and after.version > before.version


@pytest.mark.django_db
def test_admin_refuses_a_look_alike_username_when_adding_a_user(admin_client):
    UserFactory(username="ana")
    answer = admin_client.post(
        reverse("admin:classroom_user_add"),
        {"username": "\u0430na", "password1": "", "password2": "", "usable_password": "false"},
    )
    assert answer.status_code == 200
    assert str(names.MIXED_SCRIPTS) in answer.content.decode()
    assert User.objects.count() == 2  # ana and the admin


@pytest.mark.django_db
def test_admin_refuses_renaming_a_user_to_a_look_alike(admin_client, student):
    UserFactory(username="pepe")
    url = reverse("admin:classroom_user_change", args=[student.pk])
    answer = admin_client.post(
        url,
        {
            "username": "\u0440\u0435\u0440\u0435", "first_name": "Sam", "last_name": "Student", "email": "",
            "is_active": "on", "date_joined_0": "2025-01-01", "date_joined_1": "10:00:00",
        },
    )  # fmt: skip
    assert answer.status_code == 200
    assert "looks too much like one that is" in answer.content.decode()
    student.refresh_from_db()
    assert student.username == "sam"
