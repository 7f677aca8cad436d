"""Co-teachers: a group's teachers add another instructor by username or email, and remove one."""

import re

import pytest
from django.urls import reverse

from tests.factories import InstructorFactory
from tests.helpers import client_for


def add_url(group):
    return reverse("classroom:group_instructor_add", args=[group.pk])


def remove_url(group, teacher):
    return reverse("classroom:group_instructor_remove", args=[group.pk, teacher.pk])


def teachers(group):
    return set(group.instructors.values_list("username", flat=True))


def add(client, group, who):
    return client.post(add_url(group), {"who": who}, follow=True).content.decode()


@pytest.mark.parametrize("typed", ["otherteacher", "OtherTeacher", " otherteacher@school.example "])
def test_a_teacher_adds_an_instructor_by_username_or_email(instructor_client, group, other_instructor, typed):
    html = add(instructor_client, group, typed)
    assert teachers(group) == {"teacher", "otherteacher"}
    assert "Added Omar Other: they now teach Period 3 with you." in html


def test_a_co_teacher_adds_and_removes_like_the_owner(
    client, group, co_instructor, other_instructor, instructor
):
    client.force_login(co_instructor)
    add(client, group, "otherteacher")
    assert teachers(group) == {"teacher", "coteacher", "otherteacher"}
    html = client.post(remove_url(group, instructor), follow=True).content.decode()
    assert "Tess Teacher no longer teaches Period 3." in html
    assert teachers(group) == {"coteacher", "otherteacher"}


def test_the_added_teacher_sees_the_group_exactly_as_the_owner(
    client, group, other_instructor, instructor, thread
):
    add(client_for(instructor), group, "otherteacher")
    pages = {}
    for teacher in (instructor, other_instructor):
        client.force_login(teacher)
        response = client.get(group.get_absolute_url())
        assert response.status_code == 200
        pages[teacher.username] = response.content.decode()
        assert client.get(thread.get_absolute_url()).status_code == 200
        assert client.get(reverse("classroom:assignment_report", args=[thread.pk])).status_code == 200
    # The same forms, to the same places: nothing an owner may do is missing for the co-teacher.
    actions = {name: sorted(re.findall(r'action="([^"]+)"', html)) for name, html in pages.items()}
    assert actions["teacher"] == actions["otherteacher"]
    assert "Sam Student" in pages["otherteacher"]
    assert group.join_code_display in pages["otherteacher"]


@pytest.mark.parametrize("typed", ["olly", "sam", "olly@school.example", "nobody", "nobody@school.example"])
def test_only_instructor_accounts_are_added_and_the_refusal_reveals_nobody(
    instructor_client, group, outsider, typed
):
    html = add(instructor_client, group, typed)
    assert f"No instructor account has the username or email “{typed}”." in html
    assert teachers(group) == {"teacher"}
    for private in ("Olly", "Outsider", "olly@school.example" if "@" not in typed else "Olly"):
        assert private not in html.replace(typed, "")


def test_an_inactive_instructor_is_refused_like_nobody(instructor_client, group):
    InstructorFactory(username="gone", first_name="Gone", last_name="Away", is_active=False)
    html = add(instructor_client, group, "gone")
    assert "No instructor account has the username or email “gone”." in html
    assert "Gone Away" not in html
    assert teachers(group) == {"teacher"}


def test_an_email_two_instructors_share_asks_for_the_username(instructor_client, group):
    for name in ("twin1", "twin2"):
        InstructorFactory(username=name, email="office@school.example")
    html = add(instructor_client, group, "office@school.example")
    assert "More than one instructor account uses that email: type the username." in html
    assert teachers(group) == {"teacher"}


@pytest.mark.parametrize("typed", ["", "   ", "x" * 300])
def test_bad_input_is_a_message_and_changes_nothing(instructor_client, group, typed):
    response = instructor_client.post(add_url(group), {"who": typed}, follow=True)
    assert response.status_code == 200
    assert 'class="message message-error"' in response.content.decode()
    assert teachers(group) == {"teacher"}


def test_adding_a_teacher_twice_says_so(instructor_client, group, co_instructor):
    html = add(instructor_client, group, "coteacher")
    assert "Cora Colleague already teaches Period 3." in html
    assert teachers(group) == {"teacher", "coteacher"}


def test_the_last_teacher_cannot_be_removed(instructor_client, group, instructor):
    html = instructor_client.post(remove_url(group, instructor), follow=True).content.decode()
    assert "A group needs a teacher: add another before you remove the last one." in html
    assert teachers(group) == {"teacher"}


def test_a_teacher_who_removes_herself_goes_home_and_no_longer_sees_the_group(client, group, co_instructor):
    client.force_login(co_instructor)
    response = client.post(remove_url(group, co_instructor), follow=True)
    assert response.redirect_chain == [(reverse("classroom:home"), 302)]
    assert "You no longer teach Period 3." in response.content.decode()
    assert client.get(group.get_absolute_url()).status_code == 404


def test_removing_someone_who_does_not_teach_the_group_is_404(
    instructor_client, group, other_instructor, student
):
    for person in (other_instructor, student):
        assert instructor_client.post(remove_url(group, person)).status_code == 404
    assert teachers(group) == {"teacher"}


@pytest.mark.parametrize("role", ["anonymous", "outsider", "student", "other_instructor"])
def test_nobody_but_the_groups_teachers_adds_or_removes(request, role, group, instructor, other_instructor):
    co = InstructorFactory(username="second", first_name="Sid", last_name="Second")
    group.instructors.add(co)
    client = client_for(request.getfixturevalue(role))
    responses = [
        client.post(add_url(group), {"who": "otherteacher"}),
        client.post(remove_url(group, co)),
        client.post(remove_url(group, instructor)),
    ]
    for response in responses:
        if role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        else:
            assert response.status_code == 404
    assert teachers(group) == {"teacher", "second"}


def test_the_teacher_urls_answer_only_post(instructor_client, group, instructor):
    assert instructor_client.get(add_url(group)).status_code == 405
    assert instructor_client.get(remove_url(group, instructor)).status_code == 405


def test_group_page_lists_the_teachers_with_the_add_form(instructor_client, group, co_instructor):
    html = instructor_client.get(group.get_absolute_url()).content.decode()
    assert "Cora Colleague" in html
    assert f'action="{add_url(group)}"' in html
    assert f'action="{remove_url(group, co_instructor)}"' in html
    assert '<label for="id_who">Add a co-teacher</label>' in html
