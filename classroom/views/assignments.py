"""Assigning briefs to groups, and changing an assignment's dates and rules."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from briefs.models import Brief
from classroom.actions import (
    PRESET_RULES,
    ActionRefused,
    assign_brief,
    delete_rule_preset,
    move_to_newest_brief,
    plan_brief_move,
    rules_of,
    save_rule_preset,
    set_thread_lock,
    update_assignment,
)
from classroom.forms import AssignForm, AssignmentRulesForm, AssignQueryForm, RulePresetForm
from classroom.models import Group, RulePreset
from classroom.permissions import get_taught_assignment, instructor_required


@require_http_methods(["GET", "POST"])
@instructor_required
def assignment_create(request: HttpRequest) -> HttpResponse:
    """Assign a brief to one or more groups; ?brief=<slug> and ?group=<id> preselect;
    ?rules_from=<assignment> copies a discussion's rules and brief ("assign again") and
    ?preset=<id> a saved preset's rules. A thread or preset that is not the teacher's is a 404."""
    query = AssignQueryForm(request.GET)
    initial = {}
    source = preset = None
    if brief := Brief.objects.active().filter(slug=query.value("brief")).first():
        initial["brief"] = brief
    if group_id := query.value("group"):
        initial["groups"] = Group.objects.taught_by(request.user).filter(pk=group_id)
    if source_id := query.value("rules_from"):
        source = get_taught_assignment(request.user, source_id)
        initial |= rules_of(source)
        newest = Brief.objects.active().filter(pk__in=source.brief.versions()).first()
        if newest and "brief" not in initial:
            initial["brief"] = newest
    if preset_id := query.value("preset"):
        preset = get_object_or_404(RulePreset.objects.filter(owner=request.user), pk=preset_id)
        initial |= {name: value for name, value in preset.rules.items() if name in PRESET_RULES}
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
            messages.success(request, _("Assigned to %(groups)s.") % {"groups": names})
            return redirect(assignments[0] if len(assignments) == 1 else "classroom:home")
    context = assign_context(request, form, query) | {"source": source, "preset": preset}
    return render(request, "classroom/assignment_form.html", context)


def assign_context(
    request: HttpRequest, form: AssignForm, query: AssignQueryForm, preset_form: RulePresetForm | None = None
) -> dict:
    briefs, matches = form.brief_choices()
    return {
        "form": form,
        "query": query,
        "has_groups": form.fields["groups"].queryset.exists(),
        "briefs": briefs,
        "matches": matches,
        "presets": RulePreset.objects.filter(owner=request.user),
        "preset_form": preset_form or RulePresetForm(),
    }


@require_POST
@instructor_required
def rule_preset_create(request: HttpRequest) -> HttpResponse:
    """Save the rules of the assign form as a named preset ("Save these rules" in that form),
    then show the assign page again with them, the brief and a single group kept."""
    preset_form = RulePresetForm(request.POST)
    form = AssignForm(request.POST, instructor=request.user)
    form.is_valid()  # for what was picked, and the rules' own errors; nothing is assigned here
    if preset_form.is_valid():
        try:
            preset, created = save_rule_preset(
                owner=request.user,
                name=preset_form.cleaned_data["preset_name"],
                rules=preset_form.rule_values(),
            )
        except ActionRefused as refusal:
            preset_form.add_error("preset_name", str(refusal))
        else:
            said = (
                _("Rules saved as the preset “%(name)s”.")
                if created
                else _("Rules updated as the preset “%(name)s”.")
            )
            messages.success(request, said % {"name": preset.name})
            keep = {"preset": preset.pk}
            if brief := form.cleaned_data.get("brief"):
                keep["brief"] = brief.slug
            if len(groups := form.cleaned_data.get("groups") or []) == 1:
                keep["group"] = groups[0].pk
            return redirect(f"{reverse('classroom:assignment_create')}?{urlencode(keep)}")
    for picked in ("brief", "groups"):  # not needed to save rules: no error about them here
        form.errors.pop(picked, None)
    context = assign_context(request, form, AssignQueryForm({}), preset_form)
    return render(request, "classroom/assignment_form.html", context)


@require_POST
@instructor_required
def rule_preset_delete(request: HttpRequest, preset_id: int) -> HttpResponse:
    preset = get_object_or_404(RulePreset.objects.filter(owner=request.user), pk=preset_id)
    delete_rule_preset(preset=preset, by=request.user)
    messages.success(request, _("The preset “%(name)s” is deleted.") % {"name": preset.name})
    return redirect("classroom:assignment_create")


@require_http_methods(["GET", "POST"])
@instructor_required
def assignment_edit(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = get_taught_assignment(request.user, assignment_id)
    form = AssignmentRulesForm(request.POST or None, instance=assignment)
    if request.method == "POST" and form.is_valid():
        update_assignment(assignment=assignment, rules=form.rules())
        messages.success(request, _("Dates and rules saved."))
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
                _("The thread now shows version %(version)d of the brief.") % {"version": plan.newest.version}
                + (
                    " "
                    + ngettext(
                        "%(count)d quote no longer matches a sentence.",
                        "%(count)d quotes no longer match a sentence.",
                        lost,
                    )
                    % {"count": lost}
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
    messages.success(
        request, _("Thread locked: nobody can post.") if thread.is_locked else _("Thread reopened.")
    )
    return redirect(thread)
