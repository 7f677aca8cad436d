"""Outgoing mail: the mailer named by EMAIL_URL, and the two mailers Agora adds.

EMAIL_URL is one of
  smtp://[user:password@]host[:port][?tls=1|ssl=1&timeout=seconds]   a mail server
      (tls=1: STARTTLS, port 587 by default; ssl=1 or smtps://: TLS from the start,
      port 465; user and password percent-encoded, as in any URL)
  outbox:folder   nothing leaves the machine: each message is printed in the server's
      output and kept in the folder (relative to the project) twice: as a .eml file for
      a mail program, and as a .txt file with its links unbroken
Unset: outbox:sent-mail with DJANGO_DEBUG on; with it off, a mailer that sends nothing
and says so, so a password reset tells the user the truth instead of failing quietly.
"""

import logging
import sys
import threading
from email.message import EmailMessage as StdEmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.core.mail import mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

logger = logging.getLogger(__name__)

SMTP_TIMEOUT = 10  # seconds: a stuck mail server must not hold a worker until gunicorn kills it
TRUE = {"1", "true", "yes", "on"}


class MailNotConfigured(Exception):
    """This site has no way to send mail (EMAIL_URL is not set)."""


def mailer_from_url(url: str, *, base_dir: Path) -> dict:
    """The MAILERS["default"] entry for an EMAIL_URL; ImproperlyConfigured names what is wrong."""
    url = url.strip()
    scheme = url.partition(":")[0].lower()
    if scheme == "outbox":
        folder = url.partition(":")[2].removeprefix("//")
        if not folder:
            raise ImproperlyConfigured("EMAIL_URL=outbox: needs a folder, e.g. outbox:sent-mail")
        return {"BACKEND": "classroom.mail.OutboxBackend", "OPTIONS": {"file_path": str(base_dir / folder)}}
    if scheme not in {"smtp", "smtps"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL must start with smtp://, smtps:// or outbox: (got {scheme or 'nothing'}:)"
        )
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL has a port that is not a number.") from None
    if not parts.hostname:
        raise ImproperlyConfigured(
            "EMAIL_URL names no mail server, e.g. smtp://user:pass@mail.example.edu:587?tls=1"
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"tls", "ssl", "timeout"}
    if unknown:
        raise ImproperlyConfigured(
            f"EMAIL_URL has unknown options: {', '.join(sorted(unknown))} (tls, ssl, timeout)"
        )
    use_ssl = scheme == "smtps" or query.get("ssl", "").lower() in TRUE
    use_tls = query.get("tls", "").lower() in TRUE
    if use_ssl and use_tls:
        raise ImproperlyConfigured("EMAIL_URL asks for both tls and ssl; a server speaks one of them.")
    try:
        timeout = float(query.get("timeout", SMTP_TIMEOUT))
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL's timeout must be a number of seconds.") from None
    options = {"host": parts.hostname, "use_tls": use_tls, "use_ssl": use_ssl, "timeout": timeout}
    if port:
        options["port"] = port
    if parts.username:
        options["username"] = unquote(parts.username)
        options["password"] = unquote(parts.password or "")
    return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}


def mail_works() -> bool:
    """Whether the mailer can reach its server now (opened and closed, nothing sent)."""
    try:
        with mailers.default:
            pass
    except Exception:
        logger.exception("The mailer does not work")
        return False
    return True


def readable(message) -> str:
    """A message as a person reads it: the main headers and the text, links unbroken."""
    mime = message.message()
    text = mime.get_body(("plain",)) if isinstance(mime, StdEmailMessage) else None
    body = text.get_content() if text is not None else message.body
    headers = "".join(f"{name}: {mime[name]}\n" for name in ("From", "To", "Subject", "Date") if mime[name])
    return f"{headers}\n{body}"


class OutboxBackend(BaseEmailBackend):
    """Sends nothing: prints each message in the server's output and keeps it in a folder."""

    def __init__(self, *, file_path: str, stream=None, **kwargs):
        super().__init__(**kwargs)
        self.folder = Path(file_path)
        self.stream = stream
        self._lock = threading.Lock()

    def send_messages(self, email_messages) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        stream = self.stream or sys.stdout
        count = 0
        with self._lock:
            for message in email_messages:
                stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
                text = readable(message)
                (self.folder / f"{stamp}.eml").write_bytes(message.message().as_bytes())
                (self.folder / f"{stamp}.txt").write_text(text, encoding="utf-8")
                rule = "-" * 72
                stream.write(
                    f"{rule}\nMail not sent (EMAIL_URL=outbox); kept as {self.folder / stamp}.eml and .txt\n"
                    f"{rule}\n{text}\n{rule}\n"
                )
                stream.flush()
                count += 1
        return count


class NotConfiguredBackend(BaseEmailBackend):
    """The mailer of a production site without EMAIL_URL: every send fails, and says why."""

    def open(self):
        raise MailNotConfigured("No mail is sent: EMAIL_URL is not set (see .env.example).")

    def send_messages(self, email_messages) -> int:
        self.open()
        return 0
