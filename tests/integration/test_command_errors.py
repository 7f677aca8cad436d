"""Every management command refuses bad input with one line and a non-zero exit, never a traceback."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from classroom.models import Response, User
from tests.factories import make_response

pytestmark = pytest.mark.django_db(transaction=True)


def refusal(*args, **options) -> str:
    """The CommandError's message of `call_command(*args)`, checked to be one line."""
    with pytest.raises(CommandError) as refused:
        call_command(*args, stdout=StringIO(), stderr=StringIO(), verbosity=0, **options)
    message = str(refused.value)
    assert "\n" not in message
    return message


@pytest.fixture
def sqlite_backup(tmp_path) -> bytes:
    """The bytes of a real backup, on SQLite, and skipped on PostgreSQL (whose backups are JSON)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("a SQLite backup restores on SQLite only")
    call_command("backup_data", str(tmp_path / "whole"), verbosity=0)
    return (tmp_path / "whole").read_bytes()


def test_backup_into_a_missing_folder_names_the_folder(tmp_path):
    assert refusal("backup_data", str(tmp_path / "gone" / "backup")) == f"{tmp_path / 'gone'}: no such folder"
    assert not (tmp_path / "gone").exists()


def test_restore_of_a_truncated_sqlite_backup_changes_nothing(tmp_path, sqlite_backup, thread, student):
    make_response(thread, student, body="Still here.")
    truncated = tmp_path / "truncated"
    truncated.write_bytes(sqlite_backup[: len(sqlite_backup) // 3])
    assert "not a readable SQLite file" in refusal("restore_data", str(truncated), yes=True)
    assert Response.objects.filter(body="Still here.").exists()


def test_restore_of_a_sqlite_file_that_is_not_a_backup_changes_nothing(tmp_path, thread, student):
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("a SQLite file is refused on PostgreSQL before it is opened")
    make_response(thread, student, body="Still here.")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as database:
        database.execute("CREATE TABLE notes (text)")
    assert "not an Agora backup" in refusal("restore_data", str(other), yes=True)
    assert Response.objects.filter(body="Still here.").exists()


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"username,first_name\nana,Ana\n", "not a backup"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "not a backup"),
        (b'[{"model": "classroom.response", "pk": 1, "fie', "not a complete JSON dump"),
        (b'[{"model": "classroom.response"}]', "not a backup made by backup_data"),
        (json.dumps([{"model": "classroom.nothing", "pk": 1, "fields": {}}]).encode(), "could not be loaded"),
    ],
    ids=["csv", "binary", "truncated-json", "json-without-fields", "unknown-model"],
)
def test_restore_of_a_file_that_is_not_a_whole_backup_changes_nothing(
    tmp_path, thread, student, content, reason
):
    make_response(thread, student, body="Still here.")
    path = tmp_path / "backup"
    path.write_bytes(content)
    assert reason in refusal("restore_data", str(path), yes=True)
    assert Response.objects.filter(body="Still here.").exists()


def test_restore_without_a_terminal_and_without_yes_restores_nothing(tmp_path, sqlite_backup, monkeypatch):
    def no_terminal(prompt):
        raise EOFError

    monkeypatch.setattr("builtins.input", no_terminal)
    (tmp_path / "backup").write_bytes(sqlite_backup)
    assert "pass --yes" in refusal("restore_data", str(tmp_path / "backup"))


def test_restore_of_a_missing_file_names_it(tmp_path):
    assert (
        refusal("restore_data", str(tmp_path / "nothing"), yes=True)
        == f"{tmp_path / 'nothing'}: no such file"
    )


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"\xff\xfe binary \x00", "not valid UTF-8"),
        (b"", "no briefs found"),
        (b"A summary with no question after it.\n", "line 1"),
    ],
    ids=["binary", "empty", "no-question"],
)
def test_import_of_a_bad_file_names_the_file(tmp_path, content, reason):
    path = tmp_path / "briefs.txt"
    path.write_bytes(content)
    message = refusal("import_briefs", str(path))
    assert message.startswith(f"{path}: ") and reason in message


def test_import_of_a_folder_or_a_missing_file_names_it(tmp_path):
    assert refusal("import_briefs", str(tmp_path)) == f"{tmp_path}: Is a directory"
    assert refusal("import_briefs", str(tmp_path / "none.txt")) == f"{tmp_path / 'none.txt'}: no such file"


@pytest.mark.parametrize(
    "username, email, reason",
    [
        ("a name with spaces", "", "username rejected"),
        ("u" * 151, "", "username rejected"),
        ("teacher2", "not-an-address", "email rejected"),
    ],
    ids=["spaces", "too-long", "email"],
)
def test_createinstructor_with_a_bad_name_or_address_creates_nobody(monkeypatch, username, email, reason):
    monkeypatch.setenv("DJANGO_INSTRUCTOR_PASSWORD", "a-long-enough-passphrase-9")
    assert refusal("createinstructor", username, email=email).startswith(reason)
    assert not User.objects.filter(username=username).exists()


@pytest.mark.parametrize(
    "command",
    [
        ["backup_data", "{tmp}/gone/backup"],
        ["restore_data", "--yes", "{tmp}/truncated.json"],
        ["restore_data", "--yes", "{tmp}/none"],
        ["import_briefs", "{tmp}/truncated.json"],
    ],
    ids=["backup-missing-folder", "restore-truncated", "restore-missing", "import-not-text"],
)
def test_a_refused_command_prints_one_line_and_exits_non_zero(tmp_path, command):
    (tmp_path / "truncated.json").write_bytes(b'[{"model": "classroom.resp\xff')
    done = subprocess.run(
        [sys.executable, "manage.py", *(arg.format(tmp=tmp_path) for arg in command)],
        cwd=settings.BASE_DIR,
        # A database of its own that no check reaches: each refusal comes before any query.
        env=dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("CommandError: ")
