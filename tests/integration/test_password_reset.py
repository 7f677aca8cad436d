"""Password reset by email: a working one-time link, and no hint whether an address has an account."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.helpers import without_csrf_tokens

NEW_PASSWORD = "a-long-new-passphrase-42"


def reset_url() -> str:
    return reverse("password_reset")


def link_in(message) -> str:
    """The path of the set-password link in an email."""
    match = re.search(r"http://testserver(/accounts/reset/[\w-]+/[\w-]+/)", message.body)
    assert match, message.body
    return match.group(1)


def request_reset(client, email):
    return client.post(reset_url(), {"email": email})


@pytest.fixture
def sam(db):
    return UserFactory(username="sam", first_name="Sam", last_name="Student", email="sam@school.example")


def test_reset_form_is_open_to_visitors_and_linked_from_login(client, db):
    response = client.get(reset_url())
    assert response.status_code == 200
    assert 'name="email"' in response.content.decode()
    assert f'href="{reset_url()}"' in client.get(reverse("login")).content.decode()


def test_reset_sends_one_email_with_a_link_to_the_account_address(client, sam, mailoutbox):
    response = request_reset(client, "sam@school.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["sam@school.example"]
    assert "Hello Sam Student" in message.body
    assert "(sam)" in message.body
    assert link_in(message)


def test_reset_email_address_is_matched_whatever_its_case(client, sam, mailoutbox):
    request_reset(client, "SAM@School.Example")
    assert [m.to for m in mailoutbox] == [["sam@school.example"]]


def test_reset_link_sets_a_password_once_and_the_student_logs_in(client, sam, mailoutbox):
    request_reset(client, "sam@school.example")
    path = link_in(mailoutbox[0])

    browser = Client()
    opened = browser.get(path, follow=True)
    assert "Set your password" in opened.content.decode()
    form_url = opened.redirect_chain[-1][0]
    assert "/set-password/" in form_url
    done = browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    assert "Your password is set" in browser.get(done["Location"]).content.decode()

    again = Client().get(path, follow=True).content.decode()
    assert "This link no longer works" in again
    assert 'name="new_password1"' not in again

    login = Client().post(reverse("login"), {"username": "sam", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert login["Location"] == reverse("classroom:home")
    sam.refresh_from_db()
    assert sam.check_password(NEW_PASSWORD)


def test_reset_link_with_a_wrong_token_does_not_work(client, sam, mailoutbox):
    request_reset(client, "sam@school.example")
    path = link_in(mailoutbox[0])
    forged = re.sub(r"/[\w-]+/$", "/abc-0123456789abcdef/", path)
    html = client.get(forged, follow=True).content.decode()
    assert "This link no longer works" in html


def test_mismatched_new_passwords_are_refused_and_the_link_still_works(client, sam, password, mailoutbox):
    request_reset(client, "sam@school.example")
    path = link_in(mailoutbox[0])
    browser = Client()
    form_url = browser.get(path, follow=True).redirect_chain[-1][0]
    refused = browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert refused.status_code == 200
    assert 'name="new_password1"' in refused.content.decode()
    sam.refresh_from_db()
    assert sam.check_password(password)


def test_unknown_email_gives_the_same_page_and_sends_nothing(client, sam, mailoutbox):
    known = request_reset(Client(), "sam@school.example")
    unknown = request_reset(Client(), "nobody@school.example")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert len(mailoutbox) == 1
    known_page = without_csrf_tokens(Client().get(known["Location"]).content.decode())
    unknown_page = without_csrf_tokens(Client().get(unknown["Location"]).content.decode())
    assert known_page == unknown_page
    assert "If an account uses that address" in unknown_page


def test_inactive_account_gets_no_email_and_the_same_page(client, db, mailoutbox):
    UserFactory(username="gone", email="gone@school.example", is_active=False)
    response = request_reset(client, "gone@school.example")
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []


def test_reset_pages_need_no_login(db):
    visitor = Client()
    for name in ("password_reset", "password_reset_done", "password_reset_complete"):
        assert visitor.get(reverse(name)).status_code == 200, name
