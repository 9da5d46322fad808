"""The readiness report behind ``/readyz``.

``unavailable`` (HTTP 503): the database or Redis cannot be reached, so this
instance cannot do its work; a load balancer takes it out of rotation.
``degraded`` (HTTP 200, still serving): something needs a person — a mailbox
that has not synced for ``mailbox_stale_minutes`` or is stopped with an error,
no RQ worker alive, a queue whose oldest job has waited over
:data:`QUEUE_LAG_DEGRADED` seconds, or failed intakes waiting to be looked at.
``ok`` otherwise.

Errors are reported by their type only: the endpoint is unauthenticated, and
connection errors name hosts; the full text goes to the log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa

from inbox.observability import state

if TYPE_CHECKING:
    import redis

    from config import Settings
    from inbox.database import Database

log = logging.getLogger(__name__)
T = TypeVar("T")

QUEUE_LAG_DEGRADED = 300.0


def readiness(db: Database, conn_factory: Callable[[], redis.Redis], settings: Settings,
              now: datetime | None = None) -> tuple[int, dict[str, Any]]:
    """(HTTP status, report). Every check runs even when an earlier one fails."""
    now = now or datetime.now(UTC)
    report: dict[str, Any] = {"checked_at": now.isoformat()}
    problems: list[str] = []

    report["database"], _ = _check("database", lambda: _ping_database(db))
    db_ok = report["database"]["ok"]
    if db_ok:
        with db.transaction() as session:
            checked, mailboxes = _check("mailboxes",
                                        lambda: state.mailboxes(session, settings, now))
            report["mailboxes"] = checked if mailboxes is None else [_mailbox(m)
                                                                    for m in mailboxes]
            checked, backlog = _check("backlog", lambda: state.backlog(session, now))
            report["backlog"] = checked if backlog is None else backlog
        problems += [f"mailbox {m.mailbox}/{m.folder} stale or failing"
                     for m in mailboxes or () if m.stale or m.status == "error"]
        if backlog and backlog["failed_intakes"]:
            problems.append("failed intakes waiting")

    report["redis"], _ = _check("redis", lambda: conn_factory().ping())
    redis_ok = report["redis"]["ok"]
    if redis_ok:
        conn = conn_factory()
        checked, queues = _check("queues", lambda: state.queues(conn, now))
        report["queues"] = checked if queues is None else {q.name: _queue(q) for q in queues}
        checked, workers = _check("workers", lambda: state.worker_count(conn))
        report["workers"] = checked if workers is None else workers
        if workers == 0:
            problems.append("no worker running")
        problems += [f"queue {q.name} waiting {q.oldest_age:.0f}s" for q in queues or ()
                     if q.oldest_age > QUEUE_LAG_DEGRADED]

    if not (db_ok and redis_ok):
        report["status"] = "unavailable"
        return 503, report
    report["status"] = "degraded" if problems else "ok"
    report["problems"] = problems
    return 200, report


def _ping_database(db: Database) -> None:
    assert db.engine is not None
    with db.engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))


def _check(what: str, run: Callable[[], T]) -> tuple[dict[str, Any], T | None]:
    """Run one check: ({"ok": True, "latency_ms": ...}, its value), or on an
    error ({"ok": False, "error": "<type>"}, None). A check never raises."""
    started = time.perf_counter()
    try:
        value = run()
    except Exception as exc:  # a check reports failure, it never raises
        log.warning("readiness: %s failed: %s", what, exc)
        return {"ok": False, "error": type(exc).__name__}, None
    return {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}, value


def _mailbox(figures: state.MailboxFigures) -> dict[str, Any]:
    row = asdict(figures)
    row["last_success_at"] = figures.last_success_at.isoformat() if figures.last_success_at \
        else None
    row["age_seconds"] = None if figures.age is None else round(figures.age, 1)
    del row["age"]
    return row


def _queue(figures: state.QueueFigures) -> dict[str, Any]:
    return {"depth": figures.depth, "oldest_job_age_seconds": round(figures.oldest_age, 1),
            "started": figures.started, "failed": figures.failed,
            "scheduled": figures.scheduled}
