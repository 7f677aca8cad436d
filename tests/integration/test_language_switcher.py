"""The language switcher on the pages a person sees before signing in."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

LOGIN_URL = reverse("login")
JOIN_URL = reverse("classroom:join_start")
SETLANG_URL = reverse("set_language")


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.parametrize("url", [LOGIN_URL, JOIN_URL])
def test_the_switcher_offers_every_language_in_its_own_name_and_comes_back_here(client, db, url):
    page = client.get(url).content.decode()

    assert page.count(f'action="{SETLANG_URL}"') == 1, "one switcher: in the card, not again in the footer"
    assert f'name="next" value="{url}"' in page
    assert '<label for="language-switcher-page">Language</label>' in page
    for code, _name in settings.LANGUAGES:
        assert f'value="{code}" lang="{code}"' in page
    assert ">Русский</option>" in page
    assert ">Español</option>" in page
    assert ">Українська</option>" in page


def test_a_signed_out_page_without_its_own_switcher_has_one_in_the_footer(client, db):
    page = client.get(reverse("password_reset")).content.decode()

    assert page.count(f'action="{SETLANG_URL}"') == 1
    assert 'id="language-switcher-footer"' in page


def test_a_signed_in_page_has_no_switcher(client, student):
    client.force_login(student)

    page = client.get(reverse("classroom:home")).content.decode()

    assert f'action="{SETLANG_URL}"' not in page


@pytest.mark.parametrize("url", [LOGIN_URL, JOIN_URL])
def test_choosing_russian_sends_the_person_back_with_the_page_in_russian(client, db, url):
    assert html_lang(client.get(url)) == "en"

    response = client.post(SETLANG_URL, {"language": "ru", "next": url}, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert html_lang(response) == "ru"
    assert 'value="ru" lang="ru" selected' in response.content.decode()
    # The choice stays for the next page too.
    assert html_lang(client.get(reverse("password_reset"))) == "ru"


def test_a_language_that_is_not_offered_changes_nothing(client, db):
    response = client.post(SETLANG_URL, {"language": "xx", "next": LOGIN_URL}, follow=True)

    assert response.status_code == 200
    assert html_lang(response) == "en"
