"""The thread's poll: every open thread page asks every few seconds what changed.

The answer makes the page equal to a fresh load of it. When only cards changed or came
(the page's frame, classroom.readmodel.frame, is the same), it sends those cards, the
counts and the brief's heat marks out of band; when anything else changed (rules, dates,
the lock, the viewer's own state, which posts are laid out where, a restore), it sends the
whole page.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET
from django_htmx.http import reswap, retarget

from classroom.middleware import activate_language, activate_time_zone, activates_time_zone_itself
from classroom.notifications import bell_version
from classroom.permissions import get_visible_assignment
from classroom.readmodel import (
    Viewer,
    brief_html,
    changed_responses,
    frame,
    poll_url,
    polled_state,
    shown_families,
    shown_replies,
    thread_context,
    thread_stats,
    ticket_user,
)
from classroom.views.notifications import bell_context


def _int(value: str | None, default: int = -1) -> int:
    try:
        return int(value or "")
    except ValueError:
        return default


@require_GET
@login_not_required  # the ticket stands in for the login on the fast path; the slow path checks it
@activates_time_zone_itself
def thread_poll(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """What changed since version v: 204 when nothing did, else the changed pieces, out of band.

    The fast path, taken by nearly every poll, reads no session and at most one small query
    a second per thread (classroom.caching.polled): a valid ticket, the same epoch and
    version, and no clock change due (`c`) answer 204 and say nothing else.
    """
    since, epoch, clock = (
        _int(request.GET.get("v")),
        _int(request.GET.get("e")),
        _int(request.GET.get("c"), 0),
    )
    clock_due = 0 < clock <= timezone.now().timestamp()
    bell = _int(request.GET.get("n"))  # the page's bell version; -1: a URL from before the bell
    ticket_user_id = ticket_user(request.GET.get("t", ""), assignment_id) if since >= 0 else None
    if ticket_user_id is not None:
        state = polled_state(assignment_id)
        same_bell = bell < 0 or bell_version(ticket_user_id) == bell
        if state is not None and state[:2] == (epoch, since) and not clock_due and same_bell:
            return HttpResponse(status=204)
    if not request.user.is_authenticated:
        return redirect_to_login_page(request)
    response = _thread_poll(request, assignment_id, since, epoch, clock_due, bell)
    if bell >= 0 and response.status_code == 200 and bell_version(request.user.pk) != bell:
        # The bell changed: its count comes along, out of band, into its live region.
        response.content += render_to_string(
            "includes/_bell_oob.html", bell_context(request.user), request=request
        ).encode()
    return response


def _thread_poll(
    request: HttpRequest, assignment_id: int, since: int, epoch: int, clock_due: bool, bell: int
) -> HttpResponse:
    activate_time_zone(request.user)
    activate_language(request)
    assignment = get_visible_assignment(request.user, assignment_id)
    viewer = Viewer.of(request.user, assignment)
    families = shown_families(viewer)[0] if viewer.sees_peers else []
    same_page = (
        since >= 0
        and epoch == assignment.epoch
        and since <= assignment.version
        # A URL made by hand may name no frame: it gets the changed cards, as before frames.
        and request.GET.get("f", "") in ("", frame(viewer, families, since))
    )
    if not same_page:
        context = thread_context(request, viewer)
        if request.GET.get("held") == "1" and viewer.sees_peers:
            context["announce"] = _("Your classmates' answers are now shown.")
        page = render(request, "classroom/_thread_refreshed.html", context)
        return reswap(retarget(page, "#thread-page"), "outerHTML")
    context = {"assignment": assignment, "viewer": viewer, "poll_url": poll_url(viewer, families)}
    if assignment.version == since:
        if not clock_due and (bell < 0 or bell_version(request.user.pk) == bell):
            return HttpResponse(status=204)
        # Only the clock moved, and nothing the page shows changed with it: a new poller.
        return render(request, "includes/_poll.html", context)
    changed = changed_responses(viewer, since)
    by_pk = {family.pk: family for family in families}
    for response in changed:
        if response.parent_id is None and response.pk in by_pk:
            # A hidden or deleted answer stays a placeholder while replies hang under it.
            response.reply_list = shown_replies(viewer, by_pk[response.pk])
    new = [r for r in changed if r.created_version > since and r.is_shown]
    for response in new:
        response.reply_list = []
    context |= {
        "new_answers": [r for r in new if r.parent_id is None],
        "new_replies": [r for r in new if r.parent_id is not None],
        "updated": [r for r in changed if r.created_version <= since],
        "stats": thread_stats(assignment),
        "announce": new_responses_message(viewer, new),
        "brief_html": brief_html(viewer),
    }
    return render(request, "classroom/_thread_poll.html", context)


def redirect_to_login_page(request: HttpRequest) -> HttpResponse:
    from classroom.middleware import LoginRequiredMiddleware

    return LoginRequiredMiddleware(lambda r: None).handle_no_permission(request, thread_poll)


ANNOUNCED_BY_NAME = 3  # more than this many new posts at once are summed up, not read out one by one


def new_responses_message(viewer: Viewer, new: list) -> str:
    """What the page's live region says about new posts: who wrote, and whether to the viewer.

    `new` holds only posts this viewer may read (the poll's changed cards: none while a rule
    holds classmates back), and names come from Viewer.label, so pseudonyms stay pseudonyms.
    Replies to the viewer come first: they are what a student waits for."""
    others = [response for response in new if response.author_id != viewer.user.pk]
    if not others:
        return ""
    me = viewer.user.pk
    to_me = [response for response in others if answered_author(response) == me]
    rest = [response for response in others if response not in to_me]
    sentences = [_("%(name)s replied to you.") % {"name": response.author_label} for response in to_me]
    sentences += [
        (_("%(name)s replied.") if response.parent_id else _("%(name)s answered."))
        % {"name": response.author_label}
        for response in rest
    ]
    if len(sentences) > ANNOUNCED_BY_NAME:
        more = len(sentences) - ANNOUNCED_BY_NAME
        sentences = [
            *sentences[:ANNOUNCED_BY_NAME],
            ngettext("%(count)d more new response.", "%(count)d more new responses.", more) % {"count": more},
        ]
    return " ".join(sentences)


def answered_author(response) -> int | None:
    """Whose post a reply answers: the reply it quotes, else its answer (None for an answer)."""
    if response.reply_to_id:
        return response.reply_to.author_id
    return response.parent.author_id if response.parent_id else None
