"""Set-password links: an instructor makes a one-time link for a student of their group who
has no email, hands it over, and the student sets a password with it (once, within 72 h)."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from classroom.models import Membership, SetPasswordLink
from classroom.tokens import SetPasswordLinkTokenGenerator
from tests.factories import GroupFactory, InstructorFactory

NEW_PASSWORD = "a-long-new-passphrase-42"


def link_page_url(group, student) -> str:
    return reverse("classroom:set_password_link_create", args=[group.pk, student.pk])


def make_link(client, group, student) -> str:
    """The path of the link the instructor's page shows."""
    response = client.post(link_page_url(group, student))
    assert response.status_code == 200
    match = re.search(
        r'readonly rows="3" class="link-field" spellcheck="false">http://testserver(/accounts/set-password/[\w-]+/[\w-]+/)</textarea>',
        response.content.decode(),
    )
    assert match, response.content.decode()
    return match.group(1)


def set_password(path: str, password: str = NEW_PASSWORD) -> tuple[Client, object]:
    browser = Client()
    opened = browser.get(path, follow=True)
    if 'name="new_password1"' not in opened.content.decode():
        return browser, opened
    form_url = opened.redirect_chain[-1][0]
    return browser, browser.post(form_url, {"new_password1": password, "new_password2": password})


def logs_in(username: str, password: str) -> bool:
    return Client().post(reverse("login"), {"username": username, "password": password}).status_code == 302


# ---- each role ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "other_instructor", "admin"])
def test_only_the_groups_instructors_reach_the_link_page(role, as_role, group, student):
    client = as_role(role)
    for method in (client.get, client.post):
        response = method(link_page_url(group, student))
        if role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        else:
            assert response.status_code == 404, (role, method)
    assert not SetPasswordLink.objects.exists()


@pytest.mark.parametrize("role", ["owner", "co_instructor"])
def test_the_groups_instructors_see_what_the_link_does_before_making_it(role, as_role, group, student):
    html = as_role(role).get(link_page_url(group, student)).content.decode()
    assert "Make the link" in html and "72 hours" in html
    assert "/accounts/set-password/" not in html
    assert not SetPasswordLink.objects.exists()


def test_a_student_of_another_teachers_group_is_a_404(instructor_client, group, outsider, other_instructor):
    GroupFactory(instructors=[other_instructor], students=[outsider])
    assert instructor_client.get(link_page_url(group, outsider)).status_code == 404
    assert instructor_client.post(link_page_url(group, outsider)).status_code == 404
    other_group = outsider.memberships.get().group
    assert instructor_client.post(link_page_url(other_group, outsider)).status_code == 404
    assert not SetPasswordLink.objects.exists()


def test_a_removed_student_is_a_404(instructor_client, group, student):
    Membership.objects.filter(student=student).delete()
    assert instructor_client.post(link_page_url(group, student)).status_code == 404


def test_no_link_for_an_instructor_or_staff_account_in_the_group(instructor_client, group, admin, caplog):
    colleague = InstructorFactory(username="colleague")
    for account in (colleague, admin):
        Membership.objects.create(group=group, student=account)
        assert (
            "has an instructor or staff account"
            in instructor_client.get(link_page_url(group, account)).content.decode()
        )
        refused = instructor_client.post(link_page_url(group, account), follow=True)
        assert refused.status_code == 200
        assert "has an instructor or staff account" in refused.content.decode()
    assert not SetPasswordLink.objects.exists()


# ---- the link ------------------------------------------------------------------------------


def test_the_link_sets_the_password_once_and_the_student_logs_in_with_it(
    instructor_client, group, student, password
):
    path = make_link(instructor_client, group, student)
    _, done = set_password(path)
    assert done["Location"] == reverse("password_reset_complete")
    assert logs_in("sam", NEW_PASSWORD)
    assert not logs_in("sam", password)
    _, again = set_password(path, "another-passphrase-77")
    assert "This link no longer works" in again.content.decode()
    assert "3 days" in again.content.decode()
    assert logs_in("sam", NEW_PASSWORD)


def test_the_page_says_the_link_works_once_for_72_hours(instructor_client, group, student):
    html = instructor_client.post(link_page_url(group, student)).content.decode()
    assert "It works <strong>once</strong>" in html and "(72 hours)" in html
    assert 'for="set-password-link"' in html  # the field has a label


def test_a_password_change_by_another_route_ends_the_link(instructor_client, group, student):
    path = make_link(instructor_client, group, student)
    student.set_password("changed-elsewhere-99")
    student.save()
    _, page = set_password(path)
    assert "This link no longer works" in page.content.decode()


def test_the_link_expires_after_72_hours(instructor_client, group, student):
    path = make_link(instructor_client, group, student)
    later = SetPasswordLinkTokenGenerator._now(None) + timedelta(hours=72, minutes=1)
    with mock.patch.object(SetPasswordLinkTokenGenerator, "_now", return_value=later):
        _, page = set_password(path)
    assert "This link no longer works" in page.content.decode()
    almost = SetPasswordLinkTokenGenerator._now(None) + timedelta(hours=71, minutes=59)
    with mock.patch.object(SetPasswordLinkTokenGenerator, "_now", return_value=almost):
        _, done = set_password(path)
    assert done["Location"] == reverse("password_reset_complete")


def test_an_emailed_reset_token_does_not_open_the_teachers_link_page(group, student):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(student.pk))
    path = reverse("set_password_link_confirm", args=[uid, default_token_generator.make_token(student)])
    _, page = set_password(path)
    assert "This link no longer works" in page.content.decode()


def test_mismatched_passwords_are_refused_and_the_link_still_works(
    instructor_client, group, student, password
):
    path = make_link(instructor_client, group, student)
    browser = Client()
    form_url = browser.get(path, follow=True).redirect_chain[-1][0]
    refused = browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": "something-else-12"})
    assert refused.status_code == 200 and "didn’t match" in refused.content.decode()
    student.refresh_from_db()
    assert student.check_password(password)  # (logging in would end the link: the token hashes last_login)
    assert SetPasswordLink.objects.get().used_at is None
    _, done = set_password(path)
    assert done["Location"] == reverse("password_reset_complete")


# ---- the log -------------------------------------------------------------------------------


def test_each_link_is_logged_and_shown_on_the_group_page_with_when_it_was_used(
    instructor_client, co_instructor_client, instructor, co_instructor, group, student
):
    path = make_link(instructor_client, group, student)
    make_link(co_instructor_client, group, student)
    links = list(SetPasswordLink.objects.order_by("pk"))
    assert [(link.student, link.made_by) for link in links] == [
        (student, instructor),
        (student, co_instructor),
    ]
    assert all(
        timedelta(hours=71, minutes=59) < link.expires_at - link.created_at <= timedelta(hours=72)
        for link in links
    )
    page = instructor_client.get(group.get_absolute_url()).content.decode()
    assert page.count('<th scope="row"><bdi>Sam Student</bdi></th>') == 1  # the roster row
    assert page.count('data-label="For"><bdi>Sam Student</bdi></td>') == 2  # two log rows
    assert "Tess Teacher" in page and "Cora Colleague" in page and "not yet" in page

    set_password(path)
    assert all(link.used_at is not None for link in SetPasswordLink.objects.all())
    assert "not yet" not in instructor_client.get(group.get_absolute_url()).content.decode()


def test_another_teachers_group_page_does_not_show_this_groups_links(
    instructor_client, other_instructor_client, other_instructor, group, student
):
    make_link(instructor_client, group, student)
    other_group = GroupFactory(instructors=[other_instructor], students=[student])
    page = other_instructor_client.get(other_group.get_absolute_url()).content.decode()
    assert "No set-password links made yet." in page


def test_group_page_queries_do_not_grow_with_logged_links(
    instructor_client, group, student, django_assert_max_num_queries
):
    for _ in range(30):
        make_link(instructor_client, group, student)
    with django_assert_max_num_queries(8):  # invitations and the set-password links log each cost one
        assert instructor_client.get(group.get_absolute_url()).status_code == 200


def test_the_reset_form_tells_students_without_email_to_ask_their_teacher(client, db):
    html = client.get(reverse("password_reset")).content.decode()
    assert (
        "If you joined with a class code and have no email, ask your teacher for a set-password link." in html
    )


def test_the_student_row_has_a_labelled_set_password_link_button(instructor_client, group, student):
    html = instructor_client.get(group.get_absolute_url()).content.decode()
    assert f'action="{link_page_url(group, student)}"' in html
    assert 'Set-password link<span class="visually-hidden"> for <bdi>Sam Student</bdi></span>' in html


def test_logging_in_with_the_current_password_ends_the_link_as_the_page_says(
    instructor_client, group, student, password
):
    path = make_link(instructor_client, group, student)
    assert logs_in("sam", password)
    _, page = set_password(path)
    assert "This link no longer works" in page.content.decode()
