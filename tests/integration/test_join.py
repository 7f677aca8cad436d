"""Joining a group with a code: typing it, signing up, or joining as a logged-in student."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.urls import reverse
from django.utils import timezone

from classroom.models import Membership
from tests.factories import AssignmentFactory, UserFactory

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
        "name": "Nora Newcomer",
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
    for field in ("name", "username", "password"):
        assert f'name="{field}"' in html
    assert f'href="{reverse("login")}?next={join_url("ABCDEFGH")}"' in html


def test_signup_logs_in_and_lands_on_home_as_a_member(client, coded_group):
    """No discussion is open in the group: home, with a message saying so."""
    response = client.post(join_url("ABCDEFGH"), signup_data(), follow=True)
    assert response.redirect_chain == [(HOME_URL, 302)]
    nora = User.objects.get(username="nora")
    assert (nora.first_name, nora.last_name, nora.is_instructor) == ("Nora", "Newcomer", False)
    assert nora.check_password("a-long-and-unusual-passphrase")
    assert client.session[SESSION_KEY] == str(nora.pk)
    assert Membership.objects.filter(group=coded_group, student=nora).exists()
    html = response.content.decode()
    assert "Welcome to Agora, Nora! You are in Period 3. Your username is nora" in html
    assert "No discussion is open in Period 3 yet" in html
    assert "Hello, <bdi>Nora" in html


def test_weak_password_is_an_inline_error_that_keeps_what_was_typed(client, coded_group):
    response = client.post(join_url("ABCDEFGH"), signup_data(password="password"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This password is too common." in html
    assert 'value="Nora Newcomer"' in html
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
    assert 'value="Nora Newcomer"' in html
    assert 'value="olly"' in html
    assert User.objects.filter(username="olly").count() == 1
    assert not Membership.objects.filter(group=coded_group, student=outsider).exists()


def test_a_name_is_required_to_sign_up(client, coded_group):
    response = client.post(join_url("ABCDEFGH"), signup_data(name="   "))
    assert response.status_code == 200
    assert "Write your name, so your teacher knows who you are." in response.content.decode()
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


# ---- the short way in: a name, a password, and the discussion -----------------------

PASSWORD = "a-long-and-unusual-passphrase"


def test_name_and_password_are_enough_the_username_comes_from_the_name(client, coded_group):
    response = client.post(join_url("ABCDEFGH"), {"name": "  Ana   Lima ", "password": PASSWORD}, follow=True)
    ana = User.objects.get(username="ana.lima")
    assert (ana.first_name, ana.last_name) == ("Ana", "Lima")
    assert Membership.objects.filter(group=coded_group, student=ana).exists()
    assert "Your username is ana.lima: you log in with it and your password." in response.content.decode()


def test_a_longer_name_keeps_the_first_word_as_first_name_and_accents_leave_the_username(client, coded_group):
    client.post(join_url("ABCDEFGH"), {"name": "José María da Silva", "password": PASSWORD})
    jose = User.objects.get(username="jose.maria.da.silva")
    assert (jose.first_name, jose.last_name, jose.display_name) == (
        "José",
        "María da Silva",
        "José María da Silva",
    )


def test_the_suggested_username_takes_the_next_free_number(client, coded_group):
    UserFactory(username="ana.lima")
    UserFactory(username="Ana.Lima2")  # taken in another case is taken
    client.post(join_url("ABCDEFGH"), {"name": "Ana Lima", "password": PASSWORD})
    assert User.objects.filter(username="ana.lima3", first_name="Ana").exists()


def test_an_untouched_suggestion_taken_meanwhile_becomes_the_next_free_one(client, coded_group):
    data = {"name": "Ana Lima", "suggested": "ana.lima", "username": "ana.lima", "password": PASSWORD}
    UserFactory(username="ana.lima")  # somebody signed up as ana.lima after the page suggested it
    response = client.post(join_url("ABCDEFGH"), data, follow=True)
    assert User.objects.filter(username="ana.lima2", first_name="Ana").exists()
    assert "Your username is ana.lima2" in response.content.decode()


def test_a_username_the_student_chose_is_kept_or_refused_never_changed(client, coded_group, outsider):
    data = {"name": "Ana Lima", "suggested": "ana.lima", "username": "olly", "password": PASSWORD}
    response = client.post(join_url("ABCDEFGH"), data)
    assert "A user with that username already exists." in response.content.decode()
    assert not User.objects.filter(first_name="Ana").exists()
    client.post(join_url("ABCDEFGH"), data | {"username": "ana_l"})
    assert User.objects.filter(username="ana_l", first_name="Ana").exists()


def test_a_cyrillic_name_gets_its_username_spelled_in_latin(client, coded_group):
    client.post(join_url("ABCDEFGH"), {"name": "Мария Иванова", "password": PASSWORD})
    assert User.objects.get(username="mariia.ivanova").first_name == "Мария"


def test_a_name_with_no_latin_spelling_gets_a_plain_username(client, coded_group):
    client.post(join_url("ABCDEFGH"), {"name": "王小明", "password": PASSWORD})
    assert User.objects.get(username="student").first_name == "王小明"


def suggest(client, **params):
    return client.get(join_url("ABCDEFGH"), params, headers={"HX-Request": "true"})


def test_typing_the_name_shows_the_suggested_username_in_a_partial(client, coded_group):
    UserFactory(username="ana.lima")
    response = suggest(client, name="Ana Lima", username="", suggested="")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="username-field"' in html
    assert 'value="ana.lima2"' in html
    assert 'name="suggested" value="ana.lima2"' in html
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_the_suggestion_follows_the_name_until_the_student_writes_their_own(client, coded_group):
    assert (
        'value="ana.lima"'
        in suggest(client, name="Ana Lima", username="ana", suggested="ana").content.decode()
    )
    kept = suggest(client, name="Ana Lima", username="mine", suggested="ana").content.decode()
    assert 'value="mine"' in kept
    assert "ana.lima" not in kept
    empty = suggest(client, name=" - ", username="", suggested="").content.decode()
    assert 'name="username" value=' not in empty


def test_signup_lands_in_the_groups_one_open_discussion(client, coded_group, thread):
    later = AssignmentFactory(group=coded_group, opens_at=timezone.now() + timedelta(days=1))
    locked = AssignmentFactory(group=coded_group, locked_at=timezone.now())
    response = client.post(join_url("ABCDEFGH"), {"name": "Ana Lima", "password": PASSWORD}, follow=True)
    assert response.redirect_chain == [(thread.get_absolute_url(), 302)]
    html = response.content.decode()
    assert "Welcome to Agora, Ana! You are in Period 3." in html
    assert 'name="body"' in html  # the answer box, ready
    assert later.brief.title not in html and locked.pk


def test_signup_with_several_open_discussions_lands_home_saying_so(client, coded_group, thread):
    AssignmentFactory(group=coded_group)
    response = client.post(join_url("ABCDEFGH"), {"name": "Ana Lima", "password": PASSWORD}, follow=True)
    assert response.redirect_chain == [(HOME_URL, 302)]
    html = response.content.decode()
    assert "Period 3 has 2 open discussions: pick one below." in html
    assert thread.brief.title in html


def test_logged_in_student_joining_lands_in_the_discussion(client, coded_group, thread, outsider):
    client.force_login(outsider)
    response = client.post(join_url("ABCDEFGH"), follow=True)
    assert response.redirect_chain == [(thread.get_absolute_url(), 302)]
    assert "Welcome to Period 3!" in response.content.decode()


def test_a_member_opening_the_link_again_lands_in_the_discussion(student_client, coded_group, thread):
    response = student_client.post(join_url("ABCDEFGH"), follow=True)
    assert response.redirect_chain == [(thread.get_absolute_url(), 302)]
    assert "You are already in Period 3." in response.content.decode()
