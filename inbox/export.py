"""Exports of the conversation side as plain dicts, ready for JSON Lines.

:func:`threads` streams: it reads threads in id order one chunk at a time and
loads each chunk's messages with one extra query, so memory stays flat however
many threads there are (the session keeps unchanged objects only weakly). The
shape of each dict is a public interface that users' scripts rely on: add keys
only with care, never rename them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from inbox.models import Message, Thread

CHUNK_SIZE = 500


def threads(
    session: Session,
    *,
    statuses: Collection[str] = (),
    since: datetime | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[dict[str, Any]]:
    """Every thread (or those with one of ``statuses``, or with a message
    received at or after ``since``) in id order, with its messages in time order."""
    query = sa.select(Thread).order_by(Thread.id).limit(chunk_size).options(
        joinedload(Thread.customer), joinedload(Thread.claim), selectinload(Thread.messages),
    )
    if statuses:
        query = query.where(Thread.status.in_(list(statuses)))
    if since is not None:
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        query = query.where(
            sa.exists().where(Message.thread_id == Thread.id, Message.received_at >= since)
        )
    last_id = 0
    while True:
        chunk = session.scalars(query.where(Thread.id > last_id)).unique().all()
        for thread in chunk:
            yield thread_dict(thread)
        if len(chunk) < chunk_size:
            return
        last_id = chunk[-1].id


def thread_dict(thread: Thread) -> dict[str, Any]:
    customer = thread.customer
    return {
        "id": thread.id,
        "customer": {"id": customer.id, "ref": customer.ref, "name": customer.name},
        "status": thread.status,
        "claim": thread.claim.number if thread.claim is not None else None,
        "issue_type": thread.issue_type,
        "messages": [
            message_dict(m) for m in sorted(thread.messages, key=lambda m: (m.received_at, m.id))
        ],
    }


def message_dict(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "channel": message.channel,
        "direction": message.direction,
        "external_id": message.external_id,
        "received_at": iso_utc(message.received_at),
        "subject": message.subject,
        "text": message.text,
        "language": message.language,
        "auto": message.auto,
    }


def iso_utc(value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``: ``2026-03-02T09:00:00Z``."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
