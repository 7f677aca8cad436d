"""Sessions in the database (without Redis): Django's engine, with the session of each
request read by SQL written once (classroom/sql.py). SESSION_ENGINE = "classroom.sessions"."""

from django.contrib.sessions.backends import db
from django.utils import timezone

from classroom import sql


class SessionStore(db.SessionStore):
    def load(self) -> dict:
        data = sql.session_data(self.model._meta.db_table, self.session_key, timezone.now())
        if data is None:  # unknown or expired: a new, empty session, as Django's engine does
            self._session_key = None
            return {}
        return self.decode(data)
