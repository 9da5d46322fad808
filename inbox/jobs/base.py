"""Declaring jobs: each job says, where it is defined, which queue it runs on,
how long it may take and how it is retried.

    @job("intake", timeout=300, retry=Retry(max=3, interval=[30, 120, 600]))
    def retry_failed_intakes(session: Session, ids: list[int]) -> dict[str, list[int]]:
        ...

The decorated function is what RQ imports and calls with the job's arguments
(ids, never ORM objects). It runs inside an app context and one database
transaction: the body gets the transaction's session as its first argument and
only flushes; the wrapper commits, or rolls back when the body raises, then runs
the after-commit actions (e.g. enqueueing follow-up jobs). Bodies must be safe
to run twice: RQ retries, a killed worker's job is run again, and the same ids
may be enqueued twice.

Enqueue with :func:`enqueue`, or, inside a transaction, with
:func:`enqueue_after_commit` so a job never runs before the data it needs is
committed (and never runs at all when the transaction rolls back).
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from flask import current_app, has_app_context
from rq import Queue, Retry

from inbox import queueing
from inbox.database import after_commit
from inbox.jobs import QUEUES

if TYPE_CHECKING:
    import redis
    from flask import Flask
    from rq.job import Job
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class JobSpec:
    name: str  # dotted path RQ imports
    queue: str
    timeout: int  # seconds before the work horse is killed
    retry: Retry | None
    result_ttl: int  # seconds a result is kept
    failure_ttl: int  # seconds a failed job stays listed in `inbox jobs failed`


_SPECS: dict[str, JobSpec] = {}
_worker_app: Flask | None = None
_engine_pid: dict[int, int] = {}


def job(
    queue: str,
    *,
    timeout: int,
    retry: Retry | None = None,
    result_ttl: int = DAY,
    failure_ttl: int = 30 * DAY,
    transaction: bool = True,
) -> Callable[[Callable[Concatenate[Any, P], R]], Callable[P, R]]:
    """Declare a job: see the module docstring.

    ``transaction=False`` is for long jobs that commit in steps (an IMAP sync
    files batch after batch): the body gets the :class:`~inbox.database.Database`
    instead of a session and opens its own transactions."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}; queues are {', '.join(QUEUES)}")
    if timeout <= 0:
        raise ValueError("timeout must be a positive number of seconds")

    def declare(func: Callable[Concatenate[Any, P], R]) -> Callable[P, R]:
        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            app = job_app()
            with app.app_context():
                _fresh_connections_after_fork(app)
                try:
                    if not transaction:
                        return func(app.extensions["inbox.db"], *args, **kwargs)
                    with app.extensions["inbox.db"].transaction() as session:
                        return func(session, *args, **kwargs)
                except Exception as exc:
                    from rq import get_current_job

                    current = get_current_job()
                    # RQ logs and keeps the traceback (`inbox jobs failed`); this
                    # line names the job without repeating it.
                    log.error(
                        "job %s (rq job %s) rolled back: %s", spec.name,
                        current.id if current else "-", type(exc).__name__,
                    )
                    raise

        spec = JobSpec(
            name=f"{func.__module__}.{func.__qualname__}",
            queue=queue,
            timeout=timeout,
            retry=retry,
            result_ttl=result_ttl,
            failure_ttl=failure_ttl,
        )
        if "<locals>" in spec.name:
            raise ValueError(f"{spec.name}: jobs must be module-level functions RQ can import")
        _SPECS[spec.name] = spec
        return run

    return declare


def spec_of(func: Callable[..., Any]) -> JobSpec:
    name = f"{func.__module__}.{func.__qualname__}"
    try:
        return _SPECS[name]
    except KeyError:
        raise ValueError(f"{name} is not declared with @job") from None


def declared_jobs() -> dict[str, JobSpec]:
    return dict(_SPECS)


def enqueue(
    func: Callable[P, Any],
    *args: Any,
    connection: redis.Redis | None = None,
    **kwargs: Any,
) -> Job:
    """Put a declared job on its queue now. Inside a transaction use
    :func:`enqueue_after_commit` instead."""
    spec = spec_of(func)
    conn = connection or queueing.app_connection(current_app)
    queue = Queue(spec.queue, connection=conn)
    return queue.enqueue(
        func,
        args=args,
        kwargs=kwargs,
        job_timeout=spec.timeout,
        retry=spec.retry,
        result_ttl=spec.result_ttl,
        failure_ttl=spec.failure_ttl,
    )


def enqueue_after_commit(
    session: Session,
    func: Callable[P, Any],
    *args: Any,
    connection: redis.Redis | None = None,
    **kwargs: Any,
) -> None:
    """Enqueue once ``session``'s transaction has committed (rule 3 of the house).

    Outside an app context (a CLI command) pass ``connection``."""
    spec_of(func)  # fail now, inside the transaction, on an undeclared job
    app = current_app._get_current_object() if has_app_context() else None  # type: ignore[attr-defined]
    if connection is None and app is None:
        raise RuntimeError("enqueue_after_commit outside an app context needs connection=")

    def _enqueue() -> None:
        conn = connection or queueing.app_connection(app)  # type: ignore[arg-type]
        enqueue(func, *args, connection=conn, **kwargs)

    after_commit(session, _enqueue)


def use_app(app: Flask) -> None:
    """The app jobs run in when no app context is pushed (set by ``inbox worker``)."""
    global _worker_app  # noqa: PLW0603 - one app per worker process, set once at start
    _worker_app = app
    db = app.extensions["inbox.db"]
    _engine_pid[id(db)] = os.getpid()


def job_app() -> Flask:
    if has_app_context():
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        return app
    if _worker_app is None:
        # A worker started some other way (e.g. plain `rq worker`): build the
        # app from the environment, as `inbox worker` would.
        from inbox import create_app

        use_app(create_app())
    assert _worker_app is not None
    return _worker_app


def _fresh_connections_after_fork(app: Flask) -> None:
    """RQ runs each job in a forked work horse; database connections inherited
    from the parent must not be shared (SQLAlchemy: "Using Connection Pools
    with Multiprocessing or os.fork()"), so the child drops them unclosed."""
    db = app.extensions["inbox.db"]
    pid = os.getpid()
    if _engine_pid.get(id(db), pid) != pid and db.engine is not None:
        db.engine.dispose(close=False)
    _engine_pid[id(db)] = pid
