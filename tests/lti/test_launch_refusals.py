"""A launch over real HTTP from the test platform: accepted once, and each forgery refused
with a page that says why (never a 500), changing nothing."""

import time

import requests
from django.urls import reverse
from lti_tool.models import LtiDeployment, LtiUser

from classroom.models import Group, User
from tests.lti.conftest import HttpLaunch, refusal
from tests.lti_platform import new_key


def assert_refused(response: requests.Response, reason: str) -> None:
    assert response.status_code in (400, 403), response.text[:500]
    assert refusal(response) == reason, response.text[:2000]
    assert "Agora could not open this link" in response.text
    assert "Traceback" not in response.text


def test_a_teacher_launch_is_accepted_and_leads_to_a_one_time_entry(platform, live_server):
    response = HttpLaunch(platform, "link-1", "teacher").post()
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/lti/enter/")
    teacher = User.objects.get(lti_users__sub=platform.people["teacher"].sub)
    assert teacher.is_instructor and teacher.get_full_name() == "Tess Teacher"
    assert not teacher.has_usable_password()
    assert Group.objects.get(name="History 101").instructors.get() == teacher
    entry = requests.get(live_server.url + response.headers["Location"], allow_redirects=False, timeout=10)
    assert entry.status_code == 302 and entry.headers["Location"].startswith("/lti/landed/")
    again = requests.get(live_server.url + response.headers["Location"], allow_redirects=False, timeout=10)
    assert refusal(again) == "ticket"


def test_a_replayed_launch_is_refused(platform):
    launch = HttpLaunch(platform, "link-1", "teacher")
    assert launch.post().status_code == 302
    assert_refused(launch.post(), "nonce")


def test_a_token_for_another_audience_is_refused(platform):
    platform.changes = {"aud": "another-tool"}
    assert_refused(HttpLaunch(platform, "link-1", "teacher").post(), "audience")
    assert not LtiUser.objects.exists()


def test_an_expired_token_is_refused(platform):
    platform.changes = {"iat": int(time.time()) - 900, "exp": int(time.time()) - 600}
    assert_refused(HttpLaunch(platform, "link-1", "teacher").post(), "expired")
    assert not User.objects.exists()


def test_a_launch_from_an_unknown_deployment_is_refused(platform):
    platform.changes = {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "deployment-unknown"}
    assert_refused(HttpLaunch(platform, "link-1", "teacher").post(), "deployment")
    assert not User.objects.exists()
    # The site admin sees it in the admin, not active until they say so.
    assert not LtiDeployment.objects.get(deployment_id="deployment-unknown").is_active


def test_a_forged_signature_is_refused(platform):
    platform.sign_with = new_key()
    assert_refused(HttpLaunch(platform, "link-1", "teacher").post(), "signature")
    assert not User.objects.exists()


def test_a_state_that_does_not_match_the_browsers_cookie_is_refused(platform):
    launch = HttpLaunch(platform, "link-1", "teacher")
    other = HttpLaunch(platform, "link-1", "teacher")
    assert_refused(launch.post(cookie=other.state_cookie), "state")
    assert_refused(launch.post(cookie=""), "state")
    assert not User.objects.exists()


def test_a_launch_from_an_unregistered_issuer_is_refused(platform):
    platform.changes = {"iss": "https://lms.elsewhere.example"}
    assert_refused(HttpLaunch(platform, "link-1", "teacher").post(), "unregistered_issuer")
    assert not User.objects.exists()


def test_a_login_initiation_from_an_unregistered_issuer_is_refused(platform):
    url = platform.login_initiation_url("link-1", "teacher").replace(
        "iss=" + requests.utils.quote(platform.issuer, safe=""), "iss=https%3A%2F%2Flms.elsewhere.example"
    )
    assert_refused(requests.get(url, allow_redirects=False, timeout=10), "unregistered_issuer")


def test_a_student_before_any_teacher_is_told_to_wait(platform):
    assert_refused(HttpLaunch(platform, "link-1", "ana").post(), "course")
    assert not Group.objects.exists()


def test_a_launch_post_without_a_token_is_a_clear_refusal(platform, live_server):
    response = requests.post(live_server.url + reverse("lti:launch"), data={"state": "x"}, timeout=10)
    assert_refused(response, "token")


def test_the_jwks_and_the_configuration_are_public(platform, live_server):
    keys = requests.get(live_server.url + reverse("lti:jwks"), timeout=10).json()["keys"]
    assert len(keys) == 1 and keys[0]["alg"] == "RS256"
    config = requests.get(live_server.url + reverse("lti:tool_configuration_json"), timeout=10).json()
    assert config["oidc_initiation_url"] == platform.tool_login_url
    assert config["target_link_uri"] == platform.tool_launch_url


def test_a_platform_whose_keys_cannot_be_read_is_said_so(platform):
    launch = HttpLaunch(platform, "link-1", "teacher")
    platform.stop()  # its JWKS no longer answers
    assert_refused(launch.post(), "keys")
    assert not User.objects.exists()


def test_expired_states_and_nonces_are_cleared_by_later_logins(platform):
    from datetime import timedelta

    from django.utils import timezone

    from classroom.lti.models import LaunchValue

    HttpLaunch(platform, "link-1", "teacher")
    LaunchValue.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    HttpLaunch(platform, "link-1", "teacher")
    assert LaunchValue.objects.filter(expires_at__lte=timezone.now()).count() == 0


def test_a_name_with_direction_controls_arrives_without_them(platform):
    platform.people["teacher"].family_name = "Teach\u202eer"
    assert HttpLaunch(platform, "link-1", "teacher").post().status_code == 302
    assert User.objects.get(lti_users__sub=platform.people["teacher"].sub).last_name == "Teacher"
