import os
import sqlite3
import subprocess
import sys

from django.conf import settings

from bench.run import Server
from tests.servers import run_manage, server_env


def test_healthz_answers_200_without_login_when_database_is_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_answers_503_when_database_is_unreachable():
    # A real server process whose database URL points at a closed port.
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code, r.content.decode().strip())"
    )
    env = dict(
        os.environ,
        DATABASE_URL="postgres://nobody@127.0.0.1:9/none",
        DJANGO_SETTINGS_MODULE="classroom.settings",
    )
    env.update(DJANGO_DEBUG="1", DJANGO_ALLOWED_HOSTS="testserver")
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1] == "503 database unreachable"


def healthz_in_a_new_process(database_url: str) -> str:
    """`<status> <body>` of /healthz in a fresh process on `database_url`, as a server sees it."""
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code, r.content.decode().strip())"
    )
    env = dict(os.environ, DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="classroom.settings")
    env.update(DJANGO_DEBUG="1", DJANGO_ALLOWED_HOSTS="testserver", DJANGO_LOG_LEVEL="CRITICAL")
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.strip().splitlines()[-1]


def test_healthz_on_a_missing_sqlite_file_answers_503_and_creates_no_file(tmp_path):
    database = tmp_path / "db.sqlite3"
    assert healthz_in_a_new_process(f"sqlite:///{database}") == "503 database missing"
    assert list(tmp_path.iterdir()) == []


def test_healthz_on_an_empty_sqlite_file_answers_503(tmp_path):
    # SELECT 1 answers on a file without a single table; healthz reads a real one.
    database = tmp_path / "db.sqlite3"
    sqlite3.connect(database).close()
    assert healthz_in_a_new_process(f"sqlite:///{database}") == "503 database unreachable"


def test_only_migrate_creates_the_sqlite_file(tmp_path):
    env = server_env(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    run_manage(env, "check")
    assert not (tmp_path / "db.sqlite3").exists()
    run_manage(env, "migrate", "--noinput", "-v0")
    assert healthz_in_a_new_process(f"sqlite:///{tmp_path / 'db.sqlite3'}") == "200 ok"


def test_healthz_answers_503_once_the_sqlite_file_is_deleted_under_a_running_server(tmp_path):
    database = tmp_path / "served.sqlite3"
    env = server_env(f"sqlite:///{database}")
    run_manage(env, "migrate", "--noinput", "-v0")
    with Server(env, tmp_path / "gunicorn.log", workers=2) as server:
        for _ in range(4):  # both workers, each now holding a connection to the file
            assert server.get("/healthz") == (200, b"ok\n")
        for path in tmp_path.glob("served.sqlite3*"):
            path.unlink()
        for _ in range(4):
            assert server.get("/healthz") == (503, b"database missing\n")
        # Pages fail without making an empty database where the real one was.
        for page in ("/", "/login/", "/join/", "/briefs/"):
            server.get(page)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["gunicorn.log"]
