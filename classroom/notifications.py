"""Who is told what, when, and how: the one home of notifications.

Actions call the `*_event` functions inside their own transaction; those enqueue a task
(classroom.tasks), so with the database task backend the task is stored with the write that
caused it, or not at all. The task decides who is told (`fan_out`), by the rules that hold
in every notification:

- nobody is told of their own action;
- nothing from a classmate before the student may see it (post first, a stance first, a
  fair reveal): such a notification is held (`released_at` None) and released by the
  worker's sweep once the thread shows it to them;
- hidden posts, deleted posts and locked threads tell no one; deleting or hiding a reply
  withdraws its unread notifications (`withdraw_for_response`, in the same transaction);
- names are written as the recipient sees them in the thread (readmodel.Viewer.label):
  pseudonyms in anonymous threads, in the bell, the list, and every mail's subject, body
  and headers (the sender is always the site, never a person).

Each notification's `key` is unique per recipient, and its mail's record (claim, attempts,
sent) is on the same row: however often a task runs, or a worker dies and its task runs
again, nobody is told the same thing twice. A mail refused by the server is retried with
backoff by the sweep (`send_due_mail`), never lost.
"""

import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from classroom import caching, languages
from classroom.mail import MailNotConfigured
from classroom.models import (
    Assignment,
    Feedback,
    Group,
    Membership,
    NoticeState,
    Notification,
    NotificationSettings,
    Participation,
    Response,
    User,
)

logger = logging.getLogger(__name__)

Kind = Notification.Kind
STUDENT_KINDS = [Kind.REPLY, Kind.FAIR, Kind.FEEDBACK, Kind.NEW_THREAD, Kind.DUE_SOON, Kind.REOPENED]
DUE_SOON = timedelta(hours=24)
# A mail claimed by a worker that died is tried again after this (AGORA_MAIL_CLAIM_SECONDS).
CLAIM = timedelta(seconds=settings.AGORA_MAIL_CLAIM_SECONDS)
BACKOFF_FIRST, BACKOFF_MOST = 10, 3600  # seconds before the first retry, and at most between two
DIGEST_AT = time(7, 0)  # daily digests go out at 07:00 in the person's own zone
HOLD_DAYS = 30  # a held notification still not visible after this is dropped
UNSUBSCRIBE_SALT = "agora.unsubscribe"
ALL = "all"  # a digest mail's unsubscribe link stops every kind
MAIL_BATCH = 200


# ---- events: called by classroom.actions, inside their transaction ---------------------


def _enqueue(kind: str, object_id: int, actor_id: int | None) -> None:
    from classroom import tasks

    tasks.notify.enqueue(kind, object_id, actor_id)


def reply_event(response: Response) -> None:
    if response.parent_id is not None:
        _enqueue(Kind.REPLY, response.pk, response.author_id)


def fair_event(response: Response, by: User) -> None:
    _enqueue(Kind.FAIR, response.pk, by.pk)


def feedback_event(feedback: Feedback, by: User) -> None:
    _enqueue(Kind.FEEDBACK, feedback.pk, by.pk)


def assigned_event(assignments: Iterable[Assignment], by: User) -> None:
    for assignment in assignments:
        _enqueue(Kind.NEW_THREAD, assignment.pk, by.pk)


def reopened_event(assignment: Assignment, by: User | None) -> None:
    _enqueue(Kind.REOPENED, assignment.pk, by.pk if by else None)


def withdraw_for_response(response: Response) -> None:
    """A reply deleted or hidden: its unread notifications go (read ones stay, as read)."""
    gone = Notification.objects.filter(response=response, read_at__isnull=True)
    recipients = list(gone.values_list("recipient_id", flat=True))
    if recipients:
        gone.delete()
        bell_changed(recipients)


# ---- the bell ---------------------------------------------------------------------------


def bell_changed(user_ids: Iterable[int]) -> None:
    """Every change to what someone's bell counts takes a new bell version (in this transaction)."""
    user_ids = sorted(set(user_ids))
    if not user_ids:
        return
    NoticeState.objects.bulk_create([NoticeState(user_id=pk) for pk in user_ids], ignore_conflicts=True)
    NoticeState.objects.filter(user_id__in=user_ids).update(version=F("version") + 1)
    transaction.on_commit(lambda: caching.bells_changed(user_ids, read_bell_versions))


def read_bell_versions(user_ids: Iterable[int]) -> dict[int, int]:
    return dict(NoticeState.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "version"))


def bell_version(user_id: int) -> int:
    """The person's bell version for the poll's fast path (classroom.caching.bell_version)."""
    return caching.bell_version(user_id, lambda: read_bell_versions([user_id]).get(user_id, 0))


def unread_count(user: User) -> int:
    return Notification.objects.for_user(user).unread().count()


def mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or, with None, all) of the person's notifications read; returns how many."""
    with transaction.atomic():
        unread = Notification.objects.for_user(user).unread()
        if notification_ids is not None:
            unread = unread.filter(pk__in=list(notification_ids))
        count = unread.update(read_at=timezone.now())
        if count:
            bell_changed([user.pk])
    return count


# ---- who is told: the rules ---------------------------------------------------------------


def may_know(user: User, notification: Notification, now: datetime | None = None) -> bool | None:
    """True: the person may be told now. False: not yet (held). None: never (the post is gone,
    hidden, or the thread is locked)."""
    now = now or timezone.now()
    thread = notification.assignment
    if notification.kind == Kind.DIGEST:
        return True
    if thread is None:
        return None
    response = notification.response
    if response is not None and (response.is_deleted or response.is_hidden):
        return None
    if thread.is_locked and notification.kind != Kind.FEEDBACK:
        return None
    role = thread.group.role_of(user)
    if role is None:
        return None
    if role == Group.TEACHER:
        return True
    if not thread.has_opened(now):
        return False
    if response is None:
        return True
    from classroom.readmodel import Viewer

    return Viewer.of(user, thread, is_teacher=False).sees_peers


def fan_out(kind: str, object_id: int, actor_id: int | None) -> int:
    """Tell everyone an event concerns (the task's body). Returns how many were told."""
    now = timezone.now()
    response = None
    if kind in (Kind.REPLY, Kind.FAIR):
        response = (
            Response.objects.select_related("assignment__group", "assignment__brief", "parent", "reply_to")
            .filter(pk=object_id)
            .first()
        )
        if response is None:
            return 0
        thread = response.assignment
        if kind == Kind.REPLY:
            replied = response.reply_to or response.parent
            recipients = [replied.author_id] if replied is not None else []
            key = f"reply:{response.pk}"
        else:
            if response.steelman_fair_at is None:
                return 0  # taken back before the task ran
            recipients = [response.author_id]
            key = f"fair:{response.pk}"
    elif kind == Kind.FEEDBACK:
        feedback = Feedback.objects.select_related("assignment__group", "assignment__brief").filter(
            pk=object_id
        )
        feedback = feedback.first()
        if feedback is None:
            return 0
        thread, recipients = feedback.assignment, [feedback.student_id]
        key = f"feedback:{thread.pk}:{int(feedback.updated_at.timestamp())}"
    elif kind in (Kind.NEW_THREAD, Kind.REOPENED):
        thread = Assignment.objects.select_related("group", "brief").filter(pk=object_id).first()
        if thread is None:
            return 0
        if kind == Kind.NEW_THREAD:
            recipients = list(
                Membership.objects.filter(group=thread.group_id).values_list("student", flat=True)
            )
            key = f"new_thread:{thread.pk}"
        else:
            if thread.is_locked:
                return 0
            authors = Response.objects.filter(assignment=thread, deleted_at__isnull=True)
            recipients = list(authors.values_list("author", flat=True).distinct())
            recipients += list(thread.group.instructors.values_list("pk", flat=True))
            # A thread reopened twice tells again: the key names this reopening.
            key = f"reopened:{thread.pk}:{thread.version}"
    else:
        raise ValueError(f"unknown notification kind {kind!r}")
    recipients = [pk for pk in dict.fromkeys(recipients) if pk != actor_id]
    return tell(
        User.objects.filter(pk__in=recipients, is_active=True),
        kind=kind,
        key=key,
        assignment=thread,
        response=response,
        now=now,
    )


def tell(
    recipients: Iterable[User],
    *,
    kind: str,
    key: str,
    assignment: Assignment | None = None,
    response: Response | None = None,
    group: Group | None = None,
    now: datetime | None = None,
) -> int:
    """Create the notifications (once per recipient and key), released or held by `may_know`."""
    now = now or timezone.now()
    recipients = list(recipients)
    # Told already (a task run again, a sweep's second look): the unique key would refuse the
    # row anyway; leaving them out keeps the count true and their bells still.
    already = set(
        Notification.objects.filter(key=key, recipient__in=[user.pk for user in recipients]).values_list(
            "recipient_id", flat=True
        )
    )
    rows = []
    for user in recipients:
        if user.pk in already:
            continue
        notification = Notification(
            recipient=user,
            kind=kind,
            key=key,
            assignment=assignment,
            response=response,
            group=group,
            created_at=now,
        )
        allowed = may_know(user, notification, now)
        if allowed is None:
            continue
        if allowed:
            _release(notification, user, now)
        rows.append(notification)
    if not rows:
        return 0
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        bell_changed(row.recipient_id for row in rows if row.released_at is not None)
    return len(rows)


def _release(notification: Notification, user: User, now: datetime) -> None:
    notification.released_at = now
    notification.email_due_at = mail_time(user, notification.kind, now)


def release_held(now: datetime | None = None) -> int:
    """The sweep: release held notifications their recipient may now see; drop the ones that
    never will be (the post went, the thread was locked)."""
    now = now or timezone.now()
    held = Notification.objects.filter(released_at__isnull=True).select_related(
        "recipient", "assignment__group", "assignment__brief", "response"
    )
    released, dropped = [], []
    for notification in held[:1000]:
        allowed = may_know(notification.recipient, notification, now)
        if allowed is None or notification.created_at < now - timedelta(days=HOLD_DAYS):
            dropped.append(notification.pk)
        elif allowed:
            _release(notification, notification.recipient, now)
            released.append(notification)
    with transaction.atomic():
        Notification.objects.filter(pk__in=dropped).delete()
        for notification in released:
            Notification.objects.filter(pk=notification.pk, released_at__isnull=True).update(
                released_at=notification.released_at, email_due_at=notification.email_due_at
            )
        bell_changed(n.recipient_id for n in released)
    return len(released)


def remind_due_soon(now: datetime | None = None) -> int:
    """The sweep: students with a discussion due within 24 hours who have not answered."""
    now = now or timezone.now()
    threads = Assignment.objects.filter(
        due_at__gt=now, due_at__lte=now + DUE_SOON, opens_at__lte=now, locked_at__isnull=True,
        group__archived_at__isnull=True,
    ).select_related("group", "brief")  # fmt: skip
    told = 0
    for thread in threads:
        answered = Response.objects.filter(
            assignment=thread, parent__isnull=True, deleted_at__isnull=True
        ).values("author")
        extended = Participation.objects.filter(assignment=thread, due_at_override__gt=thread.due_at).values(
            "student"
        )
        members = (
            User.objects.filter(memberships__group=thread.group_id, is_active=True)
            .exclude(pk__in=answered)
            .exclude(pk__in=extended)
        )
        key = f"due_soon:{thread.pk}:{int(thread.due_at.timestamp())}"
        members = members.exclude(pk__in=Notification.objects.filter(key=key).values("recipient"))
        told += tell(members, kind=Kind.DUE_SOON, key=key, assignment=thread, now=now)
    return told


def instructor_digests(now: datetime | None = None) -> int:
    """The sweep: once a day, each instructor gets a digest per group with an open discussion."""
    now = now or timezone.now()
    told = 0
    groups = Group.objects.active().prefetch_related("instructors")
    for group in groups:
        threads = [t for t in group.assignments.all() if t.has_opened(now) and not t.is_locked]
        if not threads:
            continue
        for instructor in group.instructors.all():
            local = timezone.localtime(now, instructor.zone or timezone.get_default_timezone())
            if local.time() < DIGEST_AT:
                continue
            key = f"digest:{group.pk}:{local.date().isoformat()}"
            told += tell([instructor], kind=Kind.DIGEST, key=key, group=group, now=now)
    return told


# ---- when mail goes -----------------------------------------------------------------------


def settings_of(user: User) -> NotificationSettings:
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


def mail_time(
    user: User, kind: str, now: datetime, prefs: NotificationSettings | None = None
) -> datetime | None:
    """When this person's mail about `kind` goes: None for no mail (no address, switched off),
    else now, the end of their quiet hours, or their next daily digest, in their own zone."""
    if not user.email:
        return None
    prefs = prefs or settings_of(user)
    if kind in prefs.email_off:
        return None
    zone = user.zone or timezone.get_default_timezone()
    local = timezone.localtime(now, zone)
    if prefs.daily_digest and kind != Kind.DIGEST:
        at = datetime.combine(local.date(), DIGEST_AT, tzinfo=zone)
        return at if at > local else at + timedelta(days=1)
    if (
        prefs.quiet_from is not None
        and prefs.quiet_until is not None
        and prefs.quiet_from != prefs.quiet_until
    ):
        start, end, clock = prefs.quiet_from, prefs.quiet_until, local.time()
        quiet = start <= clock < end if start < end else clock >= start or clock < end
        if quiet:
            until = datetime.combine(local.date(), end, tzinfo=zone)
            return until if until > local else until + timedelta(days=1)
    return now


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MOST))


def send_due_mail(now: datetime | None = None, limit: int = MAIL_BATCH) -> int:
    """Send every mail that is due: claim it, send it, record it. Returns how many were sent.

    A claim lasts CLAIM, so a mail claimed by a worker that died is sent by the next one. A
    refusal (the server down, busy, over quota) puts the mail back with a later due time.
    """
    now = now or timezone.now()
    due = (
        Notification.objects.filter(
            email_sent_at__isnull=True, email_due_at__lte=now, released_at__isnull=False
        )
        .filter(Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lt=now))
        .order_by("email_due_at", "pk")
        .values_list("pk", "recipient_id")[:limit]
    )
    by_recipient = defaultdict(list)
    for pk, recipient_id in due:
        by_recipient[recipient_id].append(pk)
    sent = 0
    for recipient_id, pks in by_recipient.items():
        sent += _send_to(recipient_id, pks, now)
    return sent


def _claim(pks: list[int], now: datetime) -> list[int]:
    claimed = []
    for pk in pks:
        took = (
            Notification.objects.filter(pk=pk, email_sent_at__isnull=True)
            .filter(Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lt=now))
            .update(email_claimed_until=now + CLAIM, email_attempts=F("email_attempts") + 1)
        )
        if took:
            claimed.append(pk)
    return claimed


def _send_to(recipient_id: int, pks: list[int], now: datetime) -> int:
    pks = _claim(pks, now)
    if not pks:
        return 0
    notifications = list(
        Notification.objects.filter(pk__in=pks)
        .select_related("recipient", "assignment__group", "assignment__brief", "response__author", "group")
        .order_by("created_at", "pk")
    )
    keep, cancel = [], []
    for notification in notifications:
        (keep if may_know(notification.recipient, notification, now) else cancel).append(notification)
    if cancel:  # hidden, deleted or locked since: no mail (the bell already lost the unread ones)
        Notification.objects.filter(pk__in=[n.pk for n in cancel]).update(
            email_due_at=None, email_claimed_until=None
        )
    if not keep:
        return 0
    recipient = keep[0].recipient
    messages = (
        [digest_message(recipient, keep)]
        if len(keep) > 1 and settings_of(recipient).daily_digest
        else [message_for(n) for n in keep]
    )
    groups = [keep] if len(messages) == 1 and len(keep) > 1 else [[n] for n in keep]
    sent = 0
    for message, covered in zip(messages, groups, strict=True):
        ids = [n.pk for n in covered]
        try:
            message.send()
        except (smtplib.SMTPException, OSError, MailNotConfigured) as error:
            attempts = max(n.email_attempts for n in covered)
            logger.warning(
                "Mail to user %s refused (%s); retrying in %s", recipient_id, error, backoff(attempts)
            )
            Notification.objects.filter(pk__in=ids).update(
                email_claimed_until=None,
                email_due_at=timezone.now() + backoff(attempts),
                email_error=str(error)[:300],
            )
            continue
        Notification.objects.filter(pk__in=ids).update(
            email_sent_at=timezone.now(), email_claimed_until=None, email_error=""
        )
        sent += 1
    return sent


# ---- what it says ---------------------------------------------------------------------------


def absolute(path: str) -> str:
    return f"{settings.AGORA_SITE_URL}{path}"


def link_of(notification: Notification) -> str:
    """Where the notification leads: the exact response, the thread, the group."""
    if notification.response_id is not None:
        return reverse("classroom:thread_detail", args=[notification.assignment_id]) + (
            f"#response-{notification.response_id}"
        )
    if notification.assignment_id is not None:
        return reverse("classroom:thread_detail", args=[notification.assignment_id])
    if notification.group_id is not None:
        return reverse("classroom:group_dashboard", args=[notification.group_id])
    return reverse("classroom:notification_list")


def who(notification: Notification, teaches: bool) -> str:
    """The author of the response as the recipient sees them in the thread (a pseudonym in an
    anonymous thread): the thread page's own rule, readmodel.Viewer.label."""
    from classroom.readmodel import Viewer

    viewer = Viewer(
        user=notification.recipient,
        assignment=notification.assignment,
        teaches=teaches,
        seat=None,
        sees_peers=True,
        can_post=False,
        answer_id=None,
        replies_given=0,
    )
    return viewer.label(notification.response)


def headline(notification: Notification, teaches: bool = False) -> str:
    """One line saying what happened, as the recipient may read it (in the active language)."""
    thread = notification.assignment
    # Translators: a discussion's title in quotation marks; use your language's quotation marks.
    title = _("“%(title)s”") % {"title": thread.brief.title} if thread is not None else ""
    kind = notification.kind
    if kind == Kind.REPLY:
        return _("%(name)s replied to you in %(title)s") % {
            "name": who(notification, teaches),
            "title": title,
        }
    if kind == Kind.FAIR:
        return _("Your restatement was marked fair in %(title)s") % {"title": title}
    if kind == Kind.FEEDBACK:
        return _("Feedback was posted on your answer in %(title)s") % {"title": title}
    if kind == Kind.NEW_THREAD:
        return _("A new discussion opened in %(group)s: %(title)s") % {
            "group": thread.group.name,
            "title": title,
        }
    if kind == Kind.DUE_SOON:
        return _("%(title)s is due within 24 hours, and you have not answered yet") % {"title": title}
    if kind == Kind.REOPENED:
        return _("%(title)s was reopened") % {"title": title}
    if kind == Kind.DIGEST:
        return _("Daily digest for %(group)s") % {"group": notification.group.name}
    return str(Kind(kind).label)


def unsubscribe_label(kind: str) -> str:
    return _("all notifications") if kind == ALL else str(Kind(kind).label)


def unsubscribe_token(user: User, kind: str) -> str:
    return signing.dumps([user.pk, kind], salt=UNSUBSCRIBE_SALT, compress=False)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if (kind not in Kind.values and kind != ALL) or not isinstance(user_id, int):
        return None
    return user_id, kind


def unsubscribe(*, user_id: int, kind: str) -> User | None:
    """One click from a mail: no more mail of this kind (the bell keeps them)."""
    with transaction.atomic():
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            return None
        prefs, _created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
        kinds = list(Kind.values) if kind == ALL else [kind]
        prefs.email_off = sorted(set(prefs.email_off) | set(kinds))
        prefs.save(update_fields=["email_off"])
        Notification.objects.filter(recipient=user, kind__in=kinds, email_sent_at__isnull=True).update(
            email_due_at=None
        )
    return user


def save_settings(
    *,
    user: User,
    email_on: Iterable[str],
    daily_digest: bool,
    quiet_from: time | None,
    quiet_until: time | None,
) -> NotificationSettings:
    with transaction.atomic():
        prefs, _created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
        prefs.email_off = [kind for kind in Kind.values if kind not in set(email_on)]
        prefs.daily_digest = daily_digest
        prefs.quiet_from, prefs.quiet_until = quiet_from, quiet_until
        prefs.save()
    return prefs


def _headers(user: User, kind: str, message_id: str) -> dict[str, str]:
    url = absolute(reverse("classroom:notification_unsubscribe", args=[unsubscribe_token(user, kind)]))
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # The same notification always has the same Message-ID: a mail sent again after a
        # worker died between the server's "250 OK" and our record is one mail to a reader.
        "Message-ID": f"<{message_id}@{urlsplit(settings.AGORA_SITE_URL).hostname or 'agora'}>",
        "Auto-Submitted": "auto-generated",
        # The language the mail is written in (the recipient's own, else the site's).
        "Content-Language": translation.get_language(),
    }


def _sender() -> str:
    return f"{settings.AGORA_SITE_NAME} <{settings.DEFAULT_FROM_EMAIL}>"


def _teaches(notification: Notification) -> bool:
    thread = notification.assignment
    return thread is not None and thread.group.role_of(notification.recipient) == Group.TEACHER


def message_for(notification: Notification) -> EmailMultiAlternatives:
    """The mail of one notification, in its recipient's language (the worker has no request)."""
    with languages.speaking_to(notification.recipient):
        return _message_for(notification)


def _message_for(notification: Notification) -> EmailMultiAlternatives:
    user = notification.recipient
    context = {
        "site_name": settings.AGORA_SITE_NAME,
        "user": user,
        "headline": headline(notification, _teaches(notification)),
        "link": absolute(link_of(notification)),
        "settings_link": absolute(reverse("classroom:notification_settings")),
        "unsubscribe_link": absolute(
            reverse("classroom:notification_unsubscribe", args=[unsubscribe_token(user, notification.kind)])
        ),
        "kind_label": str(Kind(notification.kind).label),
        "digest": group_digest(notification.group) if notification.kind == Kind.DIGEST else None,
    }
    message = EmailMultiAlternatives(
        subject=f"[{settings.AGORA_SITE_NAME}] {context['headline']}",
        body=render_to_string("emails/notification.txt", context),
        from_email=_sender(),
        to=[user.email],
        headers=_headers(user, notification.kind, f"notification-{notification.pk}"),
    )
    message.attach_alternative(render_to_string("emails/notification.html", context), "text/html")
    return message


def digest_message(user: User, notifications: list[Notification]) -> EmailMultiAlternatives:
    """Several notifications in one mail, in the recipient's language."""
    with languages.speaking_to(user):
        return _digest_message(user, notifications)


def _digest_message(user: User, notifications: list[Notification]) -> EmailMultiAlternatives:
    items = [(headline(n, _teaches(n)), absolute(link_of(n))) for n in notifications]
    context = {
        "site_name": settings.AGORA_SITE_NAME,
        "user": user,
        "items": items,
        "settings_link": absolute(reverse("classroom:notification_settings")),
        "unsubscribe_link": absolute(
            reverse("classroom:notification_unsubscribe", args=[unsubscribe_token(user, ALL)])
        ),
    }
    count = len(items)
    message = EmailMultiAlternatives(
        subject=f"[{settings.AGORA_SITE_NAME}] "
        + ngettext(
            "Your daily digest: %(count)d notification",
            "Your daily digest: %(count)d notifications",
            count,
        )
        % {"count": count},
        body=render_to_string("emails/digest.txt", context),
        from_email=_sender(),
        to=[user.email],
        headers=_headers(user, ALL, f"digest-{notifications[0].pk}-{count}"),
    )
    message.attach_alternative(render_to_string("emails/digest.html", context), "text/html")
    return message


def group_digest(group: Group | None) -> list[dict]:
    """An instructor's day in one group: for each open discussion, who posted and who has not,
    the quiet students (no post in any of the group's open discussions), hidden posts, late answers."""
    if group is None:
        return []
    now = timezone.now()
    members = list(
        User.objects.filter(memberships__group=group).order_by("last_name", "first_name", "username")
    )
    threads = [t for t in group.assignments.select_related("brief") if t.has_opened(now) and not t.is_locked]
    posted_anywhere: set[int] = set()
    rows = []
    for thread in threads:
        responses = Response.objects.filter(assignment=thread, deleted_at__isnull=True)
        authors = set(responses.filter(parent__isnull=True).values_list("author", flat=True))
        posted_anywhere |= set(responses.values_list("author", flat=True))
        rows.append(
            {
                "title": thread.brief.title,
                "link": absolute(thread.get_absolute_url()),
                "posted": sum(1 for m in members if m.pk in authors),
                "not_yet": [m.display_name for m in members if m.pk not in authors],
                "hidden": responses.filter(hidden_at__isnull=False).count(),
                "late": responses.filter(is_late=True, parent__isnull=True).count(),
            }
        )
    quiet = [m.display_name for m in members if m.pk not in posted_anywhere]
    for row in rows:
        row["quiet"] = quiet
    return rows
