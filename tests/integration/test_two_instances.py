"""Two gunicorn instances over one PostgreSQL and one Redis behave as one site.

Runs only where the suite itself runs on PostgreSQL with Redis (the second pass of
.ci/run): the instances serve the test database, so what the test writes they see.
"""

import http.cookiejar
import os
import re
import urllib.parse
import urllib.request

import pytest

from bench.run import Server
from classroom.models import Response
from tests.factories import PASSWORD, make_response
from tests.servers import collected_static, database_url, server_env

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")),
        reason="needs PostgreSQL and Redis (DATABASE_URL and REDIS_URL)",
    ),
]


@pytest.fixture
def two_instances(db, tmp_path):
    env = server_env(database_url())
    with (
        collected_static(env),
        Server(env, tmp_path / "first.log", workers=1) as first,
        Server(env, tmp_path / "second.log", workers=1) as second,
    ):
        yield [first.url, second.url]


def browser_like() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_session_and_a_post_from_one_instance_are_seen_by_the_other(
    two_instances, thread, student, peer, settings
):
    first, second = two_instances
    # The instances hash passwords with the production hasher, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    student.set_password(PASSWORD)
    student.save()
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
