"""The home page: what is due for a student; groups and participation for an instructor."""

from django.db.models import F, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from classroom.models import Assignment, Group, Invitation, User
from classroom.permissions import is_instructor


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if is_instructor(request.user):
        return instructor_home(request)
    return student_home(request)


def instructor_home(request: HttpRequest) -> HttpResponse:
    assignments = (
        Assignment.objects.taught_by(request.user)
        .select_related("brief")
        .with_participation()
        .order_by(F("due_at").asc(nulls_last=True), "opens_at")
    )
    groups = (
        Group.objects.taught_by(request.user)
        .active()
        .prefetch_related(Prefetch("assignments", queryset=assignments, to_attr="assignment_list"))
        .with_member_count()
    )
    archived = (
        Group.objects.taught_by(request.user).filter(archived_at__isnull=False).order_by("-archived_at")
    )
    context = {
        "groups": groups,
        "archived": archived,
        "invitations": invitations_for(request.user),
        "now": timezone.now(),
    }
    return render(request, "classroom/home_instructor.html", context)


def student_home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    assignments = (
        Assignment.objects.visible_to(request.user, now)
        .filter(group__memberships__student=request.user)
        .select_related("brief", "group")
        .with_participation()
        .with_student_state(request.user)
        .order_by(F("due_at").asc(nulls_last=True), "opens_at")
    )
    sections = {"due": [], "late": [], "answered": [], "closed": []}
    for assignment in assignments:
        if assignment.has_answered:
            sections["answered"].append(assignment)
        elif assignment.accepts_posts(now, assignment.extension):
            sections["late" if assignment.is_past_due(now, assignment.extension) else "due"].append(
                assignment
            )
        else:
            sections["closed"].append(assignment)
    groups = Group.objects.filter(memberships__student=request.user).order_by("name")
    context = {
        "sections": sections,
        "groups": groups,
        "invitations": invitations_for(request.user),
        "now": now,
        "has_any": any(sections.values()),
    }
    return render(request, "classroom/home_student.html", context)


def invitations_for(user: User) -> QuerySet[Invitation]:
    """Invitations the user can act on now; one to an archived group waits, unseen, until it is active."""
    return Invitation.objects.received_by(user).open().select_related("group", "invited_by")
