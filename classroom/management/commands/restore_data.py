"""Replace all of Agora's data with a copy written by `backup_data`.

    python manage.py restore_data PATH [--yes]

Everything now in the database is replaced. Every thread then takes a new epoch
(classroom.epochs), in the same transaction: cached thread state names its epoch, so the
running app servers, every worker and instance, serve the restored data at their next read
with no restart, and no cache is cleared (nothing outside Agora's own keys is touched).
"""

import contextlib
import json
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, transaction

from classroom import caching
from classroom.epochs import start_new_epoch

SQLITE_MAGIC = b"SQLite format 3\x00"
# A SQLite file is taken for an Agora backup only if it has these: restoring any other
# SQLite file would replace the site's data with something it cannot read.
AGORA_TABLES = {"django_migrations", "classroom_assignment", "classroom_response", "briefs_brief"}


class Command(BaseCommand):
    help = "Replace all data with a backup made by backup_data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask before replacing the data")

    def handle(self, *args, path: Path, yes: bool, **options) -> None:
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            is_sqlite_file = path.open("rb").read(16) == SQLITE_MAGIC
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
        # Every check that can be made before the data is replaced is made first.
        if is_sqlite_file:
            if connection.vendor != "sqlite":
                raise CommandError("this backup is a SQLite file; restore it on SQLite")
            self.check_sqlite_backup(path)
        else:
            self.check_json_backup(path)
        if not yes and self.ask(f"Replace ALL data with {path}? Type yes: ") != "yes":
            raise CommandError("nothing restored")
        if is_sqlite_file:
            self.sqlite_restore(path)
        else:
            # loaddata knows the format by the file name; it also resets the id sequences.
            with tempfile.TemporaryDirectory() as folder:
                dump = Path(folder) / "agora-backup.json"
                shutil.copyfile(path, dump)
                try:
                    with transaction.atomic():
                        call_command("flush", interactive=False, verbosity=0)
                        call_command("loaddata", str(dump), verbosity=0)
                        start_new_epoch()
                except (DeserializationError, DatabaseError) as error:
                    reason = (str(error.__cause__ or error).strip().splitlines() or ["unknown error"])[-1]
                    reason = re.sub(r"^Problem installing fixture '[^']*': ", "", reason)
                    raise CommandError(f"{path}: could not be loaded, nothing changed: {reason}") from None
        if is_sqlite_file:
            with transaction.atomic():
                start_new_epoch()
        caching.forget_everything()  # this process's own memory; other processes go by the epochs
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"Restored from {path}."))

    def ask(self, question: str) -> str:
        try:
            return input(question).strip()
        except EOFError:
            raise CommandError("nothing restored: answer on a terminal, or pass --yes") from None

    def check_sqlite_backup(self, path: Path) -> None:
        try:
            with contextlib.closing(
                sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            ) as source:
                (result,) = source.execute("PRAGMA integrity_check").fetchone()
                tables = {name for (name,) in source.execute("SELECT name FROM sqlite_master")}
        except sqlite3.Error as error:
            raise CommandError(f"{path}: not a readable SQLite file ({error}); nothing restored") from None
        if result != "ok":
            raise CommandError(f"{path} failed its integrity check: {result.splitlines()[0]}")
        if not tables >= AGORA_TABLES:
            raise CommandError(f"{path}: a SQLite file, but not an Agora backup; nothing restored")

    def check_json_backup(self, path: Path) -> None:
        text = path.read_bytes()
        if not text.lstrip().startswith(b"["):
            raise CommandError(f"{path}: not a backup (neither a SQLite file nor a JSON dump)")
        try:
            dump = json.loads(text)
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not a backup (neither a SQLite file nor a JSON dump)") from None
        except json.JSONDecodeError as error:
            raise CommandError(
                f"{path}: not a complete JSON dump (line {error.lineno}: {error.msg}); nothing restored"
            ) from None
        if not isinstance(dump, list) or not all(
            isinstance(item, dict) and "model" in item and "fields" in item for item in dump
        ):
            raise CommandError(f"{path}: JSON, but not a backup made by backup_data; nothing restored")

    def sqlite_restore(self, path: Path) -> None:
        source = sqlite3.connect(path)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
