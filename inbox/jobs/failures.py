"""Failed RQ jobs, across queues, so failures are visible (``inbox jobs failed``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from inbox.jobs import QUEUES

if TYPE_CHECKING:
    import redis


@dataclass(frozen=True)
class FailedJob:
    id: str
    queue: str
    call: str
    ended_at: datetime | None
    error: str  # the exception's last line
    traceback: str


def queue_names(connection: redis.Redis) -> list[str]:
    """Our queues first, then any other queue RQ knows on this Redis."""
    from rq import Queue

    known = [queue.name for queue in Queue.all(connection=connection)]
    return list(dict.fromkeys([*QUEUES, *sorted(known)]))


def failed_jobs(
    connection: redis.Redis, queues: list[str] | None = None, limit: int = 100
) -> list[FailedJob]:
    """Newest failures first, at most ``limit`` across the queues."""
    from rq import Queue
    from rq.job import Job

    found: list[FailedJob] = []
    for name in queues or queue_names(connection):
        registry = Queue(name, connection=connection).failed_job_registry
        ids = registry.get_job_ids(0, limit - 1, desc=True)
        for job in Job.fetch_many(ids, connection=connection):
            if job is None:  # expired between listing and fetching
                continue
            result = job.latest_result()
            trace = (result.exc_string if result is not None else None) or ""
            lines = [line for line in trace.strip().splitlines() if line.strip()]
            found.append(FailedJob(
                id=job.id,
                queue=name,
                call=_short(job.get_call_string() or job.func_name or "?", 160),
                ended_at=job.ended_at,
                error=_short(lines[-1] if lines else "(no traceback recorded)", 300),
                traceback=trace,
            ))
    found.sort(key=lambda item: item.ended_at.timestamp() if item.ended_at else 0, reverse=True)
    return found[:limit]


def requeue(connection: redis.Redis, job_id: str) -> str:
    """Put a failed job back on its queue; returns the queue name."""
    from rq import Queue
    from rq.exceptions import InvalidJobOperation, NoSuchJobError
    from rq.job import Job

    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError as exc:
        raise LookupError(f"no job {job_id}") from exc
    registry = Queue(job.origin, connection=connection).failed_job_registry
    try:
        registry.requeue(job)
    except InvalidJobOperation as exc:
        raise LookupError(f"job {job_id} is not in the failed jobs of {job.origin}") from exc
    return job.origin


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
