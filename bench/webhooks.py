"""Signed Twilio call-status callbacks against the app under gunicorn, on loopback.

    .venv/bin/python bench/webhooks.py [--rate 200] [--seconds 30] [--workers 2]
                                       [--threads 1] [--connections 32]

Creates a fresh PostgreSQL database (``inbox_bench_webhooks`` on the server of
``INBOX_BENCH_POSTGRES``, default postgresql+psycopg://postgres@127.0.0.1/test),
migrates it, writes an ``INBOX_CONFIG`` with a ``[twilio]`` table and starts
``gunicorn inbox.wsgi:app`` on a free loopback port with Redis db 11 (flushed
before and after) as ``INBOX_REDIS_URL``, so the filing job enqueued after
commit is real (no worker runs; the jobs stay queued).

The load generator is open loop: request *i* is due at ``start + i / rate``
whatever happened to earlier ones, and its latency is measured from that due
time, not from when a connection got round to sending it (no coordinated
omission). Each simulated call posts ringing, in-progress and completed with
its own CallSid, SequenceNumber and Timestamp, signed with
``channels.twilio.signature.sign`` over the public URL Twilio would call.

Prints requests sent, achieved requests/s, errors (non-200), p50/p95/p99/max
latency, whether the target (p99 < 50 ms at 200 requests/s) is met, the number
of ChannelEvent rows stored (one per request) and the length of the "intake"
queue. Stops gunicorn and drops the database at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from types import FrameType
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from rq import Queue  # noqa: E402

from channels.twilio.signature import HEADER, sign  # noqa: E402
from inbox.database import create_engine  # noqa: E402
from inbox.migrations import upgrade  # noqa: E402

ADMIN_URL = os.environ.get("INBOX_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1/test")
DB_NAME = "inbox_bench_webhooks"
REDIS_URL = "redis://127.0.0.1:6379/11"
PUBLIC_BASE_URL = "https://inbox.example.test"
PATH = "/webhooks/twilio/voice/status"
TOKEN_ENV = "INBOX_BENCH_TWILIO_TOKEN"
OUR_NUMBERS = ("+442079460000", "+442079460001")
TARGET_RATE = 200.0
TARGET_P99_MS = 50.0


@dataclass(frozen=True)
class Request:
    body: bytes
    signature: str


def build_requests(count: int, account_sid: str, token: str, seed: int = 4) -> list[Request]:
    """``count`` signed call-status callbacks: calls of three callbacks each
    (ringing, in-progress, completed), interleaved as calls overlap."""
    rng = random.Random(seed)
    url = PUBLIC_BASE_URL + PATH
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    # Callback j of call c is sent at position c + j*stagger so calls overlap.
    stagger = 7
    calls = -(-count // 3) + stagger
    slots: list[tuple[int, int, int]] = []  # (position, call, step)
    for c in range(calls):
        for step in range(3):
            slots.append((c + step * stagger, c, step))
    slots.sort()
    statuses = ("ringing", "in-progress", "completed")
    call_info: dict[int, tuple[str, str, str, str, int]] = {}
    requests: list[Request] = []
    for _, c, step in slots:
        if len(requests) == count:
            break
        if c not in call_info:
            inbound = rng.random() < 0.8
            customer = f"+4477009{rng.randrange(100000):05d}"
            ours = rng.choice(OUR_NUMBERS)
            frm, to = (customer, ours) if inbound else (ours, customer)
            call_info[c] = ("CA" + rng.getrandbits(128).to_bytes(16).hex(), frm, to,
                            "inbound" if inbound else "outbound-api", rng.randint(5, 900))
        sid, frm, to, direction, duration = call_info[c]
        when = start + timedelta(seconds=20 * c + (0, 8, 8 + duration)[step])
        params = {
            "AccountSid": account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": sid,
            "CallStatus": statuses[step],
            "Called": to,
            "Caller": frm,
            "Direction": direction,
            "From": frm,
            "To": to,
            "CallbackSource": "call-progress-events",
            "SequenceNumber": str(step),
            "Timestamp": format_datetime(when, usegmt=True),
            "FromCountry": "GB",
            "ToCountry": "GB",
        }
        if step == 2:
            params["CallDuration"] = str(duration)
            params["Duration"] = str(-(-duration // 60))
        requests.append(Request(urlencode(params).encode(), sign(token, url, params)))
    return requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_database() -> str:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    url = sa.engine.make_url(ADMIN_URL).set(database=DB_NAME)
    text = url.render_as_string(hide_password=False)
    upgrade(text)
    return text


def drop_database() -> None:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
    admin.dispose()


def wait_healthy(port: int, server: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s")


def fire(port: int, requests: list[Request], rate: float, connections: int, *,
         quiet: bool = False) -> tuple[list[float], int, list[str], float]:
    """Open-loop: request i is due at t0 + i/rate; latency counts from the due time.
    Returns (latencies in s, non-200 count, error samples, wall seconds)."""
    latencies = [0.0] * len(requests)
    statuses = [0] * len(requests)
    errors: list[str] = []
    next_index = 0
    lock = threading.Lock()
    t0 = time.perf_counter() + 0.2
    interval = 1.0 / rate
    headers_base = {"Content-Type": "application/x-www-form-urlencoded",
                    "Host": "127.0.0.1", "User-Agent": "TwilioProxy/1.1"}

    def worker() -> None:
        nonlocal next_index
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while True:
            with lock:
                i = next_index
                next_index += 1
            if i >= len(requests):
                break
            due = t0 + i * interval
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            req = requests[i]
            try:
                conn.request("POST", PATH, body=req.body,
                             headers={**headers_base, HEADER: req.signature})
                resp = conn.getresponse()
                resp.read()
                statuses[i] = resp.status
                if resp.will_close:
                    conn.close()  # gunicorn's sync worker closes after each response
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                statuses[i] = -1
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
            latencies[i] = time.perf_counter() - due
        conn.close()

    cpu = time.process_time()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - t0
    if not quiet:
        print(f"load generator CPU: {time.process_time() - cpu:.1f} s over {wall:.1f} s wall "
              f"({os.cpu_count()} CPUs shared with gunicorn, PostgreSQL and Redis)")
    bad = sum(1 for status in statuses if status != 200)
    samples = [f"HTTP {s}" for s in sorted(set(statuses)) if s not in (200, -1)]
    return latencies, bad, samples + errors[:5], wall


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def start_server(tmp: Path, url: str, account_sid: str, token: str,
                 args: argparse.Namespace) -> tuple[subprocess.Popen[bytes], int]:
    """Write the config, start gunicorn, wait for /healthz and warm every worker's
    database pool (GETs only, so the rows stored stay one per timed request)."""
    config = tmp / "inbox.toml"
    numbers = ", ".join(f'"{n}"' for n in OUR_NUMBERS)
    config.write_text(
        "[twilio]\n"
        f'account_sid = "{account_sid}"\n'
        f'auth_token_env = "{TOKEN_ENV}"\n'
        f"numbers = [{numbers}]\n"
        f'public_base_url = "{PUBLIC_BASE_URL}"\n'
    )
    port = free_port()
    env = {**os.environ, "INBOX_CONFIG": str(config), "INBOX_DATABASE_URL": url,
           TOKEN_ENV: token, "INBOX_REDIS_URL": REDIS_URL,
           "INBOX_SECRET_KEY": secrets.token_hex(32),
           "INBOX_LOG_LEVEL": "WARNING", "INBOX_INSTANCE_DIR": str(tmp / "instance")}
    command = [str(ROOT / ".venv/bin/gunicorn"), "-w", str(args.workers),
               "-b", f"127.0.0.1:{port}", "--log-level", "warning",
               "--worker-tmp-dir", "/dev/shm", "--backlog", "2048",
               "--timeout", "30", "--graceful-timeout", "5"]
    if args.threads > 1:
        command += ["-k", "gthread", "--threads", str(args.threads),
                    "--keep-alive", "30"]
    command.append("inbox.wsgi:app")
    # Own session: a Ctrl-C in the terminal reaches us, and we stop it.
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    try:
        wait_healthy(port, server)
        # Every worker connects to PostgreSQL before the clock starts.
        for _ in range(10 * args.workers):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
    except BaseException:
        stop(server)
        raise
    return server, port


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def clear(url: str, rconn: redis.Redis) -> None:
    engine = create_engine(url)
    with engine.begin() as dbc:
        dbc.execute(sa.text("DELETE FROM channel_events"))
    engine.dispose()
    rconn.flushdb()


def report(url: str, rconn: redis.Redis, count: int, rate: float, latencies: list[float],
           bad: int, samples: list[str], wall: float) -> None:
    engine = create_engine(url)
    with engine.connect() as dbc:
        stored = dbc.scalar(sa.text("SELECT count(*) FROM channel_events"))
    engine.dispose()
    queued = Queue("intake", connection=rconn).count
    ordered = sorted(latencies)
    p50, p95, p99 = (percentile(ordered, q) * 1000 for q in (50, 95, 99))
    peak = ordered[-1] * 1000
    achieved = count / wall
    met = p99 < TARGET_P99_MS and achieved >= 0.98 * TARGET_RATE and bad == 0
    print(f"requests sent:      {count}")
    print(f"achieved:           {achieved:.1f} requests/s (target rate {rate:.0f}/s)")
    print(f"errors (non-200):   {bad}" + (f"  e.g. {'; '.join(samples)}" if samples else ""))
    print(f"latency (from scheduled send): p50 {p50:.1f} ms  p95 {p95:.1f} ms  "
          f"p99 {p99:.1f} ms  max {peak:.1f} ms")
    print(f"target p99 < {TARGET_P99_MS:.0f} ms at {TARGET_RATE:.0f} requests/s: "
          f"{'MET' if met else 'NOT MET'}")
    print(f"ChannelEvent rows:  {stored} ({'=' if stored == count else '!='} requests sent)")
    print(f'RQ queue "intake":  {queued} jobs')
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average now:   {load} on {os.cpu_count()} CPUs (other work on the machine "
          f"shows up in the tail)")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="requests/s (200)")
    parser.add_argument("--seconds", type=float, default=30.0, help="duration (30)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=1,
                        help="gunicorn threads per worker; >1 uses the gthread worker (1: sync)")
    parser.add_argument("--warmup", type=float, default=2.0,
                        help="seconds of untimed signed callbacks at the same rate first, "
                             "so every worker has imported, connected and prepared (2); "
                             "their rows and jobs are removed before the timed run")
    parser.add_argument("--connections", type=int, default=32,
                        help="client connections/threads in the load generator (32)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    count = int(args.rate * args.seconds)
    if not 0 < count <= 200_000:
        sys.exit("rate x seconds must be between 1 and 200000 requests")

    def on_term(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)

    account_sid = "AC" + secrets.token_hex(16)
    token = secrets.token_hex(16)
    started = time.perf_counter()
    requests = build_requests(count, account_sid, token)
    print(f"built and signed {count} callbacks in {time.perf_counter() - started:.2f} s")

    rconn = redis.Redis.from_url(REDIS_URL)
    rconn.flushdb()
    server: subprocess.Popen[bytes] | None = None
    url: str | None = None
    try:
        url = fresh_database()
        with tempfile.TemporaryDirectory() as tmp:
            server, port = start_server(Path(tmp), url, account_sid, token, args)
            kind = f"gthread, {args.threads} threads" if args.threads > 1 else "sync"
            print(f"gunicorn: {args.workers} workers ({kind}) on 127.0.0.1:{port}; "
                  f"firing {count} signed callbacks at {args.rate:.0f}/s for "
                  f"{args.seconds:.0f} s over {args.connections} connections")
            if args.warmup > 0:
                warm = build_requests(max(1, int(args.rate * args.warmup)), account_sid, token,
                                      seed=5)
                cold, _, _, _ = fire(port, warm, args.rate, args.connections, quiet=True)
                print(f"warm-up: {len(warm)} callbacks, max {max(cold) * 1000:.0f} ms "
                      f"(first request per worker pays imports and connections); "
                      f"their rows and jobs removed")
                clear(url, rconn)
            latencies, bad, samples, wall = fire(port, requests, args.rate, args.connections)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    else:
        report(url, rconn, count, args.rate, latencies, bad, samples, wall)
    finally:
        if server is not None:
            stop(server)
        try:
            rconn.flushdb()
            rconn.close()
        finally:
            if url is not None:
                drop_database()


if __name__ == "__main__":
    main()
