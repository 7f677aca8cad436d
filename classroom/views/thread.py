"""The thread: a brief's question, the answers, and the replies, live through htmx.

Every action works as a plain form post with a redirect; with htmx, the view answers
with the fragment that changed (and out-of-band updates of the counts). What a page
shows is decided in classroom.readmodel; the poll is in classroom.views.poll.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from classroom import throttle
from classroom.actions import (
    ActionRefused,
    delete_response,
    edit_response,
    mark_steelman_fair,
    needs_steelman,
    post_response,
    set_stance,
)
from classroom.forms import ResponseForm, StanceForm
from classroom.models import Response
from classroom.permissions import UNREAD, get_visible_assignment, get_visible_response
from classroom.readmodel import Viewer, answer_form, composer_preview, draft_form, thread_context

THREAD = "classroom/thread_detail.html"


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
            viewer = viewer.again(response.assignment, seat=getattr(response, "author_seat", UNREAD))
            context = thread_context(request, viewer, since=page_version(request))
            # In a gated thread the sending page may still hold classmates' answers back (a copy of
            # this submit may have been stored first, from another tab): send the whole list.
            reveal = not saw_peers or response.assignment.gates_peers
            context.update(posted=viewer.present(response), reveal=reveal)
            page = render(request, "classroom/_thread_posted.html", context)
            return focus_on(page, f"#response-{response.pk}")
    context = thread_context(request, viewer, form)
    return render(request, f"{THREAD}#composer" if request.htmx else THREAD, context)


@require_POST
@vary_on_headers("HX-Request")
def response_preview(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """The composer's Write / Preview buttons (their formaction): nothing is posted; the
    composer comes back with the text, rendered for Preview (htmx, or the whole page)."""
    assignment = get_visible_assignment(request.user, assignment_id)
    viewer = Viewer.of(request.user, assignment)
    state = composer_preview(request.POST)
    context = thread_context(request, viewer, draft_form(assignment, request.POST)) | state
    if not request.htmx:
        return render(request, THREAD, context)
    page = render(request, f"{THREAD}#composer", context)
    return focus_on(page, "#answer-preview" if state["previewing"] else "#composer textarea[name=body]")


def focus_on(response: HttpResponse, selector: str) -> HttpResponse:
    """Once htmx has swapped the answer in, static/js/app.js moves the focus to `selector` (the
    new post, the preview), so keyboard and screen reader users land on what they made, not on
    the page's body where a swapped-out button leaves them."""
    return trigger_client_event(response, "agora:focus", {"selector": selector}, after="settle")


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
        label=_("Reply to %(name)s") % {"name": parent.author_label},
        auto_id=f"id_reply{parent.pk}_%s",
        steelman_label=_("First, restate the view of %(name)s in your own words")
        % {"name": parent.author_label}
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
            viewer = viewer.again(reply.assignment, seat=getattr(reply, "author_seat", UNREAD))
            context = thread_context(request, viewer, since=page_version(request)) | {
                "reply": viewer.card(reply.pk),
                "top_id": top_id,
            }
            page = render(request, "classroom/_reply_posted.html", context)
            return focus_on(page, f"#response-{reply.pk}")
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
        return render_refusal(request, response, viewer, _("You can no longer edit this response."))
    is_answer = response.parent_id is None and not response.by_instructor
    quotes = is_answer and response.assignment.evidence
    form = ResponseForm(
        request.POST or None,
        initial={
            "body": response.body,
            "quote": f"{response.quote_part}:{response.quote_index}" if response.quote_part else "",
            "disputes": response.disputes,
        },
        label=_("Edit your answer") if response.parent_id is None else "Edit your reply",
        auto_id=f"id_edit{response.pk}_%s",
        sentences=response.assignment.brief.sentences() if quotes else None,
        min_words=response.assignment.min_words if is_answer else 0,
    )
    if quotes and not request.htmx:  # the page of its own shows no brief to select in
        form.fields["quote"].help_text = _("The brief's summary, then its commentary, sentence by sentence.")
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
                "announce": _("Your changes are saved."),
            }
            return focus_on(render(request, "includes/_response.html", context), f"#response-{response.pk}")
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
    viewer = viewer.again(response.assignment)
    context = thread_context(request, viewer) | {
        "response": viewer.card(response.pk),
        "announce": _("Your response is deleted."),
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
        error = _("Pick one of the five points of the scale.")
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
    context = thread_context(request, viewer, since=page_version(request)) | {"stance_error": error}
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
    viewer = viewer.again(response.assignment)
    announce = (
        _("Marked as a fair restatement.") if response.steelman_fair_at else _("No longer marked as fair.")
    )
    context = {"response": viewer.card(response.pk), "viewer": viewer, "announce": announce}
    return render(request, "includes/_response.html", context)


def render_refusal(request: HttpRequest, response: Response, viewer: Viewer, message: str) -> HttpResponse:
    if not request.htmx:
        messages.error(request, message)
        return redirect(response.get_absolute_url())
    context = {"response": response, "viewer": viewer, "announce": message, "error": message}
    return render(request, "includes/_response.html", context)


def page_version(request: HttpRequest) -> int | None:
    """The thread version of the page that sent this post (static/js/app.js adds it), so the
    page's next poll still brings what others wrote since; None from a page without it."""
    try:
        return int(request.POST.get("seen", ""))
    except ValueError:
        return None
