"""Answering by phone: SMS replies through Twilio, their delivery state, and
calls made by hand and logged by the rep.

SMS replies follow the email flow (:mod:`inbox.mail.outbound`): an
:class:`OutboundMessage` is queued in the thread's transaction, a job sends it
after commit (:func:`send_queued_sms`), and it becomes a message of the thread
only once Twilio accepted it (with Twilio's MessageSid as its external id).
Twilio then posts the delivery state to ``/webhooks/twilio/sms/status``
(:func:`record_delivery`).

Exactly-once limits: Twilio's Messages API has no idempotency key, so a crash
between Twilio's acceptance and our commit sends the SMS once more on retry;
and a status callback that arrives before that commit finds no message and is
dropped (logged), the next callback of the same SMS records the state.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from config import Settings
from config.twilio import TwilioSettings
from inbox import audit
from inbox.database import Database
from inbox.metrics.facts import refresh_threads
from inbox.models import Message, OutboundMessage, Thread
from inbox.outbound import (
    Accepted,
    ReplyError,
    customer_contact,
    file_sent,
    mark_answered,
    queue_reply,
    reply_thread,
    send_queued_reply,
)

log = logging.getLogger(__name__)

MAX_SMS_LENGTH = 1600  # Twilio's limit for a message body
STATUS_PATH = "/webhooks/twilio/sms/status"
# Delivery states in the order they happen; a later state is never overwritten
# by an earlier one (callbacks may arrive out of order or be replayed).
DELIVERY_ORDER = {"accepted": 0, "queued": 1, "sending": 2, "sent": 3,
                  "delivered": 4, "undelivered": 4, "failed": 4}
CALL_OUTCOMES = ("reached", "no answer", "voicemail", "busy", "wrong number", "failed")

__all__ = ["ReplyError", "log_call", "queue_sms_reply", "record_delivery", "send_queued_sms"]


def _twilio(settings: Settings) -> TwilioSettings:
    if settings.twilio is None:
        raise ReplyError("twilio is not configured ([twilio] in the config)")
    return settings.twilio


def _phones(session: Session, twilio: TwilioSettings | None,
            thread: Thread) -> tuple[str, str] | None:
    """(the customer's phone, our number to use), or None without a phone."""
    last = session.scalars(
        sa.select(Message)
        .where(Message.thread_id == thread.id, Message.direction == "inbound",
               Message.channel.in_(("sms", "call")), Message.sender != "")
        .order_by(Message.received_at.desc(), Message.id.desc()).limit(1)
    ).first()
    ours = twilio.numbers[0] if twilio is not None and twilio.numbers else ""
    if last is not None:
        if twilio is not None and twilio.is_ours(last.recipient):
            ours = last.recipient
        return last.sender, ours
    phone = customer_contact(session, thread.customer_id, "phone")
    return (phone, ours) if phone else None


def queue_sms_reply(
    session: Session,
    settings: Settings,
    thread_id: int,
    body: str,
    now: datetime,
    *,
    author_id: int | None = None,
) -> OutboundMessage:
    """Queue an SMS answer to the customer of the thread (sent by the job
    :func:`inbox.jobs.twilio.send_sms_reply` after commit)."""
    twilio = _twilio(settings)
    thread, text = reply_thread(session, thread_id, body)
    if len(text) > MAX_SMS_LENGTH:
        raise ReplyError(f"an SMS holds at most {MAX_SMS_LENGTH} characters "
                         f"(this one has {len(text)})")
    phones = _phones(session, twilio, thread)
    if phones is None:
        raise ReplyError("this thread has no phone number of the customer to answer")
    to, from_ = phones
    if twilio.is_ours(to):
        raise ReplyError("refusing to send an SMS to our own number")
    return queue_reply(
        session, thread, now, channel="sms", external_id=f"sms-{uuid.uuid4().hex}",
        sender=from_, recipient=to, text=text, language=thread.language, author_id=author_id,
    )


def record_sms_sent(session: Session, row: OutboundMessage, message_sid: str,
                    accepted_at: datetime) -> Message:
    """Twilio accepted it: file it in the thread, the thread is answered."""
    row.extras = {**row.extras, "sid": message_sid}
    return file_sent(
        session, row, Accepted(message_sid, accepted_at), sender=row.sender, subject="",
        html="", in_reply_to=None, references=[],
        extras={"outbound_id": row.id, "delivery": {"status": "queued"}},
    )


def send_queued_sms(db: Database, settings: Settings, outbound_id: int) -> str:
    """Send one queued SMS reply; returns its status. Safe to run twice: a sent
    reply is not sent again. Twilio unreachable (connection, 5xx, 429): the
    error is recorded on the reply and :class:`TwilioUnavailable` raised for the
    job's retry; refused (4xx): the reply is marked failed, not retried.
    Twilio's Messages API has no idempotency key: a crash between its
    acceptance and our commit sends the SMS again on retry."""
    from channels.twilio.rest import TwilioRejected, TwilioUnavailable, connect, send_sms

    twilio = _twilio(settings)

    def deliver(row: OutboundMessage) -> Callable[[], Accepted]:
        from_, to, body = row.sender, row.recipient, row.text

        def call() -> Accepted:
            with connect(twilio) as client:
                sid = send_sms(client, from_, to, body,
                               status_callback=twilio.public_base_url + STATUS_PATH)
            return Accepted(sid, _now())

        return call

    def file(session: Session, row: OutboundMessage, accepted: Accepted) -> Message:
        return record_sms_sent(session, row, accepted.external_id, accepted.at)

    return send_queued_reply(db, outbound_id, channel="sms", deliver=deliver, file=file,
                             permanent=(TwilioRejected,), temporary=(TwilioUnavailable,))


def _now() -> datetime:
    return datetime.now(UTC)


def record_delivery(session: Session, params: dict[str, str], now: datetime) -> bool:
    """A status callback for one of our SMS: keep the furthest delivery state on
    the message (``extras["delivery"]``). Returns whether the message is known.
    A replay or an earlier state arriving late changes nothing."""
    sid = (params.get("MessageSid") or params.get("SmsSid") or "").strip()
    status = (params.get("MessageStatus") or params.get("SmsStatus") or "").strip().lower()
    if not sid or status not in DELIVERY_ORDER:
        raise ValueError("MessageSid and a known MessageStatus are required")
    message = session.scalars(
        sa.select(Message)
        .where(Message.channel == "sms", Message.external_id == sid,
               Message.direction == "outbound")
        .with_for_update()
    ).first()
    if message is None:
        log.warning("sms status %s for unknown message %s: ignored", status, sid)
        return False
    current = (message.extras.get("delivery") or {}).get("status", "")
    if current and DELIVERY_ORDER.get(current, -1) >= DELIVERY_ORDER[status]:
        return True
    delivery: dict[str, Any] = {"status": status, "at": now.isoformat()}
    if params.get("ErrorCode"):
        delivery["error_code"] = params["ErrorCode"]
    message.extras = {**message.extras, "delivery": delivery}
    return True


def log_call(
    session: Session,
    thread_id: int,
    *,
    outcome: str,
    duration_seconds: int | None,
    note: str,
    author_id: int | None,
    now: datetime,
) -> Message:
    """A call a rep made by hand, filed as an outbound call message. A call
    that reached the customer answers the thread."""
    thread = session.get(Thread, thread_id)
    if thread is None:
        raise ReplyError(f"no thread {thread_id}")
    outcome = outcome.strip().lower()
    if outcome not in CALL_OUTCOMES:
        raise ReplyError(f"unknown call outcome {outcome!r} (one of {', '.join(CALL_OUTCOMES)})")
    if duration_seconds is not None and duration_seconds < 0:
        raise ReplyError("the call duration cannot be negative")
    phones = _phones(session, None, thread)
    lines = [f"Call made by hand: {outcome}"]
    if duration_seconds is not None:
        lines.append(f"Duration: {duration_seconds // 60}:{duration_seconds % 60:02d}")
    if note.strip():
        lines += ["", note.strip()]
    message = Message(
        thread_id=thread.id, customer_id=thread.customer_id, channel="call",
        direction="outbound", external_id=f"manual-{uuid.uuid4().hex}", sender="",
        recipient=phones[0] if phones else "", subject="", text="\n".join(lines),
        language=thread.language, received_at=now, auto=False, references=[],
        extras={"manual": True, "outcome": outcome, "duration": duration_seconds},
        author_id=author_id, created_at=now,
    )
    session.add(message)
    session.flush()
    if outcome == "reached":
        mark_answered(thread, now)
    else:
        thread.last_message_at = max(filter(None, [thread.last_message_at, now]))
    audit.record(session, thread, "call.logged", now, actor_id=author_id,
                 message_id=message.id, outcome=outcome)
    refresh_threads(session, [thread.id])  # a call that reached them is a response
    return message
