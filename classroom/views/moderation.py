"""Instructors moderate a thread: hide (with a reason), highlight, pin, extend, read the log.

Each action answers htmx with the changed response card, and a plain post with a
redirect to it. Students and other instructors get a 404.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from classroom.actions import (
    ActionRefused,
    extend_due,
    hide_response,
    set_highlight,
    set_pin,
    unhide_response,
)
from classroom.forms import ExtensionForm, HideForm
from classroom.models import ModerationEvent, Response
from classroom.permissions import (
    get_taught_assignment,
    get_taught_student,
    get_visible_response,
    instructor_required,
    teaches,
)
from classroom.readmodel import Viewer


def get_moderated_response(request: HttpRequest, response_id: int) -> Response:
    response = get_visible_response(request.user, response_id)
    if not teaches(request.user, response.assignment):
        raise Http404("No such response.")
    return response


def card(request: HttpRequest, response: Response, announce: str = "", error: str = "") -> HttpResponse:
    """The response card after a change (htmx), or back to it in the thread."""
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(response.get_absolute_url())
    viewer = Viewer.of(request.user, response.assignment)
    context = {
        "response": viewer.card(response.pk),
        "viewer": viewer,
        "announce": announce or error,
        "error": error,
    }
    return render(request, "includes/_response.html", context)


@require_POST
@instructor_required
@vary_on_headers("HX-Request")
def response_hide(request: HttpRequest, response_id: int) -> HttpResponse:
    response = get_moderated_response(request, response_id)
    form = HideForm(request.POST)
    if not form.is_valid():
        return card(request, response, error=form.errors["reason"][0])
    try:
        response = hide_response(response=response, by=request.user, reason=form.cleaned_data["reason"])
    except ActionRefused as refusal:
        return card(request, response, error=str(refusal))
    return card(request, response, _("Hidden from the students; its author sees why."))


@require_POST
@instructor_required
@vary_on_headers("HX-Request")
def response_unhide(request: HttpRequest, response_id: int) -> HttpResponse:
    response = unhide_response(response=get_moderated_response(request, response_id), by=request.user)
    return card(request, response, _("Shown to the class again."))


@require_POST
@instructor_required
@vary_on_headers("HX-Request")
def response_highlight(request: HttpRequest, response_id: int) -> HttpResponse:
    response = get_moderated_response(request, response_id)
    highlighted = request.POST.get("highlighted") == "1"
    response = set_highlight(response=response, by=request.user, highlighted=highlighted)
    return card(
        request, response, _("Highlighted for the class.") if highlighted else _("Highlight removed.")
    )


@require_POST
@instructor_required
@vary_on_headers("HX-Request")
def response_pin(request: HttpRequest, response_id: int) -> HttpResponse:
    response = get_moderated_response(request, response_id)
    pinned = request.POST.get("pinned") == "1"
    try:
        response = set_pin(response=response, by=request.user, pinned=pinned)
    except ActionRefused as refusal:
        return card(request, response, error=str(refusal))
    return card(request, response, _("Pinned to the top of the thread.") if pinned else _("Unpinned."))


@require_POST
@instructor_required
def due_extend(request: HttpRequest, assignment_id: int, student_id: int) -> HttpResponse:
    """One student's extension, from the report page; an empty date takes it back."""
    assignment = get_taught_assignment(request.user, assignment_id)
    student = get_taught_student(request.user, assignment.group_id, student_id)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["due_at"][0])
    else:
        due_at = form.cleaned_data["due_at"]
        try:
            extend_due(assignment=assignment, student=student, due_at=due_at, by=request.user)
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            if due_at:
                local = timezone.localtime(due_at)
                said = _("Extension for %(name)s until %(when)s.") % {
                    "name": student.display_name,
                    "when": f"{formats.date_format(local, 'D d M, H:i')} {local:%Z}",
                }
            else:
                said = _("Extension for %(name)s removed.") % {"name": student.display_name}
            messages.success(request, said)
    return redirect(f"{assignment.get_absolute_url()}report/#student-{student.pk}")


@require_GET
@instructor_required
def moderation_log(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = get_taught_assignment(request.user, assignment_id)
    events = ModerationEvent.objects.filter(assignment=assignment).select_related(
        "actor", "student", "response"
    )
    return render(request, "classroom/moderation_log.html", {"assignment": assignment, "events": events})
