"""Faults during a steady intake of email, SMS webhooks and scanned letters,
with the product running as real processes on private servers (world.py).

Each test injects one fault while mail and SMS keep arriving, then stops the
intake and lets the sweeps catch up, and checks: every input is filed exactly
once, nothing is lost, no failed intake is left, no scan is left in the drop
folder. They share one world (servers and processes), in this order; each
leaves it healthy for the next.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time

import pytest
import sqlalchemy as sa
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from tests.faults.world import BLOB_MAX_MB, World

pytestmark = [pytest.mark.integration, pytest.mark.faults]


def _started(world: World, queue: str, func: str) -> Job | None:
    conn = world.connection()
    try:
        for job_id in StartedJobRegistry(queue, connection=conn).get_job_ids():
            job = Job.fetch(job_id, connection=conn)
            if job.func_name == func:
                return job
    finally:
        conn.close()
    return None


def _horse_of(world: World, index: int) -> int | None:
    """The worker's work horse: RQ forks it into a process group of its own."""
    for pid in world.worker_pids(index):
        try:
            if os.getpgid(pid) == pid and pid != world.workers[index].pid:  # type: ignore[union-attr]
                return pid
        except ProcessLookupError:
            continue
    return None


def _job_state(world: World, job_id: str) -> tuple[str | None, int | None]:
    conn = world.connection()
    try:
        job = Job.fetch(job_id, connection=conn)
        return job.get_status(), job.retries_left
    finally:
        conn.close()


def _letter_job_running(world: World, tries: int = 5) -> tuple[Job, int]:
    """Drop a scan and wait for the drop-folder job reading it; (job, worker
    index). A short scan can be read before the job's worker is looked up:
    then another one is dropped."""
    from rq import Worker

    for _ in range(tries):
        world.letter()
        job = world.wait_for(
            lambda: _started(world, "ocr", "inbox.jobs.letters.ingest_drop_folders"),
            60, "a drop-folder job started")
        conn = world.connection()
        try:
            holder = next((w for w in Worker.all(connection=conn)
                           if w.get_current_job_id() == job.id), None)
        finally:
            conn.close()
        if holder is not None:
            index = next(i for i, p in enumerate(world.workers)
                         if p is not None and p.pid == holder.pid)
            return job, index
    pytest.fail(f"a drop-folder job finished before its worker was found, {tries} times")


def test_kill_9_of_a_work_horse_mid_job_loses_nothing(world: World) -> None:
    world.start_intake()
    job, index = _letter_job_running(world)
    time.sleep(0.5)  # mid-OCR
    horse = world.wait_for(lambda: _horse_of(world, index), 10, "the work horse")
    os.killpg(horse, signal.SIGKILL)  # the horse and its OCR process (the OOM killer's way)
    # The worker sees its horse die and retries the job (Retry), it does not drop it.
    status, retries_left = world.wait_for(
        lambda: (s := _job_state(world, job.id))[0] != JobStatus.STARTED and s, 30,
        "the killed job handled")
    assert status in (JobStatus.SCHEDULED, JobStatus.QUEUED, JobStatus.STARTED,
                      JobStatus.FINISHED), status
    assert retries_left == 1  # Retry(max=2): one retry used
    world.letter()
    time.sleep(2)
    world.settle(timeout=90)
    world.assert_exactly_once()


def test_kill_9_of_a_whole_worker_its_job_is_picked_up(world: World) -> None:
    world.start_intake()
    for _ in range(5):
        job, index = _letter_job_running(world)
        time.sleep(0.3)
        world.kill_worker(index)  # worker, horse, cron and RQ scheduler: nobody reports the job
        if _job_state(world, job.id)[0] == JobStatus.STARTED:
            break
        world.start_worker(index)  # the job was done before the kill: again
    assert _job_state(world, job.id)[0] == JobStatus.STARTED
    world.letter()
    # The other worker's maintenance (every 2 s here) finds the execution's
    # heartbeat expired (2 + 60 s) and retries it (10 s later).
    status = world.wait_for(
        lambda: (s := _job_state(world, job.id)[0]) in (JobStatus.SCHEDULED, JobStatus.QUEUED,
                                                        JobStatus.FINISHED) and s,
        90, "the abandoned job taken back")
    assert _job_state(world, job.id)[1] == 1, "retried, not listed as failed"
    world.start_worker(index)
    world.wait_for(lambda: _job_state(world, job.id)[0] == JobStatus.FINISHED, 60,
                   f"the abandoned job run again (was {status})")
    world.settle(timeout=60)
    world.assert_exactly_once()


def test_redis_restart_loses_every_queued_job_and_nothing_is_lost(world: World) -> None:
    world.start_intake()
    world.letter()
    time.sleep(3)
    world.redis.restart(kill=True, down_seconds=3)  # SIGKILL; back empty: jobs gone
    time.sleep(3)
    world.letter()
    time.sleep(3)
    world.settle(timeout=60)
    world.assert_exactly_once()
    for index, process in enumerate(world.workers):
        assert process is not None
        assert process.poll() is None, world.log_tail(f"worker{index}")  # outlived the outage


def test_postgres_crash_and_restart(world: World) -> None:
    world.start_intake()
    world.letter()
    time.sleep(3)
    world.pg.restart(mode="immediate", down_seconds=3)  # a crash: WAL recovery on start
    time.sleep(3)
    world.letter()
    time.sleep(2)
    world.settle(timeout=60)
    world.assert_exactly_once()
    assert all(p is not None for p in world.workers)
    assert all(p.poll() is None for p in world.workers if p is not None)


def test_imap_connection_kicked_again_and_again(world: World) -> None:
    world.start_intake(every=0.2)
    for _ in range(8):
        time.sleep(0.7)
        with contextlib.suppress(RuntimeError):  # exit 68: nobody connected just then
            world.dovecot.doveadm("kick", world.user.name)  # every IMAP connection dropped
    world.settle(timeout=60)
    world.assert_exactly_once()


def test_attachment_store_full_waits_and_files_once_space_is_freed(world: World) -> None:
    # Fill the store to its configured limit but for 2 KB (a few SMS), with a
    # file that stands for everything else kept there.
    filler = world.blob_dir / "ff" / "filler"
    filler.parent.mkdir(parents=True, exist_ok=True)
    used = sum(p.stat().st_size for p in world.blob_dir.rglob("*") if p.is_file())
    filler.write_bytes(b"\0" * (BLOB_MAX_MB * 1048576 - used - 2_000))
    world.start_intake(every=0.3, attachment=os.urandom(30_000))
    world.letter()
    time.sleep(8)
    world.stop_intake()
    # Full: waiting input, visible; nothing filed twice, nothing recorded as bad input.
    missing = world.missing()
    assert all(missing[channel] for channel in ("email", "sms", "letter")), missing
    with world.engine.connect() as conn:
        mailbox_errors = conn.scalars(sa.text("SELECT error FROM mailbox_states")).all()
        event_errors = conn.scalars(sa.text(
            "SELECT error FROM channel_events WHERE processed_at IS NULL")).all()
    assert any("blob_max_mb" in e for e in mailbox_errors), mailbox_errors
    # Pending SMS events keep why they wait (those just in are not tried yet).
    assert any("BlobStoreFull" in e for e in event_errors), event_errors
    assert all("BlobStoreFull" in e or not e for e in event_errors), event_errors
    assert world.failed_intakes() == []
    assert [p.name for p in world.drop.iterdir() if p.is_file()], "the scan waits in the folder"
    # The drop-folder job failed: retried (Retry), then listed in `inbox jobs failed`.
    conn = world.connection()
    try:
        tried = [Job.fetch(i, connection=conn) for i in
                 FailedJobRegistry("ocr", connection=conn).get_job_ids()
                 + ScheduledJobRegistry("ocr", connection=conn).get_job_ids()]
    finally:
        conn.close()
    assert any(j.func_name == "inbox.jobs.letters.ingest_drop_folders"
               and (j.retries_left or 0) < 2 for j in tried)
    filler.unlink()  # space freed
    world.settle(timeout=60)
    world.assert_exactly_once()
