"""``ingest(session, inbound, now)``: file one message exactly once.

1. Raw input and attachments go to the blob store first (content-addressed,
   so storing twice is harmless): nothing is lost if filing fails.
2. ``(channel, external_id)`` already filed → return that message, change nothing.
3. Identify the customer, find or open the thread, link the claim or account
   issue, add the message, update the thread's state; all inside a SAVEPOINT.
4. Any error while filing rolls the SAVEPOINT back and leaves a
   :class:`FailedIntake` with the raw input and the reason, for retry.

The caller owns the transaction (one per request or job): this only flushes.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channels.base import Inbound
from inbox import audit
from inbox.intake.autodetect import automatic_reason
from inbox.intake.config import IngestConfig
from inbox.intake.identify import IdentityRace, identify
from inbox.intake.language import detect_language
from inbox.intake.linking import link_thread
from inbox.intake.subjects import strip_prefixes, subject_key
from inbox.intake.threads import find_thread
from inbox.models import Attachment, FailedIntake, Message, Thread

log = logging.getLogger(__name__)
CONFIG_KEY = "ingest_config"


@dataclass
class IngestResult:
    message: Message | None
    created: bool
    failed: FailedIntake | None = None
    rule: str = ""  # which threading rule placed it

    @property
    def thread(self) -> Thread | None:
        return self.message.thread if self.message is not None else None


def ingest(
    session: Session, inbound: Inbound, now: datetime, *, config: IngestConfig | None = None
) -> IngestResult:
    cfg = config or session.info.get(CONFIG_KEY)
    if cfg is None:
        raise RuntimeError("ingest needs an IngestConfig: pass config= or set session.info")
    store_raw(inbound, cfg)

    existing = find_existing(session, inbound)
    if existing is not None:
        return IngestResult(existing, created=False)

    for attempt in (1, 2):
        try:
            with session.begin_nested():
                message, rule = _file(session, inbound, now, cfg)
            return IngestResult(message, created=True, rule=rule)
        except (IntegrityError, IdentityRace) as exc:
            # Another worker filed the same message, or created the same new
            # customer identity, between our look-up and our insert.
            existing = find_existing(session, inbound)
            if existing is not None:
                return IngestResult(existing, created=False)
            if attempt == 2:
                return IngestResult(None, False, record_failure(session, inbound, exc, now))
        except Exception as exc:
            log.exception(
                "ingest failed channel=%s external_id=%s", inbound.channel, inbound.external_id
            )
            return IngestResult(None, False, record_failure(session, inbound, exc, now))
    raise AssertionError("unreachable")


def store_raw(inbound: Inbound, cfg: IngestConfig) -> None:
    """Move raw bytes and attachment bytes into the blob store (idempotent)."""
    if inbound.raw is not None and inbound.raw_ref is None:
        inbound.raw_ref = cfg.blobs.put(inbound.raw)
    if inbound.raw_ref is not None:
        inbound.raw = None
    for att in inbound.attachments:
        if att.data is not None:
            att.size = len(att.data)
            att.sha256 = cfg.blobs.put(att.data)
            att.data = None


def find_existing(session: Session, inbound: Inbound) -> Message | None:
    return session.scalars(
        sa.select(Message).where(
            Message.channel == inbound.channel, Message.external_id == inbound.external_id
        )
    ).first()


def record_failure(
    session: Session, inbound: Inbound, exc: BaseException, now: datetime
) -> FailedIntake:
    """One failed-intake record per input; a repeat failure counts an attempt."""
    failed = session.scalars(
        sa.select(FailedIntake).where(
            FailedIntake.channel == inbound.channel,
            FailedIntake.external_id == inbound.external_id,
            FailedIntake.status == "failed",
        )
    ).first()
    reason = f"{type(exc).__name__}: {exc}"[:2000]
    detail = "".join(traceback.format_exception(exc))[-20000:]
    if failed is None:
        failed = FailedIntake(
            channel=inbound.channel, external_id=inbound.external_id,
            raw_ref=inbound.raw_ref, inbound=inbound.to_json(), error=reason,
            detail=detail, created_at=now, updated_at=now,
        )
        session.add(failed)
    else:
        failed.attempts += 1
        failed.error, failed.detail, failed.updated_at = reason, detail, now
    session.flush()
    return failed


def _file(
    session: Session, inbound: Inbound, now: datetime, cfg: IngestConfig
) -> tuple[Message, str]:
    language = inbound.language or detect_language(
        f"{strip_prefixes(inbound.subject)}\n{inbound.text}", cfg.languages
    )
    auto_reason = automatic_reason(inbound)
    who = identify(session, inbound, cfg, now, auto=auto_reason is not None)
    match = find_thread(session, inbound, who, cfg)

    thread = match.thread
    if thread is None:
        thread = Thread(
            customer_id=who.customer.id,
            subject=strip_prefixes(inbound.subject)[:500],
            subject_key=subject_key(inbound.subject)[:500],
            # Automatic mail never opens a thread that asks for a reply.
            status="closed" if auto_reason else "open",
            language=language,
            created_at=now,
        )
        session.add(thread)
        session.flush()
        audit.record(session, thread, "thread.opened", now,
                     reason=f"first message on {inbound.channel}", customer_id=who.customer.id)

    message = Message(
        thread_id=thread.id,
        customer_id=who.customer.id,
        channel=inbound.channel,
        direction="inbound",
        external_id=inbound.external_id[:500],
        sender=_primary_sender(inbound)[:320],
        sender_name=inbound.sender_name[:200],
        recipient=inbound.recipient[:320],
        subject=inbound.subject[:500],
        text=inbound.text,
        html=inbound.html,
        language=language,
        received_at=inbound.received_at,
        auto=auto_reason is not None,
        raw_ref=inbound.raw_ref,
        in_reply_to=(inbound.in_reply_to or None),
        references=list(inbound.references),
        extras={
            **inbound.extras,
            **({"auto_reason": auto_reason} if auto_reason else {}),
            "identified_by": who.how,
            "thread_rule": match.rule,
            **({"foreign_numbers": who.foreign_numbers} if who.foreign_numbers else {}),
        },
        created_at=now,
    )
    session.add(message)
    session.flush()
    for att in inbound.attachments:
        session.add(Attachment(
            message_id=message.id, sha256=att.sha256 or "", filename=att.filename[:300],
            content_type=att.content_type[:200], size=att.size or 0,
            content_id=att.content_id, inline=att.inline,
        ))

    _update_thread(session, thread, message, cfg, now)
    link_thread(session, thread, who, inbound, now)
    session.flush()
    return message, match.rule


def _update_thread(
    session: Session, thread: Thread, message: Message, cfg: IngestConfig, now: datetime
) -> None:
    if thread.last_message_at is None or message.received_at > thread.last_message_at:
        thread.last_message_at = message.received_at
    if thread.language is None and message.language:
        thread.language = message.language
    if message.auto:
        return
    if thread.last_inbound_at is None or message.received_at > thread.last_inbound_at:
        thread.last_inbound_at = message.received_at
    if thread.status != "open":
        audit.record(session, thread, "thread.reopened", now,
                     reason=f"customer wrote on {message.channel}", previous=thread.status)
        thread.status = "open"
    if not thread.needs_reply:
        thread.needs_reply = True
        thread.due_at = message.received_at + cfg.first_response


def _primary_sender(inbound: Inbound) -> str:
    for kind in ("email", "phone", "customer_ref", "address"):
        for identity in inbound.sender:
            if identity.kind == kind:
                return identity.value
    return ""
