"""Count the SQL queries of each bench page, and time a thread page in the states a live class
puts it in, in-process, against the seeded bench database.

    python -m bench.queries PAGES.json OUT.json        # queries per page (bench/run.py, before wrk)
    python -m bench.queries --live PLAN.json OUT.json  # the thread page warm, at a worker's first
                                                       # view, right after a classmate's post, and
                                                       # "show all" against a plain template

Queries per page: each page is requested twice through Django's test client with the same
session and CSRF cookies as the HTTP run; the second request is counted (with
`CaptureQueriesContext`), so one-off work of a fresh process is left out. The count
includes the session and user lookups that every logged-in request makes.

`--live` writes to the database (a classmate's replies): bench/run.py runs it after the burst,
with the server stopped. Times are this process's CPU time per request (the median of several),
so time the machine gives to other processes counts in none of them; on PostgreSQL the
server's own work runs in another process and is left out.
"""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classroom.settings")
django.setup()

import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

LIVE_ROUNDS = 7  # cold and after-post requests, each after its own setup: the median is kept
WARM_ROUNDS = 20


def count_queries(path: str, session: str | None, csrf_cookie: str) -> dict[str, int]:
    client = Client(SERVER_NAME="127.0.0.1")
    # As a browser after its first page, and as wrk: the CSRF secret is known from the start.
    # (Without it, the first request makes one, and the second misses the items cached with it.)
    name, value = csrf_cookie.split("=", 1)
    client.cookies[name] = value
    if session:
        client.cookies[settings.SESSION_COOKIE_NAME] = session
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return {"queries": len(captured), "status": response.status_code}


def main(pages_path: Path, out_path: Path) -> None:
    plan = json.loads(pages_path.read_text())
    counts = {
        page["name"]: count_queries(page["path"], page["session"], plan["csrf_cookie"])
        for page in plan["pages"]
    }
    out_path.write_text(json.dumps(counts))


# ---- --live: what a page costs in a live class -----------------------------------------------


def host_client() -> Client:
    return Client(SERVER_NAME=settings.ALLOWED_HOSTS[0])  # 127.0.0.1 in the bench, testserver in the profile


def reader_client(plan: dict) -> Client:
    client = host_client()
    name, value = plan["csrf_cookie"].split("=", 1)
    client.cookies[name] = value
    client.cookies[plan["session_cookie"]] = plan["reader_session"]
    return client


def timed(client: Client, path: str, before: Callable[[], object] | None = None) -> dict:
    """One request: this process's CPU ms (the setup `before` not counted), queries, size."""
    if before is not None:
        before()
    with CaptureQueriesContext(connection) as captured:
        start = time.process_time()
        response = client.get(path)
        ms = (time.process_time() - start) * 1000
    assert response.status_code == 200, (path, response.status_code)
    body = response.content
    return {"ms": ms, "queries": len(captured), "responses": body.count(b'<article id="response-')}


def median_of(runs: list[dict]) -> dict:
    return {
        "ms": round(statistics.median(run["ms"] for run in runs), 2),
        "queries": statistics.median_low(
            run["queries"] for run in runs
        ),  # a bell read once a second may add one
        "responses": runs[-1]["responses"],
    }


def warm(client: Client, path: str, rounds: int = WARM_ROUNDS) -> dict:
    client.get(path)
    client.get(path)
    return median_of([timed(client, path) for _ in range(rounds)])


def cold(client: Client, path: str, rounds: int = LIVE_ROUNDS) -> dict:
    """A worker's first view: nothing of the thread in this process's memos or the cache."""
    from classroom import caching

    return median_of([timed(client, path, caching.forget_everything) for _ in range(rounds)])


def after_post(
    client: Client, path: str, assignment_id: int, reader_id: int, rounds: int = LIVE_ROUNDS
) -> dict:
    """The page right after a classmate replied to an answer (the page was warm before)."""
    from classroom.actions import post_response
    from classroom.models import Assignment, Response

    rng = random.Random(19)
    answers = list(
        Response.objects.filter(assignment_id=assignment_id, parent=None, by_instructor=False)
        .exclude(author_id=reader_id)
        .select_related("author")
    )

    def classmate_replies() -> None:
        thread = Assignment.objects.select_related("group", "brief").get(pk=assignment_id)
        author, parent = rng.choice(answers).author, rng.choice(answers)
        post_response(
            assignment=thread, author=author, parent=parent, body="I see it differently, and here is why."
        )

    runs = []
    for _ in range(rounds):
        client.get(path)  # warm at the version before the post
        runs.append(timed(client, path, classmate_replies))
    return median_of(runs)


def live(plan_path: Path, out_path: Path) -> None:
    from classroom.models import User

    plan = json.loads(plan_path.read_text())
    client = reader_client(plan)
    reader_id = User.objects.get(username="reader0000").pk
    out = {"floor": warm(host_client(), "/bench/floor", rounds=200) | {"queries": 0}}
    for size in ("100", "1000"):
        thread = plan["threads"][size]["assignment"]
        page, show_all, plain = f"/a/{thread}/", f"/a/{thread}/?all=1", f"/bench/plain/{thread}"
        out[f"plain_{size}"] = warm(client, plain, rounds=5 if size == "1000" else WARM_ROUNDS)
        out[f"plain_jinja_{size}"] = warm(
            client, f"/bench/plain-jinja/{thread}", rounds=5 if size == "1000" else WARM_ROUNDS
        )
        out[f"all_{size}_warm"] = warm(client, show_all, rounds=5 if size == "1000" else WARM_ROUNDS)
        out[f"all_{size}_cold"] = cold(client, show_all, rounds=3 if size == "1000" else LIVE_ROUNDS)
        out[f"page_{size}_warm"] = warm(client, page)
        out[f"page_{size}_first"] = cold(client, page)
        out[f"page_{size}_after_post"] = after_post(client, page, thread, reader_id)
    out_path.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    if sys.argv[1] == "--live":
        live(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        main(Path(sys.argv[1]), Path(sys.argv[2]))
