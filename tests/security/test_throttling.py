"""Login throttling per account and per address, and the posting rate limit per student."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from classroom import throttle
from classroom.models import Response
from tests.factories import UserFactory, make_response

HTMX = {"HX-Request": "true"}
LOGIN = "/accounts/login/"
START = 1_800_000_000.0  # the start of a 15-minute window, so the message says "15 minutes"
LOCKED = "Too many attempts. Wait 15 minutes, or reset your password."


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, frozen at START; move it with clock.advance(seconds)."""

    class Clock:
        moment = START

        def advance(self, seconds: float) -> None:
            self.moment += seconds

    frozen = Clock()
    monkeypatch.setattr(throttle, "now", lambda: frozen.moment)
    return frozen


def log_in(client: Client, username: str, password: str, address: str = "127.0.0.1", **headers):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, headers=headers
    )


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# ---- the counter ------------------------------------------------------------


def test_counter_counts_within_a_window_and_starts_again_in_the_next(db, clock):
    assert [throttle.hit("test", "a", 60) for _ in range(3)] == [1, 2, 3]
    assert throttle.count("test", "b", 60) == 0
    clock.advance(60)
    assert throttle.count("test", "a", 60) == 0
    assert throttle.hit("test", "a", 60) == 1


# ---- login ------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(client, student, password, clock):
    for _ in range(5):
        response = log_in(client, "sam", "wrong")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.text
    response = log_in(client, "sam", password)
    assert response.status_code == 429
    assert LOCKED in response.text
    assert f'<p id="login-error" class="visually-hidden">{LOCKED}</p>' in response.text
    assert '<form method="post"' in response.text
    assert not is_logged_in(client)


def test_lock_counts_the_username_in_any_case(client, student, password, clock):
    for username in ["sam", "SAM", "Sam ", "sAm", "sam"]:
        log_in(client, username, "wrong")
    assert log_in(client, "sam", password).status_code == 429


def test_locked_account_opens_again_when_the_window_ends(client, student, password, clock):
    for _ in range(5):
        log_in(client, "sam", "wrong")
    clock.advance(14 * 60)
    response = log_in(client, "sam", password)
    assert "Too many attempts. Wait 1 minute, or reset your password." in response.text
    clock.advance(60)
    assert log_in(client, "sam", password).status_code == 302
    assert is_logged_in(client)


def test_successful_login_clears_the_account_count(client, student, password, clock, settings):
    settings.AGORA_LOGIN_ATTEMPTS = 3
    for _ in range(2):
        log_in(client, "sam", "wrong")
    assert log_in(client, "sam", password).status_code == 302
    client.logout()
    for _ in range(2):
        log_in(client, "sam", "wrong")
    assert log_in(client, "sam", password).status_code == 302


def test_locked_account_does_not_lock_other_accounts(client, student, password, clock):
    UserFactory(username="kim")
    for _ in range(5):
        log_in(client, "sam", "wrong")
    assert log_in(client, "kim", password).status_code == 302


def test_one_address_is_locked_after_failures_across_usernames(client, student, password, clock, settings):
    settings.AGORA_LOGIN_ATTEMPTS_PER_ADDRESS = 3
    for username in ["ann", "bob", "cy"]:
        log_in(client, username, "guess", address="203.0.113.7")
    response = log_in(client, "sam", password, address="203.0.113.7")
    assert response.status_code == 429
    assert LOCKED in response.text
    assert log_in(Client(), "sam", password, address="198.51.100.2").status_code == 302


def test_forwarded_for_header_does_not_dodge_the_address_limit(client, student, password, clock, settings):
    settings.AGORA_LOGIN_ATTEMPTS_PER_ADDRESS = 3
    for n, username in enumerate(["ann", "bob", "cy"]):
        log_in(client, username, "guess", address="203.0.113.7", **{"X-Forwarded-For": f"10.0.0.{n}"})
    response = log_in(client, "sam", password, address="203.0.113.7", **{"X-Forwarded-For": "10.0.0.99"})
    assert response.status_code == 429


def test_login_page_still_shows_normally_while_locked(client, student, clock):
    for _ in range(5):
        log_in(client, "sam", "wrong")
    assert client.get(LOGIN).status_code == 200


# ---- posting ----------------------------------------------------------------


def create_url(assignment) -> str:
    return reverse("classroom:response_create", args=[assignment.pk])


def reply_url(response) -> str:
    return reverse("classroom:response_reply", args=[response.pk])


def post(client: Client, url: str, body: str, **headers):
    return client.post(url, {"body": body, "client_token": str(uuid.uuid4())}, headers=headers)


@pytest.fixture
def peer_answer(thread, peer):
    return make_response(thread, peer, body="A peer's answer to reply to.")


def test_student_over_the_posting_limit_gets_an_inline_error_and_keeps_the_text(
    student_client, student, thread, peer_answer, settings, clock
):
    settings.AGORA_POSTS_PER_MINUTE = 2
    assert post(student_client, create_url(thread), "My answer.").status_code == 302
    assert post(student_client, reply_url(peer_answer), "First reply.").status_code == 302
    response = post(student_client, reply_url(peer_answer), "One reply too many.")
    assert response.status_code == 200
    assert throttle.POSTING_TOO_FAST in response.text
    assert "One reply too many.</textarea>" in response.text
    assert "<html" in response.text
    assert Response.objects.filter(author=student).count() == 2


def test_htmx_reply_over_the_posting_limit_comes_back_inline_with_status_200(
    student_client, student, thread, peer_answer, settings, clock
):
    settings.AGORA_POSTS_PER_MINUTE = 1
    assert post(student_client, reply_url(peer_answer), "First reply.", **HTMX).status_code == 200
    response = post(student_client, reply_url(peer_answer), "Second reply, too fast.", **HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<div id="reply-slot-{peer_answer.pk}"')
    assert throttle.POSTING_TOO_FAST in response.text
    assert "Second reply, too fast.</textarea>" in response.text
    assert Response.objects.filter(author=student).count() == 1


def test_htmx_answer_over_the_posting_limit_comes_back_in_the_composer(
    student_client, student, thread, peer_answer, settings, clock
):
    settings.AGORA_POSTS_PER_MINUTE = 1
    post(student_client, reply_url(peer_answer), "A reply first.", **HTMX)
    response = post(student_client, create_url(thread), "My answer, too fast.", **HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="composer"')
    assert throttle.POSTING_TOO_FAST in response.text
    assert "My answer, too fast.</textarea>" in response.text
    assert not Response.objects.filter(author=student, parent=None).exists()


def test_posting_opens_again_the_next_minute(student_client, student, thread, peer_answer, settings, clock):
    settings.AGORA_POSTS_PER_MINUTE = 1
    post(student_client, reply_url(peer_answer), "First reply.")
    assert throttle.POSTING_TOO_FAST in post(student_client, reply_url(peer_answer), "Too soon.").text
    clock.advance(60)
    assert post(student_client, reply_url(peer_answer), "A minute later.").status_code == 302
    assert Response.objects.filter(author=student).count() == 2


def test_posting_limit_is_per_student(student_client, thread, other_peer, peer_answer, settings, clock):
    settings.AGORA_POSTS_PER_MINUTE = 1
    post(student_client, reply_url(peer_answer), "First reply.")
    other_client = Client()
    other_client.force_login(other_peer)
    assert post(other_client, reply_url(peer_answer), "My own reply.").status_code == 302


def test_invalid_form_does_not_use_up_the_posting_limit(student_client, thread, peer_answer, settings, clock):
    settings.AGORA_POSTS_PER_MINUTE = 1
    for _ in range(3):
        assert "Write something before you post." in post(student_client, reply_url(peer_answer), "  ").text
    assert post(student_client, reply_url(peer_answer), "Now a real reply.").status_code == 302
