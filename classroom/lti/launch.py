"""The OIDC login and the launch's validation, PyLTI1p3's with Agora's storage and refusals.

PyLTI1p3 checks the state against the browser's cookie, the token's signature against the
platform's JWKS (PyJWT: expiry and issue time too), the registration of issuer and client
id, the deployment and the message (type, version, the claims each type requires). Here:
the nonce is spent once (PyLTI1p3 only checks that the login stored it, so a replayed
token would pass), the state must come back in its cookie (not only "a launch with this
token was seen before"), and each failure becomes a refusal a person can read.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from lti_tool.models import LtiRegistration
from lti_tool.utils import DjangoToolConfig
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.cookie import DjangoCookieService
from pylti1p3.contrib.django.request import DjangoRequest
from pylti1p3.exception import LtiException, OIDCException

from classroom.lti.models import PlatformFrame
from classroom.lti.storage import DatabaseLaunchDataStorage, forget_expired

STATE_LIFETIME = 5 * 60  # seconds between the login and the launch's POST


@dataclass
class LaunchRefused(Exception):
    """A launch or login Agora will not accept; `reason` names the rule for tests and logs."""

    reason: str
    message: str
    retry_login: dict | None = None  # the login's parameters, to start again in a new window


class FramedCookieService(DjangoCookieService):
    """The state cookie, set inside the LMS's frame and read on the platform's cross-site POST:
    SameSite=None and Secure to be sent at all, Partitioned (CHIPS) to be kept by browsers
    that block third-party cookies. Chromium treats http://127.0.0.1 and localhost as secure."""

    def update_response(self, response: HttpResponse) -> None:
        for key, data in self._cookie_data_to_set.items():
            response.set_cookie(
                key, data["value"], max_age=data["exp"], secure=True, httponly=True, samesite="None", path="/"
            )
            response.cookies[key]["partitioned"] = True


def storage() -> DatabaseLaunchDataStorage:
    return DatabaseLaunchDataStorage()


def login_redirect(request: HttpRequest, launch_url: str) -> HttpResponse:
    """Answer the platform's login initiation with a redirect to its authorisation endpoint."""
    params = request.GET if request.method == "GET" else request.POST
    forget_expired()  # each login clears what earlier logins left (states, nonces, tickets)
    oidc = DjangoOIDCLogin(
        request,
        DjangoToolConfig(),
        cookie_service=FramedCookieService(DjangoRequest(request)),
        launch_data_storage=storage(),
    )
    login_params = {
        key: params[key]
        for key in (
            "iss",
            "login_hint",
            "target_link_uri",
            "lti_message_hint",
            "client_id",
            "lti_deployment_id",
        )
        if key in params
    }
    try:
        return oidc.pass_params_to_launch({"login": login_params}).redirect(launch_url)
    except (LtiException, OIDCException) as error:
        if "registration" in str(error).lower():
            raise LaunchRefused("unregistered_issuer", unregistered_issuer_message()) from error
        raise LaunchRefused(
            "login", _("The LMS's request to start the launch is incomplete: %(error)s.") % {"error": error}
        ) from error


def unregistered_issuer_message() -> str:
    return _(
        "This LMS is not registered with Agora. A site admin registers it under LTI registrations "
        "in the admin, with the values from Agora's LTI configuration page."
    )


class AgoraMessageLaunch(DjangoMessageLaunch):
    def validate(self) -> "AgoraMessageLaunch":
        # PyLTI1p3's steps, with the nonce spent only once the signature has shown the token
        # is the platform's: a forged token must not use up a real launch's nonce.
        if self._restored:
            raise LtiException("Can't validate restored launch")
        self._validated = True
        try:
            return (
                self.validate_state()
                .validate_jwt_format()
                .validate_registration()
                .validate_jwt_signature()
                .validate_nonce()
                .validate_deployment()
                .validate_message()
                .save_launch_data()
            )
        except Exception:
            self._validated = False
            raise

    def validate_state(self) -> "AgoraMessageLaunch":
        state = self._get_request_param("state")
        if not state:
            raise LaunchRefused(
                "state", _("The launch came without its state. Open the link in the LMS again.")
            )
        if self._cookie_service.get_cookie(state) != state:
            saved = self._session_service.get_state_params(state) or {}
            raise LaunchRefused(
                "state",
                _(
                    "This launch did not start in this browser window (its state does not match), "
                    "or the browser keeps no cookies inside the LMS's page."
                ),
                retry_login=saved.get("login"),
            )
        return self

    def validate_nonce(self) -> "AgoraMessageLaunch":
        nonce = self._get_jwt_body().get("nonce")
        if not nonce or not self._session_service.data_storage.consume(
            self._session_service._get_key("nonce", nonce)
        ):
            raise LaunchRefused(
                "nonce",
                _(
                    "This launch was already used, or was not started by Agora. Open the link in the LMS again."
                ),
            )
        return self

    def validate_registration(self) -> "AgoraMessageLaunch":
        body = self._get_jwt_body()
        issuer = body.get("iss") or ""
        audience = body.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        registrations = LtiRegistration.objects.active().filter(issuer=issuer)
        if not registrations.exists():
            raise LaunchRefused("unregistered_issuer", unregistered_issuer_message())
        # The spec: with several audiences, azp names the one the token was issued to.
        client_id = body.get("azp") if len(audiences) > 1 else audiences[0]
        if client_id not in audiences or not registrations.filter(client_id=client_id).exists():
            raise LaunchRefused(
                "audience",
                _(
                    "This launch was meant for another tool: its audience is not Agora's client id at this LMS."
                ),
            )
        try:
            return super().validate_registration()
        except LtiException as error:
            raise LaunchRefused("audience", str(error)) from error

    def validate_jwt_signature(self) -> "AgoraMessageLaunch":
        try:
            return super().validate_jwt_signature()
        except LtiException as error:
            if str(error).startswith("Error during fetch URL") or str(error).startswith(
                "Invalid response from"
            ):
                raise LaunchRefused(
                    "keys",
                    _(
                        "Agora could not read the LMS's published keys just now. Open the link again in a moment."
                    ),
                ) from error
            if "expired" in str(error).lower():
                raise LaunchRefused(
                    "expired", _("This launch has expired. Open the link in the LMS again.")
                ) from error
            raise LaunchRefused(
                "signature", _("This launch's signature does not match the LMS's published keys.")
            ) from error

    def validate_deployment(self) -> "AgoraMessageLaunch":
        try:
            return super().validate_deployment()
        except LtiException as error:
            raise LaunchRefused("deployment", unknown_deployment_message()) from error

    def validate_message(self) -> "AgoraMessageLaunch":
        try:
            return super().validate_message()
        except LtiException as error:
            raise LaunchRefused(
                "message", _("Agora does not understand this launch (%(error)s).") % {"error": error}
            ) from error


def unknown_deployment_message() -> str:
    return _(
        "This deployment of Agora in the LMS is not known to Agora. A site admin activates "
        "its deployment id under LTI deployments in the admin."
    )


def validated_launch(request: HttpRequest) -> AgoraMessageLaunch:
    """The launch in this POST, validated, or LaunchRefused."""
    launch = AgoraMessageLaunch(
        request,
        DjangoToolConfig(),
        cookie_service=FramedCookieService(DjangoRequest(request, post_only=True)),
        launch_data_storage=storage(),
    )
    if not request.POST.get("id_token"):
        raise LaunchRefused("token", _("The launch came without its id token."))
    try:
        launch.validate()
    except LtiException as error:
        raise LaunchRefused(
            "token", _("The launch's token is not valid: %(error)s.") % {"error": error}
        ) from error
    return launch


def restored_launch(request: HttpRequest, launch_id: str) -> AgoraMessageLaunch:
    """A launch validated earlier (for deep linking and the services), from the database."""
    return AgoraMessageLaunch.from_cache(
        launch_id, request, DjangoToolConfig(), launch_data_storage=storage()
    )


def origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def frame_origins(registrations: list[LtiRegistration] | None = None) -> list[str]:
    """Origins allowed to frame LTI pages: the issuer's, the login URL's and the admin's list,
    for the given registrations (all active ones when None)."""
    if registrations is None:
        registrations = list(LtiRegistration.objects.active())
    frames = {
        frame.registration_id: frame.origins
        for frame in PlatformFrame.objects.filter(registration__in=registrations)
    }
    found = []
    for registration in registrations:
        for url in [registration.issuer, registration.auth_url, *frames.get(registration.pk, "").split()]:
            allowed = origin(url.strip())
            if allowed and allowed not in found:
                found.append(allowed)
    return found
