"""Django's `migrate`, which alone may create the site's SQLite file.

    python manage.py migrate [...]   (every option of Django's migrate)

settings.py opens the SQLite file read-write without creating it, so that a request never
makes an empty database where the real one went missing. This command creates the empty
file first, when there is none, and then runs Django's migrate unchanged.
"""

import sqlite3

from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from classroom.dbfile import sqlite_file


class Command(DjangoMigrate):
    def execute(self, *args, **options) -> None:
        # Before the system checks, not in handle(): checking a JSONField asks SQLite what it
        # supports, which opens the file (django-tasks-db's task rows and notification settings).
        path = sqlite_file(connections[options.get("database") or "default"])
        if path is not None and not path.exists():
            if not path.parent.is_dir():
                raise CommandError(f"{path.parent}: no such folder for the database")
            sqlite3.connect(path).close()
        super().execute(*args, **options)
