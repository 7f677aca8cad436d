"""Seed a fresh bench database with a realistic class, and write the plan for bench/run.py.

Three groups discuss a brief each, in threads of 30, 100 and 1000 responses (a third
of them replies, some by the instructor); one reader student belongs to all three
and has answered in each, so sees every classmate's response. A fourth group of 300
students has an open, empty thread for the post burst. Everything is written through
the real actions (`join_group`, `assign_brief`, `post_response`), so rows, rendered
bodies and thread versions are what the app itself would store. Only the accounts
are bulk-created (with unusable passwords), and their sessions are created directly
in the session store (`Client.force_login`) instead of logging in over HTTP.

    python -m bench.seed PLAN.json   # in the bench environment (DATABASE_URL, ...)
    python -m bench.seed --class N PLAN.json   # only a new class of N, for the simulated class

`--class N` adds a group of N new students and its teacher, with an open, empty thread
(post-first, 20 words at least, as the burst's), to whatever the database holds: each
run of bench/simulate.py gets a class of its own.
"""

import os
import random
import sys
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classroom.settings")
django.setup()

import json  # noqa: E402
from pathlib import Path  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core import signing  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from briefs.models import Brief  # noqa: E402
from classroom.actions import AssignmentRules, assign_brief, create_group, join_group, post_response  # noqa: E402
from classroom.models import Assignment, Group, User  # noqa: E402
from classroom.readmodel import POLL_SALT, Viewer, poll_url, shown_families  # noqa: E402

SEED_FILE = settings.BASE_DIR / "briefs" / "fixtures" / "briefs-russia-us-2025.txt"
THREAD_SIZES = (30, 100, 1000)
BURST_STUDENTS = 300
MIN_WORDS = 20
FIRST_NAMES = "Ana Ben Chloe Dev Emma Farid Grace Hugo Ines Jonas Kemi Liam Mei Noor Omar Priya Quinn Rosa Sami Tara".split()
LAST_NAMES = (
    "Lima Okoro Martin Patel Novak Haddad Kim Silva Weber Osei Rossi Tanaka Dubois Costa Ali Berg".split()
)
SENTENCES = [
    "I think the summary undersells how much domestic politics drives this decision.",
    "The commentary is right that **trust** is the missing ingredient, not technical detail.",
    "Small practical deals are usually how a thaw starts: embassies, flights, then bigger things.",
    "Both sides gain from predictable rules, even if neither will say so in public.",
    "It looks to me like a way to keep talking while the hard questions wait.",
    "Sanctions change the cost of every option here, so the timing is not an accident.",
    "> nobody expects quick solutions\n\nExactly, and that is why the small steps matter.",
    "Public opinion in both countries is more divided than the headlines suggest.",
    "The article does not say who pays for this, which is the first thing I would ask.",
    "History suggests these agreements survive only when both leaders need a win at home.",
    "I disagree with the framing: it is less a new era than a pause in an old one.",
    "If energy prices move, all of these calculations change within a few months.",
    "- shipping routes\n- fishing rights\n- research stations\n\nare all easier to agree on than borders.",
    "Allies were not consulted, and that will matter more than the deal itself.",
    "The question assumes the two governments want the same thing, and I am not sure they do.",
    "A deal on a narrow topic can still send a broad signal to everyone watching.",
]


def body(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(sentences))


def make_students(prefix: str, count: int) -> list[User]:
    students = []
    for n in range(count):
        student = User(
            username=f"{prefix}{n:04d}",
            first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
            last_name=LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)],
        )
        student.set_unusable_password()
        students.append(student)
    return User.objects.bulk_create(students)


def session_key(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def new_thread(brief: Brief, group: Group, teacher: User, opens_ago: timedelta) -> Assignment:
    now = timezone.now()
    rules = AssignmentRules(opens_at=now - opens_ago, due_at=now + timedelta(days=5), min_words=MIN_WORDS)
    return assign_brief(brief=brief, groups=[group], rules=rules, by=teacher)[0]


@transaction.atomic
def seed_thread(size: int, brief: Brief, teacher: User, reader: User, rng: random.Random) -> dict[str, int]:
    """A group whose thread holds `size` responses: one answer per student, a third replies."""
    replies = size // 3
    students = make_students(f"t{size}-", size - replies - 1)
    group = create_group(name=f"Thread of {size} · World Affairs", instructor=teacher)
    for student in [reader, *students]:
        join_group(group=group, student=student)
    thread = new_thread(brief, group, teacher, opens_ago=timedelta(days=2))
    kinds = ["reply"] * replies + ["answer"] * len(students)
    rng.shuffle(kinds)
    waiting = iter(students)
    answered = [reader]
    posted = [post_response(assignment=thread, author=reader, body=body(rng, 6), now=thread.opens_at)]
    step = (timezone.now() - thread.opens_at) / (size + 1)
    for n, kind in enumerate(kinds, start=1):
        when = thread.opens_at + step * n
        if kind == "answer":
            answered.append(next(waiting))
            posted.append(post_response(assignment=thread, author=answered[-1], body=body(rng, 6), now=when))
            continue
        # With post-first, only students who have answered see anything to reply to.
        parent = rng.choice(posted)
        author = teacher if n % 8 == 0 else rng.choice(answered)
        posted.append(
            post_response(assignment=thread, author=author, parent=parent, body=body(rng, 2), now=when)
        )
    thread = Assignment.objects.select_related("brief", "group").get(pk=thread.pk)
    # The poll URLs the reader's page carries, as the app renders them: the page at this
    # version (nothing new), and the page before the last reply (one new response).
    viewer = Viewer.of(reader, thread)
    families = shown_families(viewer)[0]
    ticket = signing.dumps([reader.pk, thread.pk], salt=POLL_SALT, compress=False)
    return {
        "assignment": thread.pk,
        "version": thread.version,
        "responses": len(posted),
        "ticket": ticket,
        "poll_none": poll_url(viewer, families),
        "poll_one": poll_url(viewer, families, since=thread.version - 1),
    }


@transaction.atomic
def seed_class(students: int) -> dict:
    """A new teacher and group of `students` with an open, empty thread; their sessions."""
    if not Brief.objects.exists():
        call_command("import_briefs", str(SEED_FILE), verbosity=0)
    run = Group.objects.count()
    teacher = User.objects.create(username=f"sim{run}-teacher", first_name="Tess", is_instructor=True)
    members = make_students(f"sim{run}-", students)
    group = create_group(name=f"Simulated class {run} of {students}", instructor=teacher)
    for student in members:
        join_group(group=group, student=student)
    thread = new_thread(Brief.objects.order_by("id").first(), group, teacher, opens_ago=timedelta(hours=1))
    return {
        "assignment": thread.pk,
        "min_words": MIN_WORDS,
        # The client sends "<this>=<session key>": one CSRF cookie for the class, a session each.
        "session_cookie": f"{settings.CSRF_COOKIE_NAME}={_get_new_csrf_string()}; {settings.SESSION_COOKIE_NAME}",
        "sessions": [session_key(student) for student in members],
        "teacher_session": session_key(teacher),
    }


def main(plan_path: Path) -> None:
    rng = random.Random(2025)
    call_command("import_briefs", str(SEED_FILE), verbosity=0)
    briefs = list(Brief.objects.order_by("id")[: len(THREAD_SIZES) + 1])
    teacher = User.objects.create(
        username="teacher", first_name="Tess", last_name="Okafor", is_instructor=True
    )
    (reader,) = make_students("reader", 1)
    threads = {
        str(size): seed_thread(size, brief, teacher, reader, rng)
        for size, brief in zip(THREAD_SIZES, briefs, strict=False)
    }
    with transaction.atomic():
        students = make_students("burst", BURST_STUDENTS)
        group = create_group(name=f"Lecture of {BURST_STUDENTS} · World Affairs", instructor=teacher)
        for student in students:
            join_group(group=group, student=student)
        burst = new_thread(briefs[len(THREAD_SIZES)], group, teacher, opens_ago=timedelta(hours=1))
    plan = {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": f"{settings.CSRF_COOKIE_NAME}={_get_new_csrf_string()}",
        "reader_session": session_key(reader),
        "threads": threads,
        "burst": {
            "assignment": burst.pk,
            "min_words": MIN_WORDS,
            "sessions": [session_key(student) for student in students],
        },
    }
    plan_path.write_text(json.dumps(plan))


if __name__ == "__main__":
    if sys.argv[1] == "--class":
        Path(sys.argv[3]).write_text(json.dumps(seed_class(int(sys.argv[2]))))
    else:
        main(Path(sys.argv[1]))
