"""``inbox run`` (web app), ``inbox worker`` (RQ worker), ``inbox jobs`` (failed jobs).

``inbox run`` uses werkzeug's development server, good for the demo and a
laptop. In production run the WSGI app with gunicorn (``gunicorn -w 4 -b
0.0.0.0:8000 inbox.wsgi:app``) and the workers as their own services
(``inbox worker``), all with ``INBOX_REDIS_URL`` pointing at one Redis.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from typing import TYPE_CHECKING, Any

import click

from inbox.cli import Context, pass_context
from inbox.jobs import QUEUES

if TYPE_CHECKING:
    import redis

    from config import Settings

WORKER_STOP_SECONDS = 30


def _queue_connection(settings: Settings, *, required: bool) -> redis.Redis | None:
    """Connect (starting the embedded Redis when that is the configuration)."""
    import redis as redis_lib

    from inbox import queueing

    try:
        connection = queueing.connect(settings)
        connection.ping()
    except (queueing.QueueUnavailableError, redis_lib.RedisError) as exc:
        message = f"queue ({queueing.describe(settings)}): {exc}"
        if required:
            raise click.ClickException(message) from exc
        click.echo(f"warning: {message}; jobs cannot be queued until it is reachable", err=True)
        return None
    return connection


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--with-worker", is_flag=True,
    help="Also run `inbox worker` as a child process (sharing the embedded Redis); "
    "it is stopped when this command exits.",
)
@pass_context
def run(obj: Context, host: str, port: int, with_worker: bool) -> None:
    """Serve the web app (development server; production: gunicorn inbox.wsgi:app)."""
    from werkzeug.serving import run_simple

    from inbox import queueing

    settings = obj.settings
    app = obj.app
    # Start (or attach to) the embedded Redis here, before the worker exists,
    # so the server belongs to the longest-lived process.
    _queue_connection(settings, required=with_worker)
    worker = _start_worker_process() if with_worker else None
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        click.echo(f" * queue: {queueing.describe(settings)}")
        if worker is not None:
            click.echo(f" * worker: pid {worker.pid}")
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if worker is not None:
            _stop_process(worker)


def _exit_on_signal(_signum: int, _frame: Any) -> None:
    sys.exit(0)  # unwinds run_simple, so the finally block stops the worker


def _start_worker_process() -> subprocess.Popen[bytes]:
    # Same interpreter, same environment (so the same configuration and the
    # same embedded Redis), same process group (so `kill -- -PGID` stops all).
    worker = subprocess.Popen(
        [sys.executable, "-c", "from inbox.cli import main; main()", "worker"],
    )

    def _watch() -> None:
        code = worker.wait()
        if code not in (0, -signal.SIGTERM, -signal.SIGINT):
            click.echo(f"warning: the worker (pid {worker.pid}) exited with {code}", err=True)

    threading.Thread(target=_watch, name="inbox-worker-watch", daemon=True).start()
    return worker


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    try:
        # The worker may have had the same signal (Ctrl-C reaches the whole
        # process group): give it a moment so RQ's warm shutdown is not turned
        # into a cold one by a second signal.
        process.wait(3)
        return
    except subprocess.TimeoutExpired:
        pass
    process.terminate()  # RQ: warm shutdown, the running job finishes
    try:
        process.wait(WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@click.command("worker")
@click.option("--burst", is_flag=True, help="Drain the queues, then exit.")
@click.option(
    "--queues", "-q", multiple=True, metavar="NAMES",
    help=f"Comma-separated queues in priority order (default all: {','.join(QUEUES)}).",
)
@click.option(
    "--simple", is_flag=True,
    help="Run jobs in the worker process instead of a forked work horse (faster, less isolated).",
)
@click.option(
    "--cron/--no-cron", default=True, show_default=True,
    help="Take part in running the periodic jobs (one worker leads; not in --burst).",
)
@click.option(
    "--maintenance-interval", default=60, show_default=True, type=click.IntRange(1, 3600),
    metavar="SECONDS",
    help="How often to take back jobs a killed worker abandoned (retried, or listed "
    "as failed) and clean RQ's registries.",
)
@click.option(
    "--job-monitoring-interval", default=30, show_default=True, type=click.IntRange(1, 600),
    metavar="SECONDS",
    help="Heartbeat of a running job; a killed worker's job counts as abandoned "
    "this + 60 s after its last heartbeat.",
)
@pass_context
def worker(obj: Context, burst: bool, queues: tuple[str, ...], simple: bool, cron: bool,
           maintenance_interval: int, job_monitoring_interval: int) -> None:
    """Run an RQ worker (with RQ's scheduler for retries and delayed jobs)."""
    from inbox.jobs.worker import parse_queues, run_worker

    try:
        names = parse_queues(queues)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--queues") from exc
    connection = _queue_connection(obj.settings, required=True)
    assert connection is not None
    run_worker(obj.app, connection, names, burst=burst, simple=simple, cron=cron,
               maintenance_interval=maintenance_interval,
               job_monitoring_interval=job_monitoring_interval)


@click.group("jobs")
def jobs() -> None:
    """Background jobs: failures and requeueing."""


@jobs.command("failed")
@click.option("--queue", "-q", "queues", multiple=True, help="Only these queues (repeatable).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--traceback", "show_traceback", is_flag=True, help="Print each full traceback.")
@pass_context
def jobs_failed(obj: Context, queues: tuple[str, ...], limit: int, show_traceback: bool) -> None:
    """List failed jobs across queues, newest first."""
    from inbox.jobs.failures import failed_jobs

    connection = _queue_connection(obj.settings, required=True)
    assert connection is not None
    found = failed_jobs(connection, list(queues) or None, limit)
    if not found:
        click.echo("no failed jobs")
        return
    click.echo(f"{len(found)} failed job{'s' if len(found) != 1 else ''}")
    for item in found:
        ended = item.ended_at.strftime("%Y-%m-%d %H:%M:%S UTC") if item.ended_at else "-"
        click.echo(f"{item.id}  {item.queue:<10} {ended}  {item.call}")
        click.echo(f"    {item.error}")
        if show_traceback:
            click.echo("    " + item.traceback.rstrip().replace("\n", "\n    "))


@jobs.command("requeue")
@click.argument("job_ids", nargs=-1, required=True)
@pass_context
def jobs_requeue(obj: Context, job_ids: tuple[str, ...]) -> None:
    """Put failed jobs back on their queues."""
    from inbox.jobs.failures import requeue

    connection = _queue_connection(obj.settings, required=True)
    assert connection is not None
    missing = 0
    for job_id in job_ids:
        try:
            click.echo(f"{job_id}: requeued on {requeue(connection, job_id)}")
        except LookupError as exc:
            missing += 1
            click.echo(f"{job_id}: {exc}", err=True)
    if missing:
        raise SystemExit(1)


COMMANDS: list[click.Command] = [run, worker, jobs]
