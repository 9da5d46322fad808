"""The retention policy (``[retention]``, config.retention): raw mail and call
recordings older than their setting are removed, failed intake older than its
setting is deleted.

* Raw mail: the original .eml of an email message received before the cut-off.
  The parsed message (subject, text, HTML, attachments) stays; ``raw_ref`` is
  emptied and ``raw_removed_at`` set.
* Recordings: the audio attachments of call messages received before the
  cut-off. The attachment row stays with ``removed_at`` set, so the thread says
  "removed by retention policy" instead of offering a broken player; the call's
  facts and transcript stay.
* Failed intake: records last tried before the cut-off, with their raw input.

A blob file is deleted, after commit, only when no other row refers to it
(inbox.privacy.blobrefs). At most ``limit`` rows of each kind are handled per
run, so one transaction stays small; the periodic job runs hourly and catches
up on a backlog. Running it twice is harmless: what was removed is not
selected again. Each run that removed something writes one audit entry with
the counts (``retention.applied``, entity ``retention`` 0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from config.retention import RetentionSettings
from inbox import audit
from inbox.models import Attachment, FailedIntake, Message
from inbox.privacy.blobrefs import delete_unreferenced_after_commit

LIMIT = 10_000


@dataclass
class RetentionRun:
    raw_mail: int = 0
    recordings: int = 0
    failed_intakes: int = 0
    # Blob files deleted after commit (no other row refers to them).
    blobs: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"raw_mail": self.raw_mail, "recordings": self.recordings,
                "failed_intakes": self.failed_intakes, "blobs": len(self.blobs)}


def apply_retention(session: Session, settings: RetentionSettings, now: datetime, *,
                    limit: int = LIMIT) -> RetentionRun:
    """Remove what the settings say is too old (see the module docstring);
    only flushes; blob files go after commit."""
    run = RetentionRun()
    shas: set[str] = set()
    if settings.raw_mail_days:
        cutoff = now - timedelta(days=settings.raw_mail_days)
        rows = session.execute(
            sa.select(Message.id, Message.raw_ref).where(
                Message.channel == "email", Message.raw_ref.is_not(None),
                Message.received_at < cutoff).order_by(Message.id).limit(limit)).all()
        ids = [r.id for r in rows]
        shas.update(r.raw_ref for r in rows)
        _by_ids(session, ids, lambda part: sa.update(Message).where(Message.id.in_(part))
                .values(raw_ref=None, raw_removed_at=now))
        run.raw_mail = len(ids)
    if settings.recording_days:
        cutoff = now - timedelta(days=settings.recording_days)
        rows = session.execute(
            sa.select(Attachment.id, Attachment.sha256).join(
                Message, Message.id == Attachment.message_id).where(
                Message.channel == "call", Attachment.content_type.startswith("audio/"),
                Attachment.removed_at.is_(None), Message.received_at < cutoff)
            .order_by(Attachment.id).limit(limit)).all()
        ids = [r.id for r in rows]
        shas.update(r.sha256 for r in rows)
        _by_ids(session, ids, lambda part: sa.update(Attachment).where(Attachment.id.in_(part))
                .values(removed_at=now))
        run.recordings = len(ids)
    if settings.failed_intake_days:
        cutoff = now - timedelta(days=settings.failed_intake_days)
        rows = session.execute(
            sa.select(FailedIntake.id, FailedIntake.raw_ref).where(
                FailedIntake.updated_at < cutoff).order_by(FailedIntake.id).limit(limit)).all()
        ids = [r.id for r in rows]
        shas.update(r.raw_ref for r in rows if r.raw_ref)
        _by_ids(session, ids, lambda part: sa.delete(FailedIntake).where(
            FailedIntake.id.in_(part)))
        run.failed_intakes = len(ids)
    if shas:
        run.blobs = delete_unreferenced_after_commit(session, shas)
    if run.raw_mail or run.recordings or run.failed_intakes:
        session.expire_all()
        data: dict[str, Any] = {**run.counts(), **asdict(settings)}
        audit.record_event(session, "retention", 0, "retention.applied", now, **data)
        session.flush()
    return run


def _by_ids(session: Session, ids: list[int],
            statement: Callable[[list[int]], Executable]) -> None:
    """Run ``statement(part)`` for 500 ids at a time (SQLite's bind limit), in
    bulk: the session is expired afterwards, not synchronised row by row."""
    for start in range(0, len(ids), 500):
        session.execute(statement(ids[start:start + 500]).execution_options(
            synchronize_session=False))
