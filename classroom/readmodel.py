"""The thread as one viewer sees it: the one place that decides what a thread page shows.

Who is looking and what they may do (Viewer), the composer's state, each response's allowed
actions, the outline of answers and replies, counts, stances, quote heat, the rendered
cards and the brief. Views only parse requests and pick templates; templates only render
what is decided here. Caching goes through classroom.caching, which alone makes keys.
"""

import bisect
import hashlib
from collections import Counter, namedtuple
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import cached_property

from django.core import signing
from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dates import MONTHS_3, MONTHS_ALT, WEEKDAYS_ABBR
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext as _

from classroom import caching, jinja, notifications, sql
from classroom.actions import can_change, closed_reason
from classroom.forms import ResponseForm, StanceForm
from classroom.models import Assignment, Feedback, Membership, Participation, Response, User
from classroom.permissions import UNREAD, can_see_peers, teaches
from classroom.reports import StanceSummary, stance_summary
from classroom.text import BODY_MAX_CHARS, render_markdown

WINDOW = 40  # answers on the first screen of a long thread (plus the pinned ones)
POLL_SALT = "agora.thread-poll"
POLL_TICKET_SECONDS = 12 * 3600


class Composer:
    """What the box under the brief shows this viewer."""

    TEACHER = "teacher"  # the instructor's tools
    ANSWERED = "answered"  # "you have answered", the replies still to give, the stance after
    CLOSED = "closed"  # why no answer can be posted now
    STANCE_FIRST = "stance-first"  # the stance scale, before anything else
    ANSWER = "answer"  # the answer form


class Listing:
    """What the discussion section shows this viewer."""

    OPEN = "open"  # classmates' answers
    STANCE_FIRST = "stance-first"  # held back until the student places themselves
    POST_FIRST = "post-first"  # held back until the student answers
    WAITING = "waiting"  # held back for the fair reveal (the student's own answer shows)


@dataclass
class Viewer:
    """What one person may see and do in one thread."""

    user: User
    assignment: Assignment
    teaches: bool
    seat: Participation | None
    sees_peers: bool
    can_post: bool
    answer_id: int | None  # the viewer's own answer, if any
    replies_given: int

    @classmethod
    def of(cls, user: User, assignment: Assignment, is_teacher: bool | None = None) -> "Viewer":
        if is_teacher is None:
            is_teacher = teaches(user, assignment)
        seat, own = (None, []) if is_teacher else student_state(user, assignment)
        extension = seat.due_at_override if seat else None
        return cls(
            user=user,
            assignment=assignment,
            teaches=is_teacher,
            seat=seat,
            sees_peers=can_see_peers(user, assignment, seat),
            can_post=assignment.accepts_posts(extension=extension)
            or (is_teacher and not assignment.is_locked),
            answer_id=next((pk for pk, parent_id, _reply_to in own if parent_id is None), None),
            replies_given=replies_to_classmates(own),
        )

    def again(self, thread: Assignment, seat: "Participation | None | object" = UNREAD) -> "Viewer":
        """The same person after a write, which returned the thread at its new version: their
        role and the brief are as they were (no second read of either), and so is the class
        size; `seat`, when the write gives it, is the student's seat as the write left it."""
        thread.brief = self.assignment.brief
        thread.group = self.assignment.group
        before = getattr(self.assignment, "read_with", None)
        if before is not None and before["user"] == self.user.pk:
            thread.read_with = {"user": self.user.pk, "members": before["members"]}
            if "has_feedback" in before:  # feedback changes under its own version, not the thread's
                thread.read_with["has_feedback"] = before["has_feedback"]
            if seat is not UNREAD:
                thread.read_with["seat"] = seat
        return Viewer.of(self.user, thread, is_teacher=self.teaches)

    @cached_property
    def user_id(self) -> int:
        """The viewer's id, read once: request.user is a lazy object, and a page compares it
        with every response and family of the thread."""
        return self.user.pk

    @cached_property
    def card_words(self) -> "CardWords":
        """Words, zone and URLs every card of this viewer's page shares (read once per request)."""
        return CardWords.now()

    @cached_property
    def feedback(self) -> Feedback | None:
        """The instructor's feedback to this student, read only where a page shows it."""
        if self.teaches:
            return None
        thread, student = self.assignment, self.user
        read_with = getattr(thread, "read_with", None)
        if read_with is not None and read_with["user"] == student.pk and "has_feedback" in read_with:
            # Whether there is any came with the thread's own query (classroom.sql.reader_case).
            if not read_with["has_feedback"]:
                return None
            return caching.feedback(
                thread,
                student.pk,
                lambda: Feedback.objects.filter(assignment=thread, student=student).first(),
            )
        # Which students have feedback, once per feedback version for the whole class: a student
        # without any (everyone, while a discussion runs) costs no query of their own.
        given = caching.feedback(
            thread,
            None,
            lambda: frozenset(
                Feedback.objects.filter(assignment=thread).values_list("student_id", flat=True)
            ),
        )
        if student.pk not in given:
            return None
        return caching.feedback(
            thread, student.pk, lambda: Feedback.objects.filter(assignment=thread, student=student).first()
        )

    @property
    def extension(self) -> datetime | None:
        return self.seat.due_at_override if self.seat else None

    @property
    def has_answered(self) -> bool:
        return self.answer_id is not None

    @property
    def needs_stance(self) -> bool:
        """The student must say where they stand before they answer or read classmates."""
        seat = self.seat
        return (
            self.assignment.stance
            and not self.teaches
            and not (seat and (seat.stance_before is not None or seat.first_posted_at is not None))
        )

    @property
    def composer(self) -> str:
        if self.teaches:
            return Composer.TEACHER
        if self.has_answered:
            return Composer.ANSWERED
        if not self.can_post:
            return Composer.CLOSED
        if self.needs_stance:
            return Composer.STANCE_FIRST
        return Composer.ANSWER

    @property
    def listing(self) -> str:
        if self.sees_peers:
            return Listing.OPEN
        if self.needs_stance:
            return Listing.STANCE_FIRST
        if (
            self.assignment.post_first
            and not self.has_answered
            and not (self.seat and self.seat.first_posted_at)
        ):
            return Listing.POST_FIRST
        return Listing.WAITING

    @cached_property
    def stances(self) -> dict[int, tuple[int | None, int | None]]:
        """Each student's stance before and after, shown on their answer's card."""
        return thread_stances(self.assignment)

    @cached_property
    def stance_chart(self) -> StanceSummary | None:
        """The class's stances before and after: instructors always, students once they have answered."""
        if not self.assignment.stance:
            return None
        if not self.teaches and not (self.seat and self.seat.first_posted_at):
            return None
        return stance_summary(self.assignment, self.stances)

    def label(self, response: Response) -> str:
        """The author's name as this viewer may see it: a pseudonym to anonymous peers."""
        if response.by_instructor:
            return response.author.display_name
        own = response.author_id == self.user_id
        anonymous = self.assignment.anonymous_to_peers and response.alias
        if own:
            return _("You (Classmate %(number)d)") % {"number": response.alias} if anonymous else _("You")
        if anonymous and not self.teaches:
            return _("Classmate %(number)d") % {"number": response.alias}
        if anonymous:
            return _("%(name)s (Classmate %(number)d)") % {
                "name": response.author.display_name,
                "number": response.alias,
            }
        return response.author.display_name

    def card(self, response_id: int) -> Response:
        """A response freshly read after a write, ready for its card: from this request's read of
        what changed in the thread (thread_rows), which brings its family whole with the authors,
        when that read came after the write; else read with what its card shows."""
        touched = getattr(self.assignment, "touched_responses", {})
        response = touched.get(response_id)
        if response is None or not {response.parent_id, response.reply_to_id} - {None} <= touched.keys():
            response = Response.objects.select_related("author", "reply_to__author", "parent")
            return self.present(response.get(pk=response_id))
        response.parent = touched[response.parent_id] if response.parent_id else None
        response.reply_to = touched[response.reply_to_id] if response.reply_to_id else None
        return self.present(response)

    def present(self, response: Response) -> Response:
        """Attach what the response card shows to this viewer, and what they may do with it."""
        response.assignment = self.assignment  # can_change() reads its group: no query per card
        response.author_label = self.label(response)
        response.is_own = response.author_id == self.user_id
        response.can_change = can_change(response, self.user, extension=self.extension)
        response.shows_body = not response.is_hidden or self.teaches or response.is_own
        # A post its author deleted stays, marked deleted, for the group's teachers (what was
        # said in their class is theirs to see); every student sees it gone.
        response.shows_deleted = response.is_deleted and self.teaches
        response.is_shown = response.shows_body and (not response.is_deleted or self.teaches)
        response.can_reply = self.can_post and not response.is_hidden and not response.is_deleted
        response.can_moderate = self.teaches and not response.by_instructor and not response.is_deleted
        response.can_pin = response.can_moderate and response.parent_id is None
        response.has_actions = response.can_reply or response.can_change or response.can_moderate
        response.shows_original = self.teaches and bool(
            response.original_body
        )  # the first version, before the reveal
        quoted = response.reply_to if response.reply_to_id else None
        if quoted is not None:
            response.reply_to_label = self.label(quoted)
            visible = not quoted.is_deleted and (not quoted.is_hidden or self.teaches)
            response.reply_to_quote = quoted.body if visible else ""
        if self.assignment.stance and response.parent_id is None and not response.by_instructor:
            before, after = self.stances.get(response.author_id, (None, None))
            response.stance_label = self.assignment.stance_label(before)
            response.stance_after_label = self.assignment.stance_label(after)
        response.can_mark_fair = False
        if response.steelman:
            restated = quoted or response.parent
            response.can_mark_fair = restated.author_id == self.user_id and not response.is_deleted
        card_parts(response, self.card_words)
        return response

    def sees(self, family: "Family") -> bool:
        """Whether the family shows on this viewer's page at all."""
        if self.teaches:
            return True  # deleted posts too, marked deleted
        return family.open_to_all or self.user_id in family.hidden_authors

    def next_clock_change(self, now: datetime) -> datetime | None:
        """The next moment this page changes with no write: opening, the due time, an extension."""
        thread = self.assignment
        moments = [thread.opens_at, thread.due_at, self.extension]
        future = [moment for moment in moments if moment is not None and moment > now]
        return min(future, default=None)


@dataclass(frozen=True)
class CardWords:
    """What every card of one render shares: its words in the reader's language (translated
    once, not once per card), the reader's time zone, and where response URLs start."""

    language: str | None
    zone: tzinfo
    labels: dict[str, str]
    months: tuple[str, ...]
    months_alt: tuple[str, ...]
    days: tuple[str, ...]
    # The reader's language's "D j M, H:i T" (German "D, j. M, H:i T", Russian "D, j E, H:i T")
    # as a str.format pattern, or None when it uses a letter card_time_pattern() does not know.
    pattern: str | None
    date_format: str
    url_prefix: str

    @classmethod
    def now(cls) -> "CardWords":
        language = get_language()
        known = _card_words.get(language)
        if known is None:
            known = _card_words[language] = (
                {
                    "deleted-reply": gettext("Deleted reply by %(author)s"),
                    "deleted-answer": gettext("Deleted answer by %(author)s"),
                    "deleted": gettext("Deleted response"),
                    "not-shown": gettext("Response not shown"),
                    "reply": gettext("Reply by %(author)s"),
                    "answer": gettext("Answer by %(author)s"),
                    "reply-to": gettext('Reply<span class="visually-hidden"> to <bdi>%(name)s</bdi></span>'),
                },
                tuple(str(MONTHS_3[month]).title() for month in range(1, 13)),
                tuple(str(MONTHS_ALT[month]) for month in range(1, 13)),
                tuple(str(WEEKDAYS_ABBR[day]) for day in range(7)),
                card_time_pattern(_("D j M, H:i T")),
                _("D j M, H:i T"),
            )
        script = get_script_prefix()
        if script not in _url_prefixes:  # every response URL is /r/<id>/<action>/ (classroom/urls.py)
            _url_prefixes[script] = reverse("classroom:response_detail", args=[1]).removesuffix("1/")
        return cls(language, timezone.get_current_timezone(), *known, _url_prefixes[script])

    def time(self, moment: datetime) -> tuple[str, str]:
        """A time as the `date` filter writes it with "c" and with the reader's translation of
        "D j M, H:i T", in the reader's zone (tests/integration/test_card_language.py compares
        them), without the filter's format parsing."""
        local = moment.astimezone(self.zone)
        if self.pattern is None:
            return local.isoformat(), date_format(local, self.date_format)
        text = self.pattern.format(
            D=self.days[local.weekday()],
            j=local.day,
            M=self.months[local.month - 1],
            E=self.months_alt[local.month - 1],
            H=f"{local.hour:02d}",
            i=f"{local.minute:02d}",
            T=local.tzname() or "",
        )
        return local.isoformat(), text


# The letters the `date` filter reads as a field (django.utils.dateformat); any other character,
# such as French "à", is written as it is.
DATE_FORMAT_LETTERS = frozenset("aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ")


def card_time_pattern(spec: str) -> str | None:
    """A `date` filter format made of the letters D j M E H i T (and escaped or other
    characters) as a str.format pattern, so a card's time needs no format parsing; None
    for any other letter (the card then asks the filter's own code)."""
    pattern, escaped = [], False
    for char in spec:
        if char == "\\" and not escaped:
            escaped = True
        elif escaped or char not in DATE_FORMAT_LETTERS:
            pattern.append("{{" if char == "{" else "}}" if char == "}" else char)
            escaped = False
        elif char in "DjMEHiT":
            pattern.append(f"{{{char}}}")
        else:
            return None
    return "".join(pattern)


_card_words: dict[str | None, tuple] = {}
_url_prefixes: dict[str, str] = {}


def card_parts(response: Response, words: CardWords) -> None:
    """What the card template would otherwise work out with a filter or a tag per card: its
    classes, its accessible name, its times as text, its URLs. A long thread renders
    hundreds of cards, and a card's decisions cost more in the template than here."""
    is_reply = response.parent_id is not None
    # Strings, marked safe where they are ours alone (numbers, class names, paths): the template
    # writes them as they are, where an int or a plain str goes through localize and escape.
    response.dom_id = SafeString(f"response-{response.pk}")
    response.top_id = SafeString(response.parent_id or response.pk)
    response.url = SafeString(f"{words.url_prefix}{response.pk}/")  # + "reply/", "edit/", ...
    classes = ["response"]
    for flag, name in (
        (is_reply, "is-reply"),
        (response.highlighted, "is-highlighted"),
        (response.pinned_at is not None, "is-pinned"),
        (response.hidden_at is not None, "is-hidden"),
        (response.is_own, "is-own"),
        (response.shows_deleted, "is-deleted"),
    ):
        if flag:
            classes.append(name)
    response.css = SafeString(" ".join(classes))
    # Which card: the whole card or a placeholder (and, in the template, nothing at all for a
    # hidden answer without replies: its replies are laid out after this runs).
    if response.shows_deleted:
        label, response.shape = ("deleted-reply" if is_reply else "deleted-answer"), "card"
    elif response.deleted_at is not None:
        label, response.shape = "deleted", "deleted"
    elif not response.shows_body:
        label, response.shape = "not-shown", "not-shown"
    else:
        label, response.shape = ("reply" if is_reply else "answer"), "card"
    author = response.author_label
    named = label not in ("deleted", "not-shown")
    response.aria_label = words.labels[label] % {"author": author} if named else words.labels[label]
    response.avatar = author[:1].upper()
    iso, response.created_text = words.time(response.created_at)
    response.created_iso = SafeString(iso)
    response.reply_text = SafeString(words.labels["reply-to"] % {"name": escape(author)})
    response.edited_text = words.time(response.edited_at)[1] if response.edited_at else ""
    if response.shows_deleted:
        iso, response.deleted_text = words.time(response.deleted_at)
        response.deleted_iso = SafeString(iso)
    if response.edited_after_reveal_at:
        response.revised_text = words.time(response.edited_after_reveal_at)[1]
    # Rare parts, so that a plain card skips their tests in the template.
    response.has_badges = bool(
        response.by_instructor
        or response.edited_at
        or response.is_late
        or response.pinned_at
        or response.highlighted
        or getattr(response, "stance_label", "")
        or response.disputes
        or response.edited_after_reveal_at
    )
    response.has_notes = bool(
        response.shows_deleted
        or response.hidden_at
        or getattr(response, "reply_to_label", "")
        or response.quote_text
        or response.steelman
    )


OwnPost = tuple[int, int | None, int | None]  # (pk, parent_id, reply_to_id)


def student_state(user: User, assignment: Assignment) -> tuple[Participation | None, list[OwnPost]]:
    """The student's seat in the thread and their live posts as (pk, parent_id, reply_to_id).

    The seat comes with the thread page's first query (classroom.sql.assignment_with_role)
    when the thread was read for this user, else it is read once per thread version; the
    posts come from the thread's light rows, which the page reads anyway (no query of their
    own). Every write that changes either takes a new version."""
    read_with = getattr(assignment, "read_with", None)
    if read_with is not None and read_with["user"] == user.pk and "seat" in read_with:
        seat = read_with["seat"]
    else:
        seat = caching.thread_value(
            "seat",
            assignment,
            lambda: Participation.objects.filter(assignment=assignment, student=user).first(),
            user.pk,
        )

    def own() -> list[OwnPost]:
        rows = thread_rows(assignment)
        mine = [rows.rows[pk] for pk in rows.authors.get(user.pk, ())]
        mine = [row for row in mine if row.deleted_at is None]
        return [
            (row.pk, row.parent_id, row.reply_to_id)
            for row in sorted(mine, key=lambda row: (row.created_at, row.pk))
        ]

    return seat, caching.worked_out("own-posts", assignment, own, user.pk)


def replies_to_classmates(own: list[OwnPost]) -> int:
    """Replies that count towards "reply to N classmates": a reply to one's own post does not."""
    mine = {pk for pk, _parent, _reply_to in own}
    return sum(
        1
        for _pk, parent_id, reply_to_id in own
        if parent_id is not None and (reply_to_id or parent_id) not in mine
    )


# ---- the outline: every answer with its replies, from light rows ------------------------


@dataclass(frozen=True)
class Post:
    """A reply as the outline knows it (for the page's layout)."""

    pk: int
    author_id: int
    created_version: int
    live: bool  # not deleted
    hidden: bool


@dataclass(frozen=True)
class Family:
    """An answer and its replies, as the thread's outline knows them. Every field is worked
    out once per thread version: a page walks every family of a long thread."""

    pk: int
    pinned: bool
    key: str  # changes whenever the answer or a reply changes, or a reply comes
    created_version: int  # the answer's
    authors: frozenset[int]
    any_live: bool  # something not deleted
    open_to_all: bool  # something neither deleted nor hidden: every student sees it
    hidden_authors: frozenset[int]  # who still sees their own hidden post here
    replies: tuple[Post, ...] = ()
    all_reply_ids: tuple[int, ...] = ()  # the replies an instructor sees: deleted ones too, marked
    open_reply_ids: tuple[int, ...] = ()  # the replies every student sees
    quote: tuple[str, int] | None = None  # the sentence of the brief the answer quotes, if classmates see it
    answer_author: int | None = None  # who wrote the answer, while it is not deleted (for the counts)
    live_replies: int = 0
    order: tuple = ()  # where it stands: pinned first (by when pinned), then oldest first


OUTLINE_FIELDS = (
    "pk", "parent_id", "reply_to_id", "author_id", "version", "created_version", "pinned_at", "created_at",
    "deleted_at", "hidden_at", "quote_part", "quote_index",
)  # fmt: skip
LightRow = namedtuple("LightRow", OUTLINE_FIELDS)


def thread_rows(assignment: Assignment) -> caching.ThreadRows:
    """Every response of the thread as a light row (read incrementally, classroom.caching).

    A read of what changed since the last version this process knew reads the whole families
    those changes are in, with their authors: their cards are the ones a page must render
    anew, and it finds them on the thread (`touched_responses`, read_families) rather than
    reading them again. A whole read (a new process, a new epoch) stays light."""

    def read(since: int | None):
        responses = Response.objects.filter(assignment=assignment)
        if since is None:
            return responses.values_list(*OUTLINE_FIELDS, named=True)
        touched = sql.changed_families(assignment.pk, since)
        assignment.touched_responses = {response.pk: response for response in touched}
        return [LightRow(*(getattr(response, name) for name in OUTLINE_FIELDS)) for response in touched]

    return caching.thread_rows(assignment, read)


def make_family(answer: LightRow, replies: list) -> Family:
    """An answer with its replies (any order) as the outline knows them."""
    newest = max(answer.version, max((row.version for row in replies), default=0))
    family = [answer, *sorted(replies, key=lambda r: (r.created_at, r.pk))]
    live = [row for row in family if row.deleted_at is None]
    return Family(
        pk=answer.pk,
        pinned=answer.pinned_at is not None,
        key=f"{answer.pk}:{newest}:{len(replies) + 1}",
        created_version=answer.created_version,
        authors=frozenset(row.author_id for row in family),
        any_live=bool(live),
        open_to_all=any(row.hidden_at is None for row in live),
        hidden_authors=frozenset(row.author_id for row in live if row.hidden_at is not None),
        replies=tuple(
            Post(
                row.pk, row.author_id, row.created_version, row.deleted_at is None, row.hidden_at is not None
            )
            for row in family[1:]
        ),
        all_reply_ids=tuple(row.pk for row in family[1:]),
        open_reply_ids=tuple(row.pk for row in live if row.parent_id is not None and row.hidden_at is None),
        quote=(answer.quote_part, answer.quote_index)
        if answer.quote_part and answer.deleted_at is None and answer.hidden_at is None
        else None,
        answer_author=answer.author_id if answer.deleted_at is None else None,
        live_replies=sum(1 for row in live if row.parent_id is not None),
        order=(answer.pinned_at is None, answer.pinned_at or answer.created_at, answer.pk),
    )


def _order(family: Family) -> tuple:
    return family.order


@dataclass
class Outline:
    """The thread's families, pinned first, then oldest first, at one version, with the counts
    a page reads from them kept alongside, so that neither is worked out by walking every
    family: after a post, the families that changed are taken out and put back."""

    version: int
    families: list[Family]
    by_pk: dict[int, Family]
    pinned: int = 0  # families pinned (the first ones)
    unpinned: int = 0
    open_unpinned: int = 0  # unpinned families every student sees
    live_replies: int = 0
    hidden_authors: Counter = field(default_factory=Counter)  # who has a hidden post, in how many families
    answer_authors: Counter = field(default_factory=Counter)  # who has a live answer, how many
    quotes: Counter = field(default_factory=Counter)  # sentences quoted by answers classmates see

    def count(self, family: Family, sign: int) -> None:
        """Add the family to the counts (sign 1), or take it out (-1)."""
        if family.pinned:
            self.pinned += sign
        else:
            self.unpinned += sign
            self.open_unpinned += sign if family.open_to_all else 0
        self.live_replies += sign * family.live_replies
        for counter, values in (
            (self.hidden_authors, family.hidden_authors),
            (self.answer_authors, (family.answer_author,) if family.answer_author is not None else ()),
            (self.quotes, (family.quote,) if family.quote else ()),
        ):
            for value in values:
                counter[value] += sign
                if not counter[value]:
                    del counter[value]

    @classmethod
    def whole(cls, rows: caching.ThreadRows) -> "Outline":
        answers, replies = [], {}
        for row in rows.rows.values():
            if row.parent_id is None:
                answers.append(row)
            else:
                replies.setdefault(row.parent_id, []).append(row)
        families = sorted((make_family(answer, replies.get(answer.pk, [])) for answer in answers), key=_order)
        unpinned = [family for family in families if not family.pinned]
        return cls(
            rows.version,
            families,
            {family.pk: family for family in families},
            pinned=len(families) - len(unpinned),
            unpinned=len(unpinned),
            open_unpinned=sum(1 for family in unpinned if family.open_to_all),
            live_replies=sum(family.live_replies for family in families),
            hidden_authors=Counter(author for family in families for author in family.hidden_authors),
            answer_authors=Counter(
                family.answer_author for family in families if family.answer_author is not None
            ),
            quotes=Counter(family.quote for family in families if family.quote),
        )

    def then(self, rows: caching.ThreadRows, changed: frozenset[int]) -> "Outline | None":
        """This outline with the families in `changed` made again from `rows` (a copy)."""
        outline = Outline(
            rows.version,
            list(self.families),
            dict(self.by_pk),
            self.pinned,
            self.unpinned,
            self.open_unpinned,
            self.live_replies,
            Counter(self.hidden_authors),
            Counter(self.answer_authors),
            Counter(self.quotes),
        )
        families = outline.families
        for pk in changed:
            old = outline.by_pk.pop(pk, None)
            if old is not None:
                at = bisect.bisect_left(families, old.order, key=_order)
                if at == len(families) or families[at] is not old:
                    return None  # not where its order says: work the outline out whole
                del families[at]
                outline.count(old, -1)
            answer = rows.rows.get(pk)
            if answer is None or answer.parent_id is not None:
                continue
            replies = [rows.rows[reply] for reply in rows.families.get(pk, ()) if reply != pk]
            family = make_family(answer, replies)
            bisect.insort(families, family, key=_order)
            outline.by_pk[pk] = family
            outline.count(family, 1)
        return outline


def thread_outline(assignment: Assignment) -> Outline:
    """The thread's answers with their replies, pinned first, then oldest first, per thread version.

    The outline this process last built is brought up to date from the families changed since
    its version (every change takes a new version, a hard delete a new epoch): after a post,
    only that family is worked out anew, and nothing walks the thread's hundreds."""

    def build(previous: Outline | None) -> Outline:
        rows = thread_rows(assignment)
        changed = rows.changed_since(previous.version) if previous is not None else None
        updated = previous.then(rows, changed) if changed is not None else None
        return updated if updated is not None else Outline.whole(rows)

    return caching.outline(assignment, build)


def shown_families(viewer: Viewer, show_all: bool = False) -> tuple[list[Family], int]:
    """The families on the viewer's page, and how many earlier ones a long thread leaves out."""
    known = viewer.__dict__.setdefault("_shown", {})  # a page asks for the cards and for its poll's frame
    if show_all not in known:
        known[show_all] = _shown_families(viewer, show_all)
    return known[show_all]


def reader_kind(viewer: Viewer) -> str | None:
    """Readers who see the same families and replies: instructors, and students with no hidden
    post of their own in the thread (None: this student's page is their own)."""
    if viewer.teaches:
        return "teacher"
    return None if viewer.user_id in thread_outline(viewer.assignment).hidden_authors else "student"


def _shown_families(viewer: Viewer, show_all: bool) -> tuple[list[Family], int]:
    kind = reader_kind(viewer)
    if kind is None:
        families, left_out = _window(viewer, show_all, kind)
    else:
        families, left_out = caching.layout(
            viewer.assignment, lambda: _window(viewer, show_all, kind), "families", kind, int(show_all)
        )
    return with_own_answer(viewer, families, left_out)


def with_own_answer(viewer: Viewer, families: list[Family], left_out: int) -> tuple[list[Family], int]:
    """A student's own answer is on their first screen however many answers came after it: in
    its place among the answers (after the pinned ones, before the newest), no longer counted
    among the earlier ones."""
    mine = viewer.answer_id
    if not left_out or mine is None or any(family.pk == mine for family in families):
        return families, left_out
    own = thread_outline(viewer.assignment).by_pk.get(mine)
    if own is None or not viewer.sees(own):
        return families, left_out
    at = next((n for n, family in enumerate(families) if not family.pinned), len(families))
    viewer.__dict__["own_brought_in"] = True  # the page's layout is this reader's own (layout_digest)
    return [*families[:at], own, *families[at:]], left_out - 1


def _window(viewer: Viewer, show_all: bool, kind: str | None) -> tuple[list[Family], int]:
    outline = thread_outline(viewer.assignment)
    if kind is None or show_all:  # a student with a hidden post of their own: their own page
        families = [family for family in outline.families if viewer.sees(family)]
        if show_all:
            return families, 0
        unpinned = [family for family in families if not family.pinned]
        if len(unpinned) <= WINDOW:
            return families, 0
        keep = {family.pk for family in unpinned[-WINDOW:]}
        return [family for family in families if family.pinned or family.pk in keep], len(unpinned) - WINDOW

    # What a teacher sees (every family) or a student with no hidden post (the families open to
    # all), from the counts and the two ends of the outline: pinned first, the newest last.
    def sees(family: Family) -> bool:
        return viewer.teaches or family.open_to_all

    shown = outline.unpinned if viewer.teaches else outline.open_unpinned
    if shown <= WINDOW:
        return [family for family in outline.families if sees(family)], 0
    pinned = [family for family in outline.families[: outline.pinned] if sees(family)]
    newest = []
    for family in reversed(outline.families):
        if sees(family):
            newest.append(family)
            if len(newest) == WINDOW:
                break
    return [*pinned, *reversed(newest)], shown - WINDOW


def shown_replies(viewer: Viewer, family: Family, before: int | None = None) -> tuple[int, ...]:
    """The replies of the family the page lays out (`nest`'s rule), leaving out those written
    after version `before`. Whether the answer shows its body or a placeholder is the card's
    own content; which replies hang under it is the layout."""
    me = viewer.user.pk
    if before is None and (viewer.teaches or me not in family.hidden_authors):
        return family.all_reply_ids if viewer.teaches else family.open_reply_ids
    return tuple(
        post.pk
        for post in family.replies
        if (post.live or viewer.teaches)
        and (not post.hidden or viewer.teaches or post.author_id == me)
        and (before is None or post.created_version <= before)
    )


def nest(responses: list[Response]) -> list[Response]:
    """Top-level answers, pinned first, each with .reply_list.

    Deleted answers, and answers hidden from this viewer, stay only as a
    placeholder when replies hang under them (an instructor sees deleted ones whole, marked).
    """
    by_id = {response.pk: response for response in responses}
    answers = []
    for response in responses:
        response.reply_list = []
    for response in sorted(responses, key=lambda r: (r.created_at, r.pk)):
        if response.parent_id is None:
            answers.append(response)
        elif response.parent_id in by_id and response.is_shown:
            by_id[response.parent_id].reply_list.append(response)
    answers.sort(key=lambda answer: (answer.pinned_at is None, answer.pinned_at or answer.created_at))
    return [answer for answer in answers if answer.is_shown or answer.reply_list]


def render_family(request: HttpRequest, viewer: Viewer, answer: Response) -> str:
    return render_families(request, viewer, [answer])[answer.pk]


def render_families(request: HttpRequest, viewer: Viewer, answers: list[Response]) -> dict[int, str]:
    """Each answer with its replies as an item of the list, {answer id: HTML}: the Jinja macro
    of templates/jinja2/includes/_thread_item.html called per answer (docs/templates.md)."""
    item = jinja.macro("includes/_thread_item.html", "thread_item")
    csrf_input = jinja.CsrfInput(request)
    return {answer.pk: str(item(answer, viewer, csrf_input)) for answer in answers}


def thread_items(
    request: HttpRequest, viewer: Viewer, show_all: bool = False
) -> tuple[list[SafeString], int]:
    """The thread as HTML items (an answer with its replies), pinned first, then oldest first.

    Returns the items to show and how many earlier ones a long thread leaves out.
    An item that holds none of the viewer's own posts looks the same to every
    student, so it is cached under the versions of its responses and shared.
    """
    if not viewer.sees_peers:
        # Classmates' answers are held back; the student's own answer is not.
        if viewer.answer_id is None:
            return [], 0
        answer = viewer.card(viewer.answer_id)
        answer.reply_list = []
        return [mark_safe(render_family(request, viewer, answer))], 0  # noqa: S308  (our own template)
    families, left_out = shown_families(viewer, show_all)
    thread, me = viewer.assignment, viewer.user.pk
    # Items with a form (the viewer's own posts, an instructor's moderation) carry a CSRF
    # token: they are cached for this viewer and this CSRF secret only (None: not cached).
    personal = caching.personal_part(me, request.META.get("CSRF_COOKIE"))
    prefix = caching.card_prefix(thread, viewer.can_post)
    keys = {}
    for family in families:
        mine = viewer.teaches or me in family.authors
        if mine and personal is None:
            keys[family.pk] = None
        else:
            keys[family.pk] = caching.card_key(prefix, family.key, personal if mine else None)
    found = caching.cards([key for key in keys.values() if key])
    missing = [family.pk for family in families if keys[family.pk] not in found]
    if missing:
        fresh = read_families(thread, missing, families)
        rendered = render_families(request, viewer, nest([viewer.present(response) for response in fresh]))
        new = {}
        for pk in missing:
            html = rendered.get(pk, "")
            if keys[pk]:
                new[keys[pk]] = html
            found[keys[pk] or ("uncached", pk)] = html
        caching.keep_cards(new)
    html = [found[keys[family.pk] or ("uncached", family.pk)] for family in families]
    return [mark_safe(part) for part in html if part], left_out  # noqa: S308  (our own rendered templates)


def read_families(thread: Assignment, answer_ids: list[int], families: list["Family"]) -> list[Response]:
    """These answers and all their replies, with their authors, in one query, or in none where
    this request's read of the thread's changes brought them all (thread_rows). A reply's answer
    and the reply it quotes are in the same family: they are wired from the same rows rather
    than joined in again (a join builds a second copy of every row it reaches)."""
    touched = getattr(thread, "touched_responses", {})
    wanted = set(answer_ids)
    needed = {pk for family in families if family.pk in wanted for pk in (family.pk, *family.all_reply_ids)}
    if touched and needed <= touched.keys():
        responses = [touched[pk] for pk in needed]
    else:
        responses = list(
            Response.objects.filter(
                Q(pk__in=answer_ids) | Q(parent_id__in=answer_ids), assignment=thread
            ).select_related("author")
        )
    by_id = {response.pk: response for response in responses}
    for response in responses:
        if response.parent_id in by_id:
            response.parent = by_id[response.parent_id]
        if response.reply_to_id in by_id:
            response.reply_to = by_id[response.reply_to_id]
    return responses


def changed_responses(viewer: Viewer, since: int) -> list[Response]:
    """The responses of the thread written or changed after version `since`, for this viewer's cards."""
    if not viewer.sees_peers:
        # The page holds the student's own answer alone, without replies (as thread_items
        # lays it out): only a change to that answer (pinned, highlighted, hidden) reaches it.
        if viewer.answer_id is None:
            return []
        answer = Response.objects.filter(pk=viewer.answer_id, version__gt=since)
        return [viewer.present(response) for response in answer.select_related("author")]
    # A reply shows the words of the reply it answers: a change to those changes its card too.
    changed = Q(version__gt=since) | Q(reply_to__version__gt=since)
    responses = Response.objects.filter(changed, assignment=viewer.assignment)
    return [
        viewer.present(response)
        for response in responses.select_related("author", "reply_to__author", "parent")
    ]


# ---- counts, stances, heat, the brief ----------------------------------------------------


def thread_stats(assignment: Assignment) -> dict[str, int]:
    """Students who answered (members only), live replies, and class size, per thread version."""

    def count() -> dict[str, int]:
        members = group_members(assignment)
        outline = thread_outline(assignment)
        return {
            "posted": len(members.intersection(outline.answer_authors)),
            "replies": outline.live_replies,
            "members": len(members),
        }

    return caching.worked_out("stats", assignment, count)


def group_members(assignment: Assignment) -> frozenset[int]:
    """The thread's group's students. Under the thread's epoch, the group only gains members (a
    membership deleted starts a new epoch, classroom.epochs), so the count read with the thread
    (classroom.sql) names the set: it is read again only when someone joins."""
    read_with = getattr(assignment, "read_with", None)

    def read() -> frozenset[int]:
        return frozenset(
            Membership.objects.filter(group=assignment.group_id).values_list("student_id", flat=True)
        )

    if read_with is None:
        return caching.thread_value("members", assignment, read)
    return caching.group_members(assignment, read_with["members"], read)


def thread_stances(assignment: Assignment) -> dict[int, tuple[int | None, int | None]]:
    """{student id: (stance before, stance after)}, per thread version."""

    def read() -> dict[int, tuple[int | None, int | None]]:
        seats = Participation.objects.filter(assignment=assignment).exclude(stance_before=None)
        return {
            student: (before, after)
            for student, before, after in seats.values_list("student", "stance_before", "stance_after")
        }

    return caching.thread_value("stances", assignment, read)


def quote_heat(assignment: Assignment) -> Counter:
    """How many answers classmates can read quote each sentence of the brief (from the outline)."""
    return Counter(thread_outline(assignment).quotes)


def brief_sentences(viewer: Viewer) -> dict[str, list[tuple[int, str, int]]] | None:
    """The brief's summary and commentary by sentence, each with how many answers quote it
    (counts only for those who may see classmates' answers); None where answers cannot quote."""
    if not viewer.assignment.evidence:
        return None
    heat = quote_heat(viewer.assignment) if viewer.sees_peers else {}
    parts: dict[str, list[tuple[int, str, int]]] = {"summary": [], "commentary": []}
    for part, index, text in viewer.assignment.brief.sentences():
        parts[part].append((index, text, heat.get((part, index), 0)))
    return parts


def brief_html(viewer: Viewer) -> SafeString:
    """The brief with its question, the same for every reader who sees the same marks of how
    many answers quote each sentence (only those who see answers see counts)."""
    thread = viewer.assignment
    heat = ""
    if thread.evidence:
        # The marks are all the brief shows of the thread's answers: a new version with the same
        # marks (most posts quote nothing new) serves the brief as it was rendered.
        heat = caching.layout(
            thread,
            lambda: hashlib.sha256(repr(brief_sentences(viewer)).encode()).hexdigest()[:16],
            "heat",
            int(viewer.sees_peers),
        )

    def render() -> str:
        context = {"brief": thread.brief, "sentences": brief_sentences(viewer)}
        return render_to_string("includes/_brief_body.html", context)

    return mark_safe(caching.brief(thread, heat, render))  # noqa: S308  (our own template)


# ---- the page's forms and its poll -------------------------------------------------------


def answer_form(assignment: Assignment, data: dict | None = None) -> ResponseForm:
    sentences = assignment.brief.sentences() if assignment.evidence else None
    return ResponseForm(data, min_words=assignment.min_words, label=_("Your answer"), sentences=sentences)


def draft_form(assignment: Assignment, data: dict) -> ResponseForm:
    """The answer form holding what was typed, unchecked: a preview is not a post, so it shows
    no errors (the form's own token comes back too, so posting after a preview posts once)."""
    form = answer_form(assignment)
    form.initial.update({name: data[name] for name in form.fields if name in data})
    return form


def composer_preview(data: dict) -> dict:
    """The composer's Write / Preview state: the text rendered through the same pipeline as a
    posted answer (classroom.text.render_markdown), when Preview was pressed and there is text."""
    body = str(data.get("body", ""))[:BODY_MAX_CHARS]
    previewing = data.get("preview") == "1" and bool(body.strip())
    return {
        "previewing": previewing,
        "preview_html": mark_safe(render_markdown(body)) if previewing else "",  # noqa: S308  (sanitised by nh3)
        "preview_empty": data.get("preview") == "1" and not body.strip(),
    }


def stance_form(viewer: Viewer) -> StanceForm | None:
    """The stance scale to fill in: before answering, then after (with the last choice marked)."""
    if not viewer.assignment.stance or viewer.teaches:
        return None
    seat = viewer.seat
    moment = "after" if seat and seat.first_posted_at else "before"
    if moment == "before" and not viewer.can_post:
        return None
    value = seat.stance_after if moment == "after" else (seat.stance_before if seat else None)
    form = StanceForm(initial={"stance": value, "moment": moment}, scale=viewer.assignment.stance_scale())
    form.before_label = viewer.assignment.stance_label(seat.stance_before if seat else None)
    return form


def frame(viewer: Viewer, families: list[Family], before: int | None = None) -> str:
    """A digest of everything the page shows apart from the content of its cards: the rules,
    dates and the zone they are shown in, lock, brief, the viewer's own state, and which
    answers and replies are laid out where. A poll sends the changed cards while this is unchanged (leaving out what was
    written after the page's version `before`), and the whole page when it is not."""
    thread, seat, now = viewer.assignment, viewer.seat, timezone.now()
    parts = [
        thread.epoch,
        timezone.get_current_timezone_name(),
        [getattr(thread, name) for name in caching.CARD_DEPENDS_ON],
        [getattr(thread, name) for name in caching.CARD_IGNORES],
        thread.locked_at,
        thread.revealed_at,
        thread.brief_id,
        thread.brief.updated_at,
        thread.feedback_version,
        thread.is_past_due(now),
        thread.has_opened(now),
        viewer.composer,
        viewer.listing,
        viewer.can_post,
        viewer.answer_id,
        viewer.replies_given,
        viewer.extension,
        (seat.stance_before, seat.stance_after, seat.first_posted_at) if seat else None,
        layout_digest(viewer, families, before),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


def layout_digest(viewer: Viewer, families: list[Family], before: int | None) -> str:
    """Which answers and replies the page lays out where, leaving out those written after
    version `before` (the same for all readers of one kind on a page of this version)."""

    def digest() -> str:
        laid_out = [
            (family.pk, family.pinned, shown_replies(viewer, family, before))
            for family in families
            if before is None or family.created_version <= before
        ]
        # "Show N earlier answers": an earlier answer deleted or hidden changes N, not the window.
        earlier = shown_families(viewer)[1] if viewer.sees_peers else 0
        return hashlib.sha256(repr((laid_out, earlier)).encode()).hexdigest()

    kind = reader_kind(viewer)
    shown_families(viewer)  # sets own_brought_in
    if before is not None or kind is None or viewer.__dict__.get("own_brought_in") or not families:
        # This reader's own layout, or none (a student whose classmates' answers are held back
        # lays out no family: their digest is not the one of the students who see the thread).
        return digest()
    return caching.layout(viewer.assignment, digest, "digest", kind)


def poll_url(viewer: Viewer, families: list[Family], since: int | None = None) -> str:
    """The poll URL names the page's version, epoch and frame, and carries a signed ticket (this
    user could read this thread when the page was served): with it, "nothing new" is answered
    without the session or the user. `c` is when the page changes with no write (the clock).

    `since`: the version of the page that sent a post whose answer updated the page's own
    parts; the poll still brings what others wrote after it (the page drops what it has)."""
    thread = viewer.assignment
    version = thread.version if since is None else min(since, thread.version)
    ticket = signing.dumps([viewer.user.pk, thread.pk], salt=POLL_SALT, compress=False)
    path = reverse("classroom:thread_poll", args=[thread.pk])
    digest = frame(viewer, families, None if since is None else version)
    url = f"{path}?v={version}&e={thread.epoch}&f={digest}&t={ticket}"
    # The viewer's bell version: a poll finding another one sends the bell (classroom.notifications).
    url += f"&n={notifications.bell_version(viewer.user.pk)}"
    if not viewer.sees_peers:
        url += "&held=1"  # so the page that opens is told why
    if (clock := viewer.next_clock_change(timezone.now())) is not None:
        url += f"&c={int(clock.timestamp()) + 1}"
    return url


def ticket_is_valid(ticket: str, assignment_id: int) -> bool:
    return ticket_user(ticket, assignment_id) is not None


def ticket_user(ticket: str, assignment_id: int) -> int | None:
    """The user a valid poll ticket for this thread was made for, else None."""
    try:
        user_id, thread_id = signing.loads(ticket, salt=POLL_SALT, max_age=POLL_TICKET_SECONDS)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return user_id if thread_id == assignment_id and isinstance(user_id, int) else None


def polled_state(assignment_id: int) -> tuple[int, int, datetime | None] | None:
    """(epoch, version, due time) of the thread, at most a second old (classroom.caching)."""
    return caching.polled(
        assignment_id,
        lambda: Assignment.objects.filter(pk=assignment_id).values_list("epoch", "version", "due_at").first(),
    )


def thread_context(
    request: HttpRequest, viewer: Viewer, form: ResponseForm | None = None, since: int | None = None
) -> dict:
    """Everything the thread page and its fragments render (`since`: see poll_url)."""
    assignment = viewer.assignment
    show_all = request.GET.get("all") == "1"
    items, left_out = thread_items(request, viewer, show_all=show_all)
    families = shown_families(viewer)[0] if viewer.sees_peers else []
    retrying = form is not None and form.is_bound and bool(form.errors)
    composer = viewer.composer
    if retrying and composer in (Composer.CLOSED, Composer.STANCE_FIRST):
        composer = Composer.ANSWER  # a refused answer keeps its text in the form, with the reason
    return {
        "assignment": assignment,
        "brief": assignment.brief,
        "brief_html": brief_html(viewer),
        "viewer": viewer,
        "composer": composer,
        "items": items,
        "left_out": left_out,
        "stats": thread_stats(assignment),
        "form": form or answer_form(assignment),
        "closed_reason": "" if viewer.can_post else closed_reason(assignment, timezone.now()),
        "stance_form": stance_form(viewer),
        "poll_url": poll_url(viewer, families, since),
    }
