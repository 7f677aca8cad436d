"""Prepare the demo: the seed briefs, an instructor, a class with students, three open
assignments (one on a brief in Russian) and a discussion under way. Idempotent: running it again creates nothing.

    python manage.py seed_demo
"""

from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from briefs.models import Brief
from classroom.actions import (
    AssignmentRules,
    assign_brief,
    create_group,
    join_group,
    mark_steelman_fair,
    post_response,
    set_stance,
)
from classroom.models import Assignment, Group, Response, User

SEED_FILE = settings.BASE_DIR / "briefs" / "fixtures" / "briefs-russia-us-2025.txt"
# A brief written in Russian (its file says so), for the language classes Agora also serves.
RUSSIAN_SEED_FILE = settings.BASE_DIR / "briefs" / "fixtures" / "briefs-ru-2025.txt"
DEMO_PASSWORD = "agora-demo"
GROUP_NAME = "Period 3 · World Affairs"
STUDENTS = [
    ("ana", "Ana", "Lima"),
    ("ben", "Ben", "Okoro"),
    ("chloe", "Chloe", "Martin"),
    ("dev", "Dev", "Patel"),
]
ANSWERS = {
    "ana": (
        "I think it is mostly a **Trojan horse**. Arctic cooperation sounds technical, but it gives "
        "Moscow a seat at the table on shipping routes and resources without conceding anything on "
        "Ukraine. The summary itself says nobody expects quick solutions, so the Arctic talk looks "
        "like a way to keep the dialogue alive while the hard questions wait."
    ),
    "ben": (
        "I disagree a little. Small, practical deals are how thaws usually start: embassies, flights, "
        "then bigger things. Both sides gain from predictable rules in the Arctic, and a deal there "
        "could build the trust the commentary says is missing. It is not a new era yet, but it is not "
        "a trick either."
    ),
}


# The first discussion asks where students stand, on the question's own terms.
DEMO_STANCE_LABELS = [
    "A Trojan horse",
    "Mostly a Trojan horse",
    "Can't tell yet",
    "Mostly a new era",
    "A new era",
]
RUSSIAN_ANSWER = (  # by dev, quoting the Russian brief's first sentence
    "Думаю, больше всего выиграют семьи и студенты. Сейчас дорога из Москвы в Нью-Йорк "
    "занимает почти сутки с пересадкой в Стамбуле или Дубае, и билеты стоят дорого. "
    "Прямой рейс сделает такие поездки короче и дешевле."
)
EVIDENCE = {  # stance before, sentence of the brief quoted, what the answer disputes
    "ana": (2, ("summary", 2), ""),
    "ben": (4, ("commentary", 0), "interpretation"),
}


class Command(BaseCommand):
    help = "Load the seed briefs and a demo class with a discussion; print the demo logins."

    def handle(self, *args, **options) -> None:
        teacher = self.user("teacher", "Tess", "Okafor", is_instructor=True)
        # The demo teacher owns the seed briefs, so the demo shows editing and versions too.
        for seed_file in (SEED_FILE, RUSSIAN_SEED_FILE):
            call_command(
                "import_briefs",
                str(seed_file),
                tag=["Russia–US 2025"],
                created_by=teacher.username,
                verbosity=options["verbosity"],
            )
        with transaction.atomic():
            students = [self.user(*names) for names in STUDENTS]
            group = Group.objects.filter(name=GROUP_NAME, instructors=teacher).first()
            if group is None:
                group = create_group(name=GROUP_NAME, instructor=teacher)
            for student in students:
                join_group(group=group, student=student)
            briefs = list(
                Brief.objects.filter(first_version=None, language="").order_by("id")[:2]
            )  # first versions
            russian = Brief.objects.filter(first_version=None, language="ru").order_by("id").first()
            first = self.assignment(
                briefs[0],
                group,
                teacher,
                min_words=30,
                replies_required=1,
                stance=True,
                stance_labels="\n".join(DEMO_STANCE_LABELS),
                steelman=True,
            )
            self.assignment(briefs[1], group, teacher, anonymous_to_peers=True, post_first=False)
            in_russian = self.assignment(russian, group, teacher, post_first=False)
        self.discussion(first, {s.username: s for s in students})
        if not Response.objects.filter(assignment=in_russian).exists():
            post_response(
                assignment=in_russian, author=students[3], body=RUSSIAN_ANSWER, quote=("summary", 0)
            )

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        self.stdout.write(f"  instructor: {teacher.username}")
        self.stdout.write(
            f"  students:   {', '.join(s.username for s in students)}  (join code {group.join_code_display})"
        )

    def user(self, username: str, first_name: str, last_name: str, *, is_instructor: bool = False) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "last_name": last_name, "is_instructor": is_instructor},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

    def assignment(self, brief: Brief, group: Group, teacher: User, **rules) -> Assignment:
        existing = Assignment.objects.filter(brief__in=brief.versions(), group=group).first()
        if existing:
            return existing
        now = timezone.now().replace(second=0, microsecond=0)
        rules = AssignmentRules(opens_at=now - timedelta(hours=1), due_at=now + timedelta(days=5), **rules)
        return assign_brief(brief=brief, groups=[group], rules=rules, by=teacher)[0]

    def discussion(self, assignment: Assignment, students: dict[str, User]) -> None:
        if Response.objects.filter(assignment=assignment).exists():
            return
        answers = {}
        for name, body in ANSWERS.items():
            stance, quote, disputes = EVIDENCE[name]
            set_stance(assignment=assignment, student=students[name], value=stance, moment="before")
            answers[name] = post_response(
                assignment=assignment, author=students[name], body=body, quote=quote, disputes=disputes
            )
        post_response(
            assignment=assignment,
            author=students["ben"],
            parent=answers["ana"],
            steelman="Ana thinks the Arctic talks let Moscow gain a say over shipping and resources "
            "without giving anything on Ukraine.",
            body="Good point about the seat at the table, but doesn't Russia need Western partners for Arctic investment?",
        )
        reply = Response.objects.get(assignment=assignment, author=students["ben"], parent=answers["ana"])
        mark_steelman_fair(response=reply, by=students["ana"], fair=True)
        set_stance(assignment=assignment, student=students["ana"], value=3, moment="after")
