"""Replace all of Agora's data with a copy written by `backup_data`.

    python manage.py restore_data PATH [--yes]

Everything now in the database is replaced. The cache is cleared afterwards, since
rendered thread fragments are keyed by thread versions that the restored data may
reuse; restart the app servers too, so that no process keeps memoised fragments (views/thread.py `Versioned`).
"""

import shutil
import sqlite3
import tempfile
from pathlib import Path

from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

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
        cache.clear()
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"Restored from {path}. Restart the app servers."))

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
