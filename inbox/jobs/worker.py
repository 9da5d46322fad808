"""Running a worker: RQ's worker (with RQ's scheduler for retries and delayed
jobs) plus, unless in burst mode, the cron process of :mod:`inbox.jobs.schedule`.

Abandoned jobs. A worker killed with its work horse (``kill -9``, the machine
gone) leaves its job in RQ's StartedJobRegistry. The job's execution is kept
alive by a heartbeat every ``job_monitoring_interval`` seconds and expires
that long plus 60 s after the last one; a worker's maintenance then takes it
back (``StartedJobRegistry.cleanup``): retried when it has retries left (every
job declares a ``Retry``), else moved to the failed jobs (``inbox jobs
failed``). RQ runs maintenance every 600 s by default; ``inbox worker`` runs
it every :data:`MAINTENANCE_INTERVAL` seconds (one worker per queue at a time:
RQ takes a lock), so an abandoned job runs again within about
``job_monitoring_interval + 60 + MAINTENANCE_INTERVAL`` seconds (2.5 minutes
with the defaults) plus its first retry interval. A work horse killed alone
(the OOM killer) is seen by its worker at once and retried the same way.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import pkgutil
import signal
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

from inbox.jobs import QUEUES
from inbox.jobs.base import use_app
from inbox.jobs.schedule import cron_process_main

if TYPE_CHECKING:
    import redis
    from flask import Flask

log = logging.getLogger(__name__)
MAINTENANCE_INTERVAL = 60  # seconds; RQ's default is 600
JOB_MONITORING_INTERVAL = 30  # seconds; RQ's default


def parse_queues(values: Sequence[str]) -> list[str]:
    """``("intake,outbound", "ocr")`` → ``["intake", "outbound", "ocr"]``; empty → all."""
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in QUEUES]
    if unknown:
        raise ValueError(f"unknown queue {', '.join(unknown)}; queues are {', '.join(QUEUES)}")
    return list(dict.fromkeys(names)) or list(QUEUES)


def prepare_for_work_horses(app: Flask) -> None:
    """Build here, once, what jobs would otherwise build in every work horse.

    RQ forks a work horse per job, and whatever a horse builds dies with it.
    The language detector (lingua, six high-accuracy models: ~1 s of CPU and
    ~200 MB) was built on first use, so every job that filed a text (an SMS,
    a portal message, a letter, a call with a transcript) built it anew:
    bench/load.py found the intake worker spending ~1 s of CPU per SMS. Built
    in the parent it is inherited by every horse, copy-on-write.

    Likewise the modules jobs import when they run (the Twilio SDK, the
    call and letter filing, ...): imported in a horse they cost each job
    about 2.5 s (the fault tests found SMS jobs that slow once ``inbox``
    stopped importing every command's module at start).
    """
    from inbox.intake.language import warm_up

    for module in (*_JOB_MODULES, *_IMPORTED_BY_JOBS):
        importlib.import_module(module)
    warm_up(app.config["SETTINGS"].languages)


# Every module of inbox.jobs, and what their functions import when they run
# (tests/integration/test_worker_warm.py keeps this list complete).
_JOB_MODULES = tuple(f"inbox.jobs.{m.name}" for m in pkgutil.iter_modules(
    [str(Path(__file__).resolve().parent)]) if m.name != "worker")
_IMPORTED_BY_JOBS = (
    "channels.email.imap", "channels.email.smtp", "channels.twilio.rest", "inbox.blobs",
    "inbox.calls.filing", "inbox.calls.media", "inbox.calls.outbound", "inbox.calls.reconcile",
    "inbox.casework.info_requests", "inbox.intake.language", "inbox.letters.folders",
    "inbox.letters.intake",
    "inbox.letters.pool", "inbox.letters.replies", "inbox.mail.outbound", "inbox.mail.sync",
    "inbox.models", "inbox.portal.delivery", "inbox.portal.scans", "inbox.privacy.retention",
    "inbox.sla.recompute", "inbox.sla.sweep", "inbox.workspace.later",
)


def run_worker(
    app: Flask,
    connection: redis.Redis,
    queues: Sequence[str],
    *,
    burst: bool = False,
    simple: bool = False,
    cron: bool = True,
    maintenance_interval: int = MAINTENANCE_INTERVAL,
    job_monitoring_interval: int = JOB_MONITORING_INTERVAL,
) -> bool:
    """Work until stopped (or, with ``burst``, until the queues are empty).
    Returns whether any job was processed."""
    from rq import SimpleWorker, Worker

    use_app(app)
    prepare_for_work_horses(app)
    worker_class = SimpleWorker if simple else Worker

    def new_worker() -> Worker | SimpleWorker:
        return worker_class(list(queues), connection=connection,
                            maintenance_interval=maintenance_interval,
                            job_monitoring_interval=job_monitoring_interval)

    worker = new_worker()
    cron_process = None
    if cron and not burst:
        # Forked like RQ's own scheduler process: it shares nothing but the
        # Redis connection settings, and leaves when the worker does.
        cron_process = multiprocessing.get_context("fork").Process(
            target=cron_process_main, args=(connection, os.getpid()), name="inbox-cron",
            daemon=True,
        )
        cron_process.start()
    try:
        worked = False
        while True:
            try:
                worked = worker.work(burst=burst, with_scheduler=True,
                                     logging_level=app.config["SETTINGS"].log_level) or worked
            except RedisError as exc:  # RQ's teardown, with Redis gone
                log.warning("worker: Redis lost (%s)", type(exc).__name__)
            # RQ's worker quits when Redis goes away in the middle of its loop
            # (a heartbeat after a job, a timeout): unless it was asked to stop
            # (RQ's own flag, set by its SIGTERM/SIGINT handler), a new one
            # registers on the Redis that comes back, instead of the service
            # dying with it.
            if burst or getattr(worker, "_stop_requested", False) \
                    or not _wait_for_redis(connection):
                return worked
            log.warning("worker: the RQ worker quit unasked; starting it again")
            worker = new_worker()
    finally:
        if cron_process is not None:
            cron_process.terminate()
            cron_process.join(15)
            if cron_process.is_alive():
                log.warning("cron process did not stop in time; killing it")
                cron_process.kill()
                cron_process.join(5)


def _redis_lost(connection: redis.Redis) -> bool:
    try:
        connection.ping()
    except RedisError:
        return True
    return False


def _wait_for_redis(connection: redis.Redis, every: float = 2.0) -> bool:
    """Wait until Redis answers; False when SIGTERM/SIGINT asked us to stop."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while _redis_lost(connection):
            if stop.wait(every):
                return False
        return not stop.is_set()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
