"""The retention policy's periodic job (``[retention]``; inbox.privacy.retention)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from rq import Retry
from sqlalchemy.orm import Session

from inbox.jobs.base import job


@job("scheduled", timeout=1800, retry=Retry(max=3, interval=[300, 1800, 3600]))
def apply_retention_policy(session: Session) -> dict[str, int]:
    """Periodic: remove raw mail and recordings older than their setting and
    delete old failed intake (at most ``LIMIT`` of each a run). Safe to run
    twice: what was removed is not selected again, and a blob file still
    referred to is kept. Does nothing while every setting is 0 (keep forever)."""
    from inbox.privacy.retention import apply_retention

    settings = current_app.config["SETTINGS"].retention
    if not settings.active:
        return {}
    return apply_retention(session, settings, datetime.now(UTC)).counts()
