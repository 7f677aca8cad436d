"""Django's SQLite backend, told what the SQLite under Python 3.12 supports.

The system checks that every management command runs ask the backend whether SQLite
stores JSON (for django-tasks-db's task rows and the LTI tables). Django finds out by
running a query, which opens the database file, and settings.py opens that file without
creating it: a command refused before any query (a backup to a missing folder) would end
in a traceback about the database instead of its own one-line reason. JSON1 is built into
every SQLite that Python 3.12 and later ship or accept, so the answer needs no query.
"""

from django.db.backends.sqlite3 import base, features


class DatabaseFeatures(features.DatabaseFeatures):
    supports_json_field = True


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
