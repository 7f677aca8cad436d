"""Real worker processes (`manage.py run_worker`) on the database task backend.

A class's replies queue one task each; two workers share the queue through a slow SMTP
server, and one is SIGKILLed while it runs a task. Its task runs again (after the lease),
and each student still gets exactly one mail and one notification: nothing lost, nothing
doubled. Then the rules of the queue itself: a task taken by one worker is never run by
another, and old rows are pruned.
"""

import json
import time

import pytest

from tests.smtp import SmtpServer
from tests.workers import Worker, seed_replies, worker_database

STUDENTS = 30
LEASE = 3  # seconds before a task a dead worker left running is run again
DEADLINE = 120


@pytest.fixture
def queue(transactional_db, tmp_path):
    with worker_database(tmp_path) as (database, env):
        yield database, env


def workers_of(ids) -> list[str]:
    """A task row's worker ids: JSON text from SQLite, a list from PostgreSQL."""
    return json.loads(ids) if isinstance(ids, str) else list(ids)


def task_runs(database) -> list[list[str]]:
    return [
        workers_of(ids)
        for (ids,) in database.rows("SELECT worker_ids FROM django_tasks_database_dbtaskresult")
    ]


def wait_for(condition, seconds: float, what: str, logs=()) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"waited {seconds} s for {what}\n" + "\n".join(log() for log in logs))


def test_a_worker_killed_mid_task_loses_and_doubles_nothing(queue, tmp_path):
    database, env = queue
    seed_replies(env, STUDENTS)
    assert database.rows(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY'"
    ) == [(STUDENTS,)]
    with SmtpServer(delay=0.15) as smtp:
        env = env | {
            "EMAIL_URL": smtp.url,
            "AGORA_TASK_LEASE_SECONDS": str(LEASE),
            "AGORA_MAIL_CLAIM_SECONDS": str(LEASE),
        }
        with (
            Worker(env, tmp_path / "w1.log", "w1") as first,
            Worker(env, tmp_path / "w2.log", "w2") as second,
        ):
            logs = (first.log, second.log)

            def first_is_mid_task() -> bool:
                running = database.rows(
                    "SELECT worker_ids FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
                )
                return len(smtp.inbox.messages) >= 3 and any("w1" in workers_of(ids) for (ids,) in running)

            wait_for(first_is_mid_task, DEADLINE, "the first worker to be running a task", logs)
            first.kill()
            killed_at = time.monotonic()
            wait_for(
                lambda: len({m["To"] for m in smtp.inbox.messages}) == STUDENTS,
                DEADLINE,
                "a mail for every student",
                logs,
            )
            wait_for(
                lambda: (
                    database.rows(
                        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status <> 'SUCCESSFUL'"
                    )
                    == [(0,)]
                ),
                DEADLINE,
                "every task to succeed",
                logs,
            )
            wait_for(
                lambda: (
                    database.rows(
                        "SELECT count(*) FROM classroom_notification WHERE kind = 'reply' AND email_sent_at IS NULL"
                    )
                    == [(0,)]
                ),
                DEADLINE,
                "every mail to be recorded as sent",
                logs,
            )
            time.sleep(LEASE + 1.5)  # past every lease and claim, a sweep or two: nothing is sent again
    assert time.monotonic() - killed_at > LEASE
    assert database.rows("SELECT count(*) FROM classroom_notification WHERE kind = 'reply'") == [(STUDENTS,)]
    # Each student reads one mail. SMTP cannot promise more than that: a worker killed after the
    # server took the message whole and before it could record so sends it again, under the same
    # Message-ID (which mail programs show once). That can be at most the one mail in flight.
    ids_per_student = {
        to: {m["Message-ID"] for m in smtp.inbox.to(to)} for to in {m["To"] for m in smtp.inbox.messages}
    }
    assert len(ids_per_student) == STUDENTS
    assert all(len(ids) == 1 for ids in ids_per_student.values()), ids_per_student
    assert STUDENTS <= len(smtp.inbox.messages) <= STUDENTS + 1
    # The killed worker's task ran again, on the survivor: it is the only one two workers ran.
    twice = [runs for runs in task_runs(database) if len(runs) > 1]
    assert twice == [["w1", "w2"]], twice


def test_workers_share_a_queue_without_running_a_task_twice(queue, tmp_path):
    database, env = queue
    seed_replies(env, STUDENTS)
    with SmtpServer() as smtp:
        env = env | {"EMAIL_URL": smtp.url}
        with (
            Worker(env, tmp_path / "a.log", "a") as a,
            Worker(env, tmp_path / "b.log", "b") as b,
            Worker(env, tmp_path / "c.log", "c") as c,
        ):
            wait_for(
                lambda: (
                    database.rows(
                        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'"
                    )
                    == [(STUDENTS,)]
                ),
                DEADLINE,
                "every task to succeed",
                (a.log, b.log, c.log),
            )
    runs = task_runs(database)
    assert len(runs) == STUDENTS and all(len(workers) == 1 for workers in runs), runs  # one worker, once
    assert len(smtp.inbox.messages) == STUDENTS
