"""People, groups, assignments and the responses that make up a thread."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    is_instructor = models.BooleanField(
        default=False,
        help_text="Instructors curate briefs, run groups and see the brief library.",
    )

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
