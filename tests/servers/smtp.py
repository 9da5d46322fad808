"""A real SMTP server for tests: ``aiosmtpd`` in-process on a free loopback port.

It captures what it accepts (envelope + raw bytes) in ``messages``; optional
STARTTLS or implicit TLS with the run's private CA, optional AUTH (PLAIN and
LOGIN against a dict of users); ``reply_to_data`` / ``reply_to_rcpt`` make it
refuse (550) or defer (451) for error tests.

    def test_reply(smtp_server):
        send(smtp_server.mailbox(), outbound)
        assert smtp_server.messages[0].rcpt_tos == ["jane@example.com"]

    def test_tls(smtp_server_factory):
        server = smtp_server_factory(tls="starttls", users={"claims": "pw"})
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any, Literal

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.servers.tls import TestCA, free_port

if TYPE_CHECKING:
    from config.email import Mailbox

SMTP_PASSWORD_ENV = "TEST_SMTP_PASSWORD"
Tls = Literal["none", "starttls", "ssl"]


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    auth_user: str | None = None
    tls: bool = False

    def parsed(self) -> EmailMessage:
        msg = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class _Handler:
    messages: list[ReceivedMail] = field(default_factory=list)
    # "550 5.7.1 No thanks" / "451 4.3.0 Try later": the reply to DATA instead of 250.
    reply_to_data: str | None = None
    # Per recipient (lower-case address): the reply to its RCPT TO instead of 250.
    reply_to_rcpt: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any,  # noqa: N802
                          address: str, rcpt_options: list[str]) -> str:
        reply = self.reply_to_rcpt.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.reply_to_data:
            return self.reply_to_data
        raw = envelope.original_content or envelope.content or b""
        self.messages.append(ReceivedMail(
            mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos), raw=bytes(raw),
            auth_user=session.auth_data if session.authenticated else None,
            tls=server.transport.get_extra_info("ssl_object") is not None,
        ))
        return "250 Message accepted for delivery"


class SmtpServer:
    """``tls``: none | starttls (offered, and required for AUTH) | ssl (implicit
    TLS, as on port 465). ``users``: AUTH accounts; AUTH is then required."""

    def __init__(self, ca: TestCA | None = None, *, tls: Tls = "none",
                 users: dict[str, str] | None = None, host: str = "127.0.0.1") -> None:
        if tls != "none" and ca is None:
            raise ValueError("TLS needs the test CA")
        self.ca, self.tls, self.host = ca, tls, host
        self.users = dict(users or {})
        self.handler = _Handler()
        self.port = free_port()
        kwargs: dict[str, Any] = {"server_hostname": "smtp.inbox.test", "ready_timeout": 10}
        context = ca.server_context() if ca is not None else None
        if tls == "starttls":
            kwargs |= {"tls_context": context, "require_starttls": True}
        elif tls == "ssl":
            kwargs["ssl_context"] = context
        if self.users:
            kwargs |= {"authenticator": self._authenticate, "auth_required": True,
                       "auth_require_tls": tls != "none"}
        self._controller = Controller(self.handler, hostname=host, port=self.port, **kwargs)
        self._running = False

    @property
    def messages(self) -> list[ReceivedMail]:
        return self.handler.messages

    def reply_to_data(self, reply: str | None) -> None:
        """Answer DATA with ``reply`` ("550 ...", "451 ...") until set back to None."""
        self.handler.reply_to_data = reply

    def reply_to_rcpt(self, address: str, reply: str) -> None:
        self.handler.reply_to_rcpt[address.lower()] = reply

    def start(self) -> SmtpServer:
        self._controller.start()
        self._running = True
        return self

    def stop(self) -> None:
        if self._running:
            self._controller.stop()
            self._running = False

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode("utf-8", "replace")
            password = auth_data.password.decode("utf-8", "replace")
            if self.users.get(login) == password:
                return AuthResult(success=True, auth_data=login)
        return AuthResult(success=False, handled=False)

    def mailbox(self, *, address: str = "claims@insurer.test", username: str = "",
                password: str = "", security: Tls | None = None, **overrides: Any) -> Mailbox:
        """A ``config.email.Mailbox`` that sends through this server (its IMAP
        settings are placeholders). ``security`` defaults to the server's TLS."""
        from config.email import Mailbox

        fields: dict[str, Any] = {
            "name": "test", "address": address, "imap_host": "127.0.0.1", "imap_port": 1,
            "imap_security": "none", "username": "unused", "password_env": "UNUSED",
            "smtp_host": self.host, "smtp_port": self.port,
            "smtp_security": security or self.tls, "smtp_username": username,
            "smtp_password_env": SMTP_PASSWORD_ENV if username else "",
            "ca_file": str(self.ca.ca_file) if self.ca else "",
            "env": {SMTP_PASSWORD_ENV: password} if username else {},
        }
        fields.update(overrides)
        return Mailbox(**fields)


# -- pytest fixtures (import them into a conftest.py, with ``test_ca``) -----------------

SmtpFactory = Callable[..., SmtpServer]


@pytest.fixture
def smtp_server_factory(test_ca: TestCA) -> Iterator[SmtpFactory]:
    """``factory(tls="none"|"starttls"|"ssl", users={...})``: started servers,
    stopped after the test."""
    servers: list[SmtpServer] = []

    def make(*, tls: Tls = "none", users: dict[str, str] | None = None) -> SmtpServer:
        server = SmtpServer(test_ca, tls=tls, users=users).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def smtp_server(smtp_server_factory: SmtpFactory) -> SmtpServer:
    """A plain SMTP server (no TLS, no AUTH) for this test."""
    return smtp_server_factory()
