"""``ingest(session, inbound, now)``: file one message exactly once, and
``ingest_batch`` for many at the cost of a few queries.

1. Raw input and attachments go to the blob store first (content-addressed,
   so storing twice is harmless): nothing is lost if filing fails.
2. ``(channel, external_id)`` already filed → return that message, change nothing.
3. Identify the customer, find or open the thread, link the claim or account
   issue, add the message, update the thread's state.
4. A batch is filed inside one SAVEPOINT with one flush. If anything in it
   fails, the SAVEPOINT is rolled back and the batch is filed again one
   message at a time, each in its own SAVEPOINT, so one bad message becomes a
   :class:`FailedIntake` (raw input and reason kept, for retry) and the others
   are filed.

The caller owns the transaction (one per request or job): this only flushes.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channels.base import Inbound
from claims.models import Customer
from inbox.bulk import allocate_ids, assign_ids, copy_rows, insert_rows, table_of
from inbox.intake.analysis import analysis_of
from inbox.intake.autodetect import automatic_reason
from inbox.intake.config import IngestConfig
from inbox.intake.context import Filing
from inbox.intake.identify import IdentityRace, identify
from inbox.intake.linking import link_thread
from inbox.intake.lookup import Lookup
from inbox.intake.raw import store_raw
from inbox.intake.subjects import strip_prefixes
from inbox.intake.threads import find_thread
from inbox.metrics.facts import refresh_threads
from inbox.models import Attachment, FailedIntake, Message, Thread
from inbox.sla.track import record_pending, start_cycle, track

log = logging.getLogger(__name__)
CONFIG_KEY = "ingest_config"


@dataclass
class IngestResult:
    created: bool
    message_id: int | None = None
    thread_id: int | None = None
    customer_id: int | None = None
    failed: FailedIntake | None = None
    rule: str = ""  # which threading rule placed it
    _session: Session | None = field(default=None, repr=False)
    _message: Message | None = field(default=None, repr=False)

    @property
    def message(self) -> Message | None:
        """The filed message, loaded on first use (bulk filing inserts rows):
        only while the session that filed it is open."""
        if self._message is None and self.message_id is not None and self._session is not None:
            self._message = self._session.get(Message, self.message_id)
        return self._message

    @property
    def thread(self) -> Thread | None:
        return self.message.thread if self.message is not None else None

    @property
    def outcome(self) -> str:
        """``filed``, ``duplicate`` (filed before) or ``failed``: for tallies."""
        if self.failed is not None:
            return "failed"
        return "filed" if self.created else "duplicate"

    @classmethod
    def existing(cls, message: Message) -> IngestResult:
        return cls(created=False, message_id=message.id, thread_id=message.thread_id,
                   customer_id=message.customer_id, _message=message)


@dataclass
class _NewMessage:
    """A message row waiting for the batch's insert (its thread and customer
    may get their ids only at the flush before it)."""

    row: dict[str, Any]
    attachments: list[dict[str, Any]]
    thread: Thread
    customer: Customer
    id: int | None = None
    changes_facts: bool = False  # the dashboard's facts of its thread (inbox.metrics)


def ingest(
    session: Session, inbound: Inbound, now: datetime, *, config: IngestConfig | None = None
) -> IngestResult:
    return ingest_batch(session, [inbound], now, config=config)[0]


def ingest_batch(
    session: Session, inbounds: Sequence[Inbound], now: datetime,
    *, config: IngestConfig | None = None,
) -> list[IngestResult]:
    """File ``inbounds`` (in the order given); one result each, same order."""
    cfg = config or session.info.get(CONFIG_KEY)
    if cfg is None:
        raise RuntimeError("ingest needs an IngestConfig: pass config= or set session.info")
    for inbound in inbounds:
        store_raw(inbound, cfg.blobs, durable=len(inbounds) == 1)
    cfg.blobs.sync()  # raw input is on disk before any row points at it
    if len(inbounds) > 1:
        try:
            with session.begin_nested():
                return _file_all(session, cfg, inbounds, now)
        except Exception:
            log.info("batch of %d failed as a whole; filing one by one", len(inbounds))
    return [_ingest_one(session, cfg, inbound, now) for inbound in inbounds]


def _file_all(
    session: Session, cfg: IngestConfig, inbounds: Sequence[Inbound], now: datetime
) -> list[IngestResult]:
    """File a batch: ORM objects for what threading reads back (customers,
    identities, threads, account issues), one flush, then the message,
    attachment and audit rows inserted in bulk: they are only written here."""
    lookup = Lookup(session, cfg)
    filing = Filing(session, cfg, lookup, now)
    filing.analyses = {id(i): analysis_of(i, cfg) for i in inbounds}
    # (the message or the row to insert, threading rule, filed by this call)
    placed: list[tuple[_NewMessage | Message, str, bool]] = []
    with session.no_autoflush:
        lookup.prefetch(inbounds, filing.analyses)
        for inbound in inbounds:
            existing = lookup.existing.get((inbound.channel, inbound.external_id))
            if existing is not None:
                # Filed before, or earlier in this very batch (a redelivery).
                placed.append((existing, "", False))
                continue
            new, rule = _file(filing, inbound)
            placed.append((new, rule, True))
    assign_ids(session)
    session.flush()
    new_messages = [item for item, _, created in placed if created]
    _insert_messages(session, new_messages)  # type: ignore[arg-type]
    filing.flush()
    record_pending(session)  # SLA targets met or breached by these messages
    _resume_claims(session, new_messages, now)  # type: ignore[arg-type]
    _refresh_facts(session, new_messages)  # type: ignore[arg-type]
    results = []
    for item, rule, created in placed:
        if isinstance(item, _NewMessage):
            results.append(IngestResult(
                created=created, message_id=item.id, thread_id=item.thread.id,
                customer_id=item.customer.id, rule=rule, _session=session))
        else:
            results.append(IngestResult.existing(item))
    # Identities were linked through the relationship; expire the in-memory
    # collection so a later read sees rows others added by id as well.
    for customer in {id(m.customer): m.customer for m in new_messages  # type: ignore[union-attr]
                     }.values():
        session.expire(customer, ["identities"])
    return results


def _resume_claims(session: Session, new_messages: list[_NewMessage], now: datetime) -> None:
    """A customer's answer in the thread of a claim waiting for information
    sends the claim back to review (inbox.casework.info_requests)."""
    answers = [(m.thread.id, m.id, m.row["channel"], m.row["received_at"])
               for m in new_messages
               if m.id is not None and m.row["direction"] == "inbound" and not m.row["auto"]
               and m.thread.claim_id is not None]
    if answers:
        from inbox.casework.info_requests import customer_answered

        customer_answered(session, answers, now)


def _refresh_facts(session: Session, new_messages: list[_NewMessage]) -> None:
    """The dashboard's facts (inbox.metrics.facts) of the threads whose new
    messages change them."""
    refresh_threads(session, {m.thread.id for m in new_messages if m.changes_facts})


def _insert_messages(session: Session, new_messages: list[_NewMessage]) -> None:
    if not new_messages:
        return
    rows = []
    for new in new_messages:
        new.row["thread_id"] = new.thread.id
        new.row["customer_id"] = new.customer.id
        rows.append(new.row)
    # Core, not the ORM's bulk insert: that one leaves out the None values
    # (for server defaults) and so splits the rows into a statement per run
    # of equal key sets (a mail with HTML, one without, ...).
    table = table_of(Message)
    ids: Sequence[int] | None = allocate_ids(session, table, len(rows))  # inbox.bulk
    if ids is not None:
        for row, message_id in zip(rows, ids, strict=True):
            row["id"] = message_id
        copy_rows(session, table, rows)
    else:
        ids = session.execute(
            sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
        ).scalars().all()
    attachments = []
    for new, message_id in zip(new_messages, ids, strict=True):
        new.id = message_id
        for att in new.attachments:
            att["message_id"] = message_id
            attachments.append(att)
    insert_rows(session, table_of(Attachment), attachments)


def _ingest_one(session: Session, cfg: IngestConfig, inbound: Inbound, now: datetime
                ) -> IngestResult:
    for attempt in (1, 2):
        try:
            with session.begin_nested():
                result = _file_all(session, cfg, [inbound], now)[0]
            return result
        except (IntegrityError, IdentityRace) as exc:
            # Another worker filed the same message, or created the same new
            # customer identity, between our look-up and our insert.
            existing = find_existing(session, inbound)
            if existing is not None:
                return IngestResult.existing(existing)
            if attempt == 2:
                return IngestResult(False, failed=record_failure(session, inbound, exc, now))
        except Exception as exc:
            log.exception(
                "ingest failed channel=%s external_id=%s", inbound.channel, inbound.external_id
            )
            return IngestResult(False, failed=record_failure(session, inbound, exc, now))
    raise AssertionError("unreachable")


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


def record_raw_failure(
    session: Session, channel: str, raw: bytes, error: str, now: datetime,
    *, config: IngestConfig | None = None, context: dict[str, object] | None = None,
) -> FailedIntake:
    """Input an adapter could not even turn into an ``Inbound`` (a mail that is
    no mail, an unreadable scan): keep the raw bytes and the reason. The
    external id is the content hash, so the same bytes failing twice count
    attempts on one record."""
    cfg = config or session.info[CONFIG_KEY]
    sha = cfg.blobs.put(raw)
    external_id = f"sha256:{sha}"
    failed = session.scalars(
        sa.select(FailedIntake).where(
            FailedIntake.channel == channel, FailedIntake.external_id == external_id,
            FailedIntake.status == "failed",
        )
    ).first()
    detail = "\n".join(f"{k}: {v}" for k, v in (context or {}).items())
    if failed is None:
        failed = FailedIntake(
            channel=channel, external_id=external_id, raw_ref=sha, inbound=None,
            error=error[:2000], detail=detail, created_at=now, updated_at=now,
        )
        session.add(failed)
    else:
        failed.attempts += 1
        failed.error, failed.detail, failed.updated_at = error[:2000], detail, now
    session.flush()
    return failed


def _file(filing: Filing, inbound: Inbound) -> tuple[_NewMessage, str]:
    session = filing.session
    found = filing.analysis(inbound)
    language = found.language
    auto_reason = automatic_reason(inbound)
    who = identify(filing, inbound, auto=auto_reason is not None)
    match = find_thread(filing, inbound, who)

    thread = match.thread
    if thread is None:
        thread = Thread(
            customer=who.customer,
            subject=strip_prefixes(inbound.subject)[:500],
            subject_key=found.subject_key,
            # Automatic mail never opens a thread that asks for a reply.
            status="closed" if auto_reason else "open",
            priority="normal",
            needs_reply=False,
            language=language,
            created_at=filing.now,
        )
        session.add(thread)
        filing.lookup.add_thread(thread, who.customer)
        filing.audit(thread, "thread.opened", reason=f"first message on {inbound.channel}",
                     customer_id=who.customer)

    row: dict[str, Any] = {
        "channel": inbound.channel,
        "direction": inbound.direction,
        "external_id": inbound.external_id[:500],
        "sender": _primary_sender(inbound)[:320],
        "sender_name": inbound.sender_name[:200],
        "recipient": inbound.recipient[:320],
        "subject": inbound.subject[:500],
        "text": inbound.text,
        "html": inbound.html,
        "language": language,
        "received_at": inbound.received_at,
        "auto": auto_reason is not None,
        "raw_ref": inbound.raw_ref,
        "in_reply_to": inbound.in_reply_to or None,
        "references": list(inbound.references),
        "extras": {
            **inbound.extras,
            **({"auto_reason": auto_reason} if auto_reason else {}),
            "identified_by": who.how,
            "thread_rule": match.rule,
            **({"foreign_numbers": who.foreign_numbers} if who.foreign_numbers else {}),
        },
        "author_id": None,
        "created_at": filing.now,
    }
    attachments = [
        {"sha256": att.sha256 or "", "filename": att.filename[:300],
         "content_type": att.content_type[:200], "size": att.size or 0,
         "content_id": att.content_id, "inline": att.inline}
        for att in inbound.attachments
    ]
    new = _NewMessage(row, attachments, thread, who.customer)
    filing.lookup.add_message(inbound.channel, row["external_id"], new, thread, who.customer)

    # A new thread, an answer, a message older than the thread's latest or a
    # closed thread reopened changes its facts; a customer writing on changes none.
    new.changes_facts = (thread.id is None or row["direction"] != "inbound"
                         or thread.status == "closed"
                         or (thread.last_message_at is not None
                             and row["received_at"] < thread.last_message_at))
    _update_thread(filing, thread, row)
    link_thread(filing, thread, who, inbound)
    if not row["auto"]:
        # Due times from the thread's SLA policy (its issue type is linked now).
        track(thread, row["received_at"], answered=row["direction"] == "outbound")
    return new, match.rule


def _update_thread(filing: Filing, thread: Thread, message: dict[str, Any]) -> None:
    received_at = message["received_at"]
    if thread.last_message_at is None or received_at > thread.last_message_at:
        thread.last_message_at = received_at
    if thread.language is None and message["language"]:
        thread.language = message["language"]
    if message["auto"]:
        return
    if message["direction"] == "outbound":
        # Something we did (a call a rep made): it answers the customer.
        if thread.first_response_at is None:
            thread.first_response_at = received_at
        thread.needs_reply = False  # due_at follows (inbox.sla.track)
        return
    if thread.last_inbound_at is None or received_at > thread.last_inbound_at:
        thread.last_inbound_at = received_at
    if thread.origin_channel is None:
        thread.origin_channel = message["channel"]
    if thread.sla_started_at is None or thread.status == "closed":
        start_cycle(thread, received_at)  # the resolution clock starts (again)
    if thread.status != "open":
        follow_up = thread.follow_up_at.isoformat() if thread.follow_up_at else None
        filing.audit(thread, "thread.reopened", reason=f"customer wrote on {message['channel']}",
                     previous=thread.status, **({"follow_up_at": follow_up} if follow_up else {}))
        thread.status = "open"
    if thread.follow_up_at is not None:
        thread.follow_up_at = None  # the customer wrote before the follow-up date
    if not thread.needs_reply:
        thread.needs_reply = True
        thread.sla_waiting_since = received_at  # due_at follows (inbox.sla.track)


def _primary_sender(inbound: Inbound) -> str:
    for kind in ("email", "phone", "customer_ref", "address"):
        for identity in inbound.sender:
            if identity.kind == kind:
                return identity.value
    return ""
