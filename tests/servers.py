"""Agora served by gunicorn as in production, for the tests that need real server processes.

The server is bench/run.py's `Server` (DEBUG off, `DJANGO_HTTPS=0`, a loopback port
the OS picked). Its database: on PostgreSQL, the suite's own test database (the test
uses `transactional_db`, which flushes it afterwards); on SQLite, whose test database
lives in memory, a file in the test's tmp_path, migrated with `manage.py migrate`.
The class is seeded by this module run in a subprocess against that database
(`python -m tests.servers PLAN.json STUDENTS`, with bench/seed.py's helpers), so the
students' sessions are where the server looks for them; the test then drives the
server with bench/burst.py's client and reads what was stored with a plain DB-API
connection.
"""

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection

from bench.run import Server, integrity_check

_static_refreshed = False


def database_url() -> str:
    """The suite's PostgreSQL test database as a DATABASE_URL (the test database must exist)."""
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    return f"postgres://{database['USER']}{password}@{host}:{port}/{database['NAME']}"


def server_env(url: str) -> dict[str, str]:
    """The environment of a production-like server (and its helpers) on the database at `url`."""
    return dict(
        os.environ,
        DATABASE_URL=url,
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY="served-in-the-tests-" + "k" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )


def run_manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


@contextlib.contextmanager
def collected_static(env: dict[str, str]) -> Iterator[None]:
    """STATIC_ROOT with the manifest a server with DEBUG off needs, from static/ as it is now.

    While STATIC_ROOT exists, WhiteNoise in every new test client of the suite scans it
    (about 25 ms a client), so a STATIC_ROOT made here is removed again afterwards.
    """
    global _static_refreshed
    made_here = not Path(settings.STATIC_ROOT).exists()
    if made_here or not _static_refreshed:
        run_manage(env, "collectstatic", "--noinput", "-v0")
        _static_refreshed = True
    try:
        yield
    finally:
        if made_here:
            shutil.rmtree(settings.STATIC_ROOT, ignore_errors=True)


@dataclass
class ServedDatabase:
    url: str
    vendor: str  # "sqlite" or "postgresql", as integrity_check() names them

    @contextlib.contextmanager
    def connect(self) -> Iterator:
        if self.vendor == "postgresql":
            yield connection  # the suite's own: the server writes to the test database
        else:
            with contextlib.closing(sqlite3.connect(self.url.removeprefix("sqlite:///"))) as database:
                yield database

    def rows(self, sql: str) -> list[tuple]:
        with self.connect() as database, contextlib.closing(database.cursor()) as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def responses(self, assignment: int) -> list[dict]:
        """The thread's rows: id, author, parent and client_token (a UUID on either database)."""
        return [
            {"id": pk, "author": author, "parent": parent, "client_token": token and uuid.UUID(str(token))}
            for pk, author, parent, token in self.rows(
                "SELECT id, author_id, parent_id, client_token FROM classroom_response"
                f" WHERE assignment_id = {int(assignment)} ORDER BY id"
            )
        ]

    def integrity(self) -> dict[str, list[str]]:
        with self.connect() as database:
            return integrity_check(database, self.vendor)


@dataclass
class Site:
    server: Server
    database: ServedDatabase
    plan: dict

    def burst_config(self, **overrides: float) -> dict:
        """A bench/burst.py config for the seeded class; `overrides`: spread, double_every, deadline."""
        return {
            "port": self.server.port,
            "assignment": self.plan["assignment"],
            "session_cookie": self.plan["session_cookie"],
            "sessions": self.plan["sessions"],
            "min_words": self.plan["min_words"],
            "spread": 0,
            "double_every": 0,
            "deadline": 60,
        } | overrides

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.server.log_path.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def served_class(
    tmp_path: Path, students: int, workers: int = 2, settings_env: dict[str, str] | None = None
) -> Iterator[Site]:
    """gunicorn with `workers` sync workers over a class of `students` and its open, empty thread.

    `settings_env`: environment variables of the server's settings on top of server_env's
    (e.g. AGORA_LOGIN_ATTEMPTS).

    The test must use `transactional_db`: on PostgreSQL the server writes to the test
    database, and only a transactional test sees those rows and flushes them afterwards.
    """
    if connection.vendor == "postgresql":
        database = ServedDatabase(database_url(), "postgresql")
    else:
        database = ServedDatabase(f"sqlite:///{tmp_path / 'served.sqlite3'}", "sqlite")
    env = server_env(database.url) | (settings_env or {})
    if database.vendor == "sqlite":
        run_manage(env, "migrate", "--noinput", "-v0")
    plan_path = tmp_path / "plan.json"
    seeded = subprocess.run(
        [sys.executable, "-m", "tests.servers", str(plan_path), str(students)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert seeded.returncode == 0, f"seeding failed:\n{seeded.stderr}"
    with collected_static(env), Server(env, tmp_path / "gunicorn.log", workers=workers) as server:
        yield Site(server, database, json.loads(plan_path.read_text()))


def seed_class(plan_path: Path, students: int) -> None:
    """Run in a subprocess: a teacher, a group of `students` with sessions, an open empty thread."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classroom.settings")
    import django

    django.setup()
    from django.middleware.csrf import _get_new_csrf_string

    from bench.seed import MIN_WORDS, make_students, new_thread, session_key
    from classroom.actions import create_group, join_group
    from classroom.models import User
    from tests.factories import BriefFactory

    teacher = User.objects.create(username="teacher", first_name="Tess", is_instructor=True)
    group = create_group(name="Served class", instructor=teacher)
    members = make_students("served", students)
    for student in members:
        join_group(group=group, student=student)
    thread = new_thread(BriefFactory(), group, teacher, opens_ago=timedelta(hours=1))
    csrf_cookie = f"{settings.CSRF_COOKIE_NAME}={_get_new_csrf_string()}"
    plan = {
        "assignment": thread.pk,
        "min_words": MIN_WORDS,
        # bench/burst.py sends "<this>=<session key>": one CSRF cookie for the class, a session each.
        "session_cookie": f"{csrf_cookie}; {settings.SESSION_COOKIE_NAME}",
        "sessions": [session_key(student) for student in members],
        "teacher_session": session_key(teacher),
    }
    plan_path.write_text(json.dumps(plan))


if __name__ == "__main__":
    seed_class(Path(sys.argv[1]), int(sys.argv[2]))
