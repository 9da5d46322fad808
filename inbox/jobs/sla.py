"""The SLA sweep as a periodic job (every minute, :mod:`inbox.jobs.schedule`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import current_app
from rq import Retry

from inbox.jobs.base import job

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@job("scheduled", timeout=300, retry=Retry(max=2, interval=[10, 60]))
def sla_sweep(session: Session, now: str | None = None) -> dict[str, Any]:
    """Warn, escalate and record what the SLA clocks say
    (:func:`inbox.sla.sweep.sweep`); idempotent. ``now`` (ISO 8601) stands in
    for the clock: tests age threads through a fake one."""
    from inbox.sla.sweep import sweep

    at = datetime.fromisoformat(now) if now else datetime.now(UTC)
    settings = current_app.config["SETTINGS"]
    return sweep(session, at, mailboxes=settings.mailboxes).summary()


@job("default", timeout=1800, retry=Retry(max=3, interval=[60, 300, 1800]))
def recompute_sla(session: Session, policy_key: str | None = None) -> dict[str, int]:
    """Open threads (of ``policy_key``, or all) and claims take the policies
    as they are now (after an admin's edit); idempotent."""
    from inbox.sla.recompute import recompute_all

    return recompute_all(session, datetime.now(UTC), policy_key=policy_key)
