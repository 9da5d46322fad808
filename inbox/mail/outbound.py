"""Email replies: queued in the thread's transaction, sent by a job after
commit, and filed as a message of the thread only once the SMTP server
accepted them.

The Message-ID is chosen when the reply is queued, so a resend after a crash
carries the same id, and the customer's answer (In-Reply-To / References)
threads back to it. Automatic mail (bounces, out-of-office) is never answered
automatically: loops are refused here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from email.utils import make_msgid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from channels.base import Outbound
from config import Settings
from config.email import Mailbox
from inbox.database import Database
from inbox.intake.subjects import strip_prefixes
from inbox.mail.texts import closing_text, reply_text
from inbox.models import Message, OutboundMessage, Thread
from inbox.outbound import (
    Accepted,
    ReplyError,
    customer_contact,
    file_sent,
    queue_reply,
    reply_thread,
    send_queued_reply,
)

log = logging.getLogger(__name__)
MAX_REFERENCES = 20


def queue_email_reply(
    session: Session,
    settings: Settings,
    thread_id: int,
    body: str,
    now: datetime,
    *,
    author_id: int | None = None,
    automatic: bool = False,
    team: str = "Claims service",
    subject: str = "",
) -> OutboundMessage:
    """Queue an email answer in the thread. It replies to the customer's latest
    email (threading headers, the quoted message); a thread without one (a
    call, a letter) gets a new email to the customer's address on file."""
    thread, _ = reply_thread(session, thread_id, body)
    last = session.scalars(
        sa.select(Message)
        .where(Message.thread_id == thread_id, Message.direction == "inbound",
               Message.channel == "email")
        .order_by(Message.received_at.desc(), Message.id.desc()).limit(1)
    ).first()
    if last is None:
        return _queue_new_email(session, settings, thread, body, now, author_id=author_id,
                                team=team, subject=subject)
    if automatic and last.auto:
        raise ReplyError("no automatic answer to automatic mail (loop prevention)")
    mailbox = mailbox_for(settings, last)
    if last.sender.lower() == mailbox.address.lower():
        raise ReplyError("refusing to send a reply to our own mailbox")

    domain = mailbox.address.rpartition("@")[2]
    message_id = make_msgid(domain=domain).strip("<>")
    references = [*last.references, last.external_id][-MAX_REFERENCES:]
    language = thread.language or last.language or thread.customer.language
    subject = strip_prefixes(last.subject or thread.subject)
    text = reply_text(
        body, language=language, team=team, quoted_name=last.sender_name or last.sender,
        quoted_at=last.received_at, quoted_text=last.text, timezone=settings.timezone,
    )
    return queue_reply(
        session, thread, now, channel="email", external_id=message_id, sender=mailbox.name,
        recipient=last.sender, subject=f"Re: {subject}" if subject else "Re:", text=text,
        language=language, in_reply_to=last.external_id, references=references,
        extras={"automatic": True} if automatic else {}, author_id=author_id,
    )


def _queue_new_email(session: Session, settings: Settings, thread: Thread, body: str,
                     now: datetime, *, author_id: int | None, team: str,
                     subject: str) -> OutboundMessage:
    if not settings.mailboxes:
        raise ReplyError("no mailbox is configured to send email from")
    address = customer_contact(session, thread.customer_id, "email")
    if address is None:
        raise ReplyError("this customer has no email address to write to")
    mailbox = settings.mailboxes[0]
    if address.lower() == mailbox.address.lower():
        raise ReplyError("refusing to send a reply to our own mailbox")
    language = thread.language or thread.customer.language
    text = f"{body.strip()}\n\n{closing_text(language, team)}\n"
    subject = (subject or strip_prefixes(thread.subject) or "").strip()[:480]
    return queue_reply(
        session, thread, now, channel="email",
        external_id=make_msgid(domain=mailbox.address.rpartition("@")[2]).strip("<>"),
        sender=mailbox.name, recipient=address, subject=subject, text=text,
        language=language, author_id=author_id,
    )


def mailbox_for(settings: Settings, message: Message) -> Mailbox:
    """The mailbox that received ``message`` answers it; else the first one."""
    if not settings.mailboxes:
        raise ReplyError("no mailbox is configured to send email from")
    wanted = message.extras.get("mailbox")
    for box in settings.mailboxes:
        if box.name == wanted:
            return box
    return settings.mailboxes[0]


def mailbox_for_name(settings: Settings, name: str) -> Mailbox:
    for box in settings.mailboxes:
        if box.name == name:
            return box
    raise ReplyError(f"mailbox {name!r} is no longer configured")


def to_outbound(row: OutboundMessage, mailbox: Mailbox) -> Outbound:
    return Outbound(
        channel="email", to=row.recipient, subject=row.subject, text=row.text, html=row.html,
        from_address=mailbox.address, in_reply_to=row.in_reply_to,
        references=list(row.references), message_id=row.external_id, language=row.language,
        extras=dict(row.extras),
    )


def record_sent(session: Session, row: OutboundMessage, mailbox: Mailbox,
                accepted_at: datetime) -> Message:
    """The server accepted it: file it in the thread, the thread is answered."""
    return file_sent(
        session, row, Accepted(row.external_id, accepted_at), sender=mailbox.address,
        auto=bool(row.extras.get("automatic")),
        extras={"mailbox": mailbox.name, "outbound_id": row.id},
    )


def send_queued(db: Database, settings: Settings, outbound_id: int) -> str:
    """Send one queued reply; returns its status. Safe to run twice: a sent
    reply is not sent again. A temporary failure (server down, 4xx) is
    recorded on the reply and raised (:class:`SmtpUnavailable`) for the job's
    retry; a permanent one (5xx) marks it failed.

    Between the server's acceptance and our commit a crash could send it once
    more: SMTP cannot be exactly-once, but the resend carries the same
    Message-ID, which mail clients collapse."""
    from channels.email.smtp import SmtpRejected, SmtpUnavailable, send

    mailboxes: dict[int, Mailbox] = {}

    def deliver(row: OutboundMessage) -> Callable[[], Accepted]:
        mailbox = mailboxes[row.id] = mailbox_for_name(settings, row.sender)
        outbound = to_outbound(row, mailbox)

        def call() -> Accepted:
            sent = send(mailbox, outbound)
            return Accepted(outbound.message_id or "", sent.accepted_at)

        return call

    def file(session: Session, row: OutboundMessage, accepted: Accepted) -> Message:
        return record_sent(session, row, mailboxes[row.id], accepted.at)

    return send_queued_reply(db, outbound_id, channel="email", deliver=deliver, file=file,
                             permanent=(SmtpRejected,), temporary=(SmtpUnavailable,))
