"""What a validated launch does in Agora: the person, the course's group, the thread, the session ticket."""

import secrets
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from lti_tool.models import LtiLaunch, LtiUser
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from classroom import languages
from classroom.actions import ActionRefused, add_group_instructor, create_group, join_group
from classroom.lti.models import Course, LaunchTicket, Link
from classroom.models import Assignment, Group, User
from classroom.names import DIRECTION_CONTROLS
from classroom.usernames import free_username

TICKET_LIFETIME = timedelta(minutes=2)
# The custom parameter a deep link carries, naming the thread it opens.
ASSIGNMENT_PARAMETER = "agora_assignment"


def launch_language(lti_launch: LtiLaunch) -> str:
    """The language a new account starts in: the LMS's (its presentation claim), else the
    browser's that framed the launch."""
    return languages.of_lti_launch(lti_launch.get_launch_data()) or languages.active()


def teaches(lti_launch: LtiLaunch) -> bool:
    """Instructors and the course's administrators teach; everyone else takes part as a student."""
    membership = lti_launch.membership
    return membership.is_instructor or membership.is_administrator


def clean_name(name: str) -> str:
    """A name from the LMS without the characters Agora refuses in names (classroom/names.py):
    the LMS has no such rule, and the person cannot retype it here."""
    return " ".join("".join(ch for ch in name if ch not in DIRECTION_CONTROLS).split())


@transaction.atomic
def person_for(lti_user: LtiUser, *, instructor: bool, language: str = "") -> User:
    """The Agora account of the LMS's person (issuer, client and subject), made on their first
    launch (in `language`, the LMS's). Never found by email: an LMS may let anybody set any address."""
    lti_user = LtiUser.objects.select_for_update().get(pk=lti_user.pk)
    name = clean_name(lti_user.name)
    first = clean_name(lti_user.given_name) or (name.split(" ", 1)[0] if name else "")
    last = clean_name(lti_user.family_name) or (name.split(" ", 1)[1] if " " in name else "")
    user = lti_user.auth_user
    if user is None:
        user = User(username=free_username(name or f"{first} {last}"), language=language)
        user.set_unusable_password()  # they come through the LMS; a set-password link may add one
    user.first_name, user.last_name = first[:150], last[:150]
    user.email = lti_user.email or user.email
    user.is_instructor = user.is_instructor or instructor
    user.save()
    if lti_user.auth_user_id != user.pk:
        lti_user.auth_user = user
        lti_user.save(update_fields=["auth_user"])
    return user


@transaction.atomic
def group_for(lti_launch: LtiLaunch, user: User, *, instructor: bool) -> Group:
    """The course's group: made by its first teacher's launch; teachers teach it, students join it."""
    context = lti_launch.context
    course = Course.objects.select_for_update().filter(context=context).select_related("group").first()
    if course is None:
        if not instructor:
            raise ActionRefused(
                _("Your teacher has not opened Agora from this course yet. Try again after they have.")
            )
        group = create_group(name=(context.title or context.label or _("LMS course"))[:120], instructor=user)
        Course.objects.create(context=context, group=group)
        return group
    group = course.group
    if instructor:
        add_group_instructor(group=group, instructor=user, by=user)
    else:
        join_group(group=group, student=user)
    return group


def thread_for(lti_launch: LtiLaunch, group: Group) -> Assignment | None:
    """The thread the LMS's link opens: the one linked before, or the one its deep link names."""
    resource_link = lti_launch.resource_link
    lineitem_url = ((lti_launch.ags_claim or {}).get("lineitem") or "")[:500]
    link = Link.objects.filter(resource_link=resource_link).select_related("assignment").first()
    if link is None:
        named = (lti_launch.get_custom_claim(ASSIGNMENT_PARAMETER) or "").strip()
        assignment = (
            Assignment.objects.filter(pk=int(named), group=group).first() if named.isdigit() else None
        )
        if assignment is None:
            return None
        link, _created = Link.objects.get_or_create(
            resource_link=resource_link, defaults={"assignment": assignment}
        )
    if link.lineitem_url != lineitem_url:  # the platform may move it, or add one later
        link.lineitem_url = lineitem_url
        link.save(update_fields=["lineitem_url"])
    return link.assignment


def landing_url(assignment: Assignment | None, group: Group, *, instructor: bool) -> str:
    """A student lands in the thread's composer, a teacher on the thread (the report a click away)."""
    if assignment is None:
        return group.get_absolute_url() if instructor else reverse("classroom:home")
    url = reverse("classroom:thread_detail", args=[assignment.pk])
    return url if instructor else f"{url}#composer"


@transaction.atomic
def enter_from_launch(lti_launch: LtiLaunch) -> tuple[User, str]:
    """The person a resource link launch signs in, and where they land."""
    instructor = teaches(lti_launch)
    user = person_for(lti_launch.user, instructor=instructor, language=launch_language(lti_launch))
    group = group_for(lti_launch, user, instructor=instructor)
    return user, landing_url(thread_for(lti_launch, group), group, instructor=instructor)


@transaction.atomic
def enter_to_pick(lti_launch: LtiLaunch) -> User:
    """A deep linking launch: only the course's teachers pick what a link opens."""
    if not teaches(lti_launch):
        raise ActionRefused(_("Only the course's teachers add Agora discussions to it."))
    user = person_for(lti_launch.user, instructor=True, language=launch_language(lti_launch))
    group_for(lti_launch, user, instructor=True)
    return user


def deep_link_response(message_launch, assignment: Assignment, launch_url: str) -> tuple[str, str]:
    """The LtiResourceLink content item for the thread, signed with the tool's key: (the
    platform's return URL, the JWT). Points make a line item the platform grades into."""
    resource = (
        DeepLinkResource()
        .set_url(launch_url)
        .set_title(assignment.brief.title)
        .set_custom_params({ASSIGNMENT_PARAMETER: str(assignment.pk)})
    )
    if assignment.points:
        resource.set_lineitem(
            LineItem()
            .set_score_maximum(assignment.points)
            .set_label(assignment.brief.title)
            .set_resource_id(str(assignment.pk))
        )
    deep_link = message_launch.get_deep_link()
    return deep_link._deep_link_settings["deep_link_return_url"], deep_link.get_response_jwt([resource])


def issue_ticket(*, user: User, next_url: str, frame_origins: list[str]) -> LaunchTicket:
    return LaunchTicket.objects.create(
        token=secrets.token_urlsafe(32),
        user=user,
        next_url=next_url,
        frame_origins="\n".join(frame_origins),
        expires_at=timezone.now() + TICKET_LIFETIME,
    )


@transaction.atomic
def spend_ticket(token: str) -> LaunchTicket | None:
    """The ticket, once: a second use, an expired or an unknown token gives None."""
    spent = LaunchTicket.objects.filter(
        token=token, used_at__isnull=True, expires_at__gt=timezone.now()
    ).update(used_at=timezone.now())
    if spent != 1:
        return None
    return LaunchTicket.objects.select_related("user").get(token=token)
