"""What every channel's replies share: sending after commit, filing the reply
in the thread only once the channel accepted it, and recording failures.

A channel supplies how to send (``deliver``: the queued row's data in, the
channel's id and acceptance time out) and which of its errors are permanent
(the reply is marked failed, not retried) or temporary (recorded, re-raised
for the job's retry). Network I/O runs between two transactions, never inside
one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from config import Settings
from inbox import audit
from inbox.database import Database
from inbox.metrics.facts import refresh_threads
from inbox.models import CustomerIdentity, Message, OutboundMessage, Thread


class ReplyError(ValueError):
    """A reply that cannot be sent as asked; the message says why."""


def reply_thread(session: Session, thread_id: int, body: str) -> tuple[Thread, str]:
    """The thread a reply answers and the reply's text, stripped; raises
    :class:`ReplyError` for a thread that does not exist or an empty reply."""
    thread = session.get(Thread, thread_id)
    if thread is None:
        raise ReplyError(f"no thread {thread_id}")
    text = body.strip()
    if not text:
        raise ReplyError("the reply is empty")
    return thread, text


def customer_contact(session: Session, customer_id: int, kind: str) -> str | None:
    """The customer's address of ``kind`` (email, phone) to write to: a
    verified one first, the newest of those."""
    return session.scalars(
        sa.select(CustomerIdentity.value)
        .where(CustomerIdentity.customer_id == customer_id, CustomerIdentity.kind == kind)
        .order_by(CustomerIdentity.verified.desc(), CustomerIdentity.id.desc()).limit(1)
    ).first()


def queue_reply(session: Session, thread: Thread, now: datetime, *, channel: str,
                external_id: str, recipient: str, text: str, author_id: int | None = None,
                **fields: Any) -> OutboundMessage:
    """A reply waiting to be sent after commit (by the channel's job), audited.
    ``fields`` are the rest of the row (sender, subject, language, extras...)."""
    outbound = OutboundMessage(
        thread_id=thread.id, channel=channel, external_id=external_id, recipient=recipient,
        text=text, status="pending", attempts=0, author_id=author_id, created_at=now,
        **{"sender": "", "subject": "", "in_reply_to": None, "references": [],
           "extras": {}, **fields},
    )
    session.add(outbound)
    session.flush()
    audit.record(session, thread, "reply.queued", now, actor_id=author_id,
                 outbound_id=outbound.id, channel=channel)
    return outbound


REPLY_CHANNELS = ("email", "sms", "letter")


def queue_on_channel(session: Session, settings: Settings, channel: str, thread_id: int,
                     body: str, now: datetime, *, author_id: int | None,
                     subject: str = "") -> OutboundMessage:
    """Queue a reply in the thread on ``channel`` (email, sms or letter);
    :class:`ReplyError` when that channel cannot carry it."""
    if channel == "email":
        from inbox.mail.outbound import queue_email_reply

        return queue_email_reply(session, settings, thread_id, body, now, author_id=author_id,
                                 team=settings.claims.team, subject=subject)
    if channel == "sms":
        from inbox.calls.outbound import queue_sms_reply

        return queue_sms_reply(session, settings, thread_id, body, now, author_id=author_id)
    if channel == "letter":
        from inbox.letters.replies import queue_letter_reply

        return queue_letter_reply(session, thread_id, body, now, subject=subject,
                                  author_id=author_id)
    raise ReplyError(f"cannot reply on {channel!r}; channels are {', '.join(REPLY_CHANNELS)}")


@dataclass(frozen=True)
class Accepted:
    """The channel took the reply: its id for the message, and when."""

    external_id: str
    at: datetime


def send_queued_reply(
    db: Database,
    outbound_id: int,
    *,
    channel: str,
    deliver: Callable[[OutboundMessage], Callable[[], Accepted]],
    file: Callable[[Session, OutboundMessage, Accepted], Message],
    permanent: tuple[type[Exception], ...],
    temporary: tuple[type[Exception], ...],
    now: datetime | None = None,
) -> str:
    """Send one queued reply; returns its status. Safe to run twice: a sent
    reply is not sent again. ``deliver`` is called inside the first
    transaction with the row and returns the network call, run after it.

    A reply scheduled for later (``send_at`` after ``now``, default the
    clock) is left alone: ``"scheduled"``, not even an attempt counted. The
    row is read ``FOR UPDATE``, so a cancel (:func:`inbox.workspace.later.
    cancel_reply`, conditional on no attempt yet) either comes first and is
    seen here, or waits and is refused."""
    with db.transaction() as session:
        row = session.get(OutboundMessage, outbound_id, with_for_update=True)
        if row is None or row.channel != channel or row.status in {"sent", "cancelled"}:
            return row.status if row is not None else "missing"
        if row.send_at is not None and row.send_at > (now or datetime.now(UTC)):
            return "scheduled"
        row.attempts += 1
        send = deliver(row)
    try:
        accepted = send()
    except permanent as exc:
        _record_failure(db, outbound_id, "failed", str(exc))
        return "failed"
    except temporary as exc:
        _record_failure(db, outbound_id, "pending", str(exc))
        raise
    with db.transaction() as session:
        row = session.get(OutboundMessage, outbound_id)
        assert row is not None
        if row.status != "sent":  # else a concurrent run got there first
            file(session, row, accepted)
    return "sent"


def file_sent(session: Session, row: OutboundMessage, accepted: Accepted,
              **fields: Any) -> Message:
    """The channel accepted ``row``: file it in the thread, mark the reply sent
    and (unless it was automatic) the thread answered. ``fields`` are the
    channel's own message columns (sender, subject, extras ...)."""
    thread = session.get(Thread, row.thread_id)
    assert thread is not None
    values: dict[str, Any] = {
        "recipient": row.recipient, "subject": row.subject, "text": row.text, "html": row.html,
        "language": row.language, "auto": False, "in_reply_to": row.in_reply_to,
        "references": list(row.references), "extras": {"outbound_id": row.id},
        **fields,
    }
    message = Message(
        thread_id=thread.id, customer_id=thread.customer_id, channel=row.channel,
        direction="outbound", external_id=accepted.external_id, received_at=accepted.at,
        author_id=row.author_id, created_at=accepted.at, **values,
    )
    session.add(message)
    session.flush()
    row.status, row.sent_at, row.message_id, row.last_error = "sent", accepted.at, message.id, ""
    thread.last_message_at = max(filter(None, [thread.last_message_at, accepted.at]))
    if not message.auto:
        mark_answered(thread, accepted.at)
    audit.record(session, thread, "reply.sent", accepted.at, actor_id=row.author_id,
                 outbound_id=row.id, message_id=message.id, channel=row.channel)
    refresh_threads(session, [thread.id])  # the dashboard's response facts
    return message


def mark_answered(thread: Thread, at: datetime) -> None:
    """We answered: the first response is timed, nothing is due from us (the
    response target is met or late: inbox.sla; the resolution clock runs on)."""
    from inbox.sla.claims import refresh_claim_of
    from inbox.sla.track import record_pending, track

    thread.last_message_at = max(filter(None, [thread.last_message_at, at]))
    if thread.first_response_at is None:
        thread.first_response_at = at
    thread.needs_reply = False
    track(thread, at, answered=True)
    session = object_session(thread)
    if session is not None:
        record_pending(session)
        refresh_claim_of(thread, at)  # a written answer about a claim (acknowledged, status)


def _record_failure(db: Database, outbound_id: int, status: str, error: str) -> None:
    with db.transaction() as session:
        row = session.get(OutboundMessage, outbound_id)
        if row is not None and row.status != "sent":
            row.status, row.last_error = status, error[:2000]
