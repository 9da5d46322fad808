"""What bench/load.py records while the load runs: request latencies per kind,
intake lag (sent -> row in ``messages``), outbound lag (reply posted -> the
SMTP sink accepted it), and RQ queue depths with the age of each queue's
oldest job, sampled every few seconds together with the load average."""

from __future__ import annotations

import os
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis
import requests
import sqlalchemy as sa
from rq import Queue

from inbox.database import create_engine

QUEUES = ("intake", "outbound", "scheduled", "default", "ocr")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of ``values`` (nan when empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": percentile(values, 50), "p95": percentile(values, 95),
            "p99": percentile(values, 99), "max": max(values) if values else float("nan")}


@dataclass
class Kind:
    """One kind of request: latencies of the answered ones, and what went wrong."""

    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    client_errors: int = 0  # 4xx
    server_errors: int = 0  # >= 500
    timeouts: int = 0
    connection_errors: int = 0
    samples: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.ok + self.client_errors + self.server_errors + self.timeouts \
            + self.connection_errors


class Recorder:
    """Thread-safe latencies and outcomes per request kind."""

    def __init__(self) -> None:
        self.kinds: dict[str, Kind] = defaultdict(Kind)
        self._lock = threading.Lock()

    def record(self, kind: str, seconds: float, status: int, note: str = "") -> None:
        """``status``: the HTTP status, or 0 for a timeout, -1 for a connection error."""
        with self._lock:
            entry = self.kinds[kind]
            if status > 0:
                entry.latencies.append(seconds)
            if 0 < status < 400:
                entry.ok += 1
                return
            if status >= 500:
                entry.server_errors += 1
            elif status >= 400:
                entry.client_errors += 1
            elif status == 0:
                entry.timeouts += 1
            else:
                entry.connection_errors += 1
            if len(entry.samples) < 5:
                entry.samples.append(f"{status} {note}"[:200])


class IntakeTracker:
    """Input sent into the system, keyed by the ``messages.external_id`` it
    must be filed under; a thread looks them up every second. The lag is the
    row's ``created_at`` (the app's clock at insert, same machine) less the
    moment the input was sent."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, pool_size=1)
        self.sent: dict[str, tuple[str, float]] = {}  # external id -> (channel, epoch s)
        self.filed: dict[str, float] = {}  # external id -> lag s
        self.since = 0.0  # only input sent from then on is reported (after the warm-up)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="intake-lag", daemon=True)

    def sent_now(self, channel: str, external_id: str, at: float | None = None) -> None:
        with self._lock:
            self.sent[external_id] = (channel, time.time() if at is None else at)

    def pending(self) -> list[str]:
        with self._lock:
            return [k for k in self.sent if k not in self.filed]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self.poll()
        self.engine.dispose()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            try:
                self.poll()
            except sa.exc.SQLAlchemyError as exc:  # the database was busy: next round
                print(f"intake lag poll failed: {exc}", flush=True)

    def poll(self) -> None:
        ids = self.pending()
        if not ids:
            return
        with self.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT external_id, min(created_at) FROM messages "
                "WHERE external_id = ANY(:ids) GROUP BY external_id"), {"ids": ids}).all()
        with self._lock:
            for external_id, created in rows:
                sent_at = self.sent[external_id][1]
                self.filed[external_id] = max(0.0, created.timestamp() - sent_at)

    def by_channel(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            out: dict[str, dict[str, Any]] = {}
            for external_id, (channel, sent_at) in self.sent.items():
                if sent_at < self.since:
                    continue
                entry = out.setdefault(channel, {"sent": 0, "lags": []})
                entry["sent"] += 1
                if external_id in self.filed:
                    entry["lags"].append(self.filed[external_id])
            return out


class OutboundTracker:
    """Replies posted by reps (a marker in the body) and the moment the channel
    accepted each: the SMTP sink's handler, for e-mail, and the fake Twilio
    API's message creation, for SMS, are wrapped to note the time."""

    def __init__(self) -> None:
        self.posted: dict[str, float] = {}
        self.accepted: dict[str, float] = {}
        self.since = 0.0  # only replies posted from then on are reported
        self._lock = threading.Lock()

    def attach(self, handler: Any) -> None:
        original = handler.handle_DATA

        async def handle_data(server: Any, session: Any, envelope: Any) -> str:
            answer: str = await original(server, session, envelope)
            self._accept(bytes(envelope.original_content or envelope.content or b""),
                         time.time())
            return answer

        handler.handle_DATA = handle_data

    def attach_twilio(self, fake: Any) -> None:
        original = fake.create_message

        def create_message(form: dict[str, str]) -> tuple[int, dict[str, Any]]:
            answer: tuple[int, dict[str, Any]] = original(form)
            self._accept(form.get("Body", "").encode(), time.time())
            return answer

        fake.create_message = create_message

    def _accept(self, raw: bytes, now: float) -> None:
        with self._lock:
            for marker in self.posted:
                if marker not in self.accepted and marker.encode() in raw:
                    self.accepted[marker] = now
                    return

    def post(self, marker: str, at: float) -> None:
        with self._lock:
            self.posted[marker] = at

    def counted(self) -> int:
        with self._lock:
            return sum(1 for t in self.posted.values() if t >= self.since)

    def lags(self) -> list[float]:
        with self._lock:
            return [self.accepted[m] - t for m, t in self.posted.items()
                    if m in self.accepted and t >= self.since]

    def waiting(self) -> int:
        with self._lock:
            return sum(1 for m in self.posted if m not in self.accepted)


class Sampler:
    """Every ``every`` seconds: each RQ queue's length and its oldest job's age,
    the failed jobs, and the 1-minute load average."""

    def __init__(self, redis_url: str, every: float = 5.0) -> None:
        self.conn = redis.Redis.from_url(redis_url)
        self.queues = {name: Queue(name, connection=self.conn) for name in QUEUES}
        self.every = every
        self.samples: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        while True:
            try:
                self.samples.append(self.sample())
            except redis.RedisError as exc:
                print(f"queue sample failed: {exc}", flush=True)
            if self._stop.wait(self.every):
                return

    def sample(self) -> dict[str, Any]:
        now = datetime.now(UTC)
        row: dict[str, Any] = {"t": time.time(), "load1": os.getloadavg()[0], "queues": {}}
        for name, queue in self.queues.items():
            oldest = 0.0
            first = queue.get_jobs(0, 1)
            if first and first[0].enqueued_at is not None:
                enqueued = first[0].enqueued_at
                if enqueued.tzinfo is None:
                    enqueued = enqueued.replace(tzinfo=UTC)
                oldest = max(0.0, (now - enqueued).total_seconds())
            row["queues"][name] = {"depth": queue.count, "oldest": oldest,
                                   "started": queue.started_job_registry.count}
        return row

    def failed_jobs(self) -> dict[str, int]:
        return {name: q.failed_job_registry.count for name, q in self.queues.items()}

    def idle(self) -> bool:
        """No job waiting or running in any queue."""
        return all(q.count == 0 and q.started_job_registry.count == 0
                   for q in self.queues.values())


_SERIES = re.compile(r'^inbox_http_request_duration_seconds_(sum|count)\{([^}]*)\} (\S+)$', re.M)


def scrape(base: str) -> dict[str, list[float]]:
    """The app's own /metrics: per "METHOD endpoint", [requests, seconds spent
    answering them] (empty when /metrics does not answer)."""
    try:
        resp = requests.get(f"{base}/metrics", timeout=10)
    except requests.RequestException:
        return {}
    if resp.status_code != 200:
        return {}
    out: dict[str, list[float]] = {}
    for kind, labels, value in _SERIES.findall(resp.text):
        fields = dict(re.findall(r'(\w+)="([^"]*)"', labels))
        key = f"{fields.get('method', '?')} {fields.get('endpoint', '?')}"
        out.setdefault(key, [0.0, 0.0])[0 if kind == "count" else 1] += float(value)
    return out


def server_side(before: dict[str, list[float]], after: dict[str, list[float]],
                seconds: float) -> dict[str, dict[str, float]]:
    """Requests and mean time in the app per endpoint over the window (from /metrics)."""
    out = {}
    for key, (total, spent_total) in sorted(after.items()):
        count = total - before.get(key, [0.0, 0.0])[0]
        spent = spent_total - before.get(key, [0.0, 0.0])[1]
        if count > 0:
            out[key] = {"count": count, "per_s": count / seconds, "mean_ms": spent / count * 1000}
    return out
