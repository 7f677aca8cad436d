"""A real SMTP server for the notification tests (aiosmtpd), which may refuse for a while."""

import asyncio
import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the server accepted, parsed; it first refuses `refuse` messages with a 451."""

    def __init__(self, refuse: int = 0, delay: float = 0) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = refuse
        # Seconds a slow server takes to accept each recipient: the worker is mid-task and
        # mid-conversation then, before the message is handed over.
        self.delay = delay
        self.refused = 0
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.delay:
            await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            if self.refused < self.refuse:
                self.refused += 1
                return "451 4.3.0 Try again later"
            self.messages.append(
                email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            )
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]

    @staticmethod
    def text(message) -> str:
        return message.get_body(("plain",)).get_content()

    @staticmethod
    def html(message) -> str:
        return message.get_body(("html",)).get_content()

    @classmethod
    def everything(cls, message) -> str:
        """Every header and both bodies: what a scan for names must cover."""
        headers = "\n".join(f"{name}: {value}" for name, value in message.items())
        return f"{headers}\n{cls.text(message)}\n{cls.html(message)}"


class SmtpServer:
    def __init__(self, refuse: int = 0, delay: float = 0) -> None:
        self.inbox = Inbox(refuse, delay)
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?timeout=5"

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


@pytest.fixture
def smtp(settings):
    """A running SMTP server, and the site's mail going to it."""
    from classroom.mail import mailer_from_url

    with SmtpServer() as server:
        settings.MAILERS = {"default": mailer_from_url(server.url, base_dir=settings.BASE_DIR)}
        settings.AGORA_SITE_URL = "https://agora.school.example"
        yield server
