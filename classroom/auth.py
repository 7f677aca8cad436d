"""Authentication: Django's ModelBackend, with the signed-in user read by SQL written once."""

from django.contrib.auth.backends import ModelBackend

from classroom import sql
from classroom.models import User


class UserBackend(ModelBackend):
    """Every request with a session reads its user by id; the ORM would spend longer writing
    that query than the database spends answering it (classroom/sql.py)."""

    def get_user(self, user_id: int) -> User | None:
        user = sql.user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
