"""Write a consistent copy of all of Agora's data to a file, while the site runs.

    python manage.py backup_data PATH

On SQLite the copy is a SQLite file made with SQLite's online backup (readers and
writers go on meanwhile) and checked with PRAGMA integrity_check. On PostgreSQL it
is a JSON dump read inside one REPEATABLE READ transaction, so all tables agree.
Restore with `restore_data PATH`.
"""

import sqlite3
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]


class Command(BaseCommand):
    help = "Write a consistent copy of the data to PATH (SQLite file or JSON dump)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        if path.exists():
            raise CommandError(f"{path} exists already; choose a new file name")
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent}: no such folder")
        try:
            if connection.vendor == "sqlite":
                self.sqlite_backup(path)
            else:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    call_command("dumpdata", exclude=EXCLUDED, output=str(path), verbosity=0)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
        except sqlite3.Error as error:
            path.unlink(missing_ok=True)
            raise CommandError(f"{path}: {error}") from None
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(f"Backup written to {path} ({path.stat().st_size:,} bytes).")
            )

    def sqlite_backup(self, path: Path) -> None:
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
            (result,) = target.execute("PRAGMA integrity_check").fetchone()
        finally:
            target.close()
        if result != "ok":
            path.unlink()
            raise CommandError(f"the copy failed its integrity check: {result}")
