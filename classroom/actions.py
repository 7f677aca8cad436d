"""Writes that span models: groups, joining, assigning briefs, posting to threads.

Each action is keyword-only, runs in one transaction, and checks the rules that
must hold whatever the caller (views, commands, tests) already checked.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.db.models.functions import Lower
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from briefs.models import Brief
from classroom import caching, languages, names, notifications, sql
from classroom.models import (
    DISPUTES,
    Assignment,
    Feedback,
    Group,
    Invitation,
    Membership,
    ModerationEvent,
    Participation,
    Response,
    RulePreset,
    SetPasswordLink,
    User,
    validate_time_zone,
)
from classroom.text import BODY_MAX_CHARS, count_words, render_markdown


class ActionRefused(Exception):
    """The rules do not allow this write; the message says why, in words for the user."""


def _number(value: int) -> str:
    """A count as the reader's language writes it (2,000 · 2 000 · 2.000)."""
    return formats.number_format(value, force_grouping=True)


@dataclass(frozen=True)
class AssignmentRules:
    opens_at: datetime
    due_at: datetime | None
    post_first: bool = True
    anonymous_to_peers: bool = False
    min_words: int = 0
    replies_required: int = 0
    allow_late: bool = False
    points: int = 10
    stance: bool = False
    stance_labels: str = ""
    evidence: bool = True
    reveal_quorum: int | None = None
    steelman: bool = False


# The rules a preset keeps and "assign again" copies: every rule but the dates, which belong
# to each assignment.
PRESET_RULES = tuple(
    name for name in AssignmentRules.__dataclass_fields__ if name not in ("opens_at", "due_at")
)


def rules_of(assignment: Assignment) -> dict:
    """An assignment's rules, to start another assignment from ("assign again")."""
    return {name: getattr(assignment, name) for name in PRESET_RULES}


@transaction.atomic
def save_rule_preset(*, owner: User, name: str, rules: dict) -> tuple[RulePreset, bool]:
    """Save rules under a name of the teacher's; the same name again replaces its rules.
    Returns (preset, created)."""
    name = " ".join(name.split())
    if not name:
        raise ActionRefused(_("Give the preset a name, such as “Debate, anonymous”."))
    if len(name) > 80:
        raise ActionRefused(_("Keep the preset's name under 80 characters."))
    kept = RulePreset(rules={rule: rules[rule] for rule in PRESET_RULES}).rules_json
    return RulePreset.objects.update_or_create(owner=owner, name=name, defaults={"rules_json": kept})


def delete_rule_preset(*, preset: RulePreset, by: User) -> None:
    if preset.owner_id != by.pk:
        raise ActionRefused(_("Only its owner can delete a preset."))
    preset.delete()


@transaction.atomic
def create_group(*, name: str, instructor: User) -> Group:
    group = Group.objects.create(name=name.strip())
    group.instructors.add(instructor)
    return group


@transaction.atomic
def join_group(*, group: Group, student: User) -> tuple[Membership, bool]:
    """Add a student to a group; joining twice is harmless. Returns (membership, created)."""
    if group.archived_at is not None:
        raise ActionRefused(_("This group is archived and no longer takes new members."))
    if group.instructors.filter(pk=student.pk).exists():
        raise ActionRefused(_("You teach this group, so you cannot join it as a student."))
    membership, created = Membership.objects.get_or_create(group=group, student=student)
    # However they came in (code, link or accepting), an invitation to this group is spent.
    Invitation.objects.filter(group=group, invitee=student).delete()
    if created:
        roster_changed(group)
    return membership, created


@transaction.atomic
def add_group_instructor(*, group: Group, instructor: User, by: User) -> bool:
    """Another instructor teaches the group too, exactly as its other teachers. Returns False
    when they already did."""
    if not instructor.is_instructor:
        raise ActionRefused(_("Only instructor accounts can teach a group."))
    if group.memberships.filter(student=instructor).exists():
        raise ActionRefused(_("%(name)s is a student of this group.") % {"name": instructor.display_name})
    if group.instructors.filter(pk=instructor.pk).exists():
        return False
    group.instructors.add(instructor)
    Invitation.objects.filter(group=group, invitee=instructor).delete()
    roster_changed(group)
    return True


@transaction.atomic
def remove_group_instructor(*, group: Group, instructor: User, by: User) -> None:
    """The instructor no longer teaches the group; a group always keeps one teacher."""
    Group.objects.select_for_update().filter(pk=group.pk).first()  # one removal at a time per group
    teachers = set(group.instructors.values_list("pk", flat=True))
    if instructor.pk not in teachers:
        return
    if len(teachers) == 1:
        raise ActionRefused(_("A group needs a teacher: add another before you remove the last one."))
    group.instructors.remove(instructor)
    roster_changed(group)


@transaction.atomic
def register_student(
    *,
    username: str,
    first_name: str,
    last_name: str,
    password: str,
    group: Group,
    time_zone: str = "",
    language: str = "",
) -> User:
    """A new student account, already in the group whose code they used."""
    student = User(
        username=names.normalise_username(username),
        first_name=first_name,
        last_name=last_name,
        time_zone=time_zone,
        language=language,
    )
    student.set_password(password)
    try:
        with transaction.atomic():
            student.save()
    except IntegrityError:  # taken between the form's check and now
        raise ActionRefused(_("Someone took that username a moment ago: choose another.")) from None
    join_group(group=group, student=student)
    return student


@transaction.atomic
def remove_student(*, group: Group, student: User) -> None:
    """Take a student out of a group. Their responses stay in the threads."""
    Membership.objects.filter(group=group, student=student).delete()
    roster_changed(group)
    for thread in Assignment.objects.filter(group=group, reveal_quorum__isnull=False, revealed_at=None):
        _reveal_at_quorum(thread, timezone.now())  # a smaller class may have reached the share


@transaction.atomic
def move_student(*, student: User, from_group: Group, to_group: Group) -> None:
    """A site admin moves a student to another group: joined there, then removed here."""
    if from_group.pk == to_group.pk:
        raise ActionRefused(
            _("%(name)s is already in %(group)s.") % {"name": student.display_name, "group": to_group.name}
        )
    if not Membership.objects.filter(group=from_group, student=student).exists():
        raise ActionRefused(
            _("%(name)s is not in %(group)s.") % {"name": student.display_name, "group": from_group.name}
        )
    join_group(group=to_group, student=student)
    remove_student(group=from_group, student=student)


@transaction.atomic
def deactivate_account(*, user: User, by: User) -> None:
    """Switch an account off: it can no longer log in, and a session it has ends at its next request
    (the authentication backend refuses an inactive user). Its posts stay."""
    if user.pk == by.pk:
        raise ActionRefused(_("You cannot switch off your own account."))
    user.is_active = False
    user.save(update_fields=["is_active"])


@transaction.atomic
def assign_brief(
    *, brief: Brief, groups: Iterable[Group], rules: AssignmentRules, by: User
) -> list[Assignment]:
    """Assign one brief to several groups at once: one thread per group."""
    groups = list(groups)
    already = set(
        Assignment.objects.filter(brief__in=brief.versions(), group__in=groups).values_list(
            "group__name", flat=True
        )
    )
    if already:
        raise ActionRefused(
            _("This brief is already assigned to %(groups)s.") % {"groups": ", ".join(sorted(already))}
        )
    threads = [
        Assignment.objects.create(brief=brief, group=group, created_by=by, **rules.__dict__)
        for group in groups
    ]
    notifications.assigned_event(threads, by)
    return threads


@transaction.atomic
def update_assignment(*, assignment: Assignment, rules: AssignmentRules) -> Assignment:
    locked = _bump_version(assignment)
    for name, value in rules.__dict__.items():
        setattr(locked, name, value)
    locked.save()
    _reveal_at_quorum(locked, timezone.now())  # a lower share may already be reached
    return locked


@transaction.atomic
def set_thread_lock(*, assignment: Assignment, locked: bool, by: User | None = None) -> Assignment:
    thread = _bump_version(assignment)
    thread.locked_at = timezone.now() if locked else None
    thread.save(update_fields=["locked_at"])
    action = ModerationEvent.Action.LOCK if locked else ModerationEvent.Action.UNLOCK
    ModerationEvent.objects.create(assignment=thread, actor=by, action=action)
    if not locked:
        notifications.reopened_event(thread, by)
    return thread


@dataclass(frozen=True)
class BriefMove:
    """What moving a thread to the newest version of its brief does to its answers' quotes:
    each quoted sentence is looked for in the new text (same part first), by its words."""

    newest: Brief
    found: dict[int, tuple[str, int]]  # response id: where its sentence is in the newest version
    lost: list[Response]  # answers whose quoted sentence is not in the newest version


def plan_brief_move(assignment: Assignment) -> BriefMove | None:
    """None when the thread already shows the newest version of its brief."""
    newest = Brief.objects.current().filter(pk__in=assignment.brief.versions()).first()
    if newest is None or newest.pk == assignment.brief_id:
        return None
    places: dict[tuple[str, str], tuple[str, int]] = {}
    for part, index, text in reversed(newest.sentences()):  # the first occurrence wins
        places[(part, " ".join(text.split()))] = (part, index)
        places[("", " ".join(text.split()))] = (part, index)
    found, lost = {}, []
    quoting = Response.objects.filter(assignment=assignment, parent=None).exclude(quote_text="")
    for response in quoting.select_related("author").order_by("created_at", "id"):
        words = " ".join(response.quote_text.split())
        place = places.get((response.quote_part, words)) or places.get(("", words))
        if place:
            found[response.pk] = place
        else:
            lost.append(response)
    return BriefMove(newest=newest, found=found, lost=lost)


@transaction.atomic
def move_to_newest_brief(*, assignment: Assignment, by: User) -> BriefMove:
    """Show the thread the newest version of its brief. Quotes found in it point at their
    sentence there; the others keep their words, shown as from an earlier version."""
    thread = _bump_version(assignment)
    thread.brief = assignment.brief
    plan = plan_brief_move(thread)
    if plan is None:
        raise ActionRefused(_("This thread already shows the newest version of its brief."))
    for response_id, (part, index) in plan.found.items():
        Response.objects.filter(pk=response_id).update(
            quote_part=part, quote_index=index, version=thread.version
        )
    Response.objects.filter(pk__in=[response.pk for response in plan.lost]).update(
        quote_part="", quote_index=None, version=thread.version
    )
    before = thread.brief.version
    thread.brief = plan.newest
    thread.save(update_fields=["brief"])
    ModerationEvent.objects.create(
        assignment=thread,
        actor=by,
        action=ModerationEvent.Action.BRIEF_VERSION,
        reason=f"version {before} to version {plan.newest.version}",
    )
    return plan


def _bump_version(assignment: Assignment) -> Assignment:
    """Lock the thread row and take the next version: writers to one thread queue here.

    The thread comes back as it is now; its group is the caller's (with the roles the
    caller already read), as a group's row is not part of the thread."""
    thread = sql.bump_version(assignment.pk)
    if thread is None:
        raise Assignment.DoesNotExist("The thread is gone.")
    thread.group = assignment.group
    if "brief" in assignment._state.fields_cache:
        thread.brief = assignment.brief
    caching.thread_changed(thread.pk)
    return thread


def _seat(thread: Assignment, student: User) -> Participation:
    seat = Participation.objects.filter(assignment=thread, student=student).first()
    return seat or _new_seat(thread, student)


def _new_seat(
    thread: Assignment, student: User, first_posted_at: datetime | None = None, alias: int | None = None
) -> Participation:
    """A student's first step in a thread gives them the next pseudonym (under the thread lock;
    `alias` when the caller read it there already)."""
    if alias is None:
        alias = (Participation.objects.filter(assignment=thread).aggregate(n=Max("alias"))["n"] or 0) + 1
    return Participation.objects.create(
        assignment=thread, student=student, alias=alias, first_posted_at=first_posted_at
    )


def check_body(body: str, *, min_words: int) -> str:
    body = body.strip()
    if not body:
        raise ActionRefused(_("Write something before you post."))
    if len(body) > BODY_MAX_CHARS:
        raise ActionRefused(
            _("Keep it under %(most)s characters (this is %(length)s).")
            % {"most": _number(BODY_MAX_CHARS), "length": _number(len(body))}
        )
    words = count_words(body)
    if words < min_words:
        raise ActionRefused(
            ngettext(
                "Write at least %(least)d words; this has %(count)d.",
                "Write at least %(least)d words; this has %(count)d.",
                words,
            )
            % {"least": min_words, "count": words}
        )
    return body


def post_response(
    *,
    assignment: Assignment,
    author: User,
    body: str,
    parent: Response | None = None,
    client_token: uuid.UUID | None = None,
    now: datetime | None = None,
    quote: tuple[str, int] | None = None,
    disputes: str = "",
    steelman: str = "",
) -> Response:
    """Post an answer (parent None) or a reply. A repeated client_token returns the first post.

    Students answer once per thread (they edit to change it) and reply as often as
    they like; instructors reply. Replies to a reply attach to its top-level answer
    and remember whom they answer. An answer may quote a sentence of the brief
    (`quote` = (part, index)) and say it disputes a fact or the interpretation;
    with the steelman rule, a reply to a classmate first restates their view.
    """
    try:
        with transaction.atomic():
            return _post_response(
                assignment=assignment,
                author=author,
                body=body,
                parent=parent,
                client_token=client_token,
                now=now,
                extras={"quote": quote, "disputes": disputes, "steelman": steelman},
            )
    except _AlreadyStored as stored:
        return stored.response
    except IntegrityError:
        # The thread lock orders copies of one submit, so the later one finds the first under it
        # (_post_response); should two copies still meet at the unique constraint, the other won.
        earlier = Response.objects.filter(author=author, client_token=client_token).first()
        if client_token is None or earlier is None:
            raise
        return earlier


class _AlreadyStored(Exception):
    """This submit is stored already (another copy of it came first): the transaction is rolled
    back, taking the version this copy took with it, and the first copy is the answer."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _post_response(
    *,
    assignment: Assignment,
    author: User,
    body: str,
    parent: Response | None,
    client_token: uuid.UUID | None,
    now: datetime | None,
    extras: dict,
) -> Response:
    now = now or timezone.now()
    thread = _bump_version(assignment)
    # One read, under the lock: the seat, the next alias, this submit if stored, the response
    # replied to as it is now, and the author's answers here.
    seat, next_alias, earlier, replied, live_answers, last_answer_body = sql.post_state(
        thread.pk, author.pk, client_token, parent.pk if parent is not None else None
    )
    if earlier is not None:
        # Another copy of this submit held the thread lock before us and is stored now: answer
        # with it (whatever the rules say since), and write nothing. The rollback gives back the
        # version taken above, so the thread is as it was committed, that copy included.
        if earlier.assignment_id == thread.pk:
            thread.version -= 1
            earlier.assignment, earlier.author, earlier.author_seat = thread, author, seat
        raise _AlreadyStored(earlier)
    role = thread.group.role_of(author)
    if role is None:
        raise ActionRefused(_("Only members of this group can post here."))
    is_instructor = role == Group.TEACHER
    if is_instructor:
        seat = None
    extension = seat.due_at_override if seat else None
    if not is_instructor and not thread.accepts_posts(now, extension):
        raise ActionRefused(closed_reason(thread, now))
    if is_instructor and (thread.is_locked or thread.group.archived_at):
        raise ActionRefused(_("This thread is locked."))
    reply_to = top_id = None
    if parent is not None:
        hidden_from_author = (
            replied is not None and replied.is_hidden and not is_instructor and replied.author_id != author.pk
        )
        if replied is None or replied.assignment_id != thread.pk or replied.is_deleted or hidden_from_author:
            raise ActionRefused(_("That response is no longer there to reply to."))
        reply_to, top_id = replied, (replied.parent_id or replied.pk)
    elif is_instructor:
        raise ActionRefused(_("Instructors reply to answers; the question is for students."))
    body = check_body(body, min_words=thread.min_words if parent is None and not is_instructor else 0)
    evidence = check_evidence(thread, extras, is_answer=parent is None)
    if reply_to is not None and needs_steelman(thread, reply_to, author, is_instructor):
        evidence["steelman"] = check_steelman(extras["steelman"])

    if not is_instructor:
        new_seat = seat is None
        if new_seat:  # a first answer is posted with its seat: one write, not two
            seat = _new_seat(
                thread, author, first_posted_at=now if parent is None else None, alias=next_alias
            )
        if parent is None:
            if live_answers:
                raise ActionRefused(_("You have already answered; edit your answer to change it."))
            if thread.stance and seat.stance_before is None and (new_seat or seat.first_posted_at is None):
                raise ActionRefused(_("Say where you stand on the question before you answer."))
            if last_answer_body is not None and thread.gates_peers and thread.shows_peers_to(seat, now):
                # A new answer after deleting one that opened the thread: keep what it replaced.
                evidence["edited_after_reveal_at"] = now
                evidence["original_body"] = last_answer_body
            if seat.first_posted_at is None:
                seat.first_posted_at = now
                seat.save(update_fields=["first_posted_at"])
    response = Response.objects.create(
        assignment=thread,
        author=author,
        parent_id=top_id,
        reply_to=reply_to if reply_to is not None and reply_to.pk != top_id else None,
        alias=seat.alias if seat else None,
        by_instructor=is_instructor,
        body=body,
        body_html=render_markdown(body),
        word_count=count_words(body),
        created_at=now,
        is_late=not is_instructor and thread.is_past_due(now, extension),
        client_token=client_token,
        created_version=thread.version,
        version=thread.version,
        **evidence,
    )
    if parent is None and not is_instructor:
        _reveal_at_quorum(thread, now)
    notifications.reply_event(response)
    response.author_seat = seat  # the author's seat as this post left it, for the page sent back
    return response


def check_evidence(thread: Assignment, extras: dict, *, is_answer: bool) -> dict:
    """The quoted sentence and the dispute tag of an answer, checked against the brief."""
    if not is_answer or not thread.evidence:
        return {}
    disputes = extras.get("disputes") or ""
    if disputes not in {value for value, _label in DISPUTES}:
        raise ActionRefused(_("Pick what your answer does with the brief from the list."))
    fields = {"disputes": disputes}
    if extras.get("quote"):
        part, index = extras["quote"]
        found = [text for p, i, text in thread.brief.sentences() if (p, i) == (part, index)]
        if not found:
            raise ActionRefused(_("That sentence is not in the brief any more; pick another."))
        fields |= {"quote_part": part, "quote_index": index, "quote_text": found[0]}
    return fields


STEELMAN_MIN_WORDS = 8


def needs_steelman(thread: Assignment, replied: Response, author: User, is_instructor: bool) -> bool:
    """With the steelman rule, a student's reply to a classmate restates the classmate's view."""
    return (
        thread.steelman and not is_instructor and not replied.by_instructor and replied.author_id != author.pk
    )


def check_steelman(text: str) -> str:
    text = (text or "").strip()
    if count_words(text) < STEELMAN_MIN_WORDS:
        raise ActionRefused(
            _("First restate their view in your own words (at least %(least)d words), then reply.")
            % {"least": STEELMAN_MIN_WORDS}
        )
    if len(text) > BODY_MAX_CHARS:
        raise ActionRefused(
            _("Keep the restatement under %(most)s characters.") % {"most": _number(BODY_MAX_CHARS)}
        )
    return text


def _reveal_at_quorum(thread: Assignment, now: datetime) -> None:
    """A fair reveal opens every answer at once when enough of the class has answered."""
    if thread.reveal_quorum is None or thread.revealed_at is not None:
        return
    members = Membership.objects.filter(group=thread.group_id).values("student")
    answered = (
        Response.objects.filter(assignment=thread, parent=None, deleted_at=None, author__in=members)
        .values("author")
        .distinct()
        .count()
    )
    if answered * 100 >= thread.reveal_quorum * max(members.count(), 1):
        thread.revealed_at = now
        Assignment.objects.filter(pk=thread.pk).update(revealed_at=now)


def closed_reason(thread: Assignment, now: datetime) -> str:
    if thread.group.archived_at:
        return _("This group is archived; its threads are read-only.")
    if thread.is_locked:
        return _("Your instructor has locked this thread.")
    if not thread.has_opened(now):
        return _("This thread is not open yet.")
    return _("This thread closed at its due time, and late answers are not accepted.")


def student_extension(assignment: Assignment, student: User) -> datetime | None:
    """The due time granted to this student alone, if any."""
    return (
        Participation.objects.filter(assignment=assignment, student=student)
        .values_list("due_at_override", flat=True)
        .first()
    )


def can_change(
    response: Response, user: User, now: datetime | None = None, extension: datetime | None = None
) -> bool:
    """Authors change their own responses while the thread takes their posts."""
    if response.author_id != user.pk or response.is_deleted:
        return False
    if response.by_instructor:
        return not response.assignment.is_locked
    return response.assignment.accepts_posts(now, extension)


@transaction.atomic
def edit_response(
    *, response: Response, body: str, by: User, now: datetime | None = None, evidence: dict | None = None
) -> Response:
    """Change a response's text; for an answer, also its quote and dispute tag (`evidence`:
    {"quote": (part, index) or None, "disputes": ""|"fact"|"interpretation"}), when given."""
    thread = _bump_version(response.assignment)
    current = Response.objects.select_for_update().get(pk=response.pk)
    current.assignment = thread
    if not can_change(current, by, now, student_extension(thread, by)):
        raise ActionRefused(_("You can no longer edit this response."))
    is_answer = current.parent_id is None and not current.by_instructor
    body = check_body(body, min_words=thread.min_words if is_answer else 0)
    if body != current.body and is_answer and not current.original_body and _saw_peers(thread, by):
        # Changed after seeing classmates' answers: say so, and keep the first version for the instructor.
        current.original_body = current.body
        current.edited_after_reveal_at = now or timezone.now()
    if body != current.body:
        current.body = body
        current.body_html = render_markdown(body)
        current.word_count = count_words(body)
        current.edited_at = now or timezone.now()
    if evidence is not None and current.parent_id is None and thread.evidence:
        fields = {"quote_part": "", "quote_index": None, "quote_text": ""}
        fields |= check_evidence(thread, evidence, is_answer=True)
        for name, value in fields.items():
            setattr(current, name, value)
    current.version = thread.version
    current.save()
    return current


def _saw_peers(thread: Assignment, student: User) -> bool:
    if not thread.gates_peers:
        return False
    return thread.shows_peers_to(Participation.objects.filter(assignment=thread, student=student).first())


@transaction.atomic
def set_stance(
    *, assignment: Assignment, student: User, value: int, moment: str, now: datetime | None = None
) -> Participation:
    """Place a student on the thread's stance scale: "before" answering, or "after" the discussion.

    The first stance is fixed once the student answers; the second may change until
    the group is archived. The answer's card shows the stance, so it is drawn again.
    """
    now = now or timezone.now()
    thread = _bump_version(assignment)
    if not thread.stance:
        raise ActionRefused(_("This discussion does not ask where you stand."))
    if value not in dict(thread.stance_scale()):
        raise ActionRefused(_("Pick one of the five points of the scale."))
    if not Membership.objects.filter(group=thread.group_id, student=student).exists():
        raise ActionRefused(_("Only members of this group can take a stance here."))
    if thread.group.archived_at:
        raise ActionRefused(_("This group is archived; its threads are read-only."))
    seat = _seat(thread, student)
    if moment == "before":
        if seat.first_posted_at is not None:
            raise ActionRefused(_("Your first stance is kept as it was when you answered."))
        if not thread.accepts_posts(now, seat.due_at_override):
            raise ActionRefused(closed_reason(thread, now))
        seat.stance_before = value
    elif moment == "after":
        if seat.first_posted_at is None:
            raise ActionRefused(_("Answer first; then say where you stand after the discussion."))
        seat.stance_after, seat.stance_after_at = value, now
    else:
        raise ActionRefused(_("Say whether this is your stance before or after the discussion."))
    seat.save(update_fields=["stance_before", "stance_after", "stance_after_at"])
    Response.objects.filter(assignment=thread, author=student, parent=None, deleted_at=None).update(
        version=thread.version
    )
    return seat


@transaction.atomic
def mark_steelman_fair(*, response: Response, by: User, fair: bool, now: datetime | None = None) -> Response:
    """The author of a view says whether a reply restated it fairly."""
    thread = _bump_version(response.assignment)
    # PostgreSQL cannot lock the nullable side of an outer join: lock the reply alone.
    current = (
        Response.objects.select_for_update(of=("self",))
        .select_related("parent", "reply_to")
        .get(pk=response.pk)
    )
    restated = current.reply_to or current.parent
    if not current.steelman or current.is_deleted or restated is None or restated.author_id != by.pk:
        raise ActionRefused(_("Only the author of the view it restates can call a restatement fair."))
    current.steelman_fair_at = (now or timezone.now()) if fair else None
    current.version = thread.version
    current.save(update_fields=["steelman_fair_at", "version"])
    current.assignment = thread
    if fair:
        notifications.fair_event(current, by)
    return current


@transaction.atomic
def delete_response(*, response: Response, by: User, now: datetime | None = None) -> Response:
    """Soft delete: replies stay, under a placeholder, and the author may answer again."""
    thread = _bump_version(response.assignment)
    current = Response.objects.select_for_update().get(pk=response.pk)
    current.assignment = thread
    if not can_change(current, by, now, student_extension(thread, by)):
        raise ActionRefused(_("You can no longer delete this response."))
    current.deleted_at = now or timezone.now()
    current.version = thread.version
    current.save(update_fields=["deleted_at", "version"])
    notifications.withdraw_for_response(current)
    return current


@transaction.atomic
def save_feedback(
    *, assignment: Assignment, student: User, score: Decimal | None, comment: str, by: User
) -> Feedback:
    """One feedback per student and thread; saving again replaces it."""
    if not Membership.objects.filter(group=assignment.group_id, student=student).exists():
        raise ActionRefused(_("This student is not in the group."))
    feedback, _created = Feedback.objects.update_or_create(
        assignment=assignment,
        student=student,
        defaults={"score": score, "comment": comment.strip(), "updated_by": by},
    )
    Assignment.objects.filter(pk=assignment.pk).update(feedback_version=F("feedback_version") + 1)
    if score is not None or feedback.comment:
        notifications.feedback_event(feedback, by)
    return feedback


@dataclass
class RosterPlan:
    """What importing a roster does, row by row; nothing is written until commit.

    Only the importing teacher's own students (members of a group they teach) are added
    at once and named. Any other existing account is invited: the plan keeps the account
    to invite, but the preview shows only the username the teacher typed.
    """

    new: list = field(default_factory=list)  # RosterRow
    join: list = field(default_factory=list)  # (RosterRow, User): the teacher's own students
    invite: list = field(default_factory=list)  # (RosterRow, User): anybody else; never shown
    invited: list = field(default_factory=list)  # RosterRow: invited before, not yet joined
    already: list = field(default_factory=list)  # (RosterRow, User)
    errors: list = field(default_factory=list)  # RosterError
    links: list = field(default_factory=list)  # (User, path to set a password), after commit

    @property
    def adding(self) -> int:
        return len(self.new) + len(self.join)

    @property
    def inviting(self) -> int:
        return len(self.invite)

    def preview(self) -> list[tuple[str, object, str, str]]:
        """The rows in the roster's order, as (what happens, row, name, email) for the preview.

        Name and email are shown only for new accounts (as typed) and the teacher's own
        students; an account to invite is shown by the typed username alone."""
        shown = [
            *(("new", row, f"{row.first_name} {row.last_name}".strip(), row.email) for row in self.new),
            *(("join", row, user.display_name, row.email) for row, user in self.join),
            *(("already", row, user.display_name, row.email) for row, user in self.already),
            *(("invite", row, "", "") for row, _user in self.invite),
            *(("invited", row, "", "") for row in self.invited),
        ]
        return sorted(shown, key=lambda entry: entry[1].line)


def import_roster(*, group: Group, rows: list, by: User, commit: bool) -> RosterPlan:
    """Plan (commit=False) or carry out (commit=True) adding roster rows to a group.

    New accounts get no usable password; each gets a one-time link to set one,
    shown to the instructor once. Existing accounts that are not already students of
    `by` are invited, not added. Any error means nothing is written.
    """
    from classroom.roster import RosterError

    plan = RosterPlan()
    # "Sam" on the roster is the existing "sam", as sign-up treats them (not a second account).
    existing = {
        user.username.lower(): user
        for user in User.objects.annotate(key=Lower("username")).filter(
            key__in=[row.username.lower() for row in rows]
        )
    }
    found = [user.pk for user in existing.values()]
    own = set(
        Membership.objects.filter(group__in=Group.objects.taught_by(by), student__in=found).values_list(
            "student_id", flat=True
        )
    )
    members = set(
        Membership.objects.filter(group=group, student__in=found).values_list("student_id", flat=True)
    )
    invited = set(
        Invitation.objects.filter(group=group, invitee__in=found).values_list("invitee_id", flat=True)
    )
    teachers = set(group.instructors.values_list("pk", flat=True))
    in_use = names.skeletons_in_use() if len(existing) < len(rows) else set()
    for row in rows:
        user = existing.get(row.username.lower())
        if user is None and names.skeleton(row.username) in in_use:
            # Said of the typed name only: which account it looks like is not the teacher's to know.
            plan.errors.append(
                RosterError(
                    row.line,
                    _("“%(username)s”: %(problem)s")
                    % {"username": row.username, "problem": names.USERNAME_TAKEN},
                )
            )
        elif user is None:
            plan.new.append(row)
        elif user.pk in teachers:
            # The group's own teachers are on its page already: naming them reveals nothing.
            plan.errors.append(
                RosterError(row.line, _("“%(username)s” teaches this group") % {"username": row.username})
            )
        elif user.pk in members:
            plan.already.append((row, user))
        elif user.pk in own:
            plan.join.append((row, user))
        elif user.pk in invited:
            plan.invited.append(row)
        else:
            plan.invite.append((row, user))
    if commit and not plan.errors:
        _carry_out_roster(group, plan, by)
    return plan


def threads_retitled(*, brief_ids: list[int], **_signal) -> None:
    """A brief's title changed in place (briefs.actions.brief_retitled): a new version of its
    threads makes their open pages redraw with it, as a fresh load would show it."""
    Assignment.objects.filter(brief_id__in=brief_ids).update(version=F("version") + 1)
    caching.thread_changed()


def roster_changed(group: Group) -> None:
    """Class sizes show in every thread of the group: a new version refreshes them."""
    Assignment.objects.filter(group=group).update(version=F("version") + 1)
    caching.thread_changed()


@transaction.atomic
def _carry_out_roster(group: Group, plan: RosterPlan, by: User) -> None:
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    for row in plan.new:
        # The teacher's language (the request's) is the best guess for the class until a
        # student picks their own: the set-password mail and the first pages are in it.
        user = User(
            username=row.username,
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            language=languages.active(),
        )
        user.set_unusable_password()
        user.save()
        Membership.objects.create(group=group, student=user)
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        plan.links.append((user, reverse("password_reset_confirm", args=[uid, token])))
    for _row, user in plan.join:
        Membership.objects.get_or_create(group=group, student=user)
    for _row, user in plan.invite:
        Invitation.objects.get_or_create(group=group, invitee=user, defaults={"invited_by": by})
    if plan.new or plan.join:
        roster_changed(group)


@transaction.atomic
def accept_invitation(*, invitation: Invitation, by: User) -> tuple[Membership, bool]:
    """The invited person joins the group; accepting for a group they are in already is harmless.

    Returns (membership, created). An archived group, or one they teach, refuses, and the
    invitation stays (the group may be made active again; they may still decline)."""
    if invitation.invitee_id != by.pk:
        raise ActionRefused(_("This invitation is for somebody else."))
    membership, created = join_group(group=invitation.group, student=by)  # deletes the invitation
    return membership, created


@transaction.atomic
def decline_invitation(*, invitation: Invitation, by: User) -> None:
    """The invited person says no: the invitation is gone, and they are not told again."""
    if invitation.invitee_id != by.pk:
        raise ActionRefused(_("This invitation is for somebody else."))
    invitation.delete()


@transaction.atomic
def withdraw_invitation(*, invitation: Invitation, by: User) -> None:
    """A teacher of the group takes back an invitation not yet accepted."""
    if not invitation.group.instructors.filter(pk=by.pk).exists():
        raise ActionRefused(_("Only the group's instructors withdraw its invitations."))
    invitation.delete()


@transaction.atomic
def update_profile(*, user: User, first_name: str, last_name: str, email: str, language: str = "") -> User:
    """A person's own name, email (the domain lower-cased, as Django's normalize_email) and
    language ("" to follow the browser)."""
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.email = User.objects.normalize_email(email.strip())
    user.language = languages.supported(language)
    user.save(update_fields=["first_name", "last_name", "email", "language"])
    return user


def set_time_zone(*, user: User, time_zone: str) -> User:
    """The zone a person reads and types times in ("" for the site's default)."""
    validate_time_zone(time_zone)
    user.time_zone = time_zone
    user.save(update_fields=["time_zone"])
    return user


def set_password_link_refusal(student: User) -> str:
    """Why no instructor may make a set-password link for this account ("" if one may)."""
    if student.is_instructor or student.is_staff or student.is_superuser:
        return _(
            "%(name)s has an instructor or staff account; "
            "its password is reset by email or by the site's administrator."
        ) % {"name": student.display_name}
    if not student.is_active:
        return _("%(name)s's account is switched off.") % {"name": student.display_name}
    return ""


@transaction.atomic
def make_set_password_link(*, group: Group, student: User, by: User) -> tuple[SetPasswordLink, str]:
    """A one-time link (its path) for a student of the group to set a password, logged."""
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from classroom.tokens import SET_PASSWORD_LINK_LIFETIME, set_password_link_tokens

    if not by.is_superuser and not group.instructors.filter(pk=by.pk).exists():
        raise ActionRefused(_("Only the group's instructors make set-password links."))
    if not Membership.objects.filter(group=group, student=student).exists():
        raise ActionRefused(_("This student is not in the group."))
    refusal = set_password_link_refusal(student)
    if refusal:
        raise ActionRefused(refusal)
    link = SetPasswordLink.objects.create(
        group=group, student=student, made_by=by, expires_at=timezone.now() + SET_PASSWORD_LINK_LIFETIME
    )
    uid = urlsafe_base64_encode(force_bytes(student.pk))
    return link, reverse(
        "set_password_link_confirm", args=[uid, set_password_link_tokens.make_token(student)]
    )


def record_set_password_link_used(*, student: User) -> None:
    """The student set a password through a link: every link still open for them ends with it."""
    now = timezone.now()
    SetPasswordLink.objects.filter(student=student, used_at=None, expires_at__gt=now).update(used_at=now)


def _moderate(response: Response, by: User, action: str, reason: str = "", **changes: object) -> Response:
    """Apply a moderation change to a response, bump the thread version, log who and why."""
    thread = _bump_version(response.assignment)
    if not by.is_superuser and not thread.group.instructors.filter(pk=by.pk).exists():
        raise ActionRefused(_("Only the group's instructors moderate this thread."))
    current = Response.objects.select_for_update().get(pk=response.pk)
    for name, value in changes.items():
        setattr(current, name, value)
    current.version = thread.version
    current.save(update_fields=[*changes, "version"])
    current.assignment = thread
    ModerationEvent.objects.create(
        assignment=thread, response=current, actor=by, action=action, student=current.author, reason=reason
    )
    return current


@transaction.atomic
def hide_response(*, response: Response, by: User, reason: str) -> Response:
    """Peers no longer see it; its author sees that it was hidden, and why."""
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Say why: the student sees the reason."))
    hidden = _moderate(
        response, by, ModerationEvent.Action.HIDE, reason[:300],
        hidden_at=timezone.now(), hidden_by=by, hidden_reason=reason[:300],
    )  # fmt: skip
    notifications.withdraw_for_response(hidden)
    return hidden


@transaction.atomic
def unhide_response(*, response: Response, by: User) -> Response:
    return _moderate(
        response, by, ModerationEvent.Action.UNHIDE, hidden_at=None, hidden_by=None, hidden_reason=""
    )


@transaction.atomic
def set_highlight(*, response: Response, by: User, highlighted: bool) -> Response:
    action = ModerationEvent.Action.HIGHLIGHT if highlighted else ModerationEvent.Action.UNHIGHLIGHT
    return _moderate(response, by, action, highlighted=highlighted)


@transaction.atomic
def set_pin(*, response: Response, by: User, pinned: bool) -> Response:
    """Pinned answers come first in the thread. Only top-level answers are pinned."""
    if response.parent_id is not None:
        raise ActionRefused(_("Only answers can be pinned, not replies."))
    action = ModerationEvent.Action.PIN if pinned else ModerationEvent.Action.UNPIN
    return _moderate(response, by, action, pinned_at=timezone.now() if pinned else None)


@transaction.atomic
def extend_due(
    *, assignment: Assignment, student: User, due_at: datetime | None, by: User, reason: str = ""
) -> Participation:
    """Give one student a later due time (None takes the extension back)."""
    thread = _bump_version(assignment)
    if not thread.group.instructors.filter(pk=by.pk).exists():
        raise ActionRefused(_("Only the group's instructors give extensions."))
    if not Membership.objects.filter(group=thread.group, student=student).exists():
        raise ActionRefused(_("This student is not in the group."))
    if due_at is not None and thread.due_at is not None and due_at <= thread.due_at:
        raise ActionRefused(_("An extension must end after the thread's own due time."))
    seat = _seat(thread, student)
    seat.due_at_override = due_at
    seat.save(update_fields=["due_at_override"])
    ModerationEvent.objects.create(
        assignment=thread,
        actor=by,
        action=ModerationEvent.Action.EXTEND,
        student=student,
        reason=reason.strip()[:300],
    )
    return seat
