"""Assigning briefs to groups, and changing an assignment's dates and rules."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods, require_POST

from briefs.models import Brief
from classroom.actions import (
    ActionRefused,
    assign_brief,
    move_to_newest_brief,
    plan_brief_move,
    set_thread_lock,
    update_assignment,
)
from classroom.forms import AssignForm, AssignmentRulesForm, AssignQueryForm
from classroom.models import Group
from classroom.permissions import get_taught_assignment, instructor_required


@require_http_methods(["GET", "POST"])
@instructor_required
def assignment_create(request: HttpRequest) -> HttpResponse:
    """Assign a brief to one or more groups; ?brief=<slug> and ?group=<id> preselect."""
    query = AssignQueryForm(request.GET)
    initial = {}
    if brief := Brief.objects.active().filter(slug=query.value("brief")).first():
        initial["brief"] = brief
    if group_id := query.value("group"):
        initial["groups"] = Group.objects.taught_by(request.user).filter(pk=group_id)
    form = AssignForm(
        request.POST or None, instructor=request.user, initial=initial, brief_query=query.value("q") or ""
    )
    if request.method == "POST" and form.is_valid():
        try:
            assignments = assign_brief(
                brief=form.cleaned_data["brief"],
                groups=form.cleaned_data["groups"],
                rules=form.rules(),
                by=request.user,
            )
        except ActionRefused as refusal:
            form.add_error("groups", str(refusal))
        else:
            names = ", ".join(a.group.name for a in assignments)
            messages.success(request, f"Assigned to {names}.")
            return redirect(assignments[0] if len(assignments) == 1 else "classroom:home")
    has_groups = form.fields["groups"].queryset.exists()
    briefs, matches = form.brief_choices()
    context = {"form": form, "query": query, "has_groups": has_groups, "briefs": briefs, "matches": matches}
    return render(request, "classroom/assignment_form.html", context)


@require_http_methods(["GET", "POST"])
@instructor_required
def assignment_edit(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = get_taught_assignment(request.user, assignment_id)
    form = AssignmentRulesForm(request.POST or None, instance=assignment)
    if request.method == "POST" and form.is_valid():
        update_assignment(assignment=assignment, rules=form.rules())
        messages.success(request, "Dates and rules saved.")
        return redirect(assignment)
    newest = (
        Brief.objects.current().filter(pk__in=assignment.brief.versions()).exclude(pk=assignment.brief_id)
    )
    context = {"form": form, "assignment": assignment, "newer_brief": newest.first()}
    return render(request, "classroom/assignment_edit.html", context)


@require_http_methods(["GET", "POST"])
@instructor_required
def assignment_brief_version(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Move a thread to the newest version of its brief, after seeing which quotes would no
    longer point at a sentence (GET shows them, POST moves)."""
    assignment = get_taught_assignment(request.user, assignment_id)
    if request.method == "POST":
        try:
            plan = move_to_newest_brief(assignment=assignment, by=request.user)
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            lost = len(plan.lost)
            messages.success(
                request,
                f"The thread now shows version {plan.newest.version} of the brief."
                + (
                    f" {lost} quote{pluralize(lost)} no longer match{pluralize(lost, 'es,')} a sentence."
                    if lost
                    else ""
                ),
            )
        return redirect(assignment)
    plan = plan_brief_move(assignment)
    context = {"assignment": assignment, "plan": plan, "moved": len(plan.found) if plan else 0}
    return render(request, "classroom/assignment_brief_version.html", context)


@require_POST
@instructor_required
def thread_lock(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Lock (locked=1) or reopen (locked=0); without the field, toggle. The form sends
    the field, so a double-submitted "Lock" cannot reopen the thread."""
    assignment = get_taught_assignment(request.user, assignment_id)
    wanted = request.POST.get("locked")
    locked = wanted == "1" if wanted in ("0", "1") else not assignment.is_locked
    thread = set_thread_lock(assignment=assignment, locked=locked, by=request.user)
    messages.success(request, "Thread locked: nobody can post." if thread.is_locked else "Thread reopened.")
    return redirect(thread)
