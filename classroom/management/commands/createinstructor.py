"""Create an instructor account (or make an existing user an instructor).

    python manage.py createinstructor USERNAME [--email E] [--first-name F] [--last-name L]

The password is read from DJANGO_INSTRUCTOR_PASSWORD or asked for on a terminal.
"""

import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Create an instructor account, or mark an existing user as an instructor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, username: str, email: str, first_name: str, last_name: str, **options) -> None:
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is not None:
            if user.is_instructor:
                self.stdout.write(f"{username} is already an instructor; nothing changed.")
                return
            user.is_instructor = True
            user.save(update_fields=["is_instructor"])
            self.stdout.write(self.style.SUCCESS(f"{username} is now an instructor."))
            return
        user = User(
            username=username, email=email, first_name=first_name, last_name=last_name, is_instructor=True
        )
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as error:
            field, messages = next(iter(error.message_dict.items()))
            raise CommandError(f"{field} rejected: {' '.join(messages)}") from None
        password = os.environ.get("DJANGO_INSTRUCTOR_PASSWORD") or self.ask_password()
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("password rejected: " + " ".join(error.messages)) from None
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS(f"Instructor {username} created."))

    def ask_password(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError("no password: set DJANGO_INSTRUCTOR_PASSWORD or run on a terminal")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the passwords do not match")
        return first
