"""Joining a group with a code: typing it, signing up, or joining as a logged-in student."""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.urls import reverse

from classroom.models import Membership

START_URL = reverse("classroom:join_start")
HOME_URL = reverse("classroom:home")

User = get_user_model()


@pytest.fixture
def coded_group(group):
    """`group` with a known join code."""
    group.join_code = "ABCDEFGH"
    group.save()
    return group


def join_url(code):
    return reverse("classroom:join_group", args=[code])


def signup_data(**changes):
    data = {
        "first_name": "Nora",
        "last_name": "Newcomer",
        "username": "nora",
        "password": "a-long-and-unusual-passphrase",
    }
    data.update(changes)
    return data


# ---- typing the code --------------------------------------------------------


def test_anonymous_visitor_sees_the_code_form_without_logging_in(client, db):
    response = client.get(START_URL)
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


@pytest.mark.parametrize("typed", ["ABCDEFGH", "abcdefgh", "abcd-efgh", " AbCd EfGh ", "ab-cd ef-gh"])
def test_code_in_any_case_with_spaces_or_dashes_redirects_to_its_join_page(client, coded_group, typed):
    response = client.post(START_URL, {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == join_url("ABCDEFGH")


def test_code_in_the_query_string_redirects_too(client, coded_group):
    response = client.get(START_URL, {"code": "abcd-efgh"})
    assert response["Location"] == join_url("ABCDEFGH")


@pytest.mark.parametrize("role", ["student", "outsider", "instructor", "other_instructor"])
def test_logged_in_people_can_type_a_code_too(client, request, role, coded_group):
    client.force_login(request.getfixturevalue(role))
    assert client.get(START_URL).status_code == 200
    assert client.post(START_URL, {"code": "abcd efgh"})["Location"] == join_url("ABCDEFGH")


def test_empty_code_is_an_inline_error(client, db):
    response = client.post(START_URL, {"code": " - - "})
    assert response.status_code == 200
    assert "Type the code your teacher gave you." in response.content.decode()


def test_wrong_code_says_no_group_has_that_code_with_404(client, coded_group):
    response = client.post(START_URL, {"code": "zzzz-zzzz"}, follow=True)
    assert response.redirect_chain == [(join_url("ZZZZZZZZ"), 302)]
    assert response.status_code == 404
    html = response.content.decode()
    assert "No group has the code <strong>ZZZZZZZZ</strong>" in html
    assert 'name="code"' in html


def test_wrong_code_is_404_for_logged_in_students_too(student_client, coded_group):
    for method in ("get", "post"):
        response = getattr(student_client, method)(join_url("ZZZZZZZZ"))
        assert response.status_code == 404
        assert "ZZZZZZZZ" in response.content.decode()


def test_join_link_accepts_the_code_in_any_case_and_with_dashes(client, coded_group):
    response = client.get(join_url("abcd-efgh"))
    assert response.status_code == 200
    assert "Join Period 3" in response.content.decode()


# ---- signing up -------------------------------------------------------------


def test_anonymous_visitor_sees_group_teacher_signup_form_and_login_link(client, coded_group):
    response = client.get(join_url("ABCDEFGH"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Join Period 3" in html
    assert "Taught by <bdi>Tess Teacher</bdi>" in html
    for field in ("first_name", "last_name", "username", "password"):
        assert f'name="{field}"' in html
    assert f'href="{reverse("login")}?next={join_url("ABCDEFGH")}"' in html


def test_signup_logs_in_and_lands_on_home_as_a_member(client, coded_group):
    response = client.post(join_url("ABCDEFGH"), signup_data(), follow=True)
    assert response.redirect_chain == [(HOME_URL, 302)]
    nora = User.objects.get(username="nora")
    assert (nora.first_name, nora.last_name, nora.is_instructor) == ("Nora", "Newcomer", False)
    assert nora.check_password("a-long-and-unusual-passphrase")
    assert client.session[SESSION_KEY] == str(nora.pk)
    assert Membership.objects.filter(group=coded_group, student=nora).exists()
    html = response.content.decode()
    assert "Welcome to Agora, Nora! You are in Period 3." in html
    assert "Hello, <bdi>Nora" in html


def test_weak_password_is_an_inline_error_that_keeps_what_was_typed(client, coded_group):
    response = client.post(join_url("ABCDEFGH"), signup_data(password="password"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This password is too common." in html
    assert 'value="Nora"' in html
    assert 'value="Newcomer"' in html
    assert 'value="nora"' in html
    assert not User.objects.filter(username="nora").exists()
    assert SESSION_KEY not in client.session


def test_password_like_the_username_is_refused(client, coded_group):
    response = client.post(join_url("ABCDEFGH"), signup_data(username="bartholomew", password="bartholomew1"))
    assert response.status_code == 200
    assert "too similar to the username" in response.content.decode()
    assert not User.objects.filter(username="bartholomew").exists()


def test_taken_username_is_an_inline_error_that_keeps_what_was_typed(client, coded_group, outsider):
    response = client.post(join_url("ABCDEFGH"), signup_data(username="olly"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("A user with that username already exists.") == 1
    assert 'value="Nora"' in html
    assert 'value="olly"' in html
    assert User.objects.filter(username="olly").count() == 1
    assert not Membership.objects.filter(group=coded_group, student=outsider).exists()


def test_names_are_required_to_sign_up(client, coded_group):
    response = client.post(join_url("ABCDEFGH"), signup_data(first_name="", last_name=""))
    assert response.status_code == 200
    assert response.content.decode().count("This field is required.") == 2
    assert not User.objects.filter(username="nora").exists()


def test_signup_with_an_archived_groups_code_is_refused(client, coded_group):
    coded_group.set_archived(True)
    response = client.post(join_url("ABCDEFGH"), signup_data())
    assert response.status_code == 404
    assert not User.objects.filter(username="nora").exists()


# ---- logged-in students -----------------------------------------------------


def test_logged_in_student_sees_a_one_button_join_page(client, coded_group, outsider):
    client.force_login(outsider)
    response = client.get(join_url("ABCDEFGH"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "signed in as <strong><bdi>Olly Outsider</bdi></strong>" in html
    assert 'name="password"' not in html
    assert not Membership.objects.filter(group=coded_group, student=outsider).exists()


def test_logged_in_student_joins_with_one_post(client, coded_group, outsider):
    client.force_login(outsider)
    response = client.post(join_url("abcd-efgh"), follow=True)
    assert response.redirect_chain == [(HOME_URL, 302)]
    assert Membership.objects.filter(group=coded_group, student=outsider).exists()
    assert "Welcome to Period 3!" in response.content.decode()


def test_joining_twice_is_harmless_and_says_already_in(student_client, coded_group, student):
    response = student_client.post(join_url("ABCDEFGH"), follow=True)
    assert response.redirect_chain == [(HOME_URL, 302)]
    assert "You are already in Period 3." in response.content.decode()
    assert Membership.objects.filter(group=coded_group, student=student).count() == 1


def test_instructor_of_the_group_cannot_join_it_as_a_student(instructor_client, coded_group, instructor):
    response = instructor_client.post(join_url("ABCDEFGH"), follow=True)
    assert response.redirect_chain == [(HOME_URL, 302)]
    assert "You teach this group, so you cannot join it as a student." in response.content.decode()
    assert not Membership.objects.filter(group=coded_group, student=instructor).exists()


def test_co_instructor_cannot_join_the_group_as_a_student(client, coded_group, other_instructor):
    coded_group.instructors.add(other_instructor)
    client.force_login(other_instructor)
    client.post(join_url("ABCDEFGH"))
    assert not Membership.objects.filter(group=coded_group, student=other_instructor).exists()


def test_other_instructor_sees_the_join_page(client, coded_group, other_instructor):
    client.force_login(other_instructor)
    assert client.get(join_url("ABCDEFGH")).status_code == 200


def test_archived_groups_code_is_refused_for_logged_in_students(client, coded_group, outsider):
    coded_group.set_archived(True)
    client.force_login(outsider)
    for method in ("get", "post"):
        response = getattr(client, method)(join_url("ABCDEFGH"))
        assert response.status_code == 404
        assert "No group has the code" in response.content.decode()
    assert not Membership.objects.filter(group=coded_group, student=outsider).exists()


def test_join_page_only_answers_get_and_post(client, coded_group):
    assert client.put(join_url("ABCDEFGH")).status_code == 405
    assert client.put(START_URL).status_code == 405


def test_username_taken_in_another_case_is_refused(client, coded_group, outsider):
    response = client.post(join_url("ABCDEFGH"), signup_data(username="Olly"))
    assert response.status_code == 200
    assert "A user with that username already exists." in response.content.decode()
    assert not User.objects.filter(username="Olly").exists()
