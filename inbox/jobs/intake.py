"""Intake jobs: retrying what could not be filed."""

from __future__ import annotations

from datetime import UTC, datetime

from rq import Retry
from sqlalchemy.orm import Session

from inbox.intake.retry import due_for_retry, retry_failed_intake
from inbox.jobs.base import enqueue_after_commit, job

BATCH = 50


@job("intake", timeout=600, retry=Retry(max=3, interval=[30, 120, 600]))
def retry_failed_intakes(session: Session, ids: list[int]) -> dict[str, list[int]]:
    """Re-ingest these failed intakes; returns the ids by outcome.

    Safe to run twice: a record already retried is skipped, and ingest files a
    message at most once. An RQ retry only happens when the whole batch raised
    (e.g. the database went away): failures of single messages are recorded on
    their own records instead."""
    now = datetime.now(UTC)
    by_outcome: dict[str, list[int]] = {}
    for failed_id in dict.fromkeys(ids):
        result = retry_failed_intake(session, int(failed_id), now)
        by_outcome.setdefault(result.outcome, []).append(result.failed_id)
    return by_outcome


@job("scheduled", timeout=300, retry=Retry(max=2, interval=[10, 60]))
def retry_due_intakes(session: Session) -> int:
    """Periodic: queue the automatic retries that are due (backing off, up to a
    limit; see inbox.intake.retry.AUTO_RETRY_DELAYS). Returns how many."""
    ids = due_for_retry(session, datetime.now(UTC))
    for start in range(0, len(ids), BATCH):
        enqueue_after_commit(session, retry_failed_intakes, ids[start:start + BATCH])
    return len(ids)
