"""Two gunicorn instances over one PostgreSQL and one Redis behave as one site.

Runs only where the suite itself runs on PostgreSQL with Redis (the second pass of
.ci/run): the instances serve the test database, so what the test writes they see.
"""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from classroom.models import Response
from tests.factories import PASSWORD, UserFactory, make_response

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")),
        reason="needs PostgreSQL and Redis (DATABASE_URL and REDIS_URL)",
    ),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def two_instances(db):
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    env = dict(
        os.environ,
        DATABASE_URL=url,
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY="two-instances-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
    )
    static = Path(settings.BASE_DIR) / "staticfiles"
    if not (static / "staticfiles.json").exists():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, check=True
        )
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "classroom.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--no-control-socket",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for port in ports
    ]
    try:
        for port in ports:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)


def browser_like() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_session_and_a_post_from_one_instance_are_seen_by_the_other(
    two_instances, thread, student, group, settings
):
    first, second = two_instances
    # The instances hash passwords with the production hasher, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    student.set_password(PASSWORD)
    student.save()
    peer = UserFactory(username="peer")
    group.memberships.create(student=peer)
    make_response(thread, peer, body="An answer that is already there.")
    thread.refresh_from_db()
    version_before = thread.version

    # Log in through the first instance...
    opener = browser_like()
    login_page = opener.open(f"{first}/accounts/login/").read().decode()
    form = {"username": student.username, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(login_page)}
    opener.open(urllib.request.Request(f"{first}/accounts/login/", data=urllib.parse.urlencode(form).encode(),
                                       headers={"Referer": f"{first}/accounts/login/"}))  # fmt: skip
    # ...and the session works on the second.
    thread_page = opener.open(f"{second}{thread.get_absolute_url()}").read().decode()
    assert "Your answer" in thread_page

    # A student posts through the second instance; the first one's poll delivers it.
    body = {"body": "Posted through the second instance.", "csrfmiddlewaretoken": csrf_token(thread_page)}
    opener.open(urllib.request.Request(f"{second}/a/{thread.pk}/responses/", data=urllib.parse.urlencode(body).encode(),
                                       headers={"Referer": f"{second}{thread.get_absolute_url()}"}))  # fmt: skip
    assert Response.objects.filter(author=student, body="Posted through the second instance.").exists()
    poll = opener.open(
        urllib.request.Request(
            f"{first}/a/{thread.pk}/poll/?v={version_before}", headers={"HX-Request": "true"}
        )
    )
    assert poll.status == 200
    assert "Posted through the second instance." in poll.read().decode()
