"""The profile page: everyone's own name and email, a way to the password change, and the
header's "Signed in as" leading to it."""

import pytest
from django.urls import reverse

URL = reverse("classroom:profile_edit")
ROLES = ["outsider", "member", "other_instructor", "owner"]


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    for method in (client.get, client.post):
        response = method(URL)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_their_own_profile_and_nobody_elses(role, as_role, people, group):
    me = people[role]
    html = as_role(role).get(URL).content.decode()
    assert f"<code>{me.username}</code>" in html
    assert f'value="{me.first_name}"' in html
    assert f'href="{reverse("password_change")}"' in html
    others = {people[r].username for r in ROLES if people[r] != me}
    assert not any(f"<code>{name}</code>" in html for name in others)


@pytest.mark.parametrize("role", ROLES)
def test_the_header_links_to_the_profile(role, as_role, group):
    html = as_role(role).get(reverse("classroom:home")).content.decode()
    assert f'<a href="{URL}"' in html and "Signed in as" in html


def test_a_student_saves_a_name_and_an_email_and_may_leave_the_email_empty(student_client, student):
    saved = student_client.post(
        URL, {"first_name": " Samira ", "last_name": "Stone", "email": "Sam@School.EXAMPLE"}
    )
    assert saved.status_code == 302 and saved["Location"] == URL
    student.refresh_from_db()
    assert (student.first_name, student.last_name, student.email) == ("Samira", "Stone", "Sam@school.example")
    assert "Your profile is saved." in student_client.get(URL).content.decode()

    student_client.post(URL, {"first_name": "Samira", "last_name": "Stone", "email": ""})
    student.refresh_from_db()
    assert student.email == ""


def test_a_student_is_told_the_email_is_optional_and_what_it_is_for(student_client):
    html = student_client.get(URL).content.decode()
    assert "Email (optional)" in html and "set-password link" in html


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (
            {"first_name": "Sam", "last_name": "Student", "email": "not-an-address"},
            "Enter a valid email address.",
        ),
        ({"first_name": "", "last_name": "Student", "email": ""}, "This field is required."),
        ({"first_name": "S" * 151, "last_name": "Student", "email": ""}, "at most 150 characters"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(student_client, student, data, says):
    before = (student.first_name, student.last_name, student.email)
    response = student_client.post(URL, data)
    assert response.status_code == 200
    assert says in response.content.decode()
    student.refresh_from_db()
    assert (student.first_name, student.last_name, student.email) == before


def test_an_instructor_must_keep_an_email(instructor_client, instructor):
    instructor.email = "tess@school.example"
    instructor.save()
    response = instructor_client.post(URL, {"first_name": "Tess", "last_name": "Teacher", "email": ""})
    assert response.status_code == 200
    assert "Instructors need an email address" in response.content.decode()
    instructor.refresh_from_db()
    assert instructor.email == "tess@school.example"


def test_the_profile_page_has_labelled_fields(student_client):
    html = student_client.get(URL).content.decode()
    for field in ("first_name", "last_name", "email"):
        assert f'<label for="id_{field}">' in html


def test_the_profile_page_makes_few_queries(student_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert student_client.get(URL).status_code == 200
