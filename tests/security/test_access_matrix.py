"""The access matrix: every URL of the project × every role × GET and POST, plain and htmx.

The URLs come from the resolver, so a new view cannot escape the matrix: a URL name
without an entry in EXPECTED fails `test_every_url_has_an_entry_in_the_matrix`.

Each cell runs against a fresh world: the world is built once per (URL, role) test,
and each method runs in a savepoint that is rolled back, so a POST never leaks into
the next cell. A refused cell (login, 404, 405, 403) must also leave the world unchanged.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import SimpleCookie
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from briefs.actions import save_brief
from briefs.models import Brief
from classroom import caching
from classroom.actions import hide_response, remove_student
from classroom.models import (
    Assignment,
    Feedback,
    Group,
    Invitation,
    Membership,
    Notification,
    Participation,
    Response,
    RulePreset,
    SetPasswordLink,
)
from tests.factories import (
    AssignmentFactory,
    BriefFactory,
    GroupFactory,
    UserFactory,
    make_response,
)
from tests.helpers import clear_cache

ANON = "anonymous"
OUTSIDER = "student_outside_group"
MEMBER = "student_in_group"
REMOVED = "removed_student"
INVITED = "invited_student"  # another teacher's student, invited to the group, not yet joined
OTHER = "instructor_of_another_group"
CO = "co_instructor"
OWNER = "owning_instructor"
ADMIN = "admin"
ROLES = (ANON, OUTSIDER, MEMBER, REMOVED, INVITED, OTHER, CO, OWNER, ADMIN)
TEACHERS = frozenset({CO, OWNER})
INSTRUCTORS = frozenset({OTHER, CO, OWNER})
READERS = frozenset({MEMBER, CO, OWNER})  # who may read the group's thread
EVERYONE = frozenset(ROLES) - {ANON}

METHODS = ("GET", "POST", "HX-GET", "HX-POST")
REFUSED = {"login", "404", "405", "403"}

# Outcomes: "200", "204", "404", "405", "403"; "login" (a redirect to the login page, or,
# for htmx, a 200 with HX-Redirect to it); "redirect" (any other redirect).


def view(
    get=None, post=None, *, who=TEACHERS, hx_get=None, hx_post=None, anon="login", others="404", **cells
):
    """One URL's row: `get`/`post` is the outcome for the roles in `who` (None: the method
    is not allowed, 405); everyone else logged in gets `others`; `anon` is a str or a
    {method: outcome}. Keyword cells override, e.g. MEMBER__POST="200"."""
    row = {}
    for method, ok in (("GET", get), ("POST", post), ("HX-GET", hx_get or get), ("HX-POST", hx_post or post)):
        for role in ROLES:
            if role == ANON:
                row[(role, method)] = anon if isinstance(anon, str) else anon[method]
            elif ok is None:
                row[(role, method)] = "405"
            elif role in who:
                row[(role, method)] = ok
            else:
                row[(role, method)] = others
    for key, outcome in cells.items():
        role, method = key.split("__")
        for m in METHODS if method == "ANY" else [method.replace("_", "-")]:
            row[(globals()[role], m)] = outcome
    return row


def public(get="200", post="405", hx_get=None, hx_post=None):
    """A view marked login_not_required: the same for everyone, anonymous included."""
    outcomes = {"GET": get, "POST": post, "HX-GET": hx_get or get, "HX-POST": hx_post or post}
    return {(role, method): outcomes[method] for role in ROLES for method in METHODS}


def library(get=None, post=None, **cells):
    """The brief library: every instructor, 404 to everyone else."""
    return view(get, post, who=INSTRUCTORS, **cells)


# What a refused change of a response answers: back to the thread with a message, or
# the card with the error for htmx. `test_*_cannot_change_*` check that nothing changed.
REFUSAL = {"POST": "redirect", "HX-POST": "200"}

EXPECTED: dict[str, dict[tuple[str, str], str]] = {
    # ---- classroom ----------------------------------------------------------------
    "classroom:home": view("200", None, who=EVERYONE),
    "classroom:profile_edit": view("200", "200", who=EVERYONE),  # an empty POST shows the form's errors
    # Everyone's own zone; an empty POST chooses the site's default.
    "classroom:profile_time_zone": view(None, "redirect", who=EVERYONE),
    # Everyone's own notifications; the world's one notification is the member's.
    "classroom:notification_list": view("200", None, who=EVERYONE),
    "classroom:notification_bell": view("200", None, who=EVERYONE),
    "classroom:notification_read_all": view(None, "redirect", who=EVERYONE),
    "classroom:notification_read": view(None, "redirect", who={MEMBER}),
    # An empty POST is a choice: no mail of any kind.
    "classroom:notification_settings": view("200", "redirect", who=EVERYONE),
    # A link from a mail, for anyone holding it; the world's token is not a valid one.
    "classroom:notification_unsubscribe": public("404", "404"),
    "classroom:join_start": public("200", "redirect"),
    "classroom:join_group": public("200", "redirect"),
    "classroom:group_create": view("200", "redirect", who=INSTRUCTORS, hx_post="redirect"),
    "classroom:group_detail": view("200"),
    "classroom:join_code_regenerate": view(None, "redirect"),
    "classroom:group_archive": view(None, "redirect"),
    "classroom:member_remove": view(None, "redirect"),
    # A teacher adds another instructor (here the other group's) or removes one (here the
    # co-teacher, who may remove herself); a student or another group's teacher gets 404.
    "classroom:group_instructor_add": view(None, "redirect"),
    "classroom:group_instructor_remove": view(None, "redirect"),
    # GET explains, POST makes the link and shows it on the page.
    "classroom:set_password_link_create": view("200", "200"),
    "classroom:assignment_create": view("200", "200", who=INSTRUCTORS),
    # Saving rules as a preset: an empty POST shows the assign page with the errors (200).
    "classroom:rule_preset_create": view(None, "200", who=INSTRUCTORS),
    # A preset is its owner's alone: the group's co-teacher and other teachers get 404 too.
    "classroom:rule_preset_delete": view(None, "redirect", who={OWNER}),
    "classroom:thread_detail": view("200", who=READERS),
    "classroom:assignment_edit": view("200", "200"),
    "classroom:assignment_brief_version": view("200", "redirect"),
    "classroom:thread_lock": view(None, "redirect"),
    "classroom:assignment_report": view("200"),
    "classroom:feedback_save": view(None, "redirect", hx_post="200"),
    "classroom:grades_export": view("200"),
    "classroom:responses_export": view("200"),
    "classroom:roster_import": view("200", "200"),
    "classroom:group_dashboard": view("200"),
    "classroom:group_responses_export": view("200"),
    # The class gradebook and its files (Agora's, Canvas's, Moodle's): the group's teachers only.
    "classroom:group_gradebook": view("200"),
    "classroom:group_gradebook_export": view("200"),
    "classroom:group_gradebook_canvas": view("200"),
    "classroom:group_gradebook_moodle": view("200"),
    # The member has answered already: a second answer is refused in the form (200).
    # Instructors reply but do not answer (refused in the form, 200).
    "classroom:response_create": view(None, "200", who=READERS),
    # Write / Preview posts nothing: the composer comes back (a teacher's is the teacher tools).
    "classroom:response_preview": view(None, "200", who=READERS),
    # The poll is login_not_required (a signed ticket stands in for the session); without
    # a ticket it sends anonymous visitors to the login page like the middleware does.
    "classroom:thread_poll": view(
        "200", None, who=READERS, anon={"GET": "login", "HX-GET": "login", "POST": "405", "HX-POST": "405"}
    ),
    "classroom:response_detail": view("redirect", None, who=READERS, hx_get="200"),
    "classroom:response_reply": view("200", "redirect", who=READERS, hx_post="200"),
    # The target is the member's own answer; its teachers may read it but not change it.
    "classroom:response_edit": view(
        "200",
        "redirect",
        who=READERS,
        hx_post="200",
        CO__GET="redirect",
        OWNER__GET="redirect",
        CO__HX_GET="200",
        OWNER__HX_GET="200",
    ),
    "classroom:response_delete": view(None, "redirect", who=READERS, hx_post="200"),
    "classroom:response_hide": view(None, "redirect", hx_post="200"),
    # The thread asks for no stance and the response restates no view: refused in the page.
    "classroom:stance_save": view(None, "redirect", who=READERS, hx_post="200"),
    "classroom:steelman_fair": view(None, "redirect", who=READERS, hx_post="200"),
    "classroom:response_unhide": view(None, "redirect", hx_post="200"),
    "classroom:response_highlight": view(None, "redirect", hx_post="200"),
    "classroom:response_pin": view(None, "redirect", hx_post="200"),
    "classroom:moderation_log": view("200"),
    "classroom:due_extend": view(None, "redirect"),
    # Only the invited person accepts or declines (and is then a member, or not); a
    # teacher of the group withdraws. Everyone else, the group's teachers included, 404.
    "classroom:invitation_accept": view(None, "redirect", who={INVITED}),
    "classroom:invitation_decline": view(None, "redirect", who={INVITED}),
    "classroom:invitation_withdraw": view(None, "redirect"),
    # ---- brief library ------------------------------------------------------------
    "briefs:brief_list": library("200"),
    "briefs:brief_import": library("200", "200"),
    "briefs:brief_create": library("200", "200"),
    "briefs:brief_preview": library(None, "200"),
    "briefs:brief_detail": library("200"),
    # The brief is the owning instructor's own (created by them); others find and assign it.
    "briefs:brief_edit": view("200", "200", who={OWNER}),
    "briefs:brief_archive": view(None, "redirect", who={OWNER}),
    "briefs:brief_version": view("200", who={OWNER}),
    "briefs:brief_owners": view(None, "redirect", who={OWNER}),
    # ---- accounts and health ------------------------------------------------------
    # The login page sends a logged-in visitor home; an empty POST shows the form again.
    "login": {
        **public("200", "200"),
        **{(role, m): "redirect" for role in EVERYONE for m in METHODS},
    },
    "logout": view(None, "login", who=EVERYONE),
    "password_reset": public("200", "redirect"),
    "password_reset_done": public("200", "405"),
    "password_reset_unsent": public("200", "405"),
    "password_reset_confirm": public("200", "200"),
    "set_password_link_confirm": public("200", "200"),
    "password_reset_complete": public("200", "405"),
    "password_change": view("200", "200", who=EVERYONE),
    "password_change_done": view("200", None, who=EVERYONE),
    "healthz": public("200", "405"),
    # The translations of app.js: one public file per language (classroom/views/jscatalog.py).
    "js_catalog": public("200", "405"),
    # The language switcher: back to the page (or home) with the language cookie set.
    "set_language": public("redirect", "redirect"),
    "bench_floor": public("200", "405"),  # only while `make bench` runs (AGORA_BENCH=1)
    "bench_plain": view("200", who=READERS),  # only while `make bench` runs (AGORA_BENCH=1)
    "bench_plain_jinja": view("200", who=READERS),  # the same, its rows written by Jinja2
    # ---- LTI (tests/lti/ for the launches themselves) -----------------------------
    # Site admins read the tool's configuration; the admin's login page for everyone else.
    "lti:tool_configuration": {
        **{(role, m): "redirect" for role in EVERYONE for m in METHODS},
        **{
            (ANON, m): outcome
            for m, outcome in zip(
                METHODS, ("redirect", "redirect", "hx-redirect", "hx-redirect"), strict=True
            )
        },
        **{(ADMIN, m): outcome for m, outcome in zip(METHODS, ("200", "405", "200", "405"), strict=True)},
    },
    "lti:tool_configuration_json": public("200", "405"),
    "lti:jwks": public("200", "405"),
    # Without an issuer and a login hint a login initiation is a bad request, for anyone.
    "lti:login": public("400", "400"),
    # A POST without an id token is refused; nobody's session is used.
    "lti:launch": public("405", "403"),
    # An unknown ticket is refused.
    "lti:enter": public("403", "405"),
    # A deep linking launch that is nobody's (tests/lti/ for a teacher's own).
    "lti:deep_link": view("404", "404", who=EVERYONE),
    # The world's group did not come from an LMS: its roster page is nobody's (tests/lti/).
    "lti:roster_sync": view("404", "404", who=EVERYONE),
    # No passback in the world: refused for everyone (tests/lti/test_grade_passback.py for a real one).
    "lti:passback_retry": view(None, "404", who=EVERYONE),
    # Back from an entry: the signed-in go on; the anonymous are told to open a new window.
    "lti:landed": {
        **public("200", "405"),
        **{(role, m): "redirect" for role in EVERYONE for m in ("GET", "HX-GET")},
    },
}
OPTIONAL = {"bench_floor", "bench_plain", "bench_plain_jinja"}

# Object-id tampering: the same views with another group's or another person's ids.
# "name@label": (url name, {kwarg: world attribute}).
TAMPERED = {
    "classroom:group_detail@other_group": ("classroom:group_detail", {"group_id": "other_group"}),
    "classroom:member_remove@student_of_other_group": ("classroom:member_remove", {"student_id": "outsider"}),
    # Another group's teacher, through this group's URL; this group's co-teacher, through the other's.
    "classroom:group_instructor_remove@teacher_of_other_group": (
        "classroom:group_instructor_remove",
        {"instructor_id": "other_teacher"},
    ),
    "classroom:group_instructor_remove@other_group": (
        "classroom:group_instructor_remove",
        {"group_id": "other_group", "instructor_id": "co_teacher"},
    ),
    # A student is no instructor: refused with a message, nothing added.
    "classroom:group_instructor_add@student": ("classroom:group_instructor_add", {}),
    "classroom:set_password_link_create@student_of_other_group": (
        "classroom:set_password_link_create",
        {"student_id": "outsider"},
    ),
    "classroom:set_password_link_create@removed_student": (
        "classroom:set_password_link_create",
        {"student_id": "removed"},
    ),
    "classroom:thread_detail@other_group": ("classroom:thread_detail", {"assignment_id": "other_thread"}),
    "classroom:group_gradebook@other_group": ("classroom:group_gradebook", {"group_id": "other_group"}),
    "classroom:group_gradebook_canvas@other_group": (
        "classroom:group_gradebook_canvas",
        {"group_id": "other_group"},
    ),
    "classroom:response_create@other_group": ("classroom:response_create", {"assignment_id": "other_thread"}),
    "classroom:assignment_report@other_group": (
        "classroom:assignment_report",
        {"assignment_id": "other_thread"},
    ),
    "classroom:grades_export@other_group": ("classroom:grades_export", {"assignment_id": "other_thread"}),
    "classroom:thread_lock@other_group": ("classroom:thread_lock", {"assignment_id": "other_thread"}),
    "classroom:assignment_brief_version@other_group": (
        "classroom:assignment_brief_version",
        {"assignment_id": "other_thread"},
    ),
    "classroom:feedback_save@student_of_other_group": ("classroom:feedback_save", {"student_id": "outsider"}),
    "classroom:feedback_save@removed_student": ("classroom:feedback_save", {"student_id": "removed"}),
    "classroom:due_extend@student_of_other_group": ("classroom:due_extend", {"student_id": "outsider"}),
    # Invited is not joined: the teacher who invited her cannot act on her yet.
    "classroom:member_remove@invited": ("classroom:member_remove", {"student_id": "invited"}),
    "classroom:feedback_save@invited": ("classroom:feedback_save", {"student_id": "invited"}),
    "classroom:due_extend@invited": ("classroom:due_extend", {"student_id": "invited"}),
    "classroom:due_extend@removed_student": ("classroom:due_extend", {"student_id": "removed"}),
    "classroom:member_remove@removed_student": ("classroom:member_remove", {"student_id": "removed"}),
    # Another group's invitation, through this group's URL, and through its own.
    "classroom:invitation_withdraw@other_groups_invitation": (
        "classroom:invitation_withdraw",
        {"invitation_id": "other_invitation"},
    ),
    "classroom:invitation_withdraw@other_group": (
        "classroom:invitation_withdraw",
        {"group_id": "other_group", "invitation_id": "other_invitation"},
    ),
    # The member's own invitation to the other group: hers to accept, nobody else's.
    "classroom:invitation_accept@member_invited_elsewhere": (
        "classroom:invitation_accept",
        {"invitation_id": "other_invitation"},
    ),
    "classroom:response_reply@other_group": ("classroom:response_reply", {"response_id": "other_response"}),
    "classroom:response_hide@other_group": ("classroom:response_hide", {"response_id": "other_response"}),
    "classroom:response_pin@other_group": ("classroom:response_pin", {"response_id": "other_response"}),
    "classroom:response_edit@peer": ("classroom:response_edit", {"response_id": "peer_response"}),
    "classroom:response_delete@peer": ("classroom:response_delete", {"response_id": "peer_response"}),
    "classroom:response_edit@own_after_removal": (
        "classroom:response_edit",
        {"response_id": "removed_response"},
    ),
    "classroom:response_delete@own_after_removal": (
        "classroom:response_delete",
        {"response_id": "removed_response"},
    ),
    # A classmate's post the member may not read: hidden by the teacher, or held back by
    # post-first until the member answers.
    "classroom:response_detail@hidden": ("classroom:response_detail", {"response_id": "hidden_reply"}),
    "classroom:response_reply@hidden": ("classroom:response_reply", {"response_id": "hidden_reply"}),
    "classroom:response_detail@post_first": (
        "classroom:response_detail",
        {"response_id": "post_first_response"},
    ),
    "classroom:response_reply@post_first": (
        "classroom:response_reply",
        {"response_id": "post_first_response"},
    ),
}
OTHER_READERS = frozenset({OUTSIDER, OTHER})  # who reads the other group's thread
EXPECTED.update(
    {
        "classroom:group_detail@other_group": view("200", who={OTHER}),
        "classroom:member_remove@student_of_other_group": view(None, "404"),
        "classroom:group_instructor_remove@teacher_of_other_group": view(None, "404"),
        "classroom:group_instructor_remove@other_group": view(None, "404"),
        "classroom:group_instructor_add@student": view(None, "redirect"),
        "classroom:set_password_link_create@student_of_other_group": view("404", "404"),
        "classroom:set_password_link_create@removed_student": view("404", "404"),
        "classroom:thread_detail@other_group": view("200", who=OTHER_READERS),
        "classroom:group_gradebook@other_group": view("200", who={OTHER}),
        "classroom:group_gradebook_canvas@other_group": view("200", who={OTHER}),
        # The outsider answered there already, and instructors do not answer: refused in the form.
        "classroom:response_create@other_group": view(None, "200", who=OTHER_READERS),
        "classroom:assignment_report@other_group": view("200", who={OTHER}),
        "classroom:grades_export@other_group": view("200", who={OTHER}),
        "classroom:thread_lock@other_group": view(None, "redirect", who={OTHER}),
        "classroom:assignment_brief_version@other_group": view("200", "redirect", who={OTHER}),
        "classroom:feedback_save@student_of_other_group": view(None, "404"),
        "classroom:feedback_save@removed_student": view(None, "404"),
        "classroom:due_extend@student_of_other_group": view(None, "404"),
        "classroom:member_remove@invited": view(None, "404"),
        "classroom:feedback_save@invited": view(None, "404"),
        "classroom:due_extend@invited": view(None, "404"),
        "classroom:due_extend@removed_student": view(None, "404"),
        "classroom:member_remove@removed_student": view(None, "404"),
        "classroom:invitation_withdraw@other_groups_invitation": view(None, "404"),
        "classroom:invitation_withdraw@other_group": view(None, "redirect", who={OTHER}),
        "classroom:invitation_accept@member_invited_elsewhere": view(None, "redirect", who={MEMBER}),
        "classroom:response_reply@other_group": view("200", "redirect", who=OTHER_READERS, hx_post="200"),
        "classroom:response_hide@other_group": view(None, "redirect", who={OTHER}, hx_post="200"),
        "classroom:response_pin@other_group": view(None, "redirect", who={OTHER}, hx_post="200"),
        # A classmate's answer: readable, so the member gets the refusal, and nothing changes.
        "classroom:response_edit@peer": view(
            "redirect", "redirect", who=READERS, hx_get="200", hx_post="200"
        ),
        "classroom:response_delete@peer": view(None, "redirect", who=READERS, hx_post="200"),
        # Removed from the group: their own posts stay, out of their reach.
        "classroom:response_edit@own_after_removal": view(
            "redirect", "redirect", who=READERS, hx_get="200", hx_post="200"
        ),
        "classroom:response_delete@own_after_removal": view(None, "redirect", who=READERS, hx_post="200"),
        "classroom:response_detail@hidden": view("redirect", None, hx_get="200"),
        "classroom:response_reply@hidden": view("200", "redirect", hx_post="200"),
        "classroom:response_detail@post_first": view("redirect", None, hx_get="200"),
        "classroom:response_reply@post_first": view("200", "redirect", hx_post="200"),
    }
)

POST_DATA = {
    "classroom:join_start": lambda w: {"code": w.group.join_code},
    "classroom:join_group": lambda w: {
        "name": "Nina Newcomer",
        "username": "nina_new",
        "password": "a-long-pass-phrase-42",
    },
    "classroom:group_create": lambda w: {"name": "Period 9"},
    "classroom:group_instructor_add": lambda w: {"who": w.users[OTHER].username},
    "classroom:group_instructor_add@student": lambda w: {"who": w.member.username},
    "classroom:thread_lock": lambda w: {"locked": "1"},
    "classroom:feedback_save": lambda w: {"score": "", "comment": "Well argued."},
    "classroom:response_create": lambda w: {
        "body": "Trade talks rarely change much, but this one signals intent."
    },
    "classroom:response_reply": lambda w: {"body": "I agree, and the energy part matters most."},
    "classroom:response_edit": lambda w: {"body": "An edited answer about the brief and its question."},
    "classroom:response_hide": lambda w: {"reason": "Off topic."},
    "classroom:response_highlight": lambda w: {"highlighted": "1"},
    "classroom:response_pin": lambda w: {"pinned": "1"},
    "classroom:stance_save": lambda w: {"stance": "4", "moment": "before"},
    "classroom:steelman_fair": lambda w: {"fair": "1"},
    "classroom:due_extend": lambda w: {"due_at": "2031-01-01T10:00"},
    "briefs:brief_preview": lambda w: {"summary": "Ministers met."},
    "briefs:brief_owners": lambda w: {"username": w.users[CO].username},
    "password_reset": lambda w: {"email": "someone@school.example"},
}


# ---- the world ------------------------------------------------------------------


@dataclass
class World:
    users: dict
    group: Group
    other_group: Group
    thread: Assignment
    other_thread: Assignment
    member_response: Response
    peer_response: Response
    removed_response: Response
    other_response: Response
    hidden_reply: Response
    post_first_response: Response
    brief: object
    invitation: Invitation | None = None
    other_invitation: Invitation | None = None
    preset: RulePreset | None = None
    notification: Notification | None = None

    def __getattr__(self, name):  # world.outsider, world.member, ... for kwargs
        aliases = {
            "outsider": OUTSIDER,
            "member": MEMBER,
            "removed": REMOVED,
            "invited": INVITED,
            "co_teacher": CO,
            "other_teacher": OTHER,
        }
        if name in aliases:
            return self.users[aliases[name]]
        raise AttributeError(name)


@pytest.fixture
def world(people, group) -> World:
    """`group` with its teachers and members, a removed student, and the outsider's own group."""
    owner, co, other = people["owner"], people["co_instructor"], people["other_instructor"]
    member, peer, outsider, admin = people["member"], people["classmate"], people["outsider"], people["admin"]
    removed = UserFactory(username="removed")
    Membership.objects.create(group=group, student=removed)
    brief = BriefFactory(created_by=owner)
    other_group = GroupFactory(instructors=[other], students=[outsider])
    # Another teacher's student, in a group of their own (not the other group: she reads none
    # of its threads), whom the owner's roster invited to `group`.
    invited = UserFactory(username="invited", first_name="Inez", last_name="Invitee")
    GroupFactory(instructors=[other], students=[invited])
    thread = AssignmentFactory(group=group, brief=brief)
    other_thread = AssignmentFactory(group=other_group, brief=brief)
    edited = Brief.objects.get(pk=brief.pk)
    edited.summary += " A sentence added in version 2."
    save_brief(brief=edited, by=owner)  # both threads keep version 1
    world = World(
        users={
            ANON: None,
            OUTSIDER: outsider,
            MEMBER: member,
            REMOVED: removed,
            INVITED: invited,
            OTHER: other,
            CO: co,
            OWNER: owner,
            ADMIN: admin,
        },
        group=group,
        other_group=other_group,
        thread=thread,
        other_thread=other_thread,
        member_response=make_response(thread, member),
        peer_response=make_response(thread, peer),
        removed_response=make_response(thread, removed),
        other_response=make_response(other_thread, outsider),
        hidden_reply=None,
        post_first_response=None,
        brief=brief,
        invitation=Invitation.objects.create(group=group, invitee=invited, invited_by=owner),
        other_invitation=Invitation.objects.create(group=other_group, invitee=member, invited_by=other),
        preset=RulePreset.objects.create(owner=owner, name="Debate", rules={"min_words": 50}),
    )
    remove_student(group=group, student=removed)
    world.hidden_reply = make_response(
        thread, peer, body="A reply the teacher hid.", parent=world.member_response
    )
    hide_response(response=world.hidden_reply, by=owner, reason="Off topic.")
    post_first = AssignmentFactory(group=group, brief=BriefFactory(), post_first=True)
    world.post_first_response = make_response(post_first, peer)  # the member has not answered there
    world.notification = Notification.objects.create(
        recipient=member,
        kind=Notification.Kind.REPLY,
        key="reply:world",
        assignment=thread,
        response=world.peer_response,
        released_at=timezone.now(),
    )
    return world


def url_kwargs(world: World, pattern_keys, overrides=None) -> dict:
    """Every URL's arguments, by argument name, from the world."""
    by_name = {
        "group_id": world.group.pk,
        "assignment_id": world.thread.pk,
        "student_id": world.member.pk,
        "response_id": world.member_response.pk,
        "code": world.group.join_code,
        "slug": world.brief.slug,
        "version": world.brief.version,
        "uidb64": "MQ",
        "token": "not-a-valid-token",
        "launch_id": "lti1p3-launch-not-a-launch",
        "passback_id": 1,
        "invitation_id": world.invitation.pk,
        "instructor_id": world.users[CO].pk,
        "preset_id": world.preset.pk,
        "notification_id": world.notification.pk,
        "language": "en",
    }
    for key, attr in (overrides or {}).items():
        by_name[key] = getattr(world, attr).pk
    return {key: by_name[key] for key in pattern_keys}


def snapshot() -> tuple:
    """What a refused request must leave as it was."""
    return (
        list(
            Response.objects.order_by("pk").values_list(
                "pk", "body", "deleted_at", "hidden_at", "pinned_at", "highlighted", "version"
            )
        ),
        list(Membership.objects.order_by("pk").values_list("group_id", "student_id")),
        list(Group.objects.order_by("pk").values_list("pk", "join_code", "archived_at")),
        list(Group.instructors.through.objects.order_by("pk").values_list("group_id", "user_id")),
        list(Assignment.objects.order_by("pk").values_list("pk", "version", "locked_at", "due_at")),
        list(Participation.objects.order_by("pk").values_list("pk", "due_at_override")),
        list(Feedback.objects.order_by("pk").values_list("pk", "score", "comment")),
        list(get_user_model().objects.order_by("pk").values_list("pk", "username", "password")),
        list(
            Brief.objects.order_by("pk").values_list("pk", "title", "summary", "superseded_at", "archived_at")
        ),
        list(Brief.owners.through.objects.order_by("pk").values_list("brief_id", "user_id")),
        list(Assignment.objects.order_by("pk").values_list("pk", "brief_id")),
        list(Invitation.objects.order_by("pk").values_list("group_id", "invitee_id")),
        list(SetPasswordLink.objects.order_by("pk").values_list("pk", "student_id", "made_by_id", "used_at")),
        list(RulePreset.objects.order_by("pk").values_list("pk", "owner_id", "name", "rules_json")),
    )


def classify(response) -> str:
    login_path = reverse("login")
    if response.status_code == 200 and response.headers.get("HX-Redirect"):
        return "login" if urlparse(response["HX-Redirect"]).path == login_path else "hx-redirect"
    if response.status_code in (301, 302, 303, 307, 308):
        return "login" if urlparse(response["Location"]).path == login_path else "redirect"
    return str(response.status_code)


# ---- the URLs, from the resolver ----------------------------------------------------


def walk(patterns, namespace="", prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin's own pages: see test_admin_index_sends_non_staff_to_admin_login
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"<unnamed {prefix}{entry.pattern}>", entry


def project_urls() -> dict[str, list[str]]:
    """url name → the names of its arguments."""
    found = {}
    for name, pattern in walk(get_resolver().url_patterns):
        found[name] = list(pattern.pattern.converters)
    return found


URLS = project_urls()


def test_every_url_has_an_entry_in_the_matrix():
    found = set(URLS)
    listed = {name for name in EXPECTED if "@" not in name}
    missing = sorted(found - listed)
    assert not missing, f"URLs without an entry in tests/security/test_access_matrix.py EXPECTED: {missing}"
    stale = sorted(listed - found - OPTIONAL)
    assert not stale, f"EXPECTED lists URLs the project no longer has: {stale}"


def test_every_entry_covers_every_role_and_method():
    for name, row in EXPECTED.items():
        assert set(row) == {(role, method) for role in ROLES for method in METHODS}, name


CASES = [name for name in EXPECTED if name.split("@")[0] in URLS]

_client: list[Client] = []


def shared_client() -> Client:
    """One client for all cells, with no cookies: a new Client loads the middleware again,
    and WhiteNoise's scan of the static files makes that most of a cell's time."""
    if not _client:
        _client.append(Client())
    client = _client[0]
    client.cookies = SimpleCookie()
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("name", CASES)
def test_access_matrix(name, world):
    """All the cells of one URL: each role, each method, each in a rolled-back savepoint."""
    url_name, overrides = TAMPERED.get(name, (name, {}))
    url = reverse(url_name, kwargs=url_kwargs(world, URLS[url_name], overrides))
    data = POST_DATA.get(name, POST_DATA.get(url_name, lambda w: {}))(world)
    before = snapshot()  # every cell starts from this world: each is rolled back
    wrong = []
    for role in ROLES:
        for method in METHODS:
            with transaction.atomic():
                clear_cache(caches["default"])
                caching.forget_everything()  # each cell is rolled back: ids, epochs and versions come again
                client = shared_client()
                if world.users.get(role) is not None:
                    # After the cache is cleared: with REDIS_URL the sessions live in the cache.
                    client.force_login(world.users[role])
                headers = (
                    {"HX-Request": "true", "HX-Current-URL": f"http://testserver{url}"}
                    if "HX" in method
                    else {}
                )
                if method.endswith("GET"):
                    response = client.get(url, headers=headers)
                else:
                    response = client.post(url, data, headers=headers)
                got = classify(response)
                expected = EXPECTED[name][(role, method)]
                if got != expected:
                    wrong.append(f"{role:28} {method:7} expected {expected}, got {got}")
                elif got in REFUSED and snapshot() != before:
                    wrong.append(f"{role:28} {method:7} answered {got} but changed data")
                transaction.set_rollback(True)
    assert not wrong, f"{name} {url}:\n  " + "\n  ".join(wrong)


def test_matrix_size():
    """For the record: how many URL patterns and cells the matrix checks."""
    cells = sum(len(EXPECTED[name]) for name in CASES)
    assert len(URLS) >= 45 and cells >= len(URLS) * len(ROLES) * len(METHODS)


# ---- refused changes change nothing -------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", [MEMBER, CO, OWNER])
def test_nobody_but_the_author_can_change_a_students_response(role, world):
    client = Client()
    client.force_login(world.users[role])
    target = world.peer_response
    client.post(reverse("classroom:response_edit", args=[target.pk]), {"body": "Rewritten by someone else."})
    client.post(reverse("classroom:response_delete", args=[target.pk]), headers={"HX-Request": "true"})
    target.refresh_from_db()
    assert target.body == "A thoughtful answer about the brief."
    assert target.deleted_at is None


@pytest.mark.django_db
def test_a_removed_student_cannot_change_their_old_response(world):
    client = Client()
    client.force_login(world.removed)
    target = world.removed_response
    assert (
        client.post(reverse("classroom:response_edit", args=[target.pk]), {"body": "Changed."}).status_code
        == 404
    )
    assert client.post(reverse("classroom:response_delete", args=[target.pk])).status_code == 404
    target.refresh_from_db()
    assert target.body == "A thoughtful answer about the brief."
    assert target.deleted_at is None


@pytest.mark.django_db
def test_an_instructor_cannot_assign_a_brief_to_another_instructors_group(world):
    client = Client()
    client.force_login(world.users[OTHER])
    fresh = BriefFactory()
    data = {
        "brief": fresh.pk,
        "groups": [world.group.pk],
        "opens_at": "2030-01-01 09:00",
        "min_words": "0",
        "replies_required": "0",
        "points": "10",
    }
    response = client.post(reverse("classroom:assignment_create"), data)
    assert response.status_code == 200  # the form refuses the group
    assert not Assignment.objects.filter(brief=fresh).exists()
    client.force_login(world.users[OWNER])  # the same form, from the group's teacher, assigns it
    assert client.post(reverse("classroom:assignment_create"), data).status_code == 302
    assert Assignment.objects.filter(brief=fresh, group=world.group).exists()


@pytest.mark.django_db
def test_a_student_gets_404_for_a_thread_that_has_not_opened_yet(world):
    later = AssignmentFactory(group=world.group, opens_at=timezone.now() + timedelta(days=2))
    student, teacher = Client(), Client()
    student.force_login(world.member)
    teacher.force_login(world.users[OWNER])
    for name in ("classroom:thread_detail", "classroom:thread_poll"):
        assert student.get(reverse(name, args=[later.pk])).status_code == 404, name
        assert teacher.get(reverse(name, args=[later.pk])).status_code == 200, name
    assert (
        student.post(reverse("classroom:response_create", args=[later.pk]), {"body": "Early!"}).status_code
        == 404
    )


@pytest.mark.django_db
def test_htmx_login_redirect_does_not_send_the_page_to_another_site(client):
    response = client.get(
        reverse("classroom:home"),
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/phish"},
    )
    target = urlparse(response["HX-Redirect"])
    assert not target.netloc
    assert target.path == reverse("login")
    assert "evil.example" not in response["HX-Redirect"]


# ---- admin ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_index_sends_non_staff_to_admin_login(world):
    admin_login = reverse("admin:login")
    for role in ROLES:
        client = Client()
        if world.users[role] is not None:
            client.force_login(world.users[role])
        response = client.get(reverse("admin:index"))
        if role == ADMIN:
            assert response.status_code == 200, role
        else:
            assert response.status_code == 302, role
            assert urlparse(response["Location"]).path == admin_login, role


# ---- anonymity to classmates ------------------------------------------------------------


PEERS = [
    {
        "id": 9876501,
        "username": "zelda_peer",
        "first_name": "Zelindra",
        "last_name": "Quackenbush",
        "email": "zelindra.q@mail.example",
    },
    {
        "id": 9876502,
        "username": "bartholo_peer",
        "first_name": "Bartholomew",
        "last_name": "Fenwickshire",
        "email": "bart.fenwick@mail.example",
    },
]


def leaks(response, peers) -> list[str]:
    """The peers' identities found in a response's bytes or headers."""
    headers = "\n".join(f"{key}: {value}" for key, value in response.headers.items())
    cookies = response.cookies.output()
    text = (response.content.decode("utf-8", "replace") + headers + cookies).lower()
    found = []
    for peer in peers:
        for field in ("username", "first_name", "last_name", "email"):
            if str(getattr(peer, field)).lower() in text:
                found.append(f"{field} of {peer.username}")
        if str(peer.pk) in text:
            found.append(f"id of {peer.username}")
    return found


@pytest.mark.django_db
def test_a_student_learns_no_classmates_identity_in_an_anonymous_thread(instructor, student):
    owner, viewer = instructor, student
    peers = [UserFactory(**fields) for fields in PEERS]
    group = GroupFactory(instructors=[owner], students=[viewer, *peers])
    thread = AssignmentFactory(group=group, anonymous_to_peers=True)
    first, second = peers
    peer_answer = make_response(thread, first, body="The first classmate's careful answer.")
    own = make_response(thread, viewer, body="My own answer to the question of the brief.")
    make_response(thread, second, body="A reply to the viewer.", parent=own)
    make_response(thread, viewer, body="A reply to the first classmate.", parent=peer_answer)
    thread.refresh_from_db()
    since = thread.version
    second_answer = make_response(thread, second, body="The second classmate answers late.")
    make_response(thread, first, body="And a reply to the late answer.", parent=second_answer)

    client = Client()
    client.force_login(viewer)
    htmx = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{thread.get_absolute_url()}"}
    pages = {
        "thread": (reverse("classroom:thread_detail", args=[thread.pk]), {}),
        "thread, all": (reverse("classroom:thread_detail", args=[thread.pk]) + "?all=1", {}),
        "thread (htmx)": (reverse("classroom:thread_detail", args=[thread.pk]), htmx),
        "poll with new content": (reverse("classroom:thread_poll", args=[thread.pk]) + f"?v={since}", htmx),
        "poll, plain": (reverse("classroom:thread_poll", args=[thread.pk]) + f"?v={since}", {}),
        "reply form": (reverse("classroom:response_reply", args=[peer_answer.pk]), {}),
        "reply form (htmx)": (reverse("classroom:response_reply", args=[second_answer.pk]), htmx),
        "classmate's response (htmx)": (reverse("classroom:response_detail", args=[peer_answer.pk]), htmx),
        "own response (htmx)": (reverse("classroom:response_detail", args=[own.pk]), htmx),
        "edit form of own": (reverse("classroom:response_edit", args=[own.pk]), {}),
        "edit form of own (htmx)": (reverse("classroom:response_edit", args=[own.pk]), htmx),
        "home": (reverse("classroom:home"), {}),
    }
    for label, (url, headers) in pages.items():
        response = client.get(url, headers=headers)
        assert response.status_code == 200, f"{label}: {response.status_code}"
        assert not leaks(response, peers), f"{label} ({url}) shows {leaks(response, peers)}"
    # The thread really shows the classmates' posts, under their aliases.
    page = client.get(reverse("classroom:thread_detail", args=[thread.pk])).content.decode()
    assert "careful answer" in page and "Classmate" in page
    poll = client.get(reverse("classroom:thread_poll", args=[thread.pk]) + f"?v={since}", headers=htmx)
    assert "answers late" in poll.content.decode()
    # And the check would see a leak: the instructor's thread page names them.
    teacher = Client()
    teacher.force_login(owner)
    assert leaks(teacher.get(reverse("classroom:thread_detail", args=[thread.pk])), peers)

    for name, args in (
        ("classroom:grades_export", [thread.pk]),
        ("classroom:responses_export", [thread.pk]),
        ("classroom:group_responses_export", [group.pk]),
    ):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 404, name
        assert not leaks(response, peers), name


# ---- each teacher's people are their own --------------------------------------------------


def identity(user) -> list[str]:
    """What names a person beyond the username a roster already typed."""
    return [user.first_name, user.last_name, user.email]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [OWNER, CO])
def test_a_roster_naming_another_teachers_student_shows_no_name_or_email(role, world):
    client = Client()
    client.force_login(world.users[role])
    url = reverse("classroom:roster_import", args=[world.group.pk])
    html = client.post(url, {"step": "preview", "text": "username\nolly\n"}).content.decode()
    assert "they will be invited" in html
    found = [part for part in identity(world.outsider) if part in html]
    assert not found, f"the preview shows {found}"


def without_csrf_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.django_db
def test_a_roster_does_not_tell_which_usernames_are_instructors(world):
    client = Client()
    client.force_login(world.users[OWNER])
    url = reverse("classroom:roster_import", args=[world.group.pk])
    student = client.post(url, {"step": "preview", "text": "username\nolly\n"}).content.decode()
    teacher = client.post(url, {"step": "preview", "text": f"username\n{world.users[OTHER].username}\n"})
    # The two previews differ only in the username typed (and the form's CSRF token).
    teacher_html = teacher.content.decode().replace(world.users[OTHER].username, "olly")
    assert without_csrf_tokens(teacher_html) == without_csrf_tokens(student)


@pytest.mark.django_db
def test_confirming_a_roster_does_not_enrol_another_teachers_student(world):
    client = Client()
    client.force_login(world.users[OWNER])
    url = reverse("classroom:roster_import", args=[world.group.pk])
    client.post(url, {"step": "confirm", "text": "username\nolly\n"})
    assert not Membership.objects.filter(group=world.group, student=world.outsider).exists()
    assert Invitation.objects.filter(group=world.group, invitee=world.outsider).exists()


@pytest.mark.django_db
def test_no_page_of_the_group_names_an_invited_student(world):
    """Invited, not joined: the teacher's pages and exports show her username at most."""
    client = Client()
    client.force_login(world.users[OWNER])
    pages = [
        reverse("classroom:group_detail", args=[world.group.pk]),
        reverse("classroom:assignment_report", args=[world.thread.pk]),
        reverse("classroom:grades_export", args=[world.thread.pk]),
        reverse("classroom:responses_export", args=[world.thread.pk]),
        reverse("classroom:group_responses_export", args=[world.group.pk]),
        reverse("classroom:group_dashboard", args=[world.group.pk]),
        reverse("classroom:group_gradebook", args=[world.group.pk]),
        reverse("classroom:group_gradebook_export", args=[world.group.pk]),
        reverse("classroom:group_gradebook_canvas", args=[world.group.pk]),
        reverse("classroom:group_gradebook_moodle", args=[world.group.pk]),
        reverse("classroom:thread_detail", args=[world.thread.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode("utf-8-sig")
        found = [part for part in identity(world.invited) if part in text]
        assert not found, f"{url} shows {found}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [OUTSIDER, MEMBER, OTHER, CO, OWNER, ADMIN])
def test_nobody_but_the_invited_person_accepts_her_invitation(role, world):
    client = Client()
    client.force_login(world.users[role])
    before = snapshot()
    response = client.post(reverse("classroom:invitation_accept", args=[world.invitation.pk]))
    assert response.status_code == 404
    assert snapshot() == before
    assert not Membership.objects.filter(group=world.group, student=world.invited).exists()
    assert Invitation.objects.filter(pk=world.invitation.pk).exists()
