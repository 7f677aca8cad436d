"""Prepare the demo: the seed briefs, an instructor, a class with students and an
open assignment. Idempotent: running it again creates nothing new.

    python manage.py seed_demo
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

SEED_FILE = settings.BASE_DIR / "briefs" / "fixtures" / "briefs-russia-us-2025.txt"
DEMO_PASSWORD = "agora-demo"
INSTRUCTOR = ("teacher", "Tess", "Okafor")


class Command(BaseCommand):
    help = "Load the seed briefs and a demo instructor and class; print the demo logins."

    def handle(self, *args, **options) -> None:
        call_command("import_briefs", str(SEED_FILE), tag=["Russia–US 2025"], verbosity=options["verbosity"])
        with transaction.atomic():
            teacher = self.user(*INSTRUCTOR, is_instructor=True)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        self.stdout.write(f"  instructor: {teacher.username}")

    def user(self, username: str, first_name: str, last_name: str, *, is_instructor: bool = False):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "last_name": last_name, "is_instructor": is_instructor},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user
