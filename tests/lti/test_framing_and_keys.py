"""Who may frame Agora, the cookies of a session begun by a launch, and the tool's keys."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from lti_tool.models import Key, LtiRegistration

from classroom.lti.actions import issue_ticket
from classroom.lti.models import PlatformFrame

PLATFORM = "https://lms.school.example"


@pytest.fixture
def registration(db):
    registration = LtiRegistration.objects.create(
        name="School LMS",
        issuer=PLATFORM,
        client_id="agora",
        auth_url="https://sso.school.example/auth",
        token_url="https://sso.school.example/token",
        keyset_url="https://sso.school.example/jwks",
    )
    PlatformFrame.objects.create(registration=registration, origins="https://courses.school.example")
    return registration


def enter(client: Client, user, next_url: str, origins: list[str]):
    ticket = issue_ticket(user=user, next_url=next_url, frame_origins=origins)
    return client.get(reverse("lti:enter", args=[ticket.token]))


def test_a_session_begun_by_a_launch_may_be_framed_by_its_platform_only(registration, student, thread):
    client = Client()
    entered = enter(client, student, thread.get_absolute_url(), [PLATFORM])
    session = entered.cookies["sessionid"]
    assert (session["samesite"], session["secure"], session["partitioned"]) == ("None", True, True)
    page = client.get(thread.get_absolute_url())
    assert page.status_code == 200
    assert f"frame-ancestors {PLATFORM}" in page["Content-Security-Policy"]
    assert "X-Frame-Options" not in page
    csrf = page.cookies["csrftoken"]
    assert (csrf["samesite"], csrf["partitioned"]) == ("None", True)


def test_every_other_session_still_refuses_framing(registration, student_client, thread):
    page = student_client.get(thread.get_absolute_url())
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"


def test_launch_pages_may_be_framed_by_every_registered_platform(registration, client):
    refused = client.post(reverse("lti:launch"), {"state": "s"})
    policy = refused["Content-Security-Policy"]
    assert f"frame-ancestors {PLATFORM} https://sso.school.example https://courses.school.example" in policy
    registration.is_active = False
    registration.save()
    assert (
        "frame-ancestors 'none'"
        in client.post(reverse("lti:launch"), {"state": "s"})["Content-Security-Policy"]
    )


def test_a_used_ticket_does_not_sign_in_again(registration, student, thread):
    ticket = issue_ticket(user=student, next_url=thread.get_absolute_url(), frame_origins=[PLATFORM])
    assert Client().get(reverse("lti:enter", args=[ticket.token])).status_code == 302
    again = Client().get(reverse("lti:enter", args=[ticket.token]))
    assert again.status_code == 403
    assert "used already or has expired" in again.text


def test_a_browser_that_kept_no_cookie_is_offered_a_new_window(registration, student, thread):
    entered = enter(Client(), student, thread.get_absolute_url(), [PLATFORM])
    cookieless = Client().get(entered["Location"])
    assert cookieless.status_code == 200
    assert "Open Agora in a new window" in cookieless.text
    window = Client()
    link = cookieless.text.split('href="/lti/enter/')[1].split('"')[0]
    assert window.get(f"/lti/enter/{link}").status_code == 302
    assert window.get(thread.get_absolute_url()).status_code == 200


def test_rotating_keys_keeps_the_previous_key_published(db, client):
    call_command("rotate_keys", verbosity=0)
    call_command("rotate_keys", verbosity=0)
    keys = client.get(reverse("lti:jwks")).json()["keys"]
    assert len(keys) == 2
    newest = Key.objects.active().latest()
    assert keys[-1]["kid"] == str(newest) or keys[0]["kid"] == str(newest)
    call_command("rotate_keys", "--deactivate-after", "0", verbosity=0)
    assert len(client.get(reverse("lti:jwks")).json()["keys"]) == 1


def test_the_configuration_page_is_for_site_admins(registration, admin_client, instructor_client):
    page = admin_client.get(reverse("lti:tool_configuration"))
    assert page.status_code == 200
    assert "http://testserver/lti/login/" in page.text and "School LMS" in page.text
    assert instructor_client.get(reverse("lti:tool_configuration")).status_code == 302


def test_a_site_admin_registers_a_platform_with_its_frame_origins_in_the_admin(db, admin_client):
    add = admin_client.get("/admin/lti_tool/ltiregistration/add/")
    assert add.status_code == 200
    assert "Frame origins" in add.text and "LTI deployments" in add.text
    form = {
        "name": "Moodle",
        "uuid": "5f0c6a3e-8f7e-4a55-9d0e-3b1b8c7f9a10",
        "issuer": "https://moodle.school.example",
        "client_id": "abc123",
        "audience": "",
        "auth_url": "https://moodle.school.example/mod/lti/auth.php",
        "token_url": "https://moodle.school.example/mod/lti/token.php",
        "keyset_url": "https://moodle.school.example/mod/lti/certs.php",
        "is_active": "on",
        "public_key": "",
        "private_key": "",
        "deployments-TOTAL_FORMS": "1",
        "deployments-INITIAL_FORMS": "0",
        "deployments-0-deployment_id": "7",
        "deployments-0-is_active": "on",
        "frame-TOTAL_FORMS": "1",
        "frame-INITIAL_FORMS": "0",
        "frame-0-origins": "https://courses.school.example",
    }
    saved = admin_client.post("/admin/lti_tool/ltiregistration/add/", form)
    assert saved.status_code == 302, saved.text[:3000]
    registration = LtiRegistration.objects.get(client_id="abc123")
    assert registration.deployments.get().deployment_id == "7"
    assert registration.frame.origins == "https://courses.school.example"
