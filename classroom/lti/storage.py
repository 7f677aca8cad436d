"""PyLTI1p3's launch data storage in the database: the OIDC state, the nonce and the launch.

PyLTI1p3's Django storage is the cache, which on SQLite is each worker's own memory; the
login and the launch that follows it may reach different workers or instances.
"""

import json
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from pylti1p3.launch_data_storage.base import LaunchDataStorage

from classroom.lti.models import LaunchValue

DEFAULT_LIFETIME = 24 * 3600  # seconds; PyLTI1p3 passes its own for each value


class DatabaseLaunchDataStorage(LaunchDataStorage[Any]):
    def get_session_cookie_name(self) -> None:
        # The state cookie binds the login to the browser; a second "session" cookie would
        # only namespace these keys, and a frame that loses it would lose the launch.
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        row = LaunchValue.objects.filter(key=self._prepare_key(key), expires_at__gt=timezone.now()).first()
        return json.loads(row.value) if row else None

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        expires_at = timezone.now() + timedelta(seconds=exp or DEFAULT_LIFETIME)
        key = self._prepare_key(key)
        try:
            with transaction.atomic():
                LaunchValue.objects.update_or_create(
                    key=key, defaults={"value": json.dumps(value), "expires_at": expires_at}
                )
        except IntegrityError:  # another worker wrote the same key at the same moment
            LaunchValue.objects.filter(key=key).update(value=json.dumps(value), expires_at=expires_at)

    def check_value(self, key: str) -> bool:
        return LaunchValue.objects.filter(key=self._prepare_key(key), expires_at__gt=timezone.now()).exists()

    def consume(self, key: str) -> bool:
        """Delete the value; True only for the one caller that found it alive (a nonce, once)."""
        deleted, _ = LaunchValue.objects.filter(
            key=self._prepare_key(key), expires_at__gt=timezone.now()
        ).delete()
        return deleted == 1


def forget_expired() -> int:
    """Delete the values and launch tickets whose time is up; returns how many values went."""
    from classroom.lti.models import LaunchTicket

    now = timezone.now()
    LaunchTicket.objects.filter(expires_at__lte=now - timedelta(days=1)).delete()
    deleted, _ = LaunchValue.objects.filter(expires_at__lte=now).delete()
    return deleted
