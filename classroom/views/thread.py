"""The thread: a brief's question, the answers, and the replies, live through htmx.

Every action works as a plain form post with a redirect; with htmx, the view
answers with the fragment that changed (and out-of-band updates of the counts).
"""

import hashlib
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from classroom import throttle, versions
from classroom.actions import (
    ActionRefused,
    can_change,
    closed_reason,
    delete_response,
    edit_response,
    mark_steelman_fair,
    needs_steelman,
    post_response,
    set_stance,
)
from classroom.forms import ResponseForm, StanceForm
from classroom.models import Assignment, Feedback, Membership, Participation, Response, User
from classroom.permissions import can_see_peers, get_visible_assignment, get_visible_response, teaches
from classroom.reports import StanceSummary, stance_summary

THREAD = "classroom/thread_detail.html"


class Versioned:
    """Values whose cache key names the versions they were built from: they never change
    under that key. The recent ones are also kept in this process, in front of the shared
    cache, so a hit costs no round trip to Redis and no unpickling."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.memo: dict = {}

    def get_many(self, keys: list[str]) -> dict:
        found = {key: self.memo[key] for key in keys if key in self.memo}
        if missing := [key for key in keys if key not in found]:
            shared = cache.get_many(missing)
            self._keep(shared)
            found |= shared
        return found

    def get(self, key: str, default: object = None) -> object:
        return self.get_many([key]).get(key, default)

    def set_many(self, values: dict) -> None:
        cache.set_many(values, ITEM_CACHE_SECONDS)
        self._keep(values)

    def set(self, key: str, value: object) -> None:
        self.set_many({key: value})

    def _keep(self, values: dict) -> None:
        if len(self.memo) + len(values) > self.size:
            self.memo.clear()  # crude, but bounded; the shared cache still has everything
        self.memo.update(values)

    def clear(self) -> None:
        self.memo.clear()


versioned = Versioned(size=4096)  # thread items, counts, stances, a student's state and feedback
outlines = Versioned(size=64)  # a long thread's outline is large: keep fewer


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

    @cached_property
    def feedback(self) -> Feedback | None:
        """The instructor's feedback to this student, read only where a page shows it."""
        if self.teaches:
            return None
        thread = self.assignment
        key = f"thread-feedback:{thread.pk}:{thread.feedback_version}:{self.user.pk}"
        if (found := versioned.get(key, MISSING)) is MISSING:
            found = Feedback.objects.filter(assignment=thread, student=self.user).first()
            versioned.set(key, found)
        return found

    @property
    def poll_url(self) -> str:
        return poll_url(self)

    @property
    def extension(self):
        return self.seat.due_at_override if self.seat else None

    @property
    def has_answered(self) -> bool:
        return self.answer_id is not None

    @classmethod
    def of(cls, user: User, assignment: Assignment) -> "Viewer":
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
            answer_id=next((pk for pk, parent_id in own if parent_id is None), None),
            replies_given=sum(1 for _, parent_id in own if parent_id is not None),
        )

    def label(self, response: Response) -> str:
        """The author's name as this viewer may see it: a pseudonym to anonymous peers."""
        if response.by_instructor:
            return response.author.display_name
        own = response.author_id == self.user.pk
        anonymous = self.assignment.anonymous_to_peers and response.alias
        if own:
            return f"You (Classmate {response.alias})" if anonymous else "You"
        if anonymous and not self.teaches:
            return f"Classmate {response.alias}"
        if anonymous:
            return f"{response.author.display_name} (Classmate {response.alias})"
        return response.author.display_name

    def card(self, response_id: int) -> Response:
        """A response freshly read after a write, ready for its card."""
        response = Response.objects.select_related("author", "reply_to__author", "parent").get(pk=response_id)
        response.assignment = self.assignment
        return self.present(response)

    def present(self, response: Response) -> Response:
        """Attach what the response card shows to this viewer."""
        response.author_label = self.label(response)
        response.is_own = response.author_id == self.user.pk
        response.can_change = can_change(response, self.user, extension=self.extension)
        response.shows_body = not response.is_hidden or self.teaches or response.is_own
        quoted = response.reply_to if response.reply_to_id else None
        if quoted is not None:
            response.reply_to_label = self.label(quoted)
            visible = not quoted.is_deleted and (not quoted.is_hidden or self.teaches)
            response.reply_to_quote = quoted.body if visible else ""
        if self.assignment.stance and response.parent_id is None and not response.by_instructor:
            before, after = self.stances.get(response.author_id, (None, None))
            response.stance_label = self.assignment.stance_label(before)
            response.stance_after_label = self.assignment.stance_label(after)
        if response.steelman:
            restated = quoted or response.parent
            response.can_mark_fair = restated.author_id == self.user.pk and not response.is_deleted
        return response

    @property
    def needs_stance(self) -> bool:
        """The student must say where they stand before they answer or read classmates."""
        seat = self.seat
        return (
            self.assignment.stance
            and not self.teaches
            and not (seat and (seat.stance_before is not None or seat.first_posted_at is not None))
        )

    @cached_property
    def stance_chart(self) -> StanceSummary | None:
        """The class's stances before and after: instructors always, students once they have answered."""
        if not self.assignment.stance:
            return None
        if not self.teaches and not (self.seat and self.seat.first_posted_at):
            return None
        return stance_summary(self.assignment, thread_stances(self.assignment))

    @cached_property
    def stances(self) -> dict[int, tuple[int | None, int | None]]:
        """Each student's stance before and after, shown on their answer's card."""
        return thread_stances(self.assignment)


MISSING = object()


def student_state(
    user: User, assignment: Assignment
) -> tuple[Participation | None, list[tuple[int, int | None]]]:
    """The student's seat in the thread and their live posts as (pk, parent_id).

    Cached per thread version: every write that changes either (a post, an edit, a
    deletion, an extension, a roster change) takes a new version.
    """
    key = f"thread-student:{assignment.pk}:{assignment.version}:{user.pk}"
    if (state := versioned.get(key)) is None:
        seat = Participation.objects.filter(assignment=assignment, student=user).first()
        own = Response.objects.filter(assignment=assignment, author=user, deleted_at=None)
        state = (seat, list(own.values_list("pk", "parent_id")))
        versioned.set(key, state)
    return state


def thread_responses(viewer: Viewer, **filters) -> list[Response]:
    """Responses of the thread the viewer may see, top-level answers with their replies attached."""
    if not viewer.sees_peers:
        return []
    responses = []
    for response in Response.objects.filter(assignment=viewer.assignment, **filters).select_related(
        "author", "reply_to__author", "parent"
    ):
        # can_change() reads response.assignment.group: reuse the loaded thread, not a query per own response.
        response.assignment = viewer.assignment
        responses.append(viewer.present(response))
    return responses


def nest(responses: list[Response]) -> list[Response]:
    """Top-level answers, pinned first, each with .reply_list.

    Deleted answers, and answers hidden from this viewer, stay only as a
    placeholder when replies hang under them.
    """
    by_id = {response.pk: response for response in responses}
    answers = []
    for response in responses:
        response.reply_list = []
    for response in responses:
        if response.parent_id is None:
            answers.append(response)
        elif response.parent_id in by_id and not response.is_deleted and response.shows_body:
            by_id[response.parent_id].reply_list.append(response)
    answers.sort(key=lambda answer: (answer.pinned_at is None, answer.pinned_at or answer.created_at))
    return [
        answer for answer in answers if (not answer.is_deleted and answer.shows_body) or answer.reply_list
    ]


ITEM_CACHE_SECONDS = 24 * 3600
WINDOW = 40  # answers on the first screen of a long thread (plus the pinned ones)


def thread_items(request: HttpRequest, viewer: Viewer, show_all: bool = False) -> tuple[list[str], int]:
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
        html = render_to_string(
            "includes/_thread_item.html", {"answer": answer, "viewer": viewer}, request=request
        )
        return [mark_safe(html)], 0  # noqa: S308  (our own rendered template)
    me = viewer.user.pk
    families = [
        family
        for family in thread_outline(viewer.assignment)
        if (family.any_live if viewer.teaches else family.open_to_all or me in family.hidden_authors)
    ]
    left_out = 0
    if not show_all:
        unpinned = [family for family in families if not family.pinned]
        if len(unpinned) > WINDOW:
            left_out = len(unpinned) - WINDOW
            keep = {family.pk for family in unpinned[-WINDOW:]}
            families = [family for family in families if family.pinned or family.pk in keep]
    thread = viewer.assignment
    # The rules change what a card shows (pseudonyms, stance labels): they are part of the key.
    rules = (
        f"{thread.anonymous_to_peers}{thread.stance}{thread.stance_labels}{thread.evidence}{thread.steelman}"
    )
    suffix = f"{int(viewer.can_post)}:{zlib.crc32(rules.encode()):x}"
    items = [
        {"pk": family.pk, "own": me in family.authors, "key": f"{family.key}:{suffix}"} for family in families
    ]
    # Items with a form (the viewer's own posts, an instructor's moderation) carry a CSRF
    # token: they are cached for this viewer and this CSRF secret only.
    secret = request.META.get("CSRF_COOKIE")
    personal = f":u{viewer.user.pk}:{hashlib.sha256(secret.encode()).hexdigest()[:16]}" if secret else None
    for item in items:
        if viewer.teaches or item["own"]:
            item["key"] = item["key"] + personal if personal else None
    cached = versioned.get_many([item["key"] for item in items if item["key"]])
    missing = [item for item in items if item["key"] not in cached]
    if missing:
        wanted = {item["pk"] for item in missing}
        fresh = Response.objects.filter(
            Q(pk__in=wanted) | Q(parent_id__in=wanted), assignment=viewer.assignment
        ).select_related("author", "reply_to__author", "parent")
        rendered = {
            answer.pk: render_to_string(
                "includes/_thread_item.html", {"answer": answer, "viewer": viewer}, request=request
            )
            for answer in nest([viewer.present(with_thread(r, viewer)) for r in fresh])
        }
        for item in missing:
            cached[item["key"] or ("uncached", item["pk"])] = rendered.get(item["pk"], "")
        versioned.set_many({item["key"]: cached[item["key"]] for item in missing if item["key"]})
    html = [cached[item["key"] or ("uncached", item["pk"])] for item in items]
    return [mark_safe(part) for part in html if part], left_out  # noqa: S308  (our own rendered templates)


@dataclass(frozen=True)
class Family:
    """An answer and its replies, as the thread's outline knows them."""

    pk: int
    pinned: bool
    key: str  # changes whenever the answer or a reply changes, or a reply comes
    authors: frozenset[int]
    any_live: bool  # something not deleted: an instructor sees the item
    open_to_all: bool  # something neither deleted nor hidden: every student sees it
    hidden_authors: frozenset[int]  # who still sees their own hidden post here
    quote: tuple[str, int] | None = None  # the sentence of the brief the answer quotes, if classmates see it
    answer_author: int | None = None  # who wrote the answer, while it is not deleted (for the counts)
    live_replies: int = 0


def thread_outline(assignment: Assignment) -> list[Family]:
    """The thread's answers with their replies, pinned first, then oldest first.

    Read in one light query and cached per thread version, so a long thread costs
    a list walk, not a query or a template, on each view.
    """
    key = f"thread-outline:{assignment.pk}:{assignment.version}"
    families = outlines.get(key)
    if families is None:
        answers, replies = {}, {}
        for row in thread_rows(assignment):
            if row.parent_id is None:
                answers[row.pk] = row
            else:
                replies.setdefault(row.parent_id, []).append(row)
        ordered = sorted(answers.values(), key=lambda a: (a.pinned_at is None, a.pinned_at or a.created_at))
        families = []
        for answer in ordered:
            family = [answer, *replies.get(answer.pk, [])]
            live = [row for row in family if row.deleted_at is None]
            families.append(
                Family(
                    pk=answer.pk,
                    pinned=answer.pinned_at is not None,
                    key=f"thread-item:{answer.pk}:{max(row.version for row in family)}:{len(family)}",
                    authors=frozenset(row.author_id for row in family),
                    any_live=bool(live),
                    open_to_all=any(row.hidden_at is None for row in live),
                    hidden_authors=frozenset(row.author_id for row in live if row.hidden_at is not None),
                    answer_author=answer.author_id if answer.deleted_at is None else None,
                    live_replies=sum(1 for row in live if row.parent_id is not None),
                    quote=(answer.quote_part, answer.quote_index)
                    if answer.quote_part and answer.deleted_at is None and answer.hidden_at is None
                    else None,
                )
            )
        outlines.set(key, families)
    return families


OUTLINE_FIELDS = (
    "pk", "parent_id", "author_id", "version", "pinned_at", "created_at", "deleted_at", "hidden_at",
    "quote_part", "quote_index",
)  # fmt: skip
_thread_rows: dict[tuple, tuple[int, dict]] = {}  # (assignment id, created): (version, {response id: row})


def thread_rows(assignment: Assignment) -> list:
    """Every response of the thread as a light row. This process keeps the rows it last read,
    so a new version reads only the responses changed since (every write sets a response's
    version to the thread's), not the whole thread: in a burst, versions change every moment."""
    thread = (assignment.pk, assignment.created_at)  # an id alone could come back after a restore
    known = _thread_rows.get(thread)
    responses = Response.objects.filter(assignment=assignment)
    if known is not None and known[0] <= assignment.version:
        since, rows = known[0], dict(known[1])
        responses = responses.filter(version__gt=since)
    else:
        rows = {}
    for row in responses.values_list(*OUTLINE_FIELDS, named=True):
        rows[row.pk] = row
    if len(_thread_rows) >= 256:
        _thread_rows.clear()
    _thread_rows[thread] = (assignment.version, rows)
    return list(rows.values())


def with_thread(response: Response, viewer: Viewer) -> Response:
    # can_change() reads response.assignment.group: reuse the loaded thread, not a query each.
    response.assignment = viewer.assignment
    return response


def thread_stats(assignment: Assignment) -> dict[str, int]:
    """Answers, replies and class size; cached per thread version (joins and leaves bump it)."""
    key = f"thread-stats:{assignment.pk}:{assignment.version}"
    if (counts := versioned.get(key)) is None:
        counts = count_thread(assignment)
        versioned.set(key, counts)
    return counts


def thread_stances(assignment: Assignment) -> dict[int, tuple[int | None, int | None]]:
    """{student id: (stance before, stance after)}; cached per thread version."""
    key = f"thread-stances:{assignment.pk}:{assignment.version}"
    if (stances := versioned.get(key)) is None:
        seats = Participation.objects.filter(assignment=assignment).exclude(stance_before=None)
        stances = {
            student: (before, after)
            for student, before, after in seats.values_list("student", "stance_before", "stance_after")
        }
        versioned.set(key, stances)
    return stances


def quote_heat(assignment: Assignment) -> Counter:
    """How many answers classmates can read quote each sentence of the brief (from the outline)."""
    return Counter(family.quote for family in thread_outline(assignment) if family.quote)


def brief_sentences(viewer: Viewer) -> dict[str, list[tuple[int, str, int]]]:
    """The brief's summary and commentary by sentence, each with how many answers quote it
    (counts only for those who may see classmates' answers)."""
    heat = quote_heat(viewer.assignment) if viewer.sees_peers else {}
    parts: dict[str, list[tuple[int, str, int]]] = {"summary": [], "commentary": []}
    for part, index, text in viewer.assignment.brief.sentences():
        parts[part].append((index, text, heat.get((part, index), 0)))
    return parts


def count_thread(assignment: Assignment) -> dict[str, int]:
    """Students who answered (members only), live replies, and class size, from the outline."""
    members = set(Membership.objects.filter(group=assignment.group_id).values_list("student_id", flat=True))
    families = thread_outline(assignment)
    return {
        "posted": len({family.answer_author for family in families if family.answer_author in members}),
        "replies": sum(family.live_replies for family in families),
        "members": len(members),
    }


def thread_context(request: HttpRequest, viewer: Viewer, form: ResponseForm | None = None) -> dict:
    assignment = viewer.assignment
    items, left_out = thread_items(request, viewer, show_all=request.GET.get("all") == "1")
    return {
        "assignment": assignment,
        "brief": assignment.brief,
        "viewer": viewer,
        "items": items,
        "left_out": left_out,
        "stats": thread_stats(assignment),
        "form": form or answer_form(assignment),
        "closed_reason": "" if viewer.can_post else closed_reason(assignment, timezone.now()),
        "sentences": brief_sentences(viewer) if assignment.evidence else None,
        "stance_form": stance_form(viewer),
    }


def answer_form(assignment: Assignment, data=None) -> ResponseForm:
    sentences = assignment.brief.sentences() if assignment.evidence else None
    return ResponseForm(data, min_words=assignment.min_words, label="Your answer", sentences=sentences)


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


@require_GET
@vary_on_headers("HX-Request")
def thread_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = get_visible_assignment(request.user, assignment_id)
    viewer = Viewer.of(request.user, assignment)
    return render(request, THREAD, thread_context(request, viewer))


@require_POST
@vary_on_headers("HX-Request")
def response_create(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Post an answer to the thread's question."""
    assignment = get_visible_assignment(request.user, assignment_id)
    viewer = Viewer.of(request.user, assignment)
    form = answer_form(assignment, request.POST)
    if form.is_valid() and not throttle.post_allowed(request.user):
        form.add_error("body", throttle.POSTING_TOO_FAST)
    if form.is_valid():
        try:
            response = post_response(
                assignment=assignment,
                author=request.user,
                body=form.cleaned_data["body"],
                client_token=form.cleaned_data["client_token"],
                quote=form.cleaned_data.get("quote"),
                disputes=form.cleaned_data.get("disputes", ""),
            )
        except ActionRefused as refusal:
            form.add_error("body", str(refusal))
        else:
            if not request.htmx:
                return redirect(response.get_absolute_url())
            saw_peers = viewer.sees_peers
            viewer = Viewer.of(request.user, response.assignment)
            context = thread_context(request, viewer)
            # In a gated thread the sending page may still hold classmates' answers back (a copy of
            # this submit may have been stored first, from another tab): send the whole list.
            reveal = not saw_peers or response.assignment.gates_peers
            context.update(posted=viewer.present(response), reveal=reveal)
            return render(request, "classroom/_thread_posted.html", context)
    context = thread_context(request, viewer, form)
    return render(request, f"{THREAD}#composer" if request.htmx else THREAD, context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def response_reply(request: HttpRequest, response_id: int) -> HttpResponse:
    """The reply form under a response (GET), and posting the reply (POST)."""
    parent = get_visible_response(request.user, response_id)
    viewer = Viewer.of(request.user, parent.assignment)
    viewer.present(parent)
    top_id = parent.parent_id or parent.pk
    restate = needs_steelman(parent.assignment, parent, request.user, viewer.teaches)
    form = ResponseForm(
        request.POST or None,
        label=f"Reply to {parent.author_label}",
        auto_id=f"id_reply{parent.pk}_%s",
        steelman_label=f"First, restate the view of {parent.author_label} in your own words"
        if restate
        else "",
    )
    if request.method == "POST" and form.is_valid() and not throttle.post_allowed(request.user):
        form.add_error("body", throttle.POSTING_TOO_FAST)
    if request.method == "POST" and form.is_valid():
        try:
            reply = post_response(
                assignment=parent.assignment,
                author=request.user,
                body=form.cleaned_data["body"],
                parent=parent,
                client_token=form.cleaned_data["client_token"],
                steelman=form.cleaned_data.get("steelman", ""),
            )
        except ActionRefused as refusal:
            form.add_error("body", str(refusal))
        else:
            if not request.htmx:
                return redirect(reply.get_absolute_url())
            context = {
                "viewer": viewer,
                "assignment": parent.assignment,
                "reply": viewer.card(reply.pk),
                "top_id": top_id,
                "stats": thread_stats(reply.assignment),  # the thread as the reply left it
            }
            return render(request, "classroom/_reply_posted.html", context)
    if not viewer.can_post and request.method == "GET":
        form = None
    context = {
        "viewer": viewer,
        "assignment": parent.assignment,
        "parent": parent,
        "form": form,
        "top_id": top_id,
    }
    template = "classroom/response_reply.html"
    return render(request, f"{template}#reply-slot" if request.htmx else template, context)


@require_GET
def response_detail(request: HttpRequest, response_id: int) -> HttpResponse:
    """One response card (htmx: to cancel an edit); a plain visit goes to the thread."""
    response = get_visible_response(request.user, response_id)
    if not request.htmx:
        return redirect(response.get_absolute_url())
    viewer = Viewer.of(request.user, response.assignment)
    return render(
        request, "includes/_response.html", {"response": viewer.present(response), "viewer": viewer}
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def response_edit(request: HttpRequest, response_id: int) -> HttpResponse:
    response = get_visible_response(request.user, response_id)
    viewer = Viewer.of(request.user, response.assignment)
    viewer.present(response)
    if not response.can_change:
        return render_refusal(request, response, viewer, "You can no longer edit this response.")
    is_answer = response.parent_id is None and not response.by_instructor
    quotes = is_answer and response.assignment.evidence
    form = ResponseForm(
        request.POST or None,
        initial={
            "body": response.body,
            "quote": f"{response.quote_part}:{response.quote_index}" if response.quote_part else "",
            "disputes": response.disputes,
        },
        label="Edit your answer" if response.parent_id is None else "Edit your reply",
        auto_id=f"id_edit{response.pk}_%s",
        sentences=response.assignment.brief.sentences() if quotes else None,
        min_words=response.assignment.min_words if is_answer else 0,
    )
    if quotes and not request.htmx:  # the page of its own shows no brief to select in
        form.fields["quote"].help_text = "The brief's summary, then its commentary, sentence by sentence."
    if request.method == "POST" and form.is_valid():
        try:
            evidence = (
                {"quote": form.cleaned_data["quote"], "disputes": form.cleaned_data["disputes"]}
                if quotes
                else None
            )
            response = edit_response(
                response=response, body=form.cleaned_data["body"], by=request.user, evidence=evidence
            )
        except ActionRefused as refusal:
            form.add_error("body", str(refusal))
        else:
            if not request.htmx:
                return redirect(response.get_absolute_url())
            context = {
                "response": viewer.card(response.pk),
                "viewer": viewer,
                "announce": "Your changes are saved.",
            }
            return render(request, "includes/_response.html", context)
    template = "classroom/response_edit.html"
    context = {"response": response, "viewer": viewer, "form": form, "assignment": response.assignment}
    return render(request, f"{template}#edit-form" if request.htmx else template, context)


@require_POST
@vary_on_headers("HX-Request")
def response_delete(request: HttpRequest, response_id: int) -> HttpResponse:
    response = get_visible_response(request.user, response_id)
    viewer = Viewer.of(request.user, response.assignment)
    try:
        response = delete_response(response=response, by=request.user)
    except ActionRefused as refusal:
        return render_refusal(request, viewer.present(response), viewer, str(refusal))
    if not request.htmx:
        return redirect(response.assignment.get_absolute_url())
    viewer = Viewer.of(request.user, response.assignment)
    context = {
        "response": viewer.card(response.pk),
        "viewer": viewer,
        "assignment": response.assignment,
        "stats": thread_stats(response.assignment),
        "form": answer_form(response.assignment),
        "announce": "Your response is deleted.",
        "refresh_composer": response.parent_id is None,
    }
    return render(request, "classroom/_response_deleted.html", context)


@require_POST
@vary_on_headers("HX-Request")
def stance_save(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Place yourself on the stance scale: before answering, or after the discussion."""
    assignment = get_visible_assignment(request.user, assignment_id)
    form = StanceForm(request.POST, scale=assignment.stance_scale())
    error = ""
    if not form.is_valid():
        error = "Pick one of the five points of the scale."
    else:
        try:
            set_stance(
                assignment=assignment,
                student=request.user,
                value=form.cleaned_data["stance"],
                moment=form.cleaned_data["moment"],
            )
        except ActionRefused as refusal:
            error = str(refusal)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(f"{assignment.get_absolute_url()}#composer")
    viewer = Viewer.of(request.user, get_visible_assignment(request.user, assignment_id))
    context = thread_context(request, viewer) | {"stance_error": error}
    return render(request, "classroom/_stance_saved.html", context)


@require_POST
@vary_on_headers("HX-Request")
def steelman_fair(request: HttpRequest, response_id: int) -> HttpResponse:
    """The author of a view marks a classmate's restatement of it as fair (or takes that back)."""
    response = get_visible_response(request.user, response_id)
    viewer = Viewer.of(request.user, response.assignment)
    try:
        response = mark_steelman_fair(
            response=response, by=request.user, fair=request.POST.get("fair") != "0"
        )
    except ActionRefused as refusal:
        return render_refusal(request, viewer.present(response), viewer, str(refusal))
    if not request.htmx:
        return redirect(response.get_absolute_url())
    viewer = Viewer.of(request.user, response.assignment)
    announce = "Marked as a fair restatement." if response.steelman_fair_at else "No longer marked as fair."
    context = {"response": viewer.card(response.pk), "viewer": viewer, "announce": announce}
    return render(request, "includes/_response.html", context)


def render_refusal(request: HttpRequest, response: Response, viewer: Viewer, message: str) -> HttpResponse:
    if not request.htmx:
        messages.error(request, message)
        return redirect(response.get_absolute_url())
    context = {"response": response, "viewer": viewer, "announce": message, "error": message}
    return render(request, "includes/_response.html", context)


POLL_SALT = "agora.thread-poll"
POLL_TICKET_SECONDS = 12 * 3600


def poll_url(viewer: "Viewer") -> str:
    """The poll URL carries a signed ticket: this user could read this thread when the page
    was served. With it, "nothing new" is answered without the session or the user."""
    ticket = signing.dumps([viewer.user.pk, viewer.assignment.pk], salt=POLL_SALT, compress=False)
    path = reverse("classroom:thread_poll", args=[viewer.assignment.pk])
    # A fair reveal may open the answers with no write (the due time): the poll then looks further.
    waiting = "&waiting=1" if not viewer.sees_peers and not viewer.assignment.is_revealed() else ""
    return f"{path}?v={viewer.assignment.version}&t={ticket}{waiting}"


def ticket_is_valid(ticket: str, assignment_id: int) -> bool:
    try:
        _, thread_id = signing.loads(ticket, salt=POLL_SALT, max_age=POLL_TICKET_SECONDS)
    except (signing.BadSignature, ValueError, TypeError):
        return False
    return thread_id == assignment_id


@require_GET
@login_not_required  # the ticket stands in for the login on the fast path; the slow path checks it
def thread_poll(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """What changed since version v: 204 when nothing did, else the changed pieces, out of band.

    The fast path, taken by nearly every poll, reads no session and at most one small query
    a second per thread (classroom.versions): a valid ticket and an unchanged version answer
    204 and say nothing else. Anything more needs the session.
    """
    try:
        since = int(request.GET.get("v", ""))
    except ValueError:
        since = -1
    waiting = request.GET.get("waiting") == "1"
    if since >= 0 and ticket_is_valid(request.GET.get("t", ""), assignment_id):
        version, due_at = versions.current(assignment_id)
        # A fair reveal also opens at the due time, which changes no version.
        reveal_due = waiting and due_at is not None and due_at <= timezone.now()
        if version == since and not reveal_due:
            return HttpResponse(status=204)
    if not request.user.is_authenticated:
        return redirect_to_login_page(request)
    assignment = get_visible_assignment(request.user, assignment_id)
    viewer = Viewer.of(request.user, assignment)
    if waiting and viewer.sees_peers:
        # Classmates' answers have just opened to this student: the whole list, at once.
        context = thread_context(request, viewer) | {"announce": "Your classmates' answers are now shown."}
        return reswap(
            retarget(render(request, "classroom/_thread_revealed.html", context), "#thread-responses"),
            "outerHTML",
        )
    if assignment.version == since:
        return HttpResponse(status=204)
    changed = [] if since < 0 or not viewer.sees_peers else thread_responses(viewer, version__gt=since)
    new = [response for response in changed if response.created_version > since]
    for response in new:
        response.reply_list = []
    context = {
        "assignment": assignment,
        "viewer": viewer,
        "new_answers": [r for r in new if r.parent_id is None],
        "new_replies": [r for r in new if r.parent_id is not None],
        "updated": [r for r in changed if r.created_version <= since],
        "stats": thread_stats(assignment),
        "announce": new_responses_message(viewer, new),
        "sentences": brief_sentences(viewer) if assignment.evidence and changed else None,
    }
    return render(request, "classroom/_thread_poll.html", context)


def redirect_to_login_page(request: HttpRequest) -> HttpResponse:
    from classroom.middleware import LoginRequiredMiddleware

    return LoginRequiredMiddleware(lambda r: None).handle_no_permission(request, thread_poll)


def new_responses_message(viewer: Viewer, new: list[Response]) -> str:
    count = sum(1 for response in new if response.author_id != viewer.user.pk)
    if not count:
        return ""
    return "1 new response." if count == 1 else f"{count} new responses."
