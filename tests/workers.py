"""Real task workers (`manage.py run_worker`) on a database the test process can also read.

On PostgreSQL that is the suite's own test database (the test uses `transactional_db`); on
SQLite, whose test database lives in memory, a file in the test's tmp_path, migrated first.
The queue is filled by this module run in a subprocess with the database task backend
(`python -m tests.workers SEED STUDENTS`): the same actions as in production enqueue the
same tasks, as rows, and nothing runs them until a worker does.
"""

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.servers import ServedDatabase, database_url, run_manage, server_env


@contextlib.contextmanager
def worker_database(tmp_path: Path) -> Iterator[tuple[ServedDatabase, dict[str, str]]]:
    if connection.vendor == "postgresql":
        database = ServedDatabase(database_url(), "postgresql")
    else:
        database = ServedDatabase(f"sqlite:///{tmp_path / 'worker.sqlite3'}", "sqlite")
    env = server_env(database.url) | {"AGORA_TASKS": "database"}
    if database.vendor == "sqlite":
        run_manage(env, "migrate", "--noinput", "-v0")
    yield database, env


def seed_replies(env: dict[str, str], students: int) -> None:
    """A class of `students`, each with an answer and a classmate's reply to it: one queued task each."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.workers", "seed", str(students)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"seeding failed:\n{done.stdout}\n{done.stderr}"


class Worker:
    """One `run_worker` process, its output in a log file."""

    def __init__(self, env: dict[str, str], log_path: Path, worker_id: str) -> None:
        self.env, self.log_path, self.worker_id = env, log_path, worker_id
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Worker":
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.1", "--sweep", "1",
             "--worker-id", self.worker_id],
            cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        return self

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _seed(students: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classroom.settings")
    import django

    django.setup()
    from classroom.actions import create_group, join_group
    from classroom.models import User
    from tests.factories import AssignmentFactory, BriefFactory, make_response

    teacher = User.objects.create(username="teacher", first_name="Tess", is_instructor=True)
    group = create_group(name="Worker class", instructor=teacher)
    members = [
        User.objects.create(username=f"w{n}", first_name=f"W{n}", email=f"w{n}@school.example")
        for n in range(students)
    ]
    for student in members:
        join_group(group=group, student=student)
    thread = AssignmentFactory(group=group, brief=BriefFactory(), post_first=False)
    answers = [make_response(thread, student) for student in members]
    for n, answer in enumerate(answers):
        make_response(thread, members[(n + 1) % students], body="A classmate's reply.", parent=answer)


if __name__ == "__main__" and sys.argv[1] == "seed":
    _seed(int(sys.argv[2]))
