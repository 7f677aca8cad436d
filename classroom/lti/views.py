"""The LTI endpoints: configuration, JWKS, login initiation, launch, the ticket's entry."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from lti_tool.models import Key, LtiLaunch, LtiRegistration
from lti_tool.utils import sync_data_from_launch
from pylti1p3.exception import LtiException

from classroom.actions import ActionRefused, assign_brief
from classroom.forms import AssignForm, AssignQueryForm
from classroom.lti import actions, roster
from classroom.lti.launch import (
    LaunchRefused,
    frame_origins,
    login_redirect,
    origin,
    restored_launch,
    unknown_deployment_message,
    validated_launch,
)
from classroom.lti.middleware import FRAME_KEY
from classroom.lti.models import Course, ScorePassback
from classroom.lti.passback import retry_passback
from classroom.models import Group
from classroom.permissions import instructor_required


def tool_urls(request: HttpRequest) -> dict[str, str]:
    return {
        "login_url": request.build_absolute_uri(reverse("lti:login")),
        "launch_url": request.build_absolute_uri(reverse("lti:launch")),
        "deep_linking_url": request.build_absolute_uri(reverse("lti:launch")),
        "jwks_url": request.build_absolute_uri(reverse("lti:jwks")),
        "domain": request.get_host(),
    }


@login_not_required
@require_GET
def tool_configuration_json(request: HttpRequest) -> JsonResponse:
    """What an LMS admin types into the LMS (LTI 1.3 tool configuration, in JSON)."""
    urls = tool_urls(request)
    return JsonResponse(
        {
            "title": "Agora",
            "description": _("Classroom discussion of news briefs."),
            "oidc_initiation_url": urls["login_url"],
            "target_link_uri": urls["launch_url"],
            "redirect_uris": [urls["launch_url"]],
            "public_jwk_url": urls["jwks_url"],
            "domain": urls["domain"],
            "messages": [
                {"type": "LtiResourceLinkRequest", "target_link_uri": urls["launch_url"]},
                {"type": "LtiDeepLinkingRequest", "target_link_uri": urls["deep_linking_url"]},
            ],
            "scopes": [
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
            ],
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
        }
    )


@staff_member_required
@require_GET
def tool_configuration(request: HttpRequest) -> HttpResponse:
    """For site admins: every URL the LMS needs, and the platforms registered so far."""
    context = {
        "urls": tool_urls(request),
        "registrations": LtiRegistration.objects.order_by("name").prefetch_related("deployments"),
        "keys": Key.objects.active().count(),
    }
    return render(request, "lti/tool_configuration.html", context)


@login_not_required
@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The tool's public keys; the previous key stays here until rotate_keys retires it."""
    return JsonResponse(Key.objects.as_jwks())


def refused(request: HttpRequest, refusal: LaunchRefused, status: int = 403) -> HttpResponse:
    request.lti_frame_origins = frame_origins()
    retry_url = ""
    if refusal.retry_login:
        retry_url = reverse("lti:login") + "?" + urlencode(refusal.retry_login)
    context = {"refusal": refusal, "retry_url": retry_url}
    return render(request, "lti/launch_refused.html", context, status=status)


@csrf_exempt  # the platform posts it; the OIDC state and nonce do what a CSRF token would
@login_not_required
@require_http_methods(["GET", "POST"])
def login_initiation(request: HttpRequest) -> HttpResponse:
    request.lti_frame_origins = frame_origins()
    try:
        return login_redirect(request, request.build_absolute_uri(reverse("lti:launch")))
    except LaunchRefused as refusal:
        return refused(request, refusal, status=400)


@csrf_exempt
@login_not_required
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    """The platform's form_post of the id token: validated, then the person enters by a ticket."""
    try:
        message_launch = validated_launch(request)
        lti_launch = LtiLaunch(message_launch)
        if not lti_launch.deployment.is_active:
            raise LaunchRefused("deployment", unknown_deployment_message())
        sync_data_from_launch(lti_launch)
        origins = frame_origins([lti_launch.registration])
        try:
            if lti_launch.is_deep_link_launch:
                user = actions.enter_to_pick(lti_launch)
                next_url = reverse("lti:deep_link", args=[lti_launch.get_launch_id()])
            elif lti_launch.is_resource_launch:
                user, next_url = actions.enter_from_launch(lti_launch)
                if actions.teaches(lti_launch) and lti_launch.context.memberships_url:
                    course = lti_launch.context.agora_course
                    transaction.on_commit(lambda: roster.sync_roster.enqueue(course.pk))
            else:
                raise LaunchRefused("message", _("Agora takes resource link and deep linking launches only."))
        except ActionRefused as refusal:
            raise LaunchRefused("course", str(refusal)) from refusal
    except LaunchRefused as refusal:
        return refused(request, refusal)
    request.lti_frame_origins = origins
    ticket = actions.issue_ticket(user=user, next_url=next_url, frame_origins=origins)
    return redirect("lti:enter", token=ticket.token)


@login_not_required
@require_GET
def enter(request: HttpRequest, token: str) -> HttpResponse:
    """Spend a launch's ticket: sign its person in, then see whether the session stuck."""
    ticket = actions.spend_ticket(token)
    if ticket is None:
        refusal = LaunchRefused(
            "ticket", _("This link into Agora was used already or has expired. Open it again from the LMS.")
        )
        return refused(request, refusal)
    login(request, ticket.user, backend="classroom.auth.UserBackend")
    request.session[FRAME_KEY] = ticket.frame_origins.split()
    request.lti_frame_origins = ticket.frame_origins.split()
    # A second ticket, for a new window, in case this browser keeps no cookie in the frame.
    fallback = actions.issue_ticket(
        user=ticket.user, next_url=ticket.next_url, frame_origins=ticket.frame_origins.split()
    )
    return redirect(
        reverse("lti:landed") + "?" + urlencode({"next": ticket.next_url, "ticket": fallback.token})
    )


@login_not_required
@require_GET
def landed(request: HttpRequest) -> HttpResponse:
    next_url = request.GET.get("next", "")
    # A path of this site only (a ticket's next_url always is one); anything else goes home.
    if not (
        next_url.startswith("/")
        and next_url.isprintable()
        and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()})
    ):
        next_url = reverse("classroom:home")
    if request.user.is_authenticated:
        return HttpResponseRedirect(next_url)
    request.lti_frame_origins = frame_origins()
    ticket = request.GET.get("ticket", "")
    window_url = reverse("lti:enter", kwargs={"token": ticket}) if ticket.isascii() and ticket else ""
    return render(request, "lti/cookies_blocked.html", {"window_url": window_url})


@require_http_methods(["GET", "POST"])
@instructor_required
def deep_link(request: HttpRequest, launch_id: str) -> HttpResponse:
    """The teacher, from the LMS's "add external tool", picks a brief and its dates and rules;
    Agora assigns it to the course's group and returns the link (with a line item for points)."""
    try:
        message_launch = restored_launch(request, launch_id)
    except LtiException:
        raise Http404("No such launch") from None
    lti_launch = LtiLaunch(message_launch)
    if not lti_launch.is_deep_link_launch or not lti_launch.user.auth_user_id == request.user.pk:
        raise Http404("Not this person's launch")
    course = getattr(lti_launch.context, "agora_course", None)
    group = Group.objects.taught_by(request.user).filter(pk=course.group_id).first() if course else None
    if group is None:
        raise Http404("Not this teacher's course")
    query = AssignQueryForm(request.GET)
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        data.setlist("groups", [str(group.pk)])
    form = AssignForm(data, instructor=request.user, brief_query=query.value("q") or "")
    form.fields["groups"].queryset = Group.objects.filter(pk=group.pk)
    if request.method == "POST" and form.is_valid():
        try:
            (assignment,) = assign_brief(
                brief=form.cleaned_data["brief"], groups=[group], rules=form.rules(), by=request.user
            )
        except ActionRefused as refusal:
            form.add_error("brief", str(refusal))
        else:
            return_url, token = actions.deep_link_response(
                message_launch, assignment, request.build_absolute_uri(reverse("lti:launch"))
            )
            response = render(
                request,
                "lti/deep_link_return.html",
                {"return_url": return_url, "jwt": token, "assignment": assignment},
            )
            # The form goes back to the LMS: the one place Agora posts to another site.
            response._csp_config = {**settings.SECURE_CSP, "form-action": ["'self'", origin(return_url)]}
            return response
    briefs, matches = form.brief_choices()
    context = {"form": form, "query": query, "group": group, "briefs": briefs, "matches": matches}
    return render(request, "lti/deep_link.html", context)


@require_http_methods(["GET", "POST"])
@instructor_required
def roster_sync(request: HttpRequest, group_id: int) -> HttpResponse:
    """The LMS course's roster into the group: who would join and who would leave, then do it."""
    course = get_object_or_404(
        Course.objects.select_related("context__deployment__registration", "group"),
        group__in=Group.objects.taught_by(request.user),
        group_id=group_id,
    )
    try:
        plan = roster.plan_roster_sync(course)
    except roster.RosterUnavailable as error:
        return render(request, "lti/roster_sync.html", {"group": course.group, "error": str(error)})
    if request.method == "POST":
        joined, left = roster.apply_roster_sync(course, plan)
        messages.success(
            request,
            _("Roster synchronised: %(joined)d joined, %(left)d left.") % {"joined": joined, "left": left},
        )
        return redirect(course.group)
    return render(request, "lti/roster_sync.html", {"group": course.group, "plan": plan})


@require_POST
@instructor_required
def passback_retry(request: HttpRequest, passback_id: int) -> HttpResponse:
    """Send a score the LMS did not take again."""
    passback = get_object_or_404(
        ScorePassback.objects.select_related("assignment"),
        pk=passback_id,
        assignment__group__instructors=request.user,
    )
    retry_passback(passback)
    passback.refresh_from_db()
    if passback.status == ScorePassback.Status.SENT:
        messages.success(request, _("The score went to the LMS."))
    elif passback.status == ScorePassback.Status.FAILED:
        messages.error(
            request, _("The LMS still did not take the score: %(error)s") % {"error": passback.last_error}
        )
    else:
        messages.success(request, _("The score is on its way to the LMS."))
    return redirect("classroom:assignment_report", assignment_id=passback.assignment_id)
