"""Names and Role Provisioning: the LMS course's students in the course's group.

Only the LMS decides for the people it brought: a student who joined the group with its
code, or whom the teacher added, never leaves because the LMS does not list them.
"""

import logging
from dataclasses import dataclass, field

import requests
from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext as _
from lti_tool.lti_core.constants import ContextRole
from lti_tool.lti_core.utils import normalize_role
from lti_tool.models import LtiUser
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from classroom.actions import ActionRefused, join_group, remove_student
from classroom.lti.actions import person_for
from classroom.lti.models import Course
from classroom.models import User

log = logging.getLogger(__name__)


class RosterUnavailable(Exception):
    """The LMS did not give the roster; the message says why."""


@dataclass
class RosterSync:
    joining: list[dict] = field(default_factory=list)  # NRPS members, by name
    leaving: list[User] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        return bool(self.joining or self.leaving)


def connector(course: Course) -> ServiceConnector:
    session = requests.Session()
    session.request = _with_timeout(session.request)
    return ServiceConnector(course.context.deployment.registration.to_registration(), session)


def _with_timeout(request):
    def send(*args, **kwargs):
        kwargs.setdefault("timeout", 10)
        return request(*args, **kwargs)

    return send


def fetch_members(course: Course) -> list[dict]:
    url = course.context.memberships_url
    if not url:
        raise RosterUnavailable(_("The LMS did not offer this course's roster (no Names and Roles service)."))
    service = NamesRolesProvisioningService(
        connector(course), {"context_memberships_url": url, "service_versions": ["2.0"]}
    )
    try:
        return service.get_members()
    except (LtiException, LtiServiceException, requests.RequestException, ValueError) as error:
        raise RosterUnavailable(
            _("The LMS did not answer with the roster: %(error)s") % {"error": error}
        ) from error


def learners(members: list[dict]) -> dict[str, dict]:
    """Active students of the roster, by subject."""
    found = {}
    for member in members:
        roles = [normalize_role(role) for role in member.get("roles", [])]
        if (
            member.get("status", "Active") == "Active"
            and ContextRole.LEARNER in roles
            and ContextRole.INSTRUCTOR not in roles
        ):
            found[member["user_id"]] = member
    return found


def plan_roster_sync(course: Course) -> RosterSync:
    registration = course.context.deployment.registration
    wanted = learners(fetch_members(course))
    in_group = {
        lti_user.sub: lti_user.auth_user
        for lti_user in LtiUser.objects.filter(
            registration=registration, auth_user__memberships__group=course.group
        ).select_related("auth_user")
    }
    joining = [member for sub, member in wanted.items() if sub not in in_group]
    leaving = [user for sub, user in in_group.items() if sub not in wanted]
    return RosterSync(
        joining=sorted(joining, key=lambda m: (m.get("family_name") or "", m.get("name") or "")),
        leaving=sorted(leaving, key=lambda u: (u.last_name, u.first_name)),
    )


@transaction.atomic
def apply_roster_sync(course: Course, plan: RosterSync) -> tuple[int, int]:
    """Join the roster's new students, remove those the LMS no longer lists. Returns (joined, left)."""
    registration = course.context.deployment.registration
    joined = 0
    for member in plan.joining:
        names = {key: member.get(key) for key in ("given_name", "family_name", "name", "email")}
        lti_user, _created = LtiUser.objects.update_or_create(
            registration=registration, sub=member["user_id"], defaults={k: v for k, v in names.items() if v}
        )
        try:
            join_group(group=course.group, student=person_for(lti_user, instructor=False))
            joined += 1
        except ActionRefused:
            continue  # a teacher of the group, or the group is archived
    for user in plan.leaving:
        remove_student(group=course.group, student=user)
    return joined, len(plan.leaving)


@task
def sync_roster(course_id: int) -> str:
    """On a teacher's launch: the roster into the group, in the background."""
    course = Course.objects.select_related("context__deployment__registration", "group").get(pk=course_id)
    try:
        joined, left = apply_roster_sync(course, plan_roster_sync(course))
    except RosterUnavailable as error:
        log.warning("roster of course %s not synchronised: %s", course_id, error)
        return str(error)
    return f"{joined} joined, {left} left"
