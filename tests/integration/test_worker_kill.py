"""A gunicorn worker SIGKILLed while a class posts loses no acknowledged post.

The short variant of `bench/run.py --kill` (bench/README.md): 40 students load the
thread, answer (every 5th sends the answer twice at once, as a double click) and reply
to a classmate, through bench/burst.py's client, against gunicorn with 2 sync workers
as in production. Mid-burst a worker that is serving a request is SIGKILLed, twice
or until a request was cut short; the master starts another each time. A request
whose connection broke is sent again with the same client_token, as a student
clicks again. Afterwards every post the
server acknowledged is stored exactly once, as the response the student was shown,
and the database passes the integrity check. On the file SQLite database of
tests/servers.py, and on the PostgreSQL test database in CI's second pass.
"""

import sqlite3
import threading
import time
import uuid

import pytest

from bench.burst import run_burst
from bench.run import integrity_check
from tests.servers import served_class

STUDENTS = 40
SPREAD = 2.0  # seconds over which the students arrive
FIRST_KILL_AT = 0.8  # seconds into the burst: both workers are busy with answers by then
KILL_EVERY = 0.5
MAX_KILLS = 5


@pytest.fixture
def site(transactional_db, tmp_path):
    with served_class(tmp_path, students=STUDENTS) as site:
        yield site


def test_workers_killed_mid_burst_lose_no_acknowledged_post_and_store_none_twice(site):
    workers_before = site.server.workers()
    log: list[dict] = []
    outcome: dict = {}
    config = site.burst_config(spread=SPREAD, double_every=5, deadline=60)
    burst = threading.Thread(target=lambda: outcome.update(run_burst(config, log)))
    started = time.monotonic()
    burst.start()
    kills = []
    # Twice at least, and again until a kill has cut a request short: a worker that had
    # just sent its answer when it died proves nothing.
    while len(kills) < MAX_KILLS and burst.is_alive():
        time.sleep(max(0.0, started + FIRST_KILL_AT + KILL_EVERY * len(kills) - time.monotonic()))
        kills.append(site.server.kill_worker())
        if len(kills) >= 2 and any("retried" in entry for entry in log):
            break
    burst.join(timeout=90)

    assert outcome["unfinished"] == 0
    assert not [entry for entry in log if entry["kind"] == "crash"]
    workers_after = site.server.wait_workers()
    assert len(workers_after) == 2, "the master did not replace the killed workers"
    assert not set(workers_after) & {kill["pid"] for kill in kills}
    assert set(workers_after) != set(workers_before)
    broken = [entry for entry in log if "retried" in entry]
    assert broken, f"no request lost its connection to the {len(kills)} kills: {kills}"

    server_errors = [entry for entry in log if entry.get("status", 200) >= 500]
    assert not server_errors, site.log_tail()
    posts = [entry for entry in log if entry["kind"] in ("answer", "reply")]
    sent = {uuid.UUID(entry["client_token"]) for entry in posts}
    acked = {uuid.UUID(entry["client_token"]): entry["id"] for entry in posts if entry["acked"]}
    # Every post the server answered was confirmed: a retry whose first try was stored
    # gets that answer, not a refusal. (A retry cut by a later kill stays unanswered.)
    answered_not_acked = [entry for entry in posts if "retried" not in entry and not entry["acked"]]
    assert not answered_not_acked, answered_not_acked[:6]
    assert len(acked) >= 2 * STUDENTS - 2 * len(kills)

    stored = site.database.responses(site.plan["assignment"])
    by_token: dict[uuid.UUID, list[int]] = {}
    for row in stored:
        by_token.setdefault(row["client_token"], []).append(row["id"])
    lost = [(str(token), pk) for token, pk in acked.items() if token not in by_token]
    assert not lost, f"{len(lost)} posts acknowledged but not stored, such as {lost[:3]}"
    twice = [ids for ids in by_token.values() if len(ids) > 1]
    assert not twice, f"{len(twice)} posts stored more than once: {twice[:6]}"
    not_as_shown = [(pk, by_token[token]) for token, pk in acked.items() if by_token[token] != [pk]]
    assert not not_as_shown, f"students were shown other responses than the stored ones: {not_as_shown[:6]}"
    assert set(by_token) <= sent, "a response was stored that no student sent"

    integrity = site.database.integrity()
    assert not integrity["problems"], integrity


def test_integrity_check_reports_orphans_second_answers_and_nested_replies():
    """The check the test above relies on does find what it looks for."""
    database = sqlite3.connect(":memory:")
    database.executescript(
        """
        PRAGMA foreign_keys = OFF;
        CREATE TABLE classroom_assignment (id INTEGER PRIMARY KEY, version INTEGER);
        CREATE TABLE classroom_participation (
            id INTEGER PRIMARY KEY, assignment_id INTEGER REFERENCES classroom_assignment (id),
            student_id INTEGER);
        CREATE TABLE classroom_response (
            id INTEGER PRIMARY KEY, assignment_id INTEGER REFERENCES classroom_assignment (id),
            author_id INTEGER, parent_id INTEGER REFERENCES classroom_response (id),
            by_instructor BOOL, deleted_at TEXT, client_token CHAR(32), version INTEGER);
        INSERT INTO classroom_assignment VALUES (1, 5);
        INSERT INTO classroom_participation VALUES (1, 1, 7);
        INSERT INTO classroom_response VALUES (1, 1, 7, NULL, 0, NULL, 'a', 1);
        INSERT INTO classroom_response VALUES (2, 1, 7, NULL, 0, NULL, 'b', 2);
        INSERT INTO classroom_response VALUES (3, 1, 7, 2, 0, NULL, 'c', 3);
        INSERT INTO classroom_response VALUES (4, 1, 7, 3, 0, NULL, 'c', 4);
        INSERT INTO classroom_response VALUES (5, 1, 7, 99, 0, NULL, 'd', 5);
        """
    )
    problems = "\n".join(integrity_check(database, "sqlite")["problems"])
    assert "foreign_key_check: ('classroom_response', 5, 'classroom_response'" in problems
    assert "a student with two live answers in one thread" in problems
    assert "one submit (author, client_token) stored twice" in problems
    assert "a reply under a reply" in problems
    database.execute("INSERT INTO classroom_response VALUES (6, 1, 8, NULL, 0, NULL, 'e', 9)")
    problems = "\n".join(integrity_check(database, "sqlite")["problems"])
    assert "a student's response without a seat in its thread" in problems
    assert "a response newer than its thread's version" in problems
