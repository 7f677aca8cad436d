"""Each person's language: chosen on the profile, else the browser's; a new account starts in
the language of the page that made it."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

PROFILE = reverse("classroom:profile_edit")
HOME = reverse("classroom:home")

User = get_user_model()


def profile_data(user, **changes):
    data = {"first_name": user.first_name or "Sam", "last_name": user.last_name or "Student", "email": ""}
    data.update(changes)
    return data


def test_a_chosen_language_wins_over_the_browsers_and_says_so(student_client, student):
    saved = student_client.post(PROFILE, profile_data(student, language="ru"), HTTP_ACCEPT_LANGUAGE="de")
    assert saved.status_code == 302
    student.refresh_from_db()
    assert student.language == "ru"
    page = student_client.get(HOME, HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="ru"' in page.content.decode()
    assert page["Content-Language"] == "ru"


def test_following_the_browser_again_uses_the_browsers_language(student_client, student):
    student.language = "uk"
    student.save()
    student_client.post(PROFILE, profile_data(student, language=""))
    student.refresh_from_db()
    assert student.language == ""
    page = student_client.get(HOME, HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    assert '<html lang="es"' in page.content.decode() and page["Content-Language"] == "es"


def test_the_profile_offers_each_language_named_in_itself(student_client):
    html = student_client.get(PROFILE).content.decode()
    assert 'name="language"' in html
    assert ">Русский<" in html and ">Українська<" in html and ">Español<" in html


def test_a_language_agora_does_not_ship_is_refused_with_a_message(student_client, student):
    page = student_client.post(PROFILE, profile_data(student, language="xx"))
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()
    student.refresh_from_db()
    assert student.language == ""


def test_a_new_student_who_joins_starts_in_the_join_pages_language(client, group):
    group.join_code = "ABCDEFGH"
    group.save()
    url = reverse("classroom:join_group", args=["ABCDEFGH"])
    data = {"name": "Nina Novak", "username": "nina", "password": "a-long-and-unusual-passphrase"}
    joined = client.post(url, data, HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en;q=0.5")
    assert joined.status_code == 302, joined.content.decode()[:500]
    assert User.objects.get(username="nina").language == "ru"


def test_a_roster_import_starts_new_students_in_the_teachers_language(group, instructor):
    client = Client()
    client.force_login(instructor)
    text = "username,name,email\nnewbie,Nora Newbie,nora@school.example\n"
    done = client.post(
        reverse("classroom:roster_import", args=[group.pk]),
        {"step": "confirm", "text": text},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert done.status_code == 200
    assert User.objects.get(username="newbie").language == "fr"


@pytest.mark.parametrize("choice", ["de", ""])
def test_the_poll_answers_in_the_readers_language(choice, student_client, student):
    # The poll activates the person itself (no session read on its fast path): same language.
    student.language = choice
    student.save()
    page = student_client.get(HOME, HTTP_ACCEPT_LANGUAGE="fr")
    assert page["Content-Language"] == (choice or "fr")
