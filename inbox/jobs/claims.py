"""Claims jobs: following up requests for information nobody answered."""

from __future__ import annotations

from datetime import UTC, datetime

from rq import Retry
from sqlalchemy.orm import Session

from inbox.jobs.base import job


@job("scheduled", timeout=300, retry=Retry(max=2, interval=[10, 60]))
def follow_up_info_requests(session: Session) -> int:
    """Periodic: requests past their follow-up date bring their thread back
    to the queue, once each (see
    :func:`inbox.casework.info_requests.follow_up_overdue`)."""
    from inbox.casework.info_requests import follow_up_overdue

    return follow_up_overdue(session, datetime.now(UTC))
