"""EMAIL_URL read into a mailer, and the outbox mailer that prints and keeps messages."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage

from classroom.mail import MailNotConfigured, NotConfiguredBackend, OutboxBackend, mailer_from_url

BASE = Path("/srv/agora")


def options(url: str) -> dict:
    return mailer_from_url(url, base_dir=BASE)["OPTIONS"]


def test_smtp_url_with_starttls_and_a_percent_encoded_login():
    mailer = mailer_from_url(
        "smtp://agora%40school.example:p%40ss%3Aword@mail.example:587?tls=1", base_dir=BASE
    )
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"] == {
        "host": "mail.example",
        "port": 587,
        "username": "agora@school.example",
        "password": "p@ss:word",
        "use_tls": True,
        "use_ssl": False,
        "timeout": 10.0,
    }


def test_smtps_and_ssl_option_mean_tls_from_the_start():
    assert options("smtps://mail.example")["use_ssl"] is True
    assert options("smtp://mail.example?ssl=1")["use_ssl"] is True
    assert "port" not in options("smtps://mail.example")  # Django picks 465


def test_smtp_url_without_login_has_no_username_and_takes_a_timeout():
    found = options("smtp://127.0.0.1:2525?timeout=3")
    assert "username" not in found
    assert (found["port"], found["timeout"], found["use_tls"]) == (2525, 3.0, False)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("smtp://", "names no mail server"),
        ("smtp://:25", "names no mail server"),
        ("ftp://mail.example", "must start with smtp://"),
        ("mail.example", "must start with smtp://"),
        ("smtp://mail.example:twenty", "port that is not a number"),
        ("smtp://mail.example?tls=1&ssl=1", "both tls and ssl"),
        ("smtp://mail.example?tsl=1", "unknown options: tsl"),
        ("smtp://mail.example?timeout=soon", "timeout must be a number"),
        ("outbox:", "needs a folder"),
    ],
)
def test_a_bad_email_url_is_refused_with_the_reason(url, says):
    with pytest.raises(ImproperlyConfigured, match=says):
        mailer_from_url(url, base_dir=BASE)


def test_outbox_url_keeps_mail_in_a_folder_of_the_project():
    assert mailer_from_url("outbox:sent-mail", base_dir=BASE) == {
        "BACKEND": "classroom.mail.OutboxBackend",
        "OPTIONS": {"file_path": "/srv/agora/sent-mail"},
    }


def test_outbox_prints_the_message_with_its_long_link_whole_and_keeps_it_as_files(tmp_path):
    link = "http://127.0.0.1:8000/accounts/reset/MQ/cz8x5q-0123456789abcdef0123456789abcdef0123/"
    out = io.StringIO()
    mailer = OutboxBackend(alias="default", file_path=str(tmp_path / "sent-mail"), stream=out)
    message = EmailMessage(
        "Set your password", f"Héllo,\n\n{link}\n", "agora@localhost", ["sam@school.example"]
    )
    assert mailer.send_messages([message]) == 1
    printed = out.getvalue()
    assert link in printed
    assert "To: sam@school.example" in printed and "Subject: Set your password" in printed
    kept = sorted(p.suffix for p in (tmp_path / "sent-mail").iterdir())
    assert kept == [".eml", ".txt"]
    text = next((tmp_path / "sent-mail").glob("*.txt")).read_text()
    assert link in text and "Héllo" in text
    assert b"Subject: Set your password" in next((tmp_path / "sent-mail").glob("*.eml")).read_bytes()


def test_the_unconfigured_mailer_refuses_to_send_and_says_why():
    mailer = NotConfiguredBackend(alias="default")
    message = EmailMessage("s", "b", "agora@localhost", ["sam@school.example"])
    with pytest.raises(MailNotConfigured, match="EMAIL_URL is not set"):
        mailer.send_messages([message])
