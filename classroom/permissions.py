"""Who may see and do what in the classroom, as plain functions.

Lists start from the user (`Assignment.objects.visible_to(user)`); single objects are
fetched through the `get_*` functions here, which apply the same rule (`may_see`), so a
forgotten check is a 404, not a leak.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from briefs.permissions import instructor_required, is_instructor  # noqa: F401  (re-exported)
from classroom import sql
from classroom.models import Assignment, Group, Invitation, Participation, Response, User


def teaches(user: User, assignment: Assignment) -> bool:
    return assignment.group.role_of(user) == Group.TEACHER


def may_see(user: User, assignment: Assignment) -> bool:
    """The rule of `Assignment.objects.visible_to`, for one assignment already loaded."""
    role = assignment.group.role_of(user)
    return role == Group.TEACHER or (role == Group.STUDENT and assignment.has_opened())


def get_taught_group(user: User, group_id: int) -> Group:
    return get_object_or_404(Group.objects.taught_by(user), pk=group_id)


def get_taught_student(user: User, group_id: int, student_id: int) -> User:
    """A member of this group, which the user teaches; a student of other groups only is a 404."""
    taught = Group.objects.taught_by(user).filter(pk=group_id)
    return get_object_or_404(User.objects.filter(memberships__group__in=taught), pk=student_id)


def get_group_instructor(user: User, group_id: int, instructor_id: int) -> User:
    """A teacher of this group, which the user teaches; anyone else is a 404."""
    taught = Group.objects.taught_by(user).filter(pk=group_id)
    return get_object_or_404(User.objects.filter(teaching_groups__in=taught), pk=instructor_id)


def get_received_invitation(user: User, invitation_id: int) -> Invitation:
    """An invitation the user may accept or decline: only the invited person's own."""
    return get_object_or_404(
        Invitation.objects.received_by(user).select_related("group", "invited_by"), pk=invitation_id
    )


def get_taught_invitation(user: User, group_id: int, invitation_id: int) -> Invitation:
    """An invitation to this group, which the user teaches (to withdraw it)."""
    taught = Group.objects.taught_by(user).filter(pk=group_id)
    return get_object_or_404(
        Invitation.objects.filter(group__in=taught).select_related("group", "invitee"), pk=invitation_id
    )


def get_visible_assignment(user: User, assignment_id: int) -> Assignment:
    # Fetched by id, then checked with may_see(): the visible_to() query is the same rule,
    # but compiling it costs more than the rest of a thread view (bench/README.md).
    assignment = assignment_with_role(assignment_id, user)
    if assignment is None or not may_see(user, assignment):
        raise Http404("No such assignment.")
    return assignment


def assignment_with_role(assignment_id: int, user: User) -> Assignment | None:
    """The assignment with its brief and group, and the user's role in the group: one query
    (classroom/sql.py), as every thread view starts here."""
    found = sql.assignment_with_role(assignment_id, user.pk)
    if found is None:
        return None
    assignment, brief, group, role, seat, members, has_feedback = found
    assignment.brief, assignment.group = brief, group
    # Read in the same query, for the thread page (classroom.readmodel): no query of their own.
    assignment.read_with = {"user": user.pk, "seat": seat, "members": members, "has_feedback": has_feedback}
    if user.is_authenticated:
        assignment.group.remember_role(user, role)
    return assignment


def get_taught_assignment(user: User, assignment_id: int) -> Assignment:
    return get_object_or_404(
        Assignment.objects.taught_by(user).select_related("brief", "group"),
        pk=assignment_id,
    )


def get_visible_response(user: User, response_id: int) -> Response:
    """A response the user may read: in a thread they see, not held back by post-first,
    and not hidden from them by the instructor. Read with its author, its thread and the
    user's role and seat there in one query (classroom/sql.py), as assignment_with_role()."""
    found = sql.response_with_role(response_id, user.pk)
    if found is None:
        raise Http404("No such response.")
    response, author, assignment, brief, group, role, seat, members, has_feedback = found
    assignment.brief, assignment.group = brief, group
    assignment.read_with = {"user": user.pk, "seat": seat, "members": members, "has_feedback": has_feedback}
    if user.is_authenticated:
        group.remember_role(user, role)
    response.assignment, response.author = assignment, author
    if not may_see(user, assignment):
        raise Http404("No such response.")
    if response.author_id == user.pk or teaches(user, assignment):
        return response
    if response.is_hidden or not can_see_peers(user, assignment, seat):
        raise Http404("No such response.")
    return response


UNREAD = object()  # the caller has not read the student's seat (None: read, and there is none)


def can_see_peers(user: User, assignment: Assignment, seat: "Participation | None | object" = UNREAD) -> bool:
    """Post-first, a stance first, or a fair reveal hold classmates' responses back from a student."""
    if not assignment.gates_peers or teaches(user, assignment):
        return True
    if seat is UNREAD:
        seat = Participation.objects.filter(assignment=assignment, student=user).first()
    return assignment.shows_peers_to(seat)
