"""People, groups, assignments and the responses that make up a thread."""

import json
import secrets
import zoneinfo
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from briefs.models import Brief

# No 0/O, 1/I/L: codes are read aloud and copied from a projector.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8
DUE_SOON = timedelta(hours=48)


@cache
def time_zone_names() -> frozenset[str]:
    """Every IANA zone name this machine knows (the standard library's zoneinfo)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(name: str) -> None:
    if name and name not in time_zone_names():
        raise ValidationError(
            _("“%(name)s” is not a time zone we know. Pick one from the list, such as Europe/Berlin."),
            code="time_zone",
            params={"name": name[:60]},
        )


class User(AbstractUser):
    is_instructor = models.BooleanField(
        default=False,
        help_text=_("Instructors curate briefs, run groups and see the brief library."),
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        default="",
        validators=[validate_time_zone],
        help_text=_("An IANA name such as America/Chicago; empty for the site's default (TIME_ZONE)."),
    )
    # Empty: the page follows the browser (or the language cookie), and mail is in LANGUAGE_CODE.
    language = models.CharField(
        max_length=16,
        blank=True,
        default="",
        choices=settings.LANGUAGES,
        help_text=_("The language Agora's pages and mail are in; empty to follow the browser."),
    )

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        """Keep the username in NFKC (Django's clean) and refuse names that impersonate."""
        from classroom import names

        super().clean()
        names.check_user(self)

    @property
    def zone(self) -> zoneinfo.ZoneInfo | None:
        """The person's own time zone, or None for the site's default (also for a name no
        longer known to this machine's zone data)."""
        if self.time_zone not in time_zone_names():
            return None
        return zoneinfo.ZoneInfo(self.time_zone)


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _i in range(JOIN_CODE_LENGTH))


def normalise_join_code(code: str) -> str:
    """What a student types: any case, spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


class GroupQuerySet(models.QuerySet):
    def taught_by(self, user: User) -> "GroupQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(instructors=user)

    def active(self) -> "GroupQuerySet":
        return self.filter(archived_at__isnull=True)

    def with_member_count(self) -> "GroupQuerySet":
        members = Membership.objects.filter(group=OuterRef("pk")).order_by().values("group")
        return self.annotate(member_count=Coalesce(Subquery(members.annotate(n=Count("pk")).values("n")), 0))


class Group(models.Model):
    name = models.CharField(_("name"), max_length=120)
    instructors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teaching_groups")
    join_code = models.CharField(max_length=16, unique=True, default=new_join_code)
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("classroom:group_detail", args=[self.pk])

    @property
    def join_code_display(self) -> str:
        return f"{self.join_code[:4]}-{self.join_code[4:]}"

    def set_archived(self, archived: bool) -> None:
        self.archived_at = timezone.now() if archived else None
        self.save(update_fields=["archived_at"])

    def regenerate_join_code(self) -> None:
        self.join_code = new_join_code()
        self.save(update_fields=["join_code"])

    TEACHER, STUDENT = "teacher", "student"

    def remember_role(self, user: User, code: int) -> None:
        """Keep a role read with classroom.sql's role_case() on this instance, for role_of()."""
        self.__dict__.setdefault("_roles", {})[user.pk] = {2: self.TEACHER, 1: self.STUDENT}.get(code)

    def role_of(self, user: User) -> str | None:
        """TEACHER, STUDENT or None; asked once per user on this instance (one request)."""
        if not user.is_authenticated:
            return None
        roles = self.__dict__.setdefault("_roles", {})
        if user.pk not in roles:
            from classroom import sql

            self.remember_role(user, sql.role_in_group(self.pk, user.pk))
        return roles[user.pk]


class Membership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "student"], name="one_membership_per_student")
        ]
        ordering = ["student__last_name", "student__first_name", "student__username"]

    def __str__(self) -> str:
        return f"{self.student} in {self.group}"


class InvitationQuerySet(models.QuerySet):
    def received_by(self, user: User) -> "InvitationQuerySet":
        """The invitations a person may accept or decline: their own."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(invitee=user)

    def open(self) -> "InvitationQuerySet":
        """Invitations that can be accepted now: to a group that is not archived."""
        return self.filter(group__archived_at__isnull=True)


class Invitation(models.Model):
    """An existing account asked to join a group by a teacher who does not teach them yet.

    A roster may name anybody's username; the account joins only when its owner accepts,
    so no teacher can enrol, or learn the name of, another teacher's student.
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "invitee"], name="one_invitation_per_group_and_person")
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.invitee} invited to {self.group}"


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user: User, now: datetime | None = None) -> "AssignmentQuerySet":
        """Instructors see their groups' assignments; students, their groups' opened ones."""
        if not user.is_authenticated:
            return self.none()
        now = now or timezone.now()
        teaches = Group.instructors.through.objects.filter(group=OuterRef("group"), user=user)
        belongs = Membership.objects.filter(group=OuterRef("group"), student=user)
        return self.filter(Q(Exists(teaches)) | (Q(Exists(belongs)) & Q(opens_at__lte=now)))

    def taught_by(self, user: User) -> "AssignmentQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(group__instructors=user)

    def open_to(self, student: User, group: Group) -> list["Assignment"]:
        """The group's discussions the student can answer now: opened, not locked, not closed."""
        now = timezone.now()
        threads = self.visible_to(student, now).filter(group=group).select_related("group")
        return [thread for thread in threads.order_by("opens_at", "pk") if thread.accepts_posts(now)]

    def with_participation(self) -> "AssignmentQuerySet":
        """Annotate posted_count (students with an answer) and member_count."""
        posted = (
            Response.objects.filter(assignment=OuterRef("pk"), parent__isnull=True, deleted_at__isnull=True)
            .filter(author__memberships__group=OuterRef("group"))
            .order_by()
            .values("assignment")
            .annotate(n=Count("author", distinct=True))
            .values("n")
        )
        members = (
            Membership.objects.filter(group=OuterRef("group"))
            .order_by()
            .values("group")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            posted_count=Coalesce(Subquery(posted), 0),
            member_count=Coalesce(Subquery(members), 0),
        )

    def with_student_state(self, student: User) -> "AssignmentQuerySet":
        """Annotate has_answered, score (None if ungraded) and extension for one student."""
        answered = Response.objects.filter(
            assignment=OuterRef("pk"), author=student, parent__isnull=True, deleted_at__isnull=True
        )
        feedback = Feedback.objects.filter(assignment=OuterRef("pk"), student=student)
        seat = Participation.objects.filter(assignment=OuterRef("pk"), student=student)
        return self.annotate(
            has_answered=Exists(answered),
            score=Subquery(feedback.values("score")[:1]),
            extension=Subquery(seat.values("due_at_override")[:1]),
        )


STANCE_LABELS = [_("Strongly disagree"), _("Disagree"), _("Undecided"), _("Agree"), _("Strongly agree")]


QUORUM_MESSAGE = _("Give a share between 1 and 100 per cent, or leave it empty.")


class Assignment(models.Model):
    """A brief assigned to one group: one assignment is one discussion thread."""

    brief = models.ForeignKey(Brief, on_delete=models.PROTECT, related_name="assignments")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="assignments")
    opens_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(null=True, blank=True)
    post_first = models.BooleanField(_("students post before seeing classmates"), default=True)
    anonymous_to_peers = models.BooleanField(_("anonymous to classmates"), default=False)
    # Each number a teacher types has its limit here, so SQLite refuses what PostgreSQL's
    # column sizes would (SQLite stores any 64-bit number in a small-integer column).
    min_words = models.PositiveIntegerField(
        _("minimum words"),
        default=0,
        validators=[MaxValueValidator(2000, _("Keep the minimum under 2,000 words."))],
    )
    replies_required = models.PositiveSmallIntegerField(
        _("replies required"),
        default=0,
        validators=[MaxValueValidator(100, _("Ask for at most 100 replies."))],
    )
    allow_late = models.BooleanField(_("accept late answers"), default=False)
    points = models.PositiveSmallIntegerField(
        _("points"), default=10, validators=[MaxValueValidator(1000, _("Give at most 1,000 points."))]
    )
    locked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every write to the thread; the poll and caches key on it.
    version = models.PositiveIntegerField(default=0)
    # Bumped by every grade or feedback saved in the thread; a student's cached feedback keys on it.
    feedback_version = models.PositiveIntegerField(default=0)
    # Changed by a restore and by hard deletes (classroom.epochs): cached state names it too.
    epoch = models.PositiveBigIntegerField(default=0)
    # Rules that teach arguing from evidence (issue: stance, evidence, fair reveal, steelman).
    stance = models.BooleanField(_("ask for a stance before and after"), default=False)
    stance_labels = models.TextField(
        _("stance labels"),
        blank=True,
        help_text=_("Five labels, one per line, from one end of the scale to the other."),
    )
    evidence = models.BooleanField(_("answers can quote the brief"), default=True)
    reveal_quorum = models.PositiveSmallIntegerField(
        _("reveal answers at once"),
        null=True,
        blank=True,
        help_text=_("Per cent of the class who have answered."),
        validators=[
            MinValueValidator(1, QUORUM_MESSAGE),
            MaxValueValidator(100, QUORUM_MESSAGE),
        ],
    )
    revealed_at = models.DateTimeField(null=True, blank=True)  # when the quorum was reached
    steelman = models.BooleanField(_("replies restate the other view first"), default=False)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["brief", "group"], name="brief_assigned_once_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.brief.title} · {self.group.name}"

    def get_absolute_url(self) -> str:
        return reverse("classroom:thread_detail", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def has_opened(self, now: datetime | None = None) -> bool:
        return self.opens_at <= (now or timezone.now())

    def is_past_due(self, now: datetime | None = None, extension: datetime | None = None) -> bool:
        """Past the due time; a student's extension moves it later, never earlier."""
        if self.due_at is None:
            return False
        due = max(self.due_at, extension) if extension else self.due_at
        return (now or timezone.now()) > due

    def is_due_soon(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.due_at is not None and now <= self.due_at <= now + DUE_SOON

    def stance_scale(self) -> list[tuple[int, str]]:
        """The five points of the stance scale as (value, label), 1 to 5."""
        labels = [line.strip() for line in self.stance_labels.splitlines() if line.strip()]
        if len(labels) != len(STANCE_LABELS):
            labels = [str(label) for label in STANCE_LABELS]  # in the reader's language
        return list(enumerate(labels, start=1))

    def stance_label(self, value: int | None) -> str:
        return dict(self.stance_scale()).get(value, "") if value else ""

    def is_revealed(self, now: datetime | None = None) -> bool:
        """With a fair reveal, answers stay unseen until the quorum answers or the due time comes."""
        if self.reveal_quorum is None or self.revealed_at is not None:
            return True
        return self.due_at is not None and (now or timezone.now()) >= self.due_at

    def shows_peers_to(self, seat: "Participation | None", now: datetime | None = None) -> bool:
        """Whether a student with this seat sees classmates' answers (instructors always do)."""
        if not self.is_revealed(now):
            return False
        if self.post_first and (seat is None or seat.first_posted_at is None):
            return False
        # The stance comes first, except for students who answered before the rule was switched on.
        return not (
            self.stance and (seat is None or (seat.stance_before is None and seat.first_posted_at is None))
        )

    @property
    def gates_peers(self) -> bool:
        """Students may not see classmates' answers before some step of their own."""
        return self.post_first or self.stance or self.reveal_quorum is not None

    def accepts_posts(self, now: datetime | None = None, extension: datetime | None = None) -> bool:
        """Open for students' writing: opened, not locked, and before the due time or late allowed."""
        now = now or timezone.now()
        return (
            self.has_opened(now)
            and not self.is_locked
            and (self.allow_late or not self.is_past_due(now, extension))
            and self.group.archived_at is None
        )


class Participation(models.Model):
    """A student's seat in one thread: their pseudonym, and whether they have answered."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="participations")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    alias = models.PositiveSmallIntegerField()
    first_posted_at = models.DateTimeField(null=True, blank=True)
    due_at_override = models.DateTimeField(null=True, blank=True)  # an extension for this student
    stance_before = models.PositiveSmallIntegerField(null=True, blank=True)  # 1..5, before answering
    stance_after = models.PositiveSmallIntegerField(null=True, blank=True)  # 1..5, after the discussion
    stance_after_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="one_seat_per_student"),
            models.UniqueConstraint(fields=["assignment", "alias"], name="one_alias_per_thread"),
        ]

    def __str__(self) -> str:
        return f"Classmate {self.alias} in {self.assignment_id}"


DISPUTES = [
    ("", _("Builds on the brief")),
    ("fact", _("Disputes a fact in the summary")),
    ("interpretation", _("Disputes the commentary's interpretation")),
]


class ResponseQuerySet(models.QuerySet):
    def top_level(self) -> "ResponseQuerySet":
        return self.filter(parent__isnull=True)

    def live(self) -> "ResponseQuerySet":
        return self.filter(deleted_at__isnull=True)


class Response(models.Model):
    """An answer to the thread's question (parent is None) or a reply to one."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="responses")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="responses")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # The response this one answers when it is not the top-level answer itself.
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    alias = models.PositiveSmallIntegerField(null=True, blank=True)  # author's seat alias; None for staff
    by_instructor = models.BooleanField(default=False)
    body = models.TextField()
    body_html = models.TextField()  # rendered and sanitised at write time
    word_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    is_late = models.BooleanField(default=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.CharField(max_length=300, blank=True)
    highlighted = models.BooleanField(default=False)
    pinned_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    client_token = models.UUIDField(null=True, blank=True)
    created_version = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)  # the thread version of its last change
    # Evidence: the sentence of the brief an answer quotes, kept as written then.
    quote_part = models.CharField(
        max_length=12,
        blank=True,
        choices=[
            ("summary", pgettext_lazy("part of a brief", "summary")),
            ("commentary", pgettext_lazy("part of a brief", "commentary")),
        ],
    )
    quote_index = models.PositiveSmallIntegerField(null=True, blank=True)
    quote_text = models.TextField(blank=True)
    disputes = models.CharField(max_length=16, blank=True, choices=DISPUTES)
    # Fair reveal: the answer as it was before its author first changed it after seeing classmates'.
    original_body = models.TextField(blank=True)
    edited_after_reveal_at = models.DateTimeField(null=True, blank=True)
    # Steelman: a reply first restates the view it answers; that view's author may call it fair.
    steelman = models.TextField(blank=True)
    steelman_fair_at = models.DateTimeField(null=True, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["assignment", "version"], name="response_thread_version"),
            models.Index(fields=["assignment", "created_at"], name="response_thread_time"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_token"],
                condition=Q(client_token__isnull=False),
                name="one_response_per_submit",
            ),
        ]

    def __str__(self) -> str:
        return f"Response {self.pk} by {self.author_id} in {self.assignment_id}"

    def get_absolute_url(self) -> str:
        return f"{self.assignment.get_absolute_url()}#response-{self.pk}"

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_pinned(self) -> bool:
        return self.pinned_at is not None


class Feedback(models.Model):
    """An instructor's comment and score for one student on one assignment."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="feedback")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback")
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="one_feedback_per_student")
        ]

    def __str__(self) -> str:
        return f"Feedback for {self.student_id} on {self.assignment_id}"


class ModerationEvent(models.Model):
    """Audit log: who did what to which response (or thread), when and why."""

    class Action(models.TextChoices):
        HIDE = "hide", _("hid a response")
        UNHIDE = "unhide", _("showed a hidden response again")
        HIGHLIGHT = "highlight", _("highlighted a response")
        UNHIGHLIGHT = "unhighlight", _("removed a highlight")
        PIN = "pin", _("pinned a response")
        UNPIN = "unpin", _("unpinned a response")
        LOCK = "lock", _("locked the thread")
        UNLOCK = "unlock", _("reopened the thread")
        EXTEND = "extend", _("extended the due time")
        BRIEF_VERSION = "brief_version", _("moved the thread to a newer version of its brief")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="moderation_events")
    response = models.ForeignKey(Response, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # whose response, or whose extension
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} in {self.assignment_id}"


class ThrottleCount(models.Model):
    """One rate limit's count in one fixed window (classroom/throttle.py), where there is no Redis.

    The key names the limit, who it counts and the window, so a row is never read
    after its window ends; `expires_at` only tells the sweep which rows to delete.
    """

    key = models.CharField(max_length=150, primary_key=True)
    count = models.PositiveIntegerField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class SetPasswordLink(models.Model):
    """Audit log: an instructor made a one-time set-password link for a student of a group.

    The link's token is not kept: Django's token generator makes it from the student's
    password and last login, so it dies when the password changes (classroom/tokens.py).
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="set_password_links")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)  # the student set a password with a link

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"set-password link for {self.student_id} by {self.made_by_id}"


class RulePreset(models.Model):
    """A teacher's named set of discussion rules, to pick when assigning ("Debate, anonymous").

    Only the rules: dates belong to each assignment. `rules` holds the rule fields of
    classroom.actions.AssignmentRules by name, as JSON text; a rule added later takes its default.
    Text, not a JSONField: that field's system check opens the database, and `migrate` must run
    its checks before it creates the SQLite file (classroom/management/commands/migrate.py).
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rule_presets")
    name = models.CharField(max_length=80)
    rules_json = models.TextField(default="{}")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="one_preset_name_per_owner")]

    def __str__(self) -> str:
        return self.name

    @property
    def rules(self) -> dict:
        return json.loads(self.rules_json or "{}")

    @rules.setter
    def rules(self, rules: dict) -> None:
        self.rules_json = json.dumps(rules, sort_keys=True)


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user: User) -> "NotificationQuerySet":
        """What a person's bell and list show: their own notifications, once released (a held one
        waits until its recipient may see what it is about: post first, a fair reveal)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user, released_at__isnull=False)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One thing one person is told, in the app and (per their settings) by mail.

    `key` names what it is about (kind and object): unique per recipient, so however many
    times a task runs, nobody is told the same thing twice. The mail's record (sent_at,
    attempts) is on the same row, written in the same transaction as its claim.
    """

    class Kind(models.TextChoices):
        REPLY = "reply", _("Someone replied to your answer")
        FAIR = "fair", _("Your restatement was marked fair")
        FEEDBACK = "feedback", _("Feedback or a score was posted")
        NEW_THREAD = "new_thread", _("A new discussion opened in your group")
        DUE_SOON = "due_soon", _("A discussion is due within 24 hours and you have not answered")
        REOPENED = "reopened", _("A discussion you are in was reopened")
        DIGEST = "digest", _("Daily digest of your groups (instructors)")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=120)
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    response = models.ForeignKey(Response, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)  # None: held until the recipient may see it
    read_at = models.DateTimeField(null=True, blank=True)
    # Mail: due at (None: no mail), claimed by a worker until, sent at, attempts, last error.
    email_due_at = models.DateTimeField(null=True, blank=True)
    email_claimed_until = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=300, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="one_notification_per_recipient_and_key"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["email_sent_at", "email_due_at"], name="notification_mail_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.key}"


class NoticeState(models.Model):
    """A person's bell version: every change to what their bell counts takes a new one, so
    an open page's poll can tell "nothing changed" without counting (classroom.caching)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"bell of {self.user_id} at {self.version}"


class NotificationSettings(models.Model):
    """How one person wants to be told (no row: every kind by mail, right away, no quiet hours)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="notification_settings",
    )
    email_off = models.JSONField(default=list, blank=True)  # kinds not sent by mail (the bell keeps them)
    daily_digest = models.BooleanField(_("one mail a day instead of one per notification"), default=False)
    quiet_from = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet hours until"), null=True, blank=True)

    def __str__(self) -> str:
        return f"notification settings of {self.user_id}"
