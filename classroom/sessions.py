"""Sessions in the database (without Redis): Django's engine, with the session of each
request read by SQL written once (classroom/rows.py). SESSION_ENGINE = "classroom.sessions"."""

from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone

from classroom.rows import fetch_one


class SessionStore(db.SessionStore):
    def load(self) -> dict:
        row = fetch_one(
            f"SELECT session_data FROM {connection.ops.quote_name(self.model._meta.db_table)}"  # noqa: S608
            " WHERE session_key = %s AND expire_date > %s",
            [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        if row is None:  # unknown or expired: a new, empty session, as Django's engine does
            self._session_key = None
            return {}
        return self.decode(row[0])
