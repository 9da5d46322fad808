"""Sending queued replies after commit, whatever their channel; replies
scheduled for later; threads whose follow-up date has come.

A reply scheduled for later is enqueued for its time in RQ's scheduler (every
``inbox worker`` runs it) under the job id ``outbound-<id>``; the periodic
:func:`send_due_replies` enqueues any due reply no sender has tried yet and
for which no job with that id is waiting, so a reply scheduled while Redis was
unreachable, or whose job was lost, still goes out (within a minute of its
time). The sender itself never sends before ``send_at``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from rq import Retry

from inbox.database import after_commit
from inbox.jobs.base import enqueue_after_commit, job, spec_of

if TYPE_CHECKING:
    import redis
    from sqlalchemy.orm import Session

    from inbox.models import OutboundMessage

log = logging.getLogger(__name__)
# A job still waiting in RQ's scheduler this long after its time is presumed
# stuck (no scheduler running): the sweep enqueues the reply directly.
SCHEDULER_GRACE = timedelta(minutes=5)


def sender_job(channel: str) -> Callable[..., Any]:
    """The job that sends a queued reply on ``channel``."""
    if channel == "email":
        from inbox.jobs.mail import send_email_reply

        return send_email_reply
    if channel == "sms":
        from inbox.jobs.twilio import send_sms_reply

        return send_sms_reply
    if channel == "letter":
        from inbox.jobs.letters import print_letter_reply

        return print_letter_reply
    raise ValueError(f"no sender for channel {channel!r}")


def sender_job_id(outbound_id: int) -> str:
    return f"outbound-{outbound_id}"


def send_after_commit(session: Session, outbounds: Iterable[OutboundMessage], *,
                      connection: redis.Redis | None = None) -> None:
    """Enqueue each reply's sender once ``session`` has committed; a reply
    scheduled for later, for its time."""
    for outbound in outbounds:
        if outbound.send_at is None:
            enqueue_after_commit(session, sender_job(outbound.channel), outbound.id,
                                 connection=connection)
            continue
        outbound_id, channel, at = outbound.id, outbound.channel, outbound.send_at
        spec_of(sender_job(channel))  # fail inside the transaction, not after it

        def _at(outbound_id: int = outbound_id, channel: str = channel,
                at: datetime = at) -> None:
            enqueue_sender(_connection(connection), outbound_id, channel, at=at)

        after_commit(session, _at)


def enqueue_sender(connection: redis.Redis, outbound_id: int, channel: str, *,
                   at: datetime | None = None) -> bool:
    """Put the sender of reply ``outbound_id`` on its queue (now, or at ``at``
    through RQ's scheduler) under the job id ``outbound-<id>``; False when a
    job with that id exists already (RQ checks atomically)."""
    from rq import Queue
    from rq.exceptions import DuplicateJobError

    func = sender_job(channel)
    spec = spec_of(func)
    queue = Queue(spec.queue, connection=connection)
    options: dict[str, Any] = {
        "args": (outbound_id,), "job_id": sender_job_id(outbound_id), "unique": True,
        "job_timeout": spec.timeout, "retry": spec.retry, "result_ttl": spec.result_ttl,
        "failure_ttl": spec.failure_ttl,
    }
    try:
        if at is None:
            queue.enqueue(func, **options)
        else:
            queue.enqueue_at(at, func, **options)
    except DuplicateJobError:
        return False
    return True


def dispatch_due(connection: redis.Redis, due: Iterable[tuple[int, str]], now: datetime
                 ) -> list[int]:
    """Enqueue the sender of each due reply unless its job is waiting, running
    or still scheduled (within :data:`SCHEDULER_GRACE` of its time); a job of
    that id that ended (ran too early, lost its run) is replaced. Returns the
    ids enqueued."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    waiting = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED}
    enqueued = []
    for outbound_id, channel in due:
        try:
            found: Job | None = Job.fetch(sender_job_id(outbound_id), connection=connection)
        except NoSuchJobError:
            found = None
        if found is not None:
            status = found.get_status(refresh=False)
            if status in waiting:
                continue
            if status == JobStatus.SCHEDULED:
                at = _scheduled_for(connection, found)
                if at is not None and at > now - SCHEDULER_GRACE:
                    continue  # RQ's scheduler will enqueue it
            found.delete()  # also takes it out of the scheduled registry
        if enqueue_sender(connection, outbound_id, channel):
            enqueued.append(outbound_id)
    return enqueued


def _scheduled_for(connection: redis.Redis, found: Any) -> datetime | None:
    from rq import Queue

    registry = Queue(found.origin, connection=connection).scheduled_job_registry
    score = connection.zscore(registry.key, found.id)
    return None if score is None else datetime.fromtimestamp(float(score), UTC)


def _connection(connection: redis.Redis | None) -> redis.Redis:
    if connection is not None:
        return connection
    from flask import current_app

    from inbox import queueing

    return queueing.app_connection(current_app)


@job("scheduled", timeout=300, retry=Retry(max=2, interval=[10, 60]))
def send_due_replies(session: Session) -> int:
    """Periodic: scheduled replies whose time has come and that no sender has
    tried are enqueued (see the module docstring)."""
    from flask import current_app

    from inbox import queueing
    from inbox.workspace.later import due_replies

    now = datetime.now(UTC)
    due = due_replies(session, now)  # committed rows: enqueueing now is safe
    if not due:
        return 0
    enqueued = dispatch_due(queueing.app_connection(current_app), due, now)
    if enqueued:
        log.info("scheduled replies enqueued: %s", enqueued)
    return len(enqueued)


@job("scheduled", timeout=300, retry=Retry(max=2, interval=[10, 60]))
def reopen_follow_ups(session: Session) -> int:
    """Periodic: pending threads whose follow-up date has come are back in
    the queue (:func:`inbox.workspace.later.reopen_due_threads`)."""
    from inbox.workspace.later import reopen_due_threads

    return len(reopen_due_threads(session, datetime.now(UTC)))
