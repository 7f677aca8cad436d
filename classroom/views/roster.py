"""Add students to a group from a CSV roster: preview with per-row errors, then confirm.

The teacher's own students are added; other existing accounts are invited, unnamed."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from classroom.actions import import_roster
from classroom.forms import RosterForm
from classroom.permissions import get_taught_group, instructor_required
from classroom.roster import parse_roster


@require_http_methods(["GET", "POST"])
@instructor_required
def roster_import(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_taught_group(request.user, group_id)
    if group.archived_at is not None:
        messages.error(request, _("This group is archived; make it active again to add students."))
        return redirect(group)
    form = RosterForm(request.POST or None, request.FILES or None)
    context = {"group": group, "form": form, "link_days": settings.PASSWORD_RESET_TIMEOUT // 86400}
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        rows, errors = parse_roster(text)
        confirm = request.POST.get("step") == "confirm" and not errors
        plan = import_roster(group=group, rows=rows, by=request.user, commit=confirm)
        plan.errors = sorted([*errors, *plan.errors], key=lambda e: e.line)
        context.update(plan=plan, text=text, done=confirm and not plan.errors)
        context["form"] = RosterForm(initial={"text": text})
    return render(request, "classroom/roster_import.html", context)
