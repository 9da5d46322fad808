"""Replies out by SMTP: build the MIME message for an :class:`Outbound` and hand
it to the mailbox's SMTP server.

:func:`send` returns only after the server accepted the message (at least one
recipient); what it returns (Message-ID, time, raw bytes) is what the core
stores as the outbound message. Errors:

* :class:`SmtpRejected` - a permanent refusal (5xx reply, no usable STARTTLS or
  AUTH, untrusted certificate, no valid recipient): do not retry; show it.
* :class:`SmtpUnavailable` - connection refused / dropped / timed out or a 4xx
  reply: retry later (the RQ job's retry).

Both carry ``code`` (the SMTP reply code or None) and ``reply`` (the server's
text), so the thread can show what the server said.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, getaddresses, make_msgid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from channels.base import Outbound
    from config.email import Mailbox

# References keeps the thread root and the most recent ids (RFC 5322 3.6.4 allows
# trimming); long chains from mailing lists otherwise grow without bound.
REFERENCES_MAX = 20
_ID_HEADERS = frozenset({"message-id", "in-reply-to", "references"})


class SmtpError(Exception):
    permanent = False

    def __init__(self, message: str, *, code: int | None = None, reply: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.reply = reply


class SmtpRejected(SmtpError):  # noqa: N818 - the name says what the caller does
    """Permanent: the server (or the setup) refuses this message; don't retry."""

    permanent = True


class SmtpUnavailable(SmtpError):  # noqa: N818
    """Temporary: the server could not be reached or said 4xx; retry later."""


@dataclass(frozen=True)
class SentMail:
    message_id: str  # without angle brackets, as Inbound ids are kept
    accepted_at: datetime  # UTC, when the server accepted the message
    raw: bytes = b""  # exactly what was sent
    # Recipients the server refused while accepting others: {address: (code, reply)}.
    refused: dict[str, tuple[int, str]] = field(default_factory=dict)


class _Policy(EmailPolicy):
    """``policy.SMTP`` (CRLF) with 7-bit bodies, except that Message-ID,
    In-Reply-To and References fold between ids only: the stock folder turns a
    msg-id longer than a line into an RFC 2047 encoded word, which breaks
    threading in every mail client."""

    def fold(self, name: str, value: Any) -> str:
        if name.lower() in _ID_HEADERS:
            return f"{name}: " + f"{self.linesep} ".join(str(value).split()) + self.linesep
        return super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        if name.lower() in _ID_HEADERS:
            return self.fold(name, value).encode("ascii")
        return super().fold_binary(name, value)


POLICY = _Policy(linesep="\r\n", cte_type="7bit")


def build_message(mailbox: Mailbox, outbound: Outbound, *,
                  now: datetime | None = None) -> EmailMessage:
    """The reply as MIME: From the mailbox's address, text (+ HTML alternative,
    inline ``cid:`` images, attachments), threading headers with angle
    brackets, a Message-ID in the mailbox's domain unless ``outbound.message_id``
    is given, ``Auto-Submitted: auto-replied`` for automatic answers
    (``extras["automatic"]`` true) or ``auto-generated`` when it says so."""
    domain = mailbox.address.rpartition("@")[2] or "localhost"
    msg = EmailMessage(policy=POLICY)
    msg["From"] = mailbox.address
    msg["To"] = outbound.to
    msg["Subject"] = outbound.subject
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    given = _msgid(outbound.message_id) if outbound.message_id else None
    msg["Message-ID"] = given or make_msgid(domain=domain)
    parent = _msgid(outbound.in_reply_to) if outbound.in_reply_to else None
    if parent:
        msg["In-Reply-To"] = parent
    references = reference_chain(outbound.references, parent)
    if references:
        msg["References"] = " ".join(references)
    automatic = outbound.extras.get("automatic")
    if automatic:
        # RFC 3834: an answer to a message is auto-replied; a mail we send on
        # our own (a sign-in link, a notice) may say "auto-generated".
        msg["Auto-Submitted"] = automatic if automatic == "auto-generated" else "auto-replied"
    msg.set_content(outbound.text or "")
    if outbound.html:
        msg.add_alternative(outbound.html, subtype="html")
    for att in outbound.attachments:
        if att.data is None:
            raise ValueError(f"attachment {att.filename!r}: load its bytes (data) before sending")
        maintype, _, subtype = (att.content_type or "application/octet-stream").partition("/")
        if att.inline and att.content_id and outbound.html:
            html = msg.get_body(("html",))
            assert html is not None
            html.add_related(att.data, maintype, subtype or "octet-stream",
                             cid=f"<{att.content_id.strip('<>')}>", filename=att.filename)
        else:
            msg.add_attachment(att.data, maintype, subtype or "octet-stream",
                               filename=att.filename)
    return msg


def reference_chain(references: Iterable[str], in_reply_to: str | None) -> list[str]:
    """``<id>`` list: the given References, then In-Reply-To last, each id once;
    invalid ids dropped; at most REFERENCES_MAX, keeping the first (thread root)
    and the latest."""
    chain: dict[str, None] = {}
    for ref in references:
        for token in ref.split():  # one string may hold several ids
            normal = _msgid(token)
            if normal:
                chain.setdefault(normal)
    ids = list(chain)
    if in_reply_to:
        normal = _msgid(in_reply_to)
        if normal:
            ids = [i for i in ids if i != normal] + [normal]
    if len(ids) > REFERENCES_MAX:
        ids = ids[:1] + ids[-(REFERENCES_MAX - 1):]
    return ids


def send(mailbox: Mailbox, outbound: Outbound, *, timeout: float = 30) -> SentMail:
    """Send ``outbound`` through the mailbox's SMTP server (``smtp_security``:
    ssl | starttls | none; ``ca_file`` for a private CA; AUTH when
    ``smtp_username`` is set). Returns once the server accepted it."""
    if not mailbox.smtp_host:
        raise SmtpRejected(f"mailbox {mailbox.name}: no smtp_host configured")
    try:
        msg = build_message(mailbox, outbound)
    except (ValueError, TypeError) as exc:
        raise SmtpRejected(f"cannot build the message: {exc}") from exc
    recipients = [addr for _name, addr in getaddresses([outbound.to]) if "@" in addr]
    if not recipients:
        raise SmtpRejected(f"no valid recipient address in {outbound.to!r}")
    raw = msg.as_bytes()
    domain = mailbox.address.rpartition("@")[2] or "localhost"
    where = f"{mailbox.smtp_host}:{mailbox.smtp_port}"
    try:
        smtp = _open(mailbox, timeout, domain)
        try:
            refused = smtp.sendmail(mailbox.address, recipients, raw)
            accepted_at = datetime.now(UTC)
        finally:
            _quit(smtp)
    except SmtpError:
        raise
    except Exception as exc:
        raise _classify(exc, where) from exc
    return SentMail(
        message_id=str(msg["Message-ID"]).strip().strip("<>"),
        accepted_at=accepted_at,
        raw=raw,
        refused={addr: (code, _text(reply)) for addr, (code, reply) in refused.items()},
    )


def _open(mailbox: Mailbox, timeout: float, local_hostname: str) -> smtplib.SMTP:
    context = None
    if mailbox.smtp_security in ("ssl", "starttls"):
        context = ssl.create_default_context(cafile=mailbox.ca_file or None)
    smtp: smtplib.SMTP
    if mailbox.smtp_security == "ssl":
        smtp = smtplib.SMTP_SSL(mailbox.smtp_host, mailbox.smtp_port, timeout=timeout,
                                context=context, local_hostname=local_hostname)
    else:
        smtp = smtplib.SMTP(mailbox.smtp_host, mailbox.smtp_port, timeout=timeout,
                            local_hostname=local_hostname)
    try:
        smtp.ehlo()
        if mailbox.smtp_security == "starttls":
            if not smtp.has_extn("starttls"):
                raise SmtpRejected(f"{mailbox.smtp_host} does not offer STARTTLS")
            smtp.starttls(context=context)
            smtp.ehlo()
        if mailbox.smtp_username:
            _login(smtp, mailbox.smtp_username, mailbox.smtp_password())
    except BaseException:
        _quit(smtp)
        raise
    return smtp


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    if (username + password).isascii():
        smtp.login(username, password)
        return
    # smtplib encodes AUTH data as ASCII; AUTH PLAIN carries UTF-8 (RFC 4616).
    if "plain" not in smtp.esmtp_features.get("auth", "").lower().split():
        raise SmtpRejected("a non-ASCII SMTP password needs AUTH PLAIN, which is not offered")
    token = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _classify(exc: BaseException, where: str) -> SmtpError:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = {addr: (code, _text(reply)) for addr, (code, reply) in exc.recipients.items()}
        text = "; ".join(f"{addr}: {code} {reply}" for addr, (code, reply) in replies.items())
        codes = [code for code, _ in replies.values()]
        kind = SmtpRejected if codes and all(c >= 500 for c in codes) else SmtpUnavailable
        return kind(f"{where} refused every recipient: {text}",
                    code=max(codes, default=None), reply=text)
    if isinstance(exc, smtplib.SMTPResponseException):
        code, reply = exc.smtp_code, _text(exc.smtp_error)
        kind = SmtpRejected if 500 <= code < 600 else SmtpUnavailable
        return kind(f"{where} replied {code} {reply}", code=code, reply=reply)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return SmtpRejected(f"{where}: {exc}")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return SmtpRejected(f"{where}: certificate not trusted: {exc.verify_message}")
    if isinstance(exc, smtplib.SMTPServerDisconnected | OSError | smtplib.SMTPException):
        return SmtpUnavailable(f"{where}: {exc.__class__.__name__}: {exc}")
    if isinstance(exc, ValueError):  # e.g. a missing smtp_password_env
        return SmtpRejected(f"{where}: {exc}")
    return SmtpUnavailable(f"{where}: {exc.__class__.__name__}: {exc}")


def _msgid(value: str | None) -> str | None:
    """``<id>`` for a message id given with or without brackets; None if unusable
    (no ``@``, spaces, non-ASCII)."""
    core = (value or "").strip().strip("<>").strip()
    if "@" not in core or not core.isascii() or any(c in core for c in " \t\r\n<>"):
        return None
    return f"<{core}>"


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
