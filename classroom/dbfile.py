"""The SQLite file a database lives in, when settings.py opens it without creating it."""

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.db.backends.base.base import BaseDatabaseWrapper


def sqlite_file(connection: BaseDatabaseWrapper) -> Path | None:
    """The file of a SQLite database named by a `file:` URI with mode=rw; else None."""
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or not name.startswith("file:"):
        return None
    parts = urlsplit(name)
    if parse_qs(parts.query).get("mode") != ["rw"]:
        return None
    return Path(unquote(parts.path))
