"""gunicorn's settings for the web app (docs/deploy.md):

    gunicorn -c python:inbox.gunicorn_conf -b 0.0.0.0:8000 inbox.wsgi:app

Flags on the command line (or ``GUNICORN_CMD_ARGS``) override what is here;
``WEB_CONCURRENCY`` sets the number of processes as gunicorn always reads it.

* ``sync`` workers, ``2 × cores + 1`` of them: measured on the queue pages
  (docs/design.md "Measured here"), two sync processes served as fast as four
  on two cores, and gthread (2 × 4 threads) had the worse tail (p95 224 ms
  against 146). A sync process holds at most one database connection at a
  time, so the pool never grows past one or two per process. Slow clients
  are the reverse proxy's job (it buffers), as with any sync worker.
* No access log from gunicorn: its request line carries paths and query
  strings with tokens and search terms. The app logs each request itself with
  the URL rule, the status, the time and the request id (inbox.observability).
* Prometheus multiprocess mode: each process writes its counters to files in
  ``PROMETHEUS_MULTIPROC_DIR`` (made here under the temp dir unless set) and a
  scrape of any process adds them up. The folder is emptied at start, and a
  dead process's files are marked so its gauges go.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1)))
worker_class = "sync"
timeout = 60  # a request longer than this is a bug; the worker is restarted
graceful_timeout = 30
keepalive = 5
# Recycle a process now and then, so a slow leak never grows without bound.
max_requests = 5000
max_requests_jitter = 500
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", str(Path(tempfile.gettempdir()) / f"inbox-metrics-{os.getpid()}"))


def on_starting(_server: Any) -> None:
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    Path(_metrics_dir).mkdir(parents=True, exist_ok=True)


def child_exit(_server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(_server: Any) -> None:
    if _metrics_dir.startswith(str(Path(tempfile.gettempdir()) / "inbox-metrics-")):
        shutil.rmtree(_metrics_dir, ignore_errors=True)
