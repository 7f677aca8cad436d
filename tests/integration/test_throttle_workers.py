"""The login and posting limits hold across the workers of a real gunicorn: each attempt counts once.

gunicorn runs 2 sync workers (tests/servers.py). On SQLite the counters are in the
served database file; in CI's second pass (PostgreSQL and Redis) they are in Redis, and
then once more in PostgreSQL, with the server started without REDIS_URL.
The attempts are sent several at once, so both workers serve them and some run at the
same moment: exactly the limit's number of attempts get through, whichever worker
serves them, and every attempt after that is refused.
"""

import http.client
import os
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest

from bench.burst import Student
from classroom.throttle import POSTING_TOO_FAST
from tests.servers import served_class

LOGIN_ATTEMPTS = 3
POSTS_PER_MINUTE = 3
WRONG_PASSWORD = "Please enter a correct username and password"
CSRF_COOKIE = re.compile(r"csrftoken=([^;]+)")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def fresh_window(window: int, needed: float) -> None:
    """Wait for the next fixed window if fewer than `needed` seconds are left in this one."""
    left = window - time.time() % window
    if left < needed:
        time.sleep(left + 0.1)


STORES = ["as configured", "database"] if os.environ.get("REDIS_URL") else ["as configured"]


@pytest.fixture(params=STORES)
def site(request, transactional_db, tmp_path):
    limits = {"AGORA_LOGIN_ATTEMPTS": str(LOGIN_ATTEMPTS), "AGORA_POSTS_PER_MINUTE": str(POSTS_PER_MINUTE)}
    if request.param == "database":
        limits["REDIS_URL"] = ""  # the server and its seeding: sessions and counts in the database
    with served_class(tmp_path, students=1, settings_env=limits) as site:
        site.counts_in_database = request.param == "database" or not os.environ.get("REDIS_URL")
        yield site


def request(
    port: int, method: str, path: str, headers: dict, body: str | None = None
) -> tuple[int, str, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode(), dict(response.getheaders())
    finally:
        conn.close()


def login_attempts(port: int, username: str, password: str, count: int) -> list[tuple[int, str]]:
    """`count` login attempts sent at once (at most 4 in flight), each on its own connection."""
    _, page, headers = request(port, "GET", "/accounts/login/", {})
    cookie = f"csrftoken={CSRF_COOKIE.search(headers['Set-Cookie']).group(1)}"
    form = {
        "username": username,
        "password": password,
        "csrfmiddlewaretoken": CSRF_FIELD.search(page).group(1),
    }
    post_headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}

    def attempt(_n: int) -> tuple[int, str]:
        status, body, _ = request(port, "POST", "/accounts/login/", post_headers, urlencode(form))
        return status, body

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(attempt, range(count)))


def test_failed_logins_are_counted_once_across_two_workers(site):
    fresh_window(900, needed=60)
    answers = login_attempts(site.server.port, "served0000", "not-the-password", 2 * LOGIN_ATTEMPTS + 2)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * LOGIN_ATTEMPTS + [429] * (LOGIN_ATTEMPTS + 2), site.log_tail()
    assert all(WRONG_PASSWORD in page for status, page in answers if status == 200)
    # Once refused, refused on every worker: the next attempts, one after another.
    later = [login_attempts(site.server.port, "served0000", "not-the-password", 1)[0][0] for _ in range(4)]
    assert later == [429] * 4
    counted_rows = site.database.rows("SELECT COUNT(*) FROM classroom_throttlecount")[0][0]
    assert (counted_rows > 0) == site.counts_in_database


def test_posts_are_counted_once_across_two_workers(site):
    config = site.burst_config()
    student = Student(0, site.plan["sessions"][0], config, log=[])
    assignment = site.plan["assignment"]
    status, page, _ = student.request("GET", f"/a/{assignment}/")
    assert status == 200
    csrf = CSRF_FIELD.search(page).group(1)
    answer = {"csrfmiddlewaretoken": csrf, "client_token": str(uuid.uuid4()), "body": student.text("answer")}
    fresh_window(60, needed=20)
    assert student.request("POST", f"/a/{assignment}/responses/", answer)[0] == 200
    own_answer = site.database.responses(assignment)[0]["id"]

    def reply(n: int) -> tuple[int, str]:
        form = {"csrfmiddlewaretoken": csrf, "client_token": str(uuid.uuid4()), "body": student.text("reply")}
        status, page, _ = student.request("POST", f"/r/{own_answer}/reply/", form)
        return status, page

    with ThreadPoolExecutor(max_workers=4) as pool:
        replies = list(pool.map(reply, range(2 * POSTS_PER_MINUTE)))

    assert all(status == 200 for status, _ in replies)
    refused = [page for _, page in replies if str(POSTING_TOO_FAST) in page]
    assert len(refused) == 2 * POSTS_PER_MINUTE - (POSTS_PER_MINUTE - 1), site.log_tail()
    assert len(site.database.responses(assignment)) == POSTS_PER_MINUTE
