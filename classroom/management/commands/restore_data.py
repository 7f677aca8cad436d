"""Replace all of Agora's data with a copy written by `backup_data`.

    python manage.py restore_data PATH [--yes]

Everything now in the database is replaced. Every thread then takes a new epoch
(classroom.epochs), in the same transaction: cached thread state names its epoch, so the
running app servers, every worker and instance, serve the restored data at their next read
with no restart, and no cache is cleared (nothing outside Agora's own keys is touched).
"""

import shutil
import sqlite3
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from classroom import caching
from classroom.epochs import start_new_epoch

SQLITE_MAGIC = b"SQLite format 3\x00"


class Command(BaseCommand):
    help = "Replace all data with a backup made by backup_data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask before replacing the data")

    def handle(self, *args, path: Path, yes: bool, **options) -> None:
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        if not yes and input(f"Replace ALL data with {path}? Type yes: ").strip() != "yes":
            raise CommandError("nothing restored")
        is_sqlite_file = path.open("rb").read(16) == SQLITE_MAGIC
        if is_sqlite_file:
            if connection.vendor != "sqlite":
                raise CommandError("this backup is a SQLite file; restore it on SQLite")
            self.sqlite_restore(path)
        else:
            # loaddata knows the format by the file name; it also resets the id sequences.
            with tempfile.TemporaryDirectory() as folder:
                dump = Path(folder) / "agora-backup.json"
                shutil.copyfile(path, dump)
                with transaction.atomic():
                    call_command("flush", interactive=False, verbosity=0)
                    call_command("loaddata", str(dump), verbosity=0)
                    start_new_epoch()
        if is_sqlite_file:
            with transaction.atomic():
                start_new_epoch()
        caching.forget_everything()  # this process's own memory; other processes go by the epochs
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"Restored from {path}."))

    def sqlite_restore(self, path: Path) -> None:
        source = sqlite3.connect(path)
        try:
            (result,) = source.execute("PRAGMA integrity_check").fetchone()
            if result != "ok":
                raise CommandError(f"{path} failed its integrity check: {result}")
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
