"""The thread a claim is discussed in."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.models import Claim
from inbox.models import Thread


class NoThread(LookupError):  # noqa: N818 - reads as what happened
    pass


def claim_thread(session: Session, claim: Claim, thread_id: int | None = None) -> Thread:
    """``thread_id`` when it is one of the claim's threads, else the claim's
    most recently active thread (open ones first)."""
    if thread_id is not None:
        thread = session.get(Thread, thread_id)
        if thread is None or thread.claim_id != claim.id:
            raise NoThread(f"thread {thread_id} is not about claim {claim.number}")
        return thread
    thread = session.scalars(
        sa.select(Thread).where(Thread.claim_id == claim.id)
        .order_by((Thread.status == "closed").asc(),
                  Thread.last_message_at.desc().nulls_last(), Thread.id.desc()).limit(1)
    ).first()
    if thread is None:
        raise NoThread(f"claim {claim.number} has no conversation to write in")
    return thread
