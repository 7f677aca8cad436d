"""Groups for instructors: create one, see the roster and join code, manage members."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from classroom.actions import (
    ActionRefused,
    add_group_instructor,
    create_group,
    make_set_password_link,
    remove_group_instructor,
    remove_student,
    set_password_link_refusal,
)
from classroom.forms import GroupForm, GroupInstructorForm
from classroom.permissions import (
    get_group_instructor,
    get_taught_group,
    get_taught_student,
    instructor_required,
)
from classroom.tokens import SET_PASSWORD_LINK_LIFETIME


@require_http_methods(["GET", "POST"])
@instructor_required
def group_create(request: HttpRequest) -> HttpResponse:
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        group = create_group(name=form.cleaned_data["name"], instructor=request.user)
        messages.success(
            request,
            _("Group “%(group)s” created. Share the join code with your students.") % {"group": group.name},
        )
        return redirect(group)
    return render(request, "classroom/group_form.html", {"form": form})


@require_http_methods(["GET"])
@instructor_required
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_taught_group(request.user, group_id)
    members = group.memberships.select_related("student").annotate(
        answers=Count(
            "student__responses",
            filter=Q(
                student__responses__assignment__group=group,
                student__responses__parent=None,
                student__responses__deleted_at=None,
            ),
        )
    )
    assignments = group.assignments.select_related("brief").with_participation().order_by("-opens_at")
    teachers = list(group.instructors.order_by("last_name", "first_name", "username"))
    context = {
        "group": group,
        "members": members,
        "assignments": assignments,
        "co_instructors": [teacher for teacher in teachers if teacher.pk != request.user.pk],
        "teachers": teachers,
        "instructor_form": GroupInstructorForm(),
        # Invited, not yet joined: shown by username only, as the roster named them.
        "invitations": group.invitations.select_related("invitee").order_by("invitee__username"),
        "set_password_links": group.set_password_links.select_related("student", "made_by")[:20],
        "now": timezone.now(),
    }
    return render(request, "classroom/group_detail.html", context)


@require_POST
@instructor_required
def join_code_regenerate(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_taught_group(request.user, group_id)
    group.regenerate_join_code()
    messages.success(
        request,
        _("New join code: %(code)s. The old code no longer works.") % {"code": group.join_code_display},
    )
    return redirect(group)


@require_POST
@instructor_required
def group_archive(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_taught_group(request.user, group_id)
    group.set_archived(group.archived_at is None)
    if group.archived_at:
        messages.success(
            request,
            _("“%(group)s” is archived: its threads are read-only and its code is off.")
            % {"group": group.name},
        )
    else:
        messages.success(request, _("“%(group)s” is active again.") % {"group": group.name})
    return redirect(group)


@require_POST
@instructor_required
def group_instructor_add(request: HttpRequest, group_id: int) -> HttpResponse:
    """Add a co-teacher by username or email; only what the teacher typed is named back."""
    group = get_taught_group(request.user, group_id)
    form = GroupInstructorForm(request.POST)
    if not form.is_valid():
        for error in form.errors["who"]:
            messages.error(request, error)
        return redirect(f"{group.get_absolute_url()}#teachers-title")
    instructor = form.cleaned_data["who"]
    try:
        added = add_group_instructor(group=group, instructor=instructor, by=request.user)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        if added:
            messages.success(
                request,
                _("Added %(name)s: they now teach %(group)s with you.")
                % {"name": instructor.display_name, "group": group.name},
            )
        else:
            messages.info(
                request,
                _("%(name)s already teaches %(group)s.")
                % {"name": instructor.display_name, "group": group.name},
            )
    return redirect(f"{group.get_absolute_url()}#teachers-title")


@require_POST
@instructor_required
def group_instructor_remove(request: HttpRequest, group_id: int, instructor_id: int) -> HttpResponse:
    """Take a teacher off the group (yourself included), never its last one."""
    group = get_taught_group(request.user, group_id)
    instructor = get_group_instructor(request.user, group.pk, instructor_id)
    try:
        remove_group_instructor(group=group, instructor=instructor, by=request.user)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(f"{group.get_absolute_url()}#teachers-title")
    if instructor.pk == request.user.pk:
        messages.success(request, _("You no longer teach %(group)s.") % {"group": group.name})
        return redirect("classroom:home")
    messages.success(
        request,
        _("%(name)s no longer teaches %(group)s.") % {"name": instructor.display_name, "group": group.name},
    )
    return redirect(f"{group.get_absolute_url()}#teachers-title")


@require_POST
@instructor_required
def member_remove(request: HttpRequest, group_id: int, student_id: int) -> HttpResponse:
    group = get_taught_group(request.user, group_id)
    student = get_taught_student(request.user, group.pk, student_id)
    remove_student(group=group, student=student)
    messages.success(
        request,
        _("%(name)s was removed from %(group)s. Their posts stay.")
        % {"name": student.display_name, "group": group.name},
    )
    return redirect(group)


@require_http_methods(["GET", "POST"])
@instructor_required
def set_password_link_create(request: HttpRequest, group_id: int, student_id: int) -> HttpResponse:
    """GET explains; POST makes a one-time link and shows it once (it is kept nowhere)."""
    group = get_taught_group(request.user, group_id)
    student = get_taught_student(request.user, group.pk, student_id)
    context = {
        "group": group,
        "student": student,
        "refusal": set_password_link_refusal(student),
        "lifetime_hours": int(SET_PASSWORD_LINK_LIFETIME.total_seconds() // 3600),
    }
    if request.method == "POST":
        try:
            link, path = make_set_password_link(group=group, student=student, by=request.user)
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
            return redirect(group)
        context.update(link=link, link_url=request.build_absolute_uri(path))
    return render(request, "classroom/set_password_link.html", context)
