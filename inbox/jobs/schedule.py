"""Every periodic job, declared in one place, run by RQ's own cron scheduler
(``rq.cron.CronScheduler``).

Add a line to :data:`PERIODIC` for new periodic work (IMAP poll, SLA sweep,
Twilio reconciliation); the job itself is an ordinary ``@job`` whose queue,
timeout and TTLs the schedule reuses. Periodic jobs must be idempotent: after a
change of leader (below) each interval job runs once straight away.

Only one cron scheduler enqueues, however many workers run
----------------------------------------------------------
Every ``inbox worker`` (not in ``--burst``) starts a small cron process, and
those processes elect a leader with a Redis lock (redis-py's ``Lock``: a key
set with NX and a TTL, owned by a random token). The leader renews the lock
well within its TTL on every tick and runs the ``CronScheduler`` loop; the
others only try to take the lock every few seconds. We chose this over "start
the scheduler with a flag on one worker" because every worker is then started
the same way (one systemd unit, one container image, ``inbox run
--with-worker``), and a dead leader is replaced without anyone noticing:
its lock expires after ``LOCK_TTL`` seconds and another worker takes over.
The price: after a crash up to ``LOCK_TTL`` seconds pass without periodic work,
and a renewal that fails (Redis unreachable longer than the TTL) makes the
leader step down rather than risk two schedulers.

RQ's ``CronScheduler.start()`` blocks and installs signal handlers, so the loop
here drives the same scheduler object step by step (``enqueue_jobs``, ``save``,
``heartbeat``) between lock renewals; it still registers in RQ's cron
scheduler registry, so RQ's monitoring sees it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from redis.exceptions import LockError, RedisError
from rq.exceptions import DuplicateSchedulerError

from inbox.jobs.base import spec_of
from inbox.jobs.claims import follow_up_info_requests
from inbox.jobs.intake import retry_due_intakes
from inbox.jobs.letters import ingest_drop_folders
from inbox.jobs.mail import sync_all_mailboxes
from inbox.jobs.replies import reopen_follow_ups, send_due_replies
from inbox.jobs.retention import apply_retention_policy
from inbox.jobs.sla import sla_sweep
from inbox.jobs.twilio import file_pending_twilio_events, reconcile_twilio

if TYPE_CHECKING:
    import redis
    from rq.cron import CronScheduler

log = logging.getLogger(__name__)

LOCK_KEY = "inbox:cron:leader"
LOCK_TTL = 60  # seconds: how long a dead leader blocks a successor
RENEW_EVERY = 10.0  # seconds between renewals (and between tries by followers)


@dataclass(frozen=True)
class Periodic:
    job: Callable[..., Any]  # an @job-declared function
    interval: int | None = None  # seconds, or
    cron: str | None = None  # a crontab line (server local time)
    args: tuple[Any, ...] = ()


PERIODIC: list[Periodic] = [
    # Failed intake gets automatic, backed-off retries; the rest waits for a person.
    Periodic(retry_due_intakes, interval=300),
    # IMAP: a pass over every mailbox (skips one whose last pass still runs).
    Periodic(sync_all_mailboxes, interval=60),
    # Twilio webhook events a lost job or an earlier failure left unfiled.
    Periodic(file_pending_twilio_events, interval=300),
    # Twilio reconciliation: calls, recordings and SMS whose webhooks were lost.
    Periodic(reconcile_twilio, interval=300),
    # Scanned letters: every complete file in the configured drop folders.
    Periodic(ingest_drop_folders, interval=60),
    # Requests for information past their follow-up date: back to the rep.
    Periodic(follow_up_info_requests, interval=900),
    # Replies scheduled for later that are due and were never tried (a reply
    # scheduled while Redis was down, a lost job): RQ's scheduler's safety net.
    Periodic(send_due_replies, interval=60),
    # Threads set pending until a follow-up time that has come: back to the queue.
    Periodic(reopen_follow_ups, interval=60),
    # SLA: warnings to assignees, breaches escalated to supervisors, events recorded.
    Periodic(sla_sweep, interval=60),
    # Retention ([retention]): raw mail, recordings and failed intake past their days.
    Periodic(apply_retention_policy, interval=3600),
]


def build_scheduler(
    connection: redis.Redis, periodic: list[Periodic] | None = None, name: str | None = None
) -> CronScheduler:
    from rq.cron import CronScheduler

    name = name or f"inbox:{os.uname().nodename}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    scheduler = CronScheduler(connection=connection, name=name)
    for entry in PERIODIC if periodic is None else periodic:
        spec = spec_of(entry.job)
        scheduler.register(
            entry.job,
            queue_name=spec.queue,
            args=entry.args,
            interval=entry.interval,
            cron=entry.cron,
            job_timeout=spec.timeout,
            result_ttl=spec.result_ttl,
            failure_ttl=spec.failure_ttl,
            name=spec.name,
        )
    return scheduler


def enqueue_due(scheduler: CronScheduler) -> list[Any]:
    """``scheduler.enqueue_jobs()``, each job enqueued with the ``Retry`` it
    declares: ``CronScheduler.register`` takes none, and a periodic job a
    killed worker abandoned would otherwise be listed as failed instead of run
    again. The retry is in the job options only while enqueueing (they go on
    to ``Queue.enqueue``): the scheduler saves them to Redis as JSON, which a
    ``Retry`` is not."""
    cron_jobs = scheduler.get_jobs()
    for cron_job in cron_jobs:
        retry = spec_of(cron_job.func).retry if cron_job.func is not None else None
        if retry is not None:
            cron_job.job_options["retry"] = retry
    try:
        return scheduler.enqueue_jobs()
    finally:
        for cron_job in cron_jobs:
            cron_job.job_options.pop("retry", None)


def run_cron(
    connection: redis.Redis,
    stop: threading.Event,
    *,
    periodic: list[Periodic] | None = None,
    lock_key: str = LOCK_KEY,
    lock_ttl: int = LOCK_TTL,
    renew_every: float = RENEW_EVERY,
    parent_pid: int | None = None,
    name: str | None = None,
) -> None:
    """Follow or lead until ``stop`` is set (or the parent process is gone).
    ``name`` names the scheduler in RQ's cron registry (default host:pid:random)."""
    scheduler = build_scheduler(connection, periodic, name)
    lock = connection.lock(lock_key, timeout=lock_ttl, thread_local=False)
    leading = False
    try:
        while not stop.is_set():
            if parent_pid is not None and os.getppid() != parent_pid:
                log.info("cron: worker process is gone, stopping")
                break
            leading = _keep_or_take(lock, leading, scheduler)
            wait = renew_every
            if leading:
                try:
                    if enqueue_due(scheduler):
                        scheduler.save()
                    scheduler.heartbeat()
                except RedisError:
                    log.exception("cron: enqueueing periodic jobs failed")
                wait = min(renew_every, max(scheduler.calculate_sleep_interval(), 0.2))
            stop.wait(wait)
    finally:
        if leading:
            _step_down(lock, scheduler)


def _keep_or_take(lock: Any, leading: bool, scheduler: CronScheduler) -> bool:
    try:
        if leading:
            lock.reacquire()  # back to the full TTL; raises if we lost it
            return True
        if lock.acquire(blocking=False):
            log.info("cron: %s leads the periodic jobs", scheduler.name)
            with contextlib.suppress(DuplicateSchedulerError):
                scheduler.register_birth()
            return True
        return False
    except (LockError, RedisError):
        if leading:
            log.warning("cron: %s lost the lead (lock expired, or Redis unreachable)",
                        scheduler.name)
            with contextlib.suppress(RedisError):
                scheduler.register_death()
        return False


def _step_down(lock: Any, scheduler: CronScheduler) -> None:
    with contextlib.suppress(LockError, RedisError):
        lock.release()
    with contextlib.suppress(RedisError):
        scheduler.register_death()
    log.info("cron: %s stopped", scheduler.name)


def cron_process_main(connection: redis.Redis, parent_pid: int) -> None:
    """Entry point of the cron process a worker forks (see ``inbox worker``)."""
    stop = threading.Event()

    def _stop(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    run_cron(connection, stop, parent_pid=parent_pid)
