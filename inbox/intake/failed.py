"""The failed-intake list as people work it: pages of it, counts per status,
a record's story, its raw input shown safely, retrying by a person (with who
did it recorded) and discarding with a reason.

Retrying itself is :func:`inbox.intake.retry.retry_failed_intake` (the same
path as the RQ job and ``inbox intake retry``); this only adds the audit
record of who asked. The admin pages (:mod:`inbox.web.intake_admin`) are thin
handlers over these functions. The caller owns the transaction: this flushes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inbox import audit
from inbox.blobs import BlobStore
from inbox.intake.retry import RetryOutcome, retry_failed_intake
from inbox.models import AuditEvent, FailedIntake, Message, User
from inbox.models.intake import INTAKE_STATUSES

ENTITY = FailedIntake.__tablename__
CHANNELS = ("email", "call", "sms", "letter", "portal")
PAGE_SIZE = 50
# How much of the raw input (and of the stored message's JSON) a page shows;
# the download has all of it.
PREVIEW_BYTES = 64 * 1024
REASON_MAX = 2000


class DiscardRefusedError(ValueError):
    """The record cannot be discarded (no reason given, or not failed); the
    message says why."""


@dataclass(frozen=True)
class FailedFilter:
    status: str = "failed"  # one of INTAKE_STATUSES, or "all"
    channel: str | None = None

    @classmethod
    def parse(cls, args: dict[str, str]) -> FailedFilter:
        """From query parameters; unknown values fall back to the defaults."""
        status = (args.get("status") or "").strip().lower()
        channel = (args.get("channel") or "").strip().lower()
        return cls(
            status=status if status in (*INTAKE_STATUSES, "all") else "failed",
            channel=channel if channel in CHANNELS else None,
        )


def failed_page(
    session: Session, chosen: FailedFilter, *, offset: int = 0, limit: int = PAGE_SIZE
) -> tuple[list[FailedIntake], int]:
    """One page of records, newest first, and how many match in all."""
    where = []
    if chosen.status != "all":
        where.append(FailedIntake.status == chosen.status)
    if chosen.channel:
        where.append(FailedIntake.channel == chosen.channel)
    total = session.scalar(sa.select(sa.func.count()).select_from(FailedIntake).where(*where))
    rows = session.scalars(
        sa.select(FailedIntake).where(*where)
        .order_by(FailedIntake.created_at.desc(), FailedIntake.id.desc())
        .offset(offset).limit(limit)
    ).all()
    return list(rows), total or 0


def status_counts(session: Session, channel: str | None = None) -> dict[str, int]:
    """Records per status (every status present, zero included), in ``channel``."""
    query = sa.select(FailedIntake.status, sa.func.count()).group_by(FailedIntake.status)
    if channel:
        query = query.where(FailedIntake.channel == channel)
    counts = dict.fromkeys(INTAKE_STATUSES, 0)
    for status, count in session.execute(query):
        counts[status] = count
    return counts


def retry_by(session: Session, failed_id: int, now: datetime, actor_id: int) -> RetryOutcome:
    """Retry as a person: the one retry path, plus an audit record of who
    asked and what came of it (nothing is recorded when nothing happened:
    the record was not failed any more, or does not exist)."""
    outcome = retry_failed_intake(session, failed_id, now)
    if outcome.outcome in {"filed", "already_filed"}:
        audit.record_event(session, ENTITY, failed_id, "intake.retried", now, actor_id=actor_id,
                           outcome=outcome.outcome, message_id=outcome.message_id)
    elif outcome.outcome == "failed":
        audit.record_event(session, ENTITY, failed_id, "intake.retry_failed", now,
                           actor_id=actor_id, reason=outcome.error[:REASON_MAX])
    return outcome


def discard(
    session: Session, failed_id: int, reason: str, now: datetime, actor_id: int
) -> FailedIntake | None:
    """Give up on a failed record, saying why (kept in the audit log);
    ``None`` when there is no such record."""
    reason = " ".join(reason.split())
    if not reason:
        raise DiscardRefusedError("say why it is discarded: a reason is required")
    if len(reason) > REASON_MAX:
        raise DiscardRefusedError(f"the reason is too long (at most {REASON_MAX} characters)")
    # Locked like a retry, so a retry and a discard at the same moment do not
    # both act (on SQLite writers are serialised anyway).
    failed = session.scalars(
        sa.select(FailedIntake).where(FailedIntake.id == failed_id)
        .with_for_update().execution_options(populate_existing=True)
    ).first()
    if failed is None:
        return None
    if failed.status != "failed":
        raise DiscardRefusedError(f"only failed intake can be discarded; this is {failed.status}")
    failed.status = "discarded"
    failed.updated_at = now
    audit.record(session, failed, "intake.discarded", now, actor_id=actor_id, reason=reason)
    session.flush()
    return failed


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str
    actor: str  # the user's name, or "system"
    reason: str
    data: dict[str, Any]


def history(session: Session, failed_id: int) -> list[HistoryEntry]:
    """What people did with the record, oldest first."""
    rows = session.execute(
        sa.select(AuditEvent, User.name, User.email)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.entity_type == ENTITY, AuditEvent.entity_id == failed_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    return [
        HistoryEntry(event.at, event.action, name or email or "system", event.reason,
                     event.data or {})
        for event, name, email in rows
    ]


def landed_in(session: Session, failed: FailedIntake) -> Message | None:
    """The message a retried record was filed as: the one its retry named,
    else the same channel and external id, else the same raw input."""
    if failed.status != "retried":
        return None
    for event in reversed(history(session, failed.id)):
        message_id = event.data.get("message_id")
        if event.action == "intake.retried" and isinstance(message_id, int):
            found = session.get(Message, message_id)
            if found is not None:
                return found
    found = session.scalars(sa.select(Message).where(
        Message.channel == failed.channel, Message.external_id == failed.external_id)).first()
    if found is None and failed.raw_ref:
        found = session.scalars(sa.select(Message).where(
            Message.channel == failed.channel, Message.raw_ref == failed.raw_ref)
            .order_by(Message.id)).first()
    return found


@dataclass(frozen=True)
class RawPreview:
    """The start of the raw input as text, for reading on a page."""

    size: int = 0
    text: str = ""
    truncated: bool = False
    binary: bool = False
    missing: bool = False


def raw_preview(blobs: BlobStore, raw_ref: str | None, limit: int = PREVIEW_BYTES) -> RawPreview:
    """Read at most ``limit`` bytes (a 40 MB scan is never loaded whole) and
    decode them as UTF-8 with replacement characters; binary input (NUL
    bytes near the start: a scan) is not shown as text."""
    if not raw_ref:
        return RawPreview(missing=True)
    try:
        path = blobs.path(raw_ref)
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(limit)
    except (OSError, ValueError):
        return RawPreview(missing=True)
    if b"\x00" in head[:8192]:
        return RawPreview(size=size, binary=True, truncated=size > len(head))
    return RawPreview(size=size, text=head.decode("utf-8", errors="replace"),
                      truncated=size > len(head))


def pretty_inbound(failed: FailedIntake, limit: int = PREVIEW_BYTES) -> tuple[str, bool]:
    """The stored message as indented JSON (cut at ``limit`` characters) and
    whether it was cut."""
    if not failed.inbound:
        return "", False
    text = json.dumps(failed.inbound, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    return (text[:limit], True) if len(text) > limit else (text, False)
