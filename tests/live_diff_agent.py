"""The hands of the live-equals-reload test (tests/live_diff.py) on the served database.

Run as `python -m tests.live_diff_agent` in the server's environment (its DATABASE_URL,
and REDIS_URL when the server has one), it seeds the class and then carries out steps
through classroom.actions and the models, one JSON request a line on stdin, one JSON
answer a line on stdout. It runs in a process of its own because on SQLite the server's
database is a file while the test process holds the suite's in-memory one; the same
process serves the PostgreSQL pass, so both passes write the same way.

Everything is named by username and by thread key ("evidence", "anonymous", ...), so the
test process needs no model instances. A refusal of the rules (ActionRefused) is an
answer, not a crash: the test then picks another step.
"""

import json
import os
import sys
import traceback
from datetime import timedelta
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classroom.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.sessions.backends.base import SessionBase  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from briefs.actions import save_brief  # noqa: E402
from briefs.models import Brief  # noqa: E402
from classroom import actions  # noqa: E402
from classroom.actions import ActionRefused, AssignmentRules  # noqa: E402
from classroom.models import Assignment, Membership, Participation, Response, User  # noqa: E402
from tests.factories import BriefFactory  # noqa: E402

PASSWORD = "live-diff-password-1"
FILLERS = 41  # one more than the thread page's window of 40 answers: "Show 1 earlier answer"
NAMED = {
    # username: (first name, last name)
    "ana": ("Ana", "Alvarez"),
    "ben": ("Ben", "Brennan"),
    "cleo": ("Cleo", "Castellanos"),
    "dev": ("Dev", "Dasgupta"),
    "eve": ("Eve", "Ekwueme"),
    "finn": ("Finn", "Fairweather"),
    "gus": ("Gus", "Gravesend"),
}
INSTRUCTORS = {"tess": ("Tess", "Teacher"), "cole": ("Cole", "Coteacher")}
SUMMARY = (
    "Ministers from both countries met in Geneva for two days of talks on trade. "
    "They agreed to reopen a consulate that closed three years ago. "
    "Tariffs on steel were not discussed. "
    "A second meeting is planned before the end of the year."
)
COMMENTARY = (
    "A consulate is a small step, but small steps are how a thaw usually starts. "
    "Leaving steel out shows how far apart the two sides still are. "
    "Domestic critics on both sides will call the meeting a concession."
)
RULE_FIELDS = [name for name in AssignmentRules.__dataclass_fields__]

ANSWER_RULES: dict[str, dict[str, Any]] = {
    # Quoting the brief (the default) and a stance before answering.
    "evidence": {"post_first": False, "stance": True},
    # Pseudonyms for classmates; answer before reading the others.
    "anonymous": {"anonymous_to_peers": True, "post_first": True, "evidence": False},
    # A fair reveal at 15% of the class, and steelman replies.
    "reveal": {"post_first": False, "reveal_quorum": 15, "steelman": True},
    # More answers than the page's window.
    "big": {"post_first": False},
}


def words(tag: str, n: int = 24) -> str:
    """A body with a marker a page diff makes readable, and enough words for any min_words rule."""
    filler = "the talks matter because trust is built slowly and evidence beats slogans every time"
    return f"{tag}: " + " ".join((filler.split() * 3)[:n])


def user(username: str) -> User:
    return User.objects.get(username=username)


def thread(key: str) -> Assignment:
    return Assignment.objects.select_related("group", "brief").get(brief__slug=f"live-diff-{key}")


def response(pk: int) -> Response:
    return Response.objects.select_related("assignment").get(pk=pk)


@transaction.atomic
def seed() -> dict:
    now = timezone.now()
    teacher, coteacher = (
        User.objects.create(username=name, first_name=first, last_name=last, is_instructor=True)
        for name, (first, last) in INSTRUCTORS.items()
    )
    group = actions.create_group(name="Period 5", instructor=teacher)
    group.instructors.add(coteacher)  # the co-teacher: a second instructor of the same group
    students = [
        User.objects.create(username=name, first_name=first, last_name=last)
        for name, (first, last) in NAMED.items()
    ]
    students += User.objects.bulk_create(
        User(username=f"f{n:02d}", first_name=f"Filler{n:02d}", last_name="Student") for n in range(FILLERS)
    )
    for student in students:
        actions.join_group(group=group, student=student)
    root = User(username="root", is_staff=True, is_superuser=True)
    root.set_password(PASSWORD)
    root.save()
    threads = {}
    for key, rules in ANSWER_RULES.items():
        brief = BriefFactory(
            title=f"Live diff {key}", slug=f"live-diff-{key}", summary=SUMMARY, commentary=COMMENTARY
        )
        base = AssignmentRules(opens_at=now - timedelta(hours=1), due_at=now + timedelta(days=5))
        (threads[key],) = actions.assign_brief(
            brief=brief, groups=[group], rules=AssignmentRules(**(base.__dict__ | rules)), by=teacher
        )
    evidence = threads["evidence"]
    for n, name in enumerate(["ana", "finn", "f00", "f01", "f02"]):
        actions.set_stance(assignment=evidence, student=user(name), value=1 + n % 5, moment="before")
        actions.post_response(
            assignment=evidence,
            author=user(name),
            body=words(f"Seed answer of {name}"),
            quote=("summary", n % 3) if n % 2 == 0 else ("commentary", n % 2),
            disputes=["", "fact", "interpretation"][n % 3],
        )
    for name in ["cleo", "finn", "gus"]:
        actions.post_response(assignment=threads["anonymous"], author=user(name), body=words(f"Anon {name}"))
    for name in ["f03", "f04", "f05"]:
        actions.post_response(
            assignment=threads["reveal"], author=user(name), body=words(f"Early {name}"), quote=("summary", 1)
        )
    for n in range(FILLERS):
        actions.post_response(
            assignment=threads["big"],
            author=user(f"f{n:02d}"),
            body=words(f"Big answer {n:02d}"),
            quote=("commentary", n % 3) if n % 4 == 0 else None,
        )
    return {"threads": {key: t.pk for key, t in threads.items()}, "password": PASSWORD}


def session(username: str) -> str:
    client = Client()
    client.force_login(user(username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def session_valid(key: str) -> bool:
    from importlib import import_module

    store: SessionBase = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    return store.exists(key) and bool(store.load())


def state() -> dict:
    """What the test needs to pick a meaningful next step, by thread key."""
    members = set(Membership.objects.values_list("student__username", flat=True))
    out: dict[str, Any] = {
        "members": sorted(members),
        "users": sorted(User.objects.values_list("username", flat=True)),
    }
    threads = {}
    for assignment in Assignment.objects.select_related("brief").filter(brief__slug__startswith="live-diff-"):
        key = assignment.brief.slug.removeprefix("live-diff-")
        seats = {
            seat.student.username: {
                "stance_before": seat.stance_before,
                "stance_after": seat.stance_after,
                "posted": seat.first_posted_at is not None,
                "extension": seat.due_at_override is not None,
            }
            for seat in Participation.objects.filter(assignment=assignment).select_related("student")
        }
        rows = Response.objects.filter(assignment=assignment).select_related("author", "reply_to", "parent")
        threads[key] = {
            "id": assignment.pk,
            "version": assignment.version,
            "rules": {name: _jsonable(getattr(assignment, name)) for name in RULE_FIELDS},
            "locked": assignment.is_locked,
            "revealed": assignment.is_revealed(),
            "accepts_posts": assignment.accepts_posts(),
            "sentences": [[part, index] for part, index, _ in assignment.brief.sentences()],
            "seats": seats,
            "responses": [
                {
                    "id": r.pk,
                    "author": r.author.username,
                    "by_instructor": r.by_instructor,
                    "parent": r.parent_id,
                    "restated_author": (r.reply_to or r.parent).author.username if r.parent_id else None,
                    "deleted": r.is_deleted,
                    "hidden": r.is_hidden,
                    "pinned": r.pinned_at is not None,
                    "highlighted": r.highlighted,
                    "steelman": bool(r.steelman),
                    "fair": r.steelman_fair_at is not None,
                    "body": r.body,
                }
                for r in rows.order_by("pk")
            ],
        }
    out["threads"] = threads
    return out


def _jsonable(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


def versions() -> dict[str, int]:
    return {
        slug.removeprefix("live-diff-"): version
        for slug, version in Assignment.objects.filter(brief__slug__startswith="live-diff-").values_list(
            "brief__slug", "version"
        )
    }


def post(thread_key: str, author: str, body: str, parent: int | None = None, **extras: Any) -> int:
    if extras.get("quote"):
        extras["quote"] = tuple(extras["quote"])
    return actions.post_response(
        assignment=thread(thread_key),
        author=user(author),
        body=body,
        parent=response(parent) if parent else None,
        **extras,
    ).pk


def rules(thread_key: str, **changes: Any) -> dict:
    """Change some of a thread's rules through update_assignment, the others as they are."""
    assignment = thread(thread_key)
    current = {name: getattr(assignment, name) for name in RULE_FIELDS}
    if "due_in_hours" in changes:
        hours = changes.pop("due_in_hours")
        changes["due_at"] = timezone.now() + timedelta(hours=hours)
    actions.update_assignment(assignment=assignment, rules=AssignmentRules(**(current | changes)))
    return {name: _jsonable(value) for name, value in changes.items()}


def brief_edit(thread_key: str, sentence: str) -> None:
    """An owner rewrites the commentary's last sentence (a new version of the brief), and the
    thread's teacher moves the thread to it: the quotes of the old sentence lose their place."""
    assignment = thread(thread_key)
    brief = Brief.objects.current().get(pk__in=assignment.brief.versions())
    parts = brief.commentary.split(". ")
    brief.commentary = ". ".join([*parts[:-1], sentence.rstrip(".") + "."])
    teacher = assignment.group.instructors.order_by("pk").first()
    save_brief(brief=brief, by=teacher)
    actions.move_to_newest_brief(assignment=assignment, by=teacher)


OPS = {
    "seed": seed,
    "session": session,
    "session_valid": session_valid,
    "state": state,
    "versions": versions,
    "post": post,
    "rules": rules,
    "brief_edit": brief_edit,
    "edit": lambda response_id, by, body: (
        actions.edit_response(response=response(response_id), by=user(by), body=body).pk
    ),
    "delete": lambda response_id, by: actions.delete_response(response=response(response_id), by=user(by)).pk,
    "hide": lambda response_id, by, reason: (
        actions.hide_response(response=response(response_id), by=user(by), reason=reason).pk
    ),
    "unhide": lambda response_id, by: actions.unhide_response(response=response(response_id), by=user(by)).pk,
    "highlight": lambda response_id, by, on: (
        actions.set_highlight(response=response(response_id), by=user(by), highlighted=on).pk
    ),
    "pin": lambda response_id, by, on: (
        actions.set_pin(response=response(response_id), by=user(by), pinned=on).pk
    ),
    "fair": lambda response_id, by, fair: (
        actions.mark_steelman_fair(response=response(response_id), by=user(by), fair=fair).pk
    ),
    "lock": lambda thread_key, by, locked: (
        actions.set_thread_lock(assignment=thread(thread_key), locked=locked, by=user(by)).pk
    ),
    "stance": lambda thread_key, student, value, moment: (
        actions.set_stance(
            assignment=thread(thread_key), student=user(student), value=value, moment=moment
        ).pk
    ),
    "extend": lambda thread_key, student, by, days: (
        actions.extend_due(
            assignment=thread(thread_key),
            student=user(student),
            by=user(by),
            due_at=None if days is None else thread(thread_key).due_at + timedelta(days=days),
            reason="Was ill",
        ).pk
    ),
    "remove": lambda student: actions.remove_student(group=thread("evidence").group, student=user(student)),
    "user_id": lambda username: user(username).pk,
}


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        op = request.pop("op")
        try:
            answer = {"ok": OPS[op](**request)}
        except ActionRefused as refusal:
            answer = {"refused": str(refusal)}
        except Exception:  # the test reports it with the step that caused it
            answer = {"error": traceback.format_exc()}
        finally:
            from django.db import connection

            connection.close()  # no connection held between steps: a restore may replace the data
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
