"""Login throttling per username from one address and per username from every address, never
per address alone; and the posting rate limit per student.

The counter tests run on both stores: the database (no Redis) and the cache (Redis in CI's
second pass, else the tests' local memory). The views use the store the settings chose.
"""

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from classroom import throttle
from classroom.models import Response, ThrottleCount
from tests.factories import PASSWORD, UserFactory, make_response

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


@pytest.fixture(params=["database", "cache"])
def store(request, settings):
    settings.AGORA_THROTTLE_STORE = request.param
    return request.param


def test_counter_counts_within_a_window_and_starts_again_in_the_next(db, clock, store):
    assert [throttle.hit("test", "a", 60) for _ in range(3)] == [1, 2, 3]
    assert throttle.count("test", "b", 60) == 0
    clock.advance(60)
    assert throttle.count("test", "a", 60) == 0
    assert throttle.hit("test", "a", 60) == 1


def test_reset_clears_only_the_counters_it_names(db, clock, store):
    for who in ["a", "b", "c"]:
        throttle.hit("test", who, 60)
    throttle.reset(60, ("test", "a"), ("test", "b"))
    assert [throttle.count("test", who, 60) for who in ["a", "b", "c"]] == [0, 0, 1]


def test_database_counter_sweeps_ended_windows_and_keeps_the_current_one(db, clock, settings):
    settings.AGORA_THROTTLE_STORE = "database"
    throttle.hit("test", "old", 60)
    clock.advance(throttle.SWEEP_EVERY + 60)
    throttle.hit("test", "new", 60)
    assert list(ThrottleCount.objects.values_list("count", flat=True)) == [1]
    assert throttle.count("test", "new", 60) == 1


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


def test_failures_for_many_usernames_from_one_address_never_refuse_a_right_password(
    client, student, password, clock
):
    for n in range(100):
        log_in(client, f"guess{n}", "guess", address="203.0.113.7")
    assert log_in(client, "sam", password, address="203.0.113.7").status_code == 302


def test_a_username_locked_from_one_address_still_logs_in_from_another(client, student, password, clock):
    for _ in range(5):
        log_in(client, "sam", "wrong", address="203.0.113.7")
    assert log_in(client, "sam", password, address="203.0.113.7").status_code == 429
    assert log_in(Client(), "sam", password, address="198.51.100.2").status_code == 302


def test_guessing_one_username_from_many_addresses_locks_it_everywhere(
    client, student, password, clock, settings
):
    settings.AGORA_LOGIN_ATTEMPTS_PER_USERNAME = 6
    for n in range(6):
        assert log_in(client, "sam", "wrong", address=f"198.51.100.{n}").status_code == 200
    response = log_in(client, "sam", password, address="203.0.113.99")
    assert response.status_code == 429
    assert LOCKED in response.text


def test_attempts_refused_for_their_address_do_not_count_for_the_username(client, student, password, clock):
    for _ in range(100):
        log_in(client, "sam", "wrong", address="203.0.113.7")
    assert log_in(Client(), "sam", password, address="198.51.100.2").status_code == 302


def test_a_login_clears_the_count_from_its_own_address_not_from_others(
    client, student, password, clock, settings
):
    settings.AGORA_LOGIN_ATTEMPTS_PER_USERNAME = 8
    for _ in range(5):
        log_in(client, "sam", "wrong", address="203.0.113.7")
    for _ in range(2):
        log_in(Client(), "sam", "wrong", address="198.51.100.2")
    assert log_in(Client(), "sam", password, address="198.51.100.2").status_code == 302
    assert log_in(Client(), "sam", password, address="203.0.113.7").status_code == 429
    # The username's count started again: 5 more failures from new addresses are not 8.
    for n in range(5):
        log_in(Client(), "sam", "wrong", address=f"192.0.2.{n}")
    assert log_in(Client(), "sam", password, address="192.0.2.200").status_code == 302


def test_forwarded_for_header_does_not_dodge_the_limit_from_one_address(client, student, password, clock):
    for n in range(5):
        log_in(client, "sam", "wrong", address="203.0.113.7", **{"X-Forwarded-For": f"10.0.0.{n}"})
    response = log_in(client, "sam", password, address="203.0.113.7", **{"X-Forwarded-For": "10.0.0.99"})
    assert response.status_code == 429


def test_a_form_without_a_password_is_not_an_attempt(client, student, password, clock):
    for _ in range(10):
        assert log_in(client, "sam", "").status_code == 200
    assert log_in(client, "sam", password).status_code == 302


def test_school_behind_one_address_nobody_with_the_right_password_is_locked_out(db, clock):
    """Thirty students share the school's address; a third mistype one to four times each, and
    someone hammers one classmate's username 200 times. Every student who then types the right
    password gets in; the hammered username is refused from the school (and only from there)."""
    school = "203.0.113.7"
    students = [UserFactory(username=f"pupil{n:02d}") for n in range(30)]
    target = UserFactory(username="target")
    for n, pupil in enumerate(students[::3]):
        for _ in range(1 + n % 4):
            assert log_in(Client(), pupil.username, "typo", address=school).status_code == 200
    hammered = [log_in(Client(), "target", f"guess{n}", address=school).status_code for n in range(200)]
    assert hammered == [200] * 5 + [429] * 195

    logged_in = [log_in(Client(), pupil.username, PASSWORD, address=school).status_code for pupil in students]
    assert logged_in == [302] * 30
    assert log_in(Client(), target.username, PASSWORD, address=school).status_code == 429
    assert log_in(Client(), target.username, PASSWORD, address="198.51.100.2").status_code == 302


def throttle_queries(queries: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"] for query in queries.captured_queries if ThrottleCount._meta.db_table in query["sql"]
    ]


def test_on_the_database_a_login_attempt_costs_one_query_per_limit_and_a_login_one_more(
    client, student, password, clock, settings
):
    settings.AGORA_THROTTLE_STORE = "database"
    throttle.hit("test", "so that this minute's sweep is done", 60)
    costs = {}
    for outcome, username, secret in [("failed", "sam", "wrong"), ("logged in", "sam", password)]:
        with CaptureQueriesContext(connection) as queries:
            log_in(Client(), username, secret)
        costs[outcome] = len(throttle_queries(queries))
    for _ in range(5):
        log_in(client, "kim", "wrong")
    with CaptureQueriesContext(connection) as queries:
        assert log_in(client, "kim", "wrong").status_code == 429
    costs["refused"] = len(throttle_queries(queries))
    assert costs == {"failed": 2, "logged in": 3, "refused": 1}


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
    assert str(throttle.POSTING_TOO_FAST) in response.text
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
    assert str(throttle.POSTING_TOO_FAST) in response.text
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
    assert str(throttle.POSTING_TOO_FAST) in response.text
    assert "My answer, too fast.</textarea>" in response.text
    assert not Response.objects.filter(author=student, parent=None).exists()


def test_posting_opens_again_the_next_minute(student_client, student, thread, peer_answer, settings, clock):
    settings.AGORA_POSTS_PER_MINUTE = 1
    post(student_client, reply_url(peer_answer), "First reply.")
    assert str(throttle.POSTING_TOO_FAST) in post(student_client, reply_url(peer_answer), "Too soon.").text
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


def test_on_the_database_a_post_costs_one_query_for_its_limit(
    student_client, thread, peer_answer, settings, clock
):
    settings.AGORA_THROTTLE_STORE = "database"
    throttle.hit("test", "so that this minute's sweep is done", 60)
    with CaptureQueriesContext(connection) as queries:
        assert post(student_client, reply_url(peer_answer), "A reply.").status_code == 302
    assert len(throttle_queries(queries)) == 1
