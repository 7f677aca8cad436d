"""Password reset through a real SMTP server started by the test, and a reset that tells the
truth when mail cannot go out (no server, a wrong login, no EMAIL_URL in production)."""

import email
import email.policy
import re
import socket
import subprocess
import sys

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from classroom.mail import mailer_from_url
from tests.factories import UserFactory
from tests.helpers import without_csrf_tokens

NEW_PASSWORD = "a-long-new-passphrase-42"
LOGIN, SECRET = "agora@school.example", "s3cret:pass"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the SMTP server received: one (envelope recipients, parsed message) per mail."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message, session.authenticated and session.auth_data))
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == LOGIN.encode() and auth_data.password == SECRET.encode()
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login)  # handled=False: answer 535


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,  # loopback only; TLS is the mail server's job in production
    )
    controller.start()
    yield controller, inbox
    controller.stop()


def use_email_url(settings, url: str) -> None:
    settings.MAILERS = {"default": mailer_from_url(url, base_dir=django_settings.BASE_DIR)}


def smtp_url(port: int, password: str = SECRET) -> str:
    quote = {"@": "%40", ":": "%3A"}
    login = "".join(quote.get(c, c) for c in LOGIN)
    return f"smtp://{login}:{''.join(quote.get(c, c) for c in password)}@127.0.0.1:{port}?timeout=5"


@pytest.fixture
def sam(db):
    return UserFactory(username="sam", first_name="Sam", last_name="Student", email="sam@school.example")


def test_reset_mail_arrives_at_a_real_smtp_server_and_its_link_sets_the_password(smtp_server, settings, sam):
    controller, inbox = smtp_server
    use_email_url(settings, smtp_url(controller.port))

    response = Client().post(reverse("password_reset"), {"email": "Sam@School.example"})
    assert response["Location"] == reverse("password_reset_done")

    assert len(inbox.messages) == 1
    recipients, message, login = inbox.messages[0]
    assert recipients == ["sam@school.example"]
    assert login == LOGIN.encode()  # the server took our login and password
    assert message["To"] == "sam@school.example"
    body = message.get_body(("plain",)).get_content()
    assert "Hello Sam Student" in body
    path = re.search(r"http://testserver(/accounts/reset/[\w-]+/[\w-]+/)", body).group(1)

    browser = Client()
    form_url = browser.get(path, follow=True).redirect_chain[-1][0]
    done = browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == reverse("password_reset_complete")
    login = Client().post(reverse("login"), {"username": "sam", "password": NEW_PASSWORD})
    assert login["Location"] == reverse("classroom:home")
    assert "This link no longer works" in Client().get(path, follow=True).content.decode()


def test_done_page_says_the_mail_server_took_the_link(smtp_server, settings, sam):
    controller, _ = smtp_server
    use_email_url(settings, smtp_url(controller.port))
    page = Client().post(reverse("password_reset"), {"email": "sam@school.example"}, follow=True)
    assert "our mail server has taken a link" in page.content.decode()


def unsent_pages(addresses: list[str]) -> list:
    return [
        Client().post(reverse("password_reset"), {"email": address}, follow=True) for address in addresses
    ]


def assert_told_nothing_was_sent(pages) -> None:
    for page in pages:
        html = page.content.decode()
        assert page.redirect_chain[-1][0] == reverse("password_reset_unsent")
        assert "We could not send the email" in html
        assert "a link" not in html.lower().replace("a set-password link", "")  # no "we sent a link"
    assert (
        len({without_csrf_tokens(page.content.decode()) for page in pages}) == 1
    )  # account or not, the same words


def test_mail_server_down_the_page_says_no_email_was_sent_for_any_address(settings, sam, caplog):
    use_email_url(settings, smtp_url(free_port()))  # nobody listens there
    pages = unsent_pages(["sam@school.example", "nobody@school.example"])
    assert_told_nothing_was_sent(pages)
    assert f"Password reset mail to user {sam.pk} was not sent" in caplog.text
    assert "ConnectionRefusedError" in caplog.text


def test_a_wrong_smtp_password_is_logged_and_the_page_says_no_email_was_sent(
    smtp_server, settings, sam, caplog
):
    controller, inbox = smtp_server
    use_email_url(settings, smtp_url(controller.port, password="wrong"))
    assert_told_nothing_was_sent(unsent_pages(["sam@school.example", "nobody@school.example"]))
    assert inbox.messages == []
    assert "SMTPAuthenticationError" in caplog.text


def test_without_email_url_the_reset_says_no_email_was_sent(settings, sam, caplog):
    settings.MAILERS = {"default": {"BACKEND": "classroom.mail.NotConfiguredBackend"}}
    assert_told_nothing_was_sent(unsent_pages(["sam@school.example", "nobody@school.example"]))
    assert "EMAIL_URL is not set" in caplog.text


def test_the_unsent_page_tells_students_without_email_to_ask_their_teacher(client, db):
    html = client.get(reverse("password_reset_unsent")).content.decode()
    assert "ask your teacher for a set-password link" in html


PRODUCTION_RESET = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.conf import settings
from django.test import Client, override_settings
from classroom.models import User
# Hashed static files need collectstatic; this test is about the mail.
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
User.objects.create_user("sam", "sam@school.example", "x")
print(settings.MAILERS["default"]["BACKEND"])
for address in ("sam@school.example", "nobody@school.example"):
    page = Client().post("/accounts/password_reset/", {"email": address}, follow=True)
    print(page.status_code, page.redirect_chain[-1][0])
    print(page.content.decode())
"""


def test_production_without_email_url_starts_and_reset_tells_the_truth():
    environment = {
        key: value
        for key, value in __import__("os").environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"))
    }
    environment.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="Zq8#xLm2$vB9!pW4&nR7^tY1*aS3(dF6)gH0-jK5+lM8=qW2~eR4",
        DJANGO_HTTPS="0",
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL="sqlite://:memory:",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PRODUCTION_RESET],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "classroom.mail.NotConfiguredBackend" in result.stdout
    assert result.stdout.count(f"200 {reverse('password_reset_unsent')}") == 2
    assert "We could not send the email" in result.stdout
    assert "has taken a link" not in result.stdout
    assert "EMAIL_URL is not set" in result.stderr  # the log says why
