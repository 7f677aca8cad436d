"""The LTI endpoints: configuration, JWKS, login initiation, launch, the ticket's entry."""

from urllib.parse import urlencode

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from lti_tool.models import Key, LtiLaunch, LtiRegistration
from lti_tool.utils import sync_data_from_launch

from classroom.actions import ActionRefused
from classroom.lti import actions
from classroom.lti.launch import LaunchRefused, frame_origins, login_redirect, unknown_deployment_message, validated_launch
from classroom.lti.middleware import FRAME_KEY


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
        if lti_launch.is_deep_link_launch:
            raise LaunchRefused("message", _("Deep linking is not available yet: add the link and pick the thread in Agora."))
        if not lti_launch.is_resource_launch:
            raise LaunchRefused("message", _("Agora takes resource link launches only."))
        try:
            user, next_url = actions.enter_from_launch(lti_launch)
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
        refusal = LaunchRefused("ticket", _("This link into Agora was used already or has expired. Open it again from the LMS."))
        return refused(request, refusal)
    login(request, ticket.user, backend="classroom.auth.UserBackend")
    request.session[FRAME_KEY] = ticket.frame_origins
    request.lti_frame_origins = ticket.frame_origins
    # A second ticket, for a new window, in case this browser keeps no cookie in the frame.
    fallback = actions.issue_ticket(user=ticket.user, next_url=ticket.next_url, frame_origins=ticket.frame_origins)
    return redirect(reverse("lti:landed") + "?" + urlencode({"next": ticket.next_url, "ticket": fallback.token}))


@login_not_required
@require_GET
def landed(request: HttpRequest) -> HttpResponse:
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("classroom:home")
    if request.user.is_authenticated:
        return redirect(next_url)
    request.lti_frame_origins = frame_origins()
    ticket = request.GET.get("ticket", "")
    window_url = reverse("lti:enter", kwargs={"token": ticket}) if ticket.isascii() and ticket else ""
    return render(request, "lti/cookies_blocked.html", {"window_url": window_url})
