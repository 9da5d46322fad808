"""Which blobs rows still refer to, and deleting the others after commit.

The blob store is content-addressed (inbox.blobs): the same bytes sent by two
customers, or forwarded from one thread into another, are one file. A blob is
deleted only when no row refers to it any more: a message's raw input, a kept
attachment (one the retention policy removed does not count), a failed
intake's raw input, or an outbound message's attachment list.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inbox.database import after_commit
from inbox.intake.core import CONFIG_KEY
from inbox.models import Attachment, FailedIntake, Message, OutboundMessage

log = logging.getLogger(__name__)
CHUNK = 500


def still_referenced(session: Session, shas: Collection[str]) -> set[str]:
    """Those of ``shas`` that some row (as flushed) still refers to."""
    wanted = sorted({s for s in shas if s})
    used: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start:start + CHUNK]
        used.update(session.scalars(sa.select(Message.raw_ref).where(Message.raw_ref.in_(part))))
        used.update(session.scalars(sa.select(Attachment.sha256).where(
            Attachment.sha256.in_(part), Attachment.removed_at.is_(None))))
        used.update(session.scalars(sa.select(FailedIntake.raw_ref).where(
            FailedIntake.raw_ref.in_(part))))
    for sha in set(wanted) - used:
        # A JSON list of {"sha256": ...}: matched as text (either database).
        if session.scalar(sa.select(OutboundMessage.id).where(
                sa.cast(OutboundMessage.attachments, sa.Text).contains(sha)).limit(1)):
            used.add(sha)
    return used


def delete_unreferenced_after_commit(session: Session, shas: Collection[str]) -> list[str]:
    """Schedule the deletion of those of ``shas`` no row refers to once the
    session's changes are flushed; returns them. The files go only after
    commit (a rollback keeps them)."""
    session.flush()
    orphans = sorted({s for s in shas if s} - still_referenced(session, shas))
    if orphans:
        blobs = session.info[CONFIG_KEY].blobs

        def _delete() -> None:
            gone = sum(blobs.delete(sha) for sha in orphans)
            log.info("deleted %d of %d unreferenced blobs", gone, len(orphans))

        after_commit(session, _delete)
    return orphans
