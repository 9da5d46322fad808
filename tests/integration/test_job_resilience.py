"""What the fault tests (tests/faults) rely on, checked fast and one at a time:
every job declares a Retry and periodic jobs are enqueued with it; a periodic
pass's lock frees itself soon after its holder dies and survives Redis losing
it; the attachment store refuses what would pass its limits (what a refusal
does to the IMAP cursor, webhook events and scans: tests/faults)."""

from __future__ import annotations

import importlib
import pkgutil
import threading
import time

import pytest
import redis
from rq import Queue

import inbox.jobs
from inbox.blobs import BlobStore, BlobStoreFull
from inbox.jobs.base import declared_jobs
from inbox.jobs.locks import renewed_lock
from inbox.jobs.schedule import PERIODIC, build_scheduler, enqueue_due

pytestmark = pytest.mark.integration


def _import_every_job_module() -> None:
    for module in pkgutil.iter_modules(inbox.jobs.__path__):
        importlib.import_module(f"inbox.jobs.{module.name}")


def test_every_declared_job_has_a_retry() -> None:
    _import_every_job_module()
    specs = declared_jobs()
    assert len(specs) >= 20
    without = sorted(name for name, spec in specs.items() if spec.retry is None)
    assert without == [], f"jobs without a Retry: {without}"


def test_periodic_jobs_are_enqueued_with_their_retry(conn: redis.Redis) -> None:
    scheduler = build_scheduler(conn, name="test-retry")
    enqueued = enqueue_due(scheduler)  # every interval job is due at once
    assert len(enqueued) == len(PERIODIC)
    for cron_job in enqueued:
        [job_id] = cron_job.get_job_ids(conn)
        job = Queue(cron_job.queue_name, connection=conn).fetch_job(job_id)
        assert job is not None
        assert (job.retries_left or 0) >= 2, cron_job.name
        assert job.retry_intervals, cron_job.name
    scheduler.save()  # the options saved to Redis are plain JSON again
    assert all("retry" not in c.job_options for c in scheduler.get_jobs())


def test_a_lock_is_renewed_while_held_and_free_soon_after_its_holder_is_gone(
        conn: redis.Redis) -> None:
    with renewed_lock(conn, "test:lock", ttl=1) as taken:
        assert taken
        time.sleep(1.6)  # past the TTL: renewed meanwhile
        with renewed_lock(conn, "test:lock", ttl=1) as second:
            assert not second
        conn.flushdb()  # Redis restarted empty: the lock is taken back
        time.sleep(0.8)
        assert conn.exists("test:lock")
    assert not conn.exists("test:lock")
    # A holder that dies (its renewing thread with it) frees the lock by TTL.
    lock = conn.lock("test:lock", timeout=1)
    assert lock.acquire(blocking=False)
    time.sleep(1.2)
    with renewed_lock(conn, "test:lock", ttl=1) as taken:
        assert taken


def test_release_of_a_lost_lock_is_not_an_error(conn: redis.Redis) -> None:
    with renewed_lock(conn, "test:lock", ttl=30) as taken:
        assert taken
        conn.delete("test:lock")
    threads = [t.name for t in threading.enumerate()]
    assert "lock:test:lock" not in threads


def test_blob_store_refuses_past_its_size_limit_and_sees_space_freed(tmp_path) -> None:
    store = BlobStore(tmp_path / "blobs", max_bytes=10_000)
    first = store.put(b"a" * 6000)
    with pytest.raises(BlobStoreFull, match="blob_max_mb"):
        store.put(b"b" * 6000)
    assert store.put(b"a" * 6000) == first  # stored before: no room needed
    source = tmp_path / "scan.pdf"
    source.write_bytes(b"c" * 6000)
    with pytest.raises(BlobStoreFull):
        store.put_file(source)
    store.path(first).unlink()  # space freed (by another process, say)
    store.put_file(source)
    assert store.usage() == 6000
    assert not list((tmp_path / "blobs").rglob(".incoming-*"))


def test_blob_store_keeps_the_minimum_free_space(tmp_path) -> None:
    store = BlobStore(tmp_path / "blobs", min_free_bytes=1 << 62)  # more than any disk
    with pytest.raises(BlobStoreFull, match="blob_min_free_mb"):
        store.put(b"x")
    assert BlobStore(tmp_path / "blobs", min_free_bytes=1 << 20).put(b"x")
