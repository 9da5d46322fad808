"""Sending a sign-in link (email) or code (SMS), outside any transaction.

Called by the job :func:`inbox.jobs.portal.send_portal_sign_in` for every
request, matched or not (a request that matched nobody sends nothing), so
the web request that asked does the same work either way. The link or code
is derived again here from the row's salt (never stored, never put in the
job's arguments). Safe to run twice: a request already sent, used or
expired is left alone. A mail server or Twilio that is down raises, for the
job's retry; the address is cleared from the row once the link is sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from channels.base import Outbound
from config import Settings
from inbox.database import Database
from inbox.models import PortalSignIn
from inbox.portal.i18n import translate
from inbox.portal.signin import link_token, sms_code

log = logging.getLogger(__name__)


class CannotSend(Exception):  # noqa: N818 - reads as what happened
    """No channel is configured for it (no SMTP mailbox, no Twilio): not retried."""


@dataclass(frozen=True)
class _Send:
    channel: str
    to: str
    language: str
    secret_part: str  # the link or the code
    minutes: int


def send_sign_in(db: Database, settings: Settings, secret: bytes, sign_in_id: int,
                 now: datetime) -> str:
    """Send request ``sign_in_id``; returns what happened (for the job's result)."""
    with db.transaction() as session:
        row = session.get(PortalSignIn, sign_in_id)
        if row is None or row.customer_id is None:
            return "nothing to send"
        if row.sent_at is not None or row.used_at is not None or row.contact is None:
            return "sent before"
        if row.expires_at <= now:
            row.contact = None
            return "expired"
        minutes = max(1, round((row.expires_at - row.created_at).total_seconds() / 60))
        if row.channel == "email":
            base = (settings.portal.public_url or row.link_base).rstrip("/")
            secret_part = f"{base}/portal/link/{link_token(secret, row.salt)}"
        else:
            secret_part = sms_code(secret, row.salt)
        send = _Send(row.channel, row.contact, row.language, secret_part, minutes)
    if send.channel == "email":
        _email(settings, send)
    else:
        _sms(settings, send)
    with db.transaction() as session:
        row = session.get(PortalSignIn, sign_in_id)
        if row is not None:
            row.sent_at, row.contact = now, None
    return "sent"


def _email(settings: Settings, send: _Send) -> None:
    from channels.email.smtp import send as smtp_send

    box = next((m for m in settings.mailboxes if m.smtp_host), None)
    if box is None:
        raise CannotSend("no mailbox with an SMTP server is configured")
    lang = send.language
    text = "\n\n".join([
        translate(lang, "Hello,"),
        translate(lang, "use this link to sign in to your customer portal. It works once, "
                        "for %(minutes)s minutes:", minutes=send.minutes),
        send.secret_part,
        translate(lang, "If you did not ask for it, you can ignore this message."),
    ]) + "\n"
    smtp_send(box, Outbound(channel="email", to=send.to, from_address=box.address,
                            subject=translate(lang, "Your sign-in link"), text=text,
                            language=lang, extras={"automatic": "auto-generated"}), timeout=20)


def _sms(settings: Settings, send: _Send) -> None:
    from channels.twilio.rest import connect, send_sms

    twilio = settings.twilio
    if twilio is None or not twilio.numbers:
        raise CannotSend("Twilio is not configured")
    body = translate(send.language, "Your sign-in code is %(code)s. It works for "
                                    "%(minutes)s minutes.",
                     code=send.secret_part, minutes=send.minutes)
    with connect(twilio) as client:
        send_sms(client, twilio.numbers[0], send.to, body)
