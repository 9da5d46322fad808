"""Prometheus metrics (prometheus-client), served at ``/metrics``.

Two kinds:

* **Counted in the web process**: requests by method, URL rule and status, and
  their duration. The label is the URL *rule* (``/threads/<int:thread_id>``),
  never the path, so ids and tokens neither leak nor multiply the series.
  Under gunicorn each worker process counts its own; set
  ``PROMETHEUS_MULTIPROC_DIR`` (``inbox.gunicorn_conf`` does) and a scrape
  adds them up from the files there (prometheus-client's multiprocess mode).
* **Read at scrape time** (:class:`StateCollector`): queue depths, the oldest
  waiting job's age, started/failed/scheduled jobs, workers alive, each
  mailbox's seconds since its last successful sync, failed intakes, Twilio
  events not yet filed, replies not yet sent, and whether the database and
  Redis answer. They come from :mod:`inbox.observability.state`, as
  ``/readyz``'s do, so any process's scrape shows the whole system.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from inbox.observability import state

if TYPE_CHECKING:
    import redis
    from flask import Flask, Response

    from config import Settings
    from inbox.database import Database

log = logging.getLogger(__name__)
access_log = logging.getLogger("inbox.access")

# No "_created" series beside each counter: nothing here reads them.
disable_created_metrics()
# Counted per process; in multiprocess mode the values live in files.
_COUNTED = CollectorRegistry(auto_describe=True)
REQUESTS = Counter("inbox_http_requests", "HTTP requests answered.",
                   ["method", "endpoint", "status"], registry=_COUNTED)
LATENCY = Histogram("inbox_http_request_duration_seconds", "Time to answer an HTTP request.",
                    ["method", "endpoint"], registry=_COUNTED,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))


def init_request_metrics(app: Flask) -> None:
    """Count and time every request, and write its access log line."""
    from flask import g, request

    @app.before_request
    def _start_clock() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        if started is not None:
            endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
            elapsed = time.perf_counter() - started
            REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
            LATENCY.labels(request.method, endpoint).observe(elapsed)
            # The access log: the rule, never the path (tokens, ids, search terms).
            access_log.info("%s %s %s %.1fms", request.method, endpoint,
                            response.status_code, elapsed * 1000)
        return response


class StateCollector(Collector):
    """Gauges read from Redis and the database at each scrape."""

    def __init__(self, db: Database, conn_factory: Callable[[], redis.Redis],
                 settings: Settings) -> None:
        self.db, self.conn_factory, self.settings = db, conn_factory, settings

    def collect(self) -> Iterator[Metric]:
        now = datetime.now(UTC)
        database = self._database(now)
        queue = self._redis(now)
        up = GaugeMetricFamily("inbox_dependency_up", "1 when the service answers.",
                               labels=["service"])
        up.add_metric(["database"], float(database is not None))
        up.add_metric(["redis"], float(queue is not None))
        yield up
        yield from database or ()
        yield from queue or ()

    def _database(self, now: datetime) -> list[Metric] | None:
        try:
            with self.db.transaction() as session:
                mailboxes = state.mailboxes(session, self.settings, now)
                backlog = state.backlog(session, now)
        except Exception as exc:  # a scrape reports a dead database, never fails
            log.warning("metrics: database unavailable: %s", exc)
            return None
        age = GaugeMetricFamily(
            "inbox_mailbox_last_success_age_seconds",
            "Seconds since the folder's last successful sync (+Inf: never).",
            labels=["mailbox", "folder"])
        failing = GaugeMetricFamily("inbox_mailbox_failing", "1 when the folder's sync is "
                                    "stopped with an error.", labels=["mailbox", "folder"])
        for m in mailboxes:
            age.add_metric([m.mailbox, m.folder], float("inf") if m.age is None else m.age)
            failing.add_metric([m.mailbox, m.folder], float(m.status == "error"))
        out: list[Metric] = [age, failing]
        descriptions = {
            "failed_intakes": "Inputs that could not be filed, waiting for a retry or a person.",
            "pending_channel_events": "Twilio events stored but not yet filed.",
            "oldest_pending_channel_event_age": "Seconds the oldest unfiled Twilio event waited.",
            "pending_outbound": "Replies not yet accepted by their provider.",
        }
        for key, value in backlog.items():
            suffix = "_seconds" if key.endswith("_age") else ""
            out.append(GaugeMetricFamily(f"inbox_{key}{suffix}", descriptions[key], value=value))
        return out

    def _redis(self, now: datetime) -> list[Metric] | None:
        try:
            conn = self.conn_factory()
            queues = state.queues(conn, now)
            workers = state.worker_count(conn)
        except Exception as exc:  # a scrape reports a dead Redis, never fails
            log.warning("metrics: redis unavailable: %s", exc)
            return None
        families = {
            "depth": GaugeMetricFamily("inbox_queue_depth", "Jobs waiting in the queue.",
                                       labels=["queue"]),
            "oldest_age": GaugeMetricFamily("inbox_queue_oldest_job_age_seconds",
                                            "Seconds the oldest waiting job has waited.",
                                            labels=["queue"]),
            "started": GaugeMetricFamily("inbox_jobs_started", "Jobs running (or abandoned "
                                         "until RQ's cleanup finds them).", labels=["queue"]),
            "failed": GaugeMetricFamily("inbox_jobs_failed", "Jobs in the failed registry.",
                                        labels=["queue"]),
            "scheduled": GaugeMetricFamily("inbox_jobs_scheduled", "Jobs waiting for a retry "
                                           "interval or a delay.", labels=["queue"]),
        }
        for q in queues:
            for attr, family in families.items():
                family.add_metric([q.name], float(getattr(q, attr)))
        return [*families.values(),
                GaugeMetricFamily("inbox_workers", "RQ workers alive.", value=workers)]


def exposition(db: Database, conn_factory: Callable[[], redis.Redis],
               settings: Settings) -> bytes:
    """The text a scrape gets: this process's (or all processes') counters plus
    the state gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Forward(_COUNTED))
    registry.register(StateCollector(db, conn_factory, settings))
    return generate_latest(registry)


class _Forward(Collector):
    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        yield from self.source.collect()
