"""The production layout of docs/deploy.md, as processes: gunicorn with
``inbox.gunicorn_conf`` (two processes) and an ``inbox worker``, on
PostgreSQL and Redis. Counters from both web processes add up in /metrics, and
/readyz sees the worker."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import redis
from rq.job import JobStatus

from inbox.jobs.base import enqueue
from inbox.jobs.intake import retry_failed_intakes
from tests.conftest import rows_added_are_removed
from tests.integration.test_jobs import (
    ROOT,
    _free_port,
    _wait_for,
    inbox_env,
    make_failed_intake,
    make_settings,
    run_inbox,
)

pytestmark = pytest.mark.integration


def _fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def test_gunicorn_and_a_worker_serve_count_and_report_ready(
    tmp_path: Path, postgres_url: str, redis_url: str, conn: redis.Redis,
) -> None:
    settings = make_settings(tmp_path, postgres_url, redis_url)
    migrated = run_inbox(settings, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    with rows_added_are_removed(postgres_url):  # the failed intake it files
        _serve_and_report(tmp_path, settings, conn)


def _serve_and_report(tmp_path: Path, settings: Any, conn: redis.Redis) -> None:
    env = inbox_env(settings) | {"INBOX_SECRET_KEY": "deploy-test-secret",
                                 "INBOX_LOG_FORMAT": "json", "INBOX_LOG_LEVEL": "INFO",
                                 "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    web = _start([sys.executable, "-m", "gunicorn", "-c", "python:inbox.gunicorn_conf",
                  "-w", "2", "-b", f"127.0.0.1:{port}", "inbox.wsgi:app"],
                 env, tmp_path / "web.log")
    worker = _start([sys.executable, "-c", "from inbox.cli import main; main()", "worker"],
                    env, tmp_path / "worker.log")
    try:
        _wait_for(lambda: _fetch(f"{base}/healthz")[0] == 200, 60)
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _: _fetch(f"{base}/healthz")[0], range(40)))
        assert statuses == [200] * 40

        def healthz_count() -> float:
            text = _fetch(f"{base}/metrics")[1]
            prefix = 'inbox_http_requests_total{endpoint="/healthz",method="GET",status="200"} '
            return sum(float(line[len(prefix):]) for line in text.splitlines()
                       if line.startswith(prefix))

        # 40 plus the first successful poll (earlier polls may have failed to connect).
        assert healthz_count() >= 41
        web_pids = [int(p) for p in Path(f"/proc/{web.pid}/task/{web.pid}/children"
                                         ).read_text().split()]
        assert len(web_pids) == 2

        failed_id = make_failed_intake(settings, "deploy-test@mail.test")
        job = enqueue(retry_failed_intakes, [failed_id], connection=conn)
        _wait_for(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, 60)

        def ready() -> dict[str, Any]:
            status, body = _fetch(f"{base}/readyz")
            return json.loads(body) if status == 200 else {}

        _wait_for(lambda: ready().get("workers") == 1, 30)
        report = ready()
        assert report["status"] == "ok", report
        assert report["database"]["ok"] is True
        assert report["redis"]["ok"] is True
    finally:
        _stop(worker)
        _stop(web)
    lines = (tmp_path / "web.log").read_text().splitlines()
    access = [json.loads(line) for line in lines if '"inbox.access"' in line]
    assert access, "\n".join(lines[-20:])
    assert all(entry["request_id"] for entry in access)
