"""What the system is doing right now, read cheaply from Redis and the database:
the figures behind ``/readyz`` and the gauges of ``/metrics`` (one source, so
the two never disagree).

Each reader takes a connection or a session and returns plain data; none of
them raises for a service that is down (the caller decides what that means).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from inbox.jobs import QUEUES
from inbox.models import ChannelEvent, FailedIntake, MailboxState, OutboundMessage

if TYPE_CHECKING:
    import redis
    from sqlalchemy.orm import Session

    from config import Settings


@dataclass(frozen=True)
class QueueFigures:
    name: str
    depth: int  # waiting to run
    oldest_age: float  # seconds the oldest waiting job has waited; 0 when empty
    started: int  # running now (or abandoned, until RQ's cleanup notices)
    failed: int  # in the failed registry: `inbox jobs failed`, `inbox jobs requeue`
    scheduled: int  # waiting for a retry's interval or a delay


@dataclass(frozen=True)
class MailboxFigures:
    mailbox: str
    folder: str
    status: str
    last_success_at: datetime | None
    age: float | None  # seconds since the last successful sync; None: never
    stale: bool
    error: str


def queues(conn: redis.Redis, now: datetime) -> list[QueueFigures]:
    """Depth, oldest waiting job's age and registry sizes of every queue: a
    handful of Redis calls per queue, pipelined where RQ allows."""
    from rq import Queue
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    figures = []
    for name in QUEUES:
        queue = Queue(name, connection=conn)
        head = queue.get_job_ids(0, 0)
        oldest = 0.0
        if head:
            try:
                enqueued_at = Job.fetch(head[0], connection=conn).enqueued_at
            except NoSuchJobError:  # expired or deleted while listed
                enqueued_at = None
            if enqueued_at is not None:
                oldest = max(0.0, (now - enqueued_at.replace(tzinfo=UTC)).total_seconds())
        with conn.pipeline(transaction=False) as pipe:
            pipe.llen(queue.key)
            pipe.zcard(queue.started_job_registry.key)
            pipe.zcard(queue.failed_job_registry.key)
            pipe.zcard(queue.scheduled_job_registry.key)
            depth, started, failed, scheduled = pipe.execute()
        figures.append(QueueFigures(name, int(depth), oldest, int(started), int(failed),
                                    int(scheduled)))
    return figures


def worker_count(conn: redis.Redis) -> int:
    from rq import Worker

    return int(Worker.count(connection=conn))


def mailboxes(session: Session, settings: Settings, now: datetime) -> list[MailboxFigures]:
    """Every configured mailbox's folders, with a row for a folder never synced."""
    rows = {(row.mailbox, row.folder): row for row in session.scalars(sa.select(MailboxState))}
    stale_after = settings.mailbox_stale_minutes * 60
    figures = []
    for mailbox in settings.mailboxes:
        for folder in mailbox.folders:
            row = rows.get((mailbox.name, folder))
            last = row.last_success_at if row is not None else None
            age = (now - last).total_seconds() if last is not None else None
            figures.append(MailboxFigures(
                mailbox=mailbox.name, folder=folder,
                status=row.status if row is not None else "new",
                last_success_at=last, age=age,
                stale=age is None or age > stale_after,
                error=row.error if row is not None else "",
            ))
    return figures


def backlog(session: Session, now: datetime) -> dict[str, float]:
    """Work waiting in the database rather than in Redis: failed intakes to
    look at, Twilio events not yet filed (and the oldest one's age), replies
    not yet accepted by their provider."""
    failed_intakes = session.scalar(
        sa.select(sa.func.count()).select_from(FailedIntake).where(FailedIntake.status == "failed"))
    pending_events, oldest = session.execute(
        sa.select(sa.func.count(), sa.func.min(ChannelEvent.received_at))
        .where(ChannelEvent.processed_at.is_(None))).one()
    pending_outbound = session.scalar(
        sa.select(sa.func.count()).select_from(OutboundMessage)
        .where(OutboundMessage.status == "pending"))
    return {
        "failed_intakes": float(failed_intakes or 0),
        "pending_channel_events": float(pending_events or 0),
        # min() keeps the column's type: aware UTC on both databases (db.UTCDateTime).
        "oldest_pending_channel_event_age": (now - oldest).total_seconds() if oldest else 0.0,
        "pending_outbound": float(pending_outbound or 0),
    }

