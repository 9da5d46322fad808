"""Retrying failed intake: file again what could not be filed before.

A :class:`~inbox.models.FailedIntake` keeps the normalized ``Inbound`` (JSON),
so a retry needs no adapter: rebuild the ``Inbound`` and run ``ingest`` again.

* Success (or the message turns out to be filed already): the record's status
  becomes ``retried``; its ``attempts`` and error stay as history.
* Failure again: ``ingest`` records it on the same record (``attempts`` + 1,
  the new error), and the status stays ``failed``.
* A record that is not ``failed`` any more is left alone, so retrying twice (a
  job run twice, a click and a periodic run together) changes nothing; and
  ``ingest`` itself files a message at most once.

Used by the RQ job (:mod:`inbox.jobs.intake`), the CLI (``inbox intake retry``)
and the admin pages (through :func:`inbox.intake.failed.retry_by`, which
records who asked). The caller owns the transaction: this flushes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from channels.base import Inbound
from inbox.intake.core import ingest
from inbox.models import FailedIntake

Outcome = Literal["filed", "already_filed", "failed", "not_retryable", "skipped", "not_found"]

# Automatic retries (the periodic job): wait this long after the n-th failure
# before trying again; after the last one, only a person retries (CLI or web).
AUTO_RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=8),
)


@dataclass(frozen=True)
class RetryOutcome:
    failed_id: int
    outcome: Outcome
    message_id: int | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in {"filed", "already_filed", "skipped"}


def retry_failed_intake(session: Session, failed_id: int, now: datetime) -> RetryOutcome:
    # populate_existing: a record already loaded in this session is read
    # again under the lock, so a retry committed meanwhile is seen.
    failed = session.scalars(
        sa.select(FailedIntake).where(FailedIntake.id == failed_id).with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if failed is None:
        return RetryOutcome(failed_id, "not_found", error="no such failed intake")
    if failed.status != "failed":
        return RetryOutcome(failed_id, "skipped", error=f"status is {failed.status}")
    if failed.inbound:
        try:
            inbound = Inbound.from_json(failed.inbound)
        except (KeyError, TypeError, ValueError) as exc:
            return _count_failure(session, failed, f"the stored message cannot be read: {exc}",
                                  now)
    else:
        reparsed = _reparse(session, failed, now)
        if isinstance(reparsed, RetryOutcome):
            return reparsed
        inbound = reparsed

    result = ingest(session, inbound, now)
    if result.message is None:
        return RetryOutcome(failed_id, "failed", error=failed.error)
    failed.status = "retried"
    failed.updated_at = now
    session.flush()
    return RetryOutcome(
        failed_id, "filed" if result.created else "already_filed", message_id=result.message.id
    )


def _reparse(session: Session, failed: FailedIntake, now: datetime) -> Inbound | RetryOutcome:
    """Raw input the adapter could not parse: parse it again (the parser may
    have been fixed since). Only email keeps enough raw input for this."""
    if failed.channel == "letter" and failed.raw_ref:
        return RetryOutcome(
            failed.id, "not_retryable",
            error=("a scan is read again by filing its file again: inbox letters ingest "
                   "DIR/failed/FILE (or the kept copy in the blob store, "
                   f"sha256 {failed.raw_ref})"),
        )
    if failed.channel != "email" or not failed.raw_ref:
        return RetryOutcome(
            failed.id, "not_retryable",
            error="no normalized message was kept; import the raw input again through its channel",
        )
    from channels.email.parse import UnparseableMail, parse_email
    from inbox.intake.core import CONFIG_KEY

    raw = session.info[CONFIG_KEY].blobs.get(failed.raw_ref)
    try:
        inbound = parse_email(raw, received_at=failed.created_at)
    except UnparseableMail as exc:
        return _count_failure(session, failed, f"unparseable mail: {exc}", now)
    inbound.raw_ref = failed.raw_ref
    # Keep what was parsed on this record (attachments to the blob store
    # first, as ingest does): if filing fails now, ingest counts the attempt
    # here (same channel and external id) instead of opening a second record.
    from inbox.intake.raw import store_raw

    store_raw(inbound, session.info[CONFIG_KEY].blobs)
    failed.external_id = inbound.external_id[:500]
    failed.inbound = inbound.to_json()
    session.flush()
    return inbound


def _count_failure(session: Session, failed: FailedIntake, error: str, now: datetime
                   ) -> RetryOutcome:
    failed.attempts += 1
    failed.error, failed.updated_at = error[:2000], now
    session.flush()
    return RetryOutcome(failed.id, "failed", error=failed.error)


def due_for_retry(session: Session, now: datetime, limit: int = 200) -> list[int]:
    """Failed intakes whose automatic retry is due (see ``AUTO_RETRY_DELAYS``),
    oldest first."""
    candidates = session.scalars(
        sa.select(FailedIntake)
        .where(
            FailedIntake.status == "failed",
            FailedIntake.attempts <= len(AUTO_RETRY_DELAYS),
            FailedIntake.inbound.is_not(None),
        )
        .order_by(FailedIntake.updated_at, FailedIntake.id)
        .limit(limit * 4)
    ).all()
    due = [
        failed.id
        for failed in candidates
        # JSON null (an explicit None) is not SQL NULL: check the value too.
        if failed.inbound and failed.updated_at + AUTO_RETRY_DELAYS[failed.attempts - 1] <= now
    ]
    return due[:limit]


def list_failed(
    session: Session, status: str | None = "failed", limit: int = 50
) -> list[FailedIntake]:
    query = sa.select(FailedIntake).order_by(FailedIntake.updated_at.desc(), FailedIntake.id.desc())
    if status:
        query = query.where(FailedIntake.status == status)
    return list(session.scalars(query.limit(limit)))
