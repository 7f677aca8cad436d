"""A small LTI 1.3 platform for the tests, served over real HTTP in its own thread.

Built with PyJWT and cryptography from the IMS specifications (LTI Core 1.3, its Security
Framework: third-party initiated OIDC login, the authorisation endpoint answering with a
form_post of a signed id token; the platform's JWKS). A test says who launches which link
(`course_url`), and may change the next token (`changes`, `sign_with`) to see Agora refuse
it. Nothing here imports Agora: it speaks to the tool only over HTTP.
"""

import html
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Person:
    sub: str
    given_name: str
    family_name: str
    email: str
    roles: list[str]


@dataclass
class Platform:
    """The platform's registration of Agora (client id, deployment, the tool's URLs) and its course."""

    tool_login_url: str
    tool_launch_url: str
    client_id: str = "agora-client"
    deployment_id: str = "deployment-1"
    course_id: str = "course-101"
    course_title: str = "History 101"
    people: dict[str, Person] = field(default_factory=dict)
    links: dict[str, dict] = field(default_factory=dict)  # resource link id -> title, custom
    changes: dict = field(default_factory=dict)  # claims to put in (or, as None, drop from) the next token
    sign_with: rsa.RSAPrivateKey | None = None  # another key, for the next token: a forged signature
    launches: list[dict] = field(default_factory=list)  # each form_post sent: id_token and state
    tool_jwks_url: str = ""
    added: list[dict] = field(default_factory=list)  # content items a deep linking response added
    scores: dict = field(default_factory=dict)  # (link id, user id) -> the last score posted
    failing_scores: int = 0  # answer the next N score posts with 503

    def __post_init__(self) -> None:
        self.tokens: dict[str, list[str]] = {}
        self.key = new_key()
        self.kid = "platform-key-1"
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.issuer = self.url

    # ---- what a test uses ---------------------------------------------------------------

    def start(self) -> "Platform":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def auth_url(self) -> str:
        return self.url + "/auth"

    @property
    def jwks_url(self) -> str:
        return self.url + "/jwks"

    @property
    def token_url(self) -> str:
        return self.url + "/token"

    def course_url(self, link_id: str, login_hint: str) -> str:
        """The course page with the link opened in its iframe, as a person of the course sees it."""
        return f"{self.url}/course?{urlencode({'link': link_id, 'user': login_hint})}"

    def login_initiation_url(self, link_id: str, login_hint: str) -> str:
        """Third-party initiated login (LTI Core 1.3 §5.1.1): what the platform's iframe loads first."""
        params = {
            "iss": self.issuer,
            "login_hint": login_hint,
            "target_link_uri": self.tool_launch_url,
            "lti_message_hint": link_id,
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }
        return f"{self.tool_login_url}?{urlencode(params)}"

    # ---- the platform's side of the OIDC login -------------------------------------------

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """The authorisation endpoint: check the tool's request, answer with the form_post."""
        expected = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
        }
        for name, value in expected.items():
            if query.get(name) != value:
                return 400, f"invalid_request: {name}"
        if query.get("client_id") != self.client_id:
            return 400, "unauthorized_client"
        if query.get("redirect_uri") != self.tool_launch_url:
            return 400, "invalid_request: redirect_uri is not registered"
        person = self.people.get(query.get("login_hint", ""))
        link = self.links.get(query.get("lti_message_hint", ""))
        if person is None or link is None or not query.get("nonce") or not query.get("state"):
            return 400, "login_required"
        id_token = self.id_token(person, link_id=query["lti_message_hint"], nonce=query["nonce"])
        self.launches.append({"id_token": id_token, "state": query["state"]})
        page = (
            "<!doctype html><title>Launching</title>"
            f'<form id="launch" method="post" action="{html.escape(self.tool_launch_url)}">'
            f'<input type="hidden" name="id_token" value="{html.escape(id_token)}">'
            f'<input type="hidden" name="state" value="{html.escape(query["state"])}">'
            "<button>Continue</button></form>"
            "<script>document.getElementById('launch').submit()</script>"
        )
        return 200, page

    def id_token(self, person: Person, *, link_id: str, nonce: str) -> str:
        now = int(time.time())
        link = self.links[link_id]
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": person.sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "name": f"{person.given_name} {person.family_name}",
            "email": person.email,
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": self.tool_launch_url,
            LTI + "resource_link": {"id": link_id, "title": link.get("title", "")},
            LTI + "roles": person.roles,
            LTI + "context": {
                "id": self.course_id,
                "title": self.course_title,
                "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            },
            LTI + "tool_platform": {"guid": "test-platform", "name": "Test platform"},
            LTI + "launch_presentation": {"document_target": "iframe"},
        }
        if link.get("custom"):
            claims[LTI + "custom"] = link["custom"]
        claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"] = {
            "context_memberships_url": f"{self.url}/nrps/{self.course_id}",
            "service_versions": ["2.0"],
        }
        ags = {"scope": [SCORE_SCOPE, LINEITEM_SCOPE], "lineitems": f"{self.url}/lineitems"}
        if link.get("line_item"):
            ags["lineitem"] = f"{self.url}/lineitems/{link_id}"
        claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = ags
        if link.get("deep_linking"):  # the "add external tool" placement (LTI Deep Linking 2.0)
            claims[LTI + "message_type"] = "LtiDeepLinkingRequest"
            del claims[LTI + "resource_link"]
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": self.url + "/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": False,
                "data": "opaque-" + link_id,
            }
        for name, value in self.changes.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        self.changes = {}
        key, self.sign_with = self.sign_with or self.key, None
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})

    def jwks(self) -> dict:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [public | {"kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def deep_link_return(self, form: dict[str, str]) -> tuple[int, str]:
        """The tool's deep linking response: a JWT signed by the tool (its JWKS), for us."""
        token = form.get("JWT", "")
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = jwt.PyJWKClient(self.tool_jwks_url).get_signing_key(kid).key
            claims = jwt.decode(token, key, algorithms=["RS256"], audience=self.issuer, issuer=self.client_id)
        except jwt.PyJWTError as error:
            return 400, f"invalid deep linking response: {html.escape(str(error))}"
        if (
            claims.get(LTI + "message_type") != "LtiDeepLinkingResponse"
            or claims.get(LTI + "version") != "1.3.0"
        ):
            return 400, "not a deep linking response"
        if claims.get(LTI + "deployment_id") != self.deployment_id or not claims.get("nonce"):
            return 400, "wrong deployment or no nonce"
        titles = []
        for item in claims.get(DL + "content_items", []):
            if item.get("type") != "ltiResourceLink":
                return 400, "unexpected content item"
            link_id = f"link-{len(self.links) + 1}"
            self.links[link_id] = {
                "title": item.get("title", ""),
                "custom": item.get("custom", {}),
                "line_item": item.get("lineItem"),
            }
            self.added.append(dict(item, link_id=link_id, data=claims.get(DL + "data")))
            titles.append(item.get("title", ""))
        return 200, "<!doctype html><title>Added</title><h1>Added to the course</h1>" + "".join(
            f"<p>{html.escape(title)}</p>" for title in titles
        )

    # ---- the services: OAuth 2 client credentials, NRPS and AGS scores --------------------

    def issue_token(self, form: dict[str, str]) -> tuple[int, str]:
        """LTI Security Framework §4.1: a client_credentials grant with a JWT assertion by the tool."""
        if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != (
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        ):
            return 400, json.dumps({"error": "unsupported_grant_type"})
        assertion = form.get("client_assertion", "")
        try:
            kid = jwt.get_unverified_header(assertion).get("kid")
            key = jwt.PyJWKClient(self.tool_jwks_url).get_signing_key(kid).key
            claims = jwt.decode(
                assertion, key, algorithms=["RS256"], audience=self.token_url, issuer=self.client_id
            )
        except jwt.PyJWTError:
            return 401, json.dumps({"error": "invalid_client"})
        if claims.get("sub") != self.client_id or not claims.get("jti"):
            return 401, json.dumps({"error": "invalid_client"})
        scopes = [
            scope
            for scope in form.get("scope", "").split()
            if scope in (NRPS_SCOPE, SCORE_SCOPE, LINEITEM_SCOPE)
        ]
        token = secrets.token_urlsafe(24)
        self.tokens[token] = scopes
        return 200, json.dumps(
            {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": " ".join(scopes)}
        )

    def authorised(self, header: str, scope: str) -> bool:
        token = header.removeprefix("Bearer ")
        return scope in self.tokens.get(token, [])

    def memberships(self) -> dict:
        members = [
            {
                "user_id": member.sub,
                "name": f"{member.given_name} {member.family_name}",
                "given_name": member.given_name,
                "family_name": member.family_name,
                "email": member.email,
                "roles": member.roles,
                "status": "Active",
            }
            for hint, member in self.people.items()
        ]
        return {
            "id": f"{self.url}/nrps/{self.course_id}",
            "context": {"id": self.course_id, "title": self.course_title},
            "members": members,
        }

    def take_score(self, link_id: str, body: dict) -> tuple[int, str]:
        if self.failing_scores:
            self.failing_scores -= 1
            return 503, "unavailable"
        required = {
            "userId",
            "scoreGiven",
            "scoreMaximum",
            "activityProgress",
            "gradingProgress",
            "timestamp",
        }
        if not required <= set(body):
            return 400, "missing " + ", ".join(sorted(required - set(body)))
        self.scores[(link_id, body["userId"])] = body
        return 200, ""

    def course_page(self, query: dict[str, str]) -> str:
        src = self.login_initiation_url(query.get("link", ""), query.get("user", ""))
        return (
            f"<!doctype html><title>{html.escape(self.course_title)}</title>"
            f"<h1>{html.escape(self.course_title)}</h1>"
            f'<iframe name="tool" title="Agora" src="{html.escape(src)}" style="width: 100%; height: 700px"></iframe>'
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def send(self, status: int, body: str, content_type: str = "text/html; charset=utf-8") -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {name: values[0] for name, values in parse_qs(parts.query).items()}
                if parts.path == "/jwks":
                    self.send(200, json.dumps(platform.jwks()), "application/json")
                elif parts.path == "/auth":
                    self.send(*platform.authorize(query))
                elif parts.path == "/course":
                    self.send(200, platform.course_page(query))
                elif parts.path == f"/nrps/{platform.course_id}":
                    if not platform.authorised(self.headers.get("Authorization", ""), NRPS_SCOPE):
                        self.send(401, "unauthorized")
                    else:
                        self.send(
                            200,
                            json.dumps(platform.memberships()),
                            "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
                        )
                else:
                    self.send(404, "not found")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                path = urlsplit(self.path).path
                form = {name: values[0] for name, values in parse_qs(raw).items()}
                if path == "/deep-link-return":
                    self.send(*platform.deep_link_return(form))
                elif path == "/token":
                    self.send(*platform.issue_token(form), "application/json")
                elif path.startswith("/lineitems/") and path.endswith("/scores"):
                    if not platform.authorised(self.headers.get("Authorization", ""), SCORE_SCOPE):
                        self.send(401, "unauthorized")
                    elif self.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
                        self.send(415, "score+json expected")
                    else:
                        self.send(*platform.take_score(path.split("/")[2], json.loads(raw)))
                else:
                    self.send(404, "not found")

        return Handler


def person(name: str, *, instructor: bool = False) -> Person:
    given, family = name.split(" ", 1)
    return Person(
        sub=str(uuid.uuid4()),
        given_name=given,
        family_name=family,
        email=f"{given.lower()}@school.example",
        roles=[INSTRUCTOR if instructor else LEARNER],
    )


def random_hint() -> str:
    return secrets.token_hex(8)
