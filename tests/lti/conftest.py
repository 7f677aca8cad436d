"""The test platform beside the live server, registered in Agora, with a teacher and a student."""

import re

import pytest
import requests
from django.urls import reverse
from lti_tool.models import Key, LtiDeployment, LtiRegistration

from tests.lti_platform import Platform, person


@pytest.fixture
def platform(live_server, transactional_db):
    # live_server is on localhost, the platform on 127.0.0.1: two sites, as an LMS and Agora are.
    assert "localhost" in live_server.url
    lms = Platform(
        tool_login_url=live_server.url + reverse("lti:login"),
        tool_launch_url=live_server.url + reverse("lti:launch"),
        tool_jwks_url=live_server.url + reverse("lti:jwks"),
    ).start()
    lms.people = {"teacher": person("Tess Teacher", instructor=True), "ana": person("Ana Lima")}
    lms.links = {"link-1": {"title": "Week 1 discussion"}, "add": {"deep_linking": True}}
    Key.objects.generate()
    registration = LtiRegistration.objects.create(
        name="Test platform",
        issuer=lms.issuer,
        client_id=lms.client_id,
        auth_url=lms.auth_url,
        token_url=lms.token_url,
        keyset_url=lms.jwks_url,
    )
    LtiDeployment.objects.create(registration=registration, deployment_id=lms.deployment_id, is_active=True)
    yield lms
    lms.stop()


class HttpLaunch:
    """One launch done with plain HTTP: the login initiation, the platform's authorisation, the POST."""

    def __init__(self, platform: Platform, link: str, who: str) -> None:
        login = requests.get(platform.login_initiation_url(link, who), allow_redirects=False, timeout=10)
        assert login.status_code == 302, login.text
        self.state_cookie = "; ".join(f"{name}={value}" for name, value in login.cookies.items())
        authorised = requests.get(login.headers["Location"], timeout=10)
        assert authorised.status_code == 200, authorised.text
        self.form = dict(platform.launches[-1])
        self.launch_url = platform.tool_launch_url

    def post(
        self, form: dict | None = None, cookie: str | None = None, headers_extra: dict | None = None
    ) -> requests.Response:
        """The browser's form_post, with the state cookie the browser kept (a Secure cookie that
        requests would not send over http by itself)."""
        headers = {"Cookie": self.state_cookie if cookie is None else cookie, **(headers_extra or {})}
        return requests.post(
            self.launch_url, data=form or self.form, headers=headers, allow_redirects=False, timeout=10
        )


def refusal(response: requests.Response) -> str:
    found = re.search(r'data-refusal="([a-z_]+)"', response.text)
    return found.group(1) if found else ""
