"""Queue page and queue API latency on 1,000,000 messages, under wrk, served by gunicorn.

    .venv/bin/python bench/queue.py [--keep | --reuse] [--duration 20] [--connections 8]

Loads 1,000,000 messages in 200,000 threads (50,000 customers, ~300 users in
five teams; see bench/queue_data.py for the shape) into a separate
PostgreSQL database (``inbox_bench_queue`` on INBOX_BENCH_POSTGRES, default
the local server), migrated by ``inbox migrate`` and filled with COPY; then
serves the app with gunicorn on a free loopback port and drives each URL with
wrk at a fixed concurrency for a fixed time: the queue page ``/`` (the
default view: open work, due first), the rows the page polls
(``/queue/rows``), saved views and filters, and ``GET /api/v1/queue`` with a
Bearer token ("skipped (no API yet)" while it answers 404). Prints
requests/s, p50/p95/p99 latency and non-2xx answers per URL, the 1-minute
load average before it, and "others": the cores the rest of the machine
used meanwhile (the load average also counts the bench itself; the machine
is shared, so ``--wait-quiet 0.3`` waits for a quiet moment before each
URL). Target: p95 < 50 ms.

The pages are fetched as a signed-in rep (a session cookie from ``/login``,
CSRF token from the form; the User-Agent is fixed because sessions are bound
to it); the API with a token from ``inbox.workspace.tokens.issue_token``.
wrk is a closed loop (each connection sends its next request when the last
one is answered), so latency includes the wait for a free gunicorn worker.

gunicorn runs sync workers by default, 4 as the README's production line
(``--workers``, ``--worker-class gthread --threads N`` to compare): the
queue's requests are short and CPU-bound, so threads add no parallelism
under the GIL, and sync workers need no keep-alive (a reverse proxy holds
the client connections in production).

``--keep`` leaves the database for a later ``--reuse`` run (which skips the
load, re-applies migrations and moves the data's times forward to now);
``--explain`` prints EXPLAIN (ANALYZE, BUFFERS) of the SQL each view runs;
``--connections 1,8`` measures each URL at both concurrencies;
``--queue-cache 0`` turns the queue's few seconds of shared answers off
(every request computed afresh; inbox.answer_cache). With the cache,
one rep asking one URL over and over is its best case: each answer is
computed once per ``queue_cache_seconds`` and served from Redis meanwhile.
Needs wrk (Debian: ``apt-get install -y wrk``).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path, and bench/queue.py
# would then stand in for the standard library's queue module.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

import argparse  # noqa: E402
import http.cookiejar  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any  # noqa: E402

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.pg import ADMIN_URL, admin, database_url, scalar  # noqa: E402
from bench.queue_data import BENCH_EMAIL, BENCH_TEAM, Sizes, load  # noqa: E402
from inbox.database import create_engine  # noqa: E402
from inbox.migrations import upgrade  # noqa: E402

USER_AGENT = "inbox-bench-queue/1"
TARGET_P95_MS = 50.0
PAGES = ["/", "/queue/rows", "/?view=mine", "/?view=unassigned", "/?view=overdue",
         "/?channel=sms", "/?language=de", f"/?team={BENCH_TEAM}", "/?status=closed"]
API = ["/api/v1/queue", "/api/v1/queue?channel=sms"]

WRK_SCRIPT = r"""
-- Counts non-2xx answers (wrk itself counts only >= 400) and prints the
-- latency percentiles as one JSON line for bench/queue.py.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, ' ..
    '"max": %d, "non2xx": %d, "errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, bad,
    e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Result:
    path: str
    connections: int
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    max: float = 0.0
    non2xx: int = 0
    errors: int = 0
    load: float = 0.0
    others: float = 0.0
    skipped: str = ""


def say(text: str) -> None:
    print(text, flush=True)


# --- the database ----------------------------------------------------------------------



def libpq_dsn(url: str) -> str:
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(
        hide_password=False)



def prepare(args: argparse.Namespace, url: str) -> None:
    """A fresh loaded database, or the kept one brought up to date."""
    if args.reuse:
        engine = create_engine(ADMIN_URL)
        with engine.connect() as conn:
            found = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                {"n": args.database})
        engine.dispose()
        if not found:
            sys.exit(f"--reuse: there is no database {args.database}; run once with --keep")
    else:
        admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        admin(f'CREATE DATABASE "{args.database}"')
    upgrade(url)  # inbox migrate: also applies new revisions to a reused database
    engine = create_engine(url)
    with engine.connect() as conn:
        messages = conn.scalar(sa.text("SELECT reltuples::bigint FROM pg_class "
                                       "WHERE relname = 'messages'"))
    engine.dispose()
    if args.reuse:
        if not messages or messages < 0.9 * args.messages:
            sys.exit(f"--reuse: {args.database} holds ~{max(messages or 0, 0):,} messages, "
                     f"not {args.messages:,}; run once with --keep first")
        shift_to_now(url)
        return
    sizes = Sizes.scaled(args.messages)
    say(f"loading {sizes.messages:,} messages, {sizes.threads:,} threads, "
        f"{sizes.customers:,} customers, {sizes.users} users into {args.database} (COPY) ...")
    started = time.perf_counter()
    load(libpq_dsn(url), sizes, datetime.now(UTC), seed=args.seed, say=say,
         search_index=args.search_index)
    size = scalar(url, "SELECT pg_size_pretty(pg_database_size(current_database()))")
    say(f"loaded and analysed in {time.perf_counter() - started:.0f} s ({size})")



def shift_to_now(url: str) -> None:
    """Move the threads' times forward by the data's age, so "due around now"
    still holds for a database loaded days ago."""
    engine = create_engine(url)
    with engine.begin() as conn:
        made = conn.scalar(sa.text("SELECT created_at FROM users WHERE email = :e"),
                           {"e": BENCH_EMAIL})
        age = datetime.now(UTC) - made
        if age.total_seconds() > 3600:
            say(f"reusing data made {age} ago: moving thread times forward")
            conn.execute(sa.text(
                "UPDATE threads SET due_at = due_at + :d, created_at = created_at + :d, "
                "last_message_at = last_message_at + :d, last_inbound_at = last_inbound_at + :d,"
                " first_response_at = first_response_at + :d, "
                "follow_up_at = follow_up_at + :d"), {"d": age})
            conn.execute(sa.text("UPDATE users SET created_at = created_at + :d "
                                 "WHERE email = :e"), {"d": age, "e": BENCH_EMAIL})
    if age.total_seconds() > 3600:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE threads"))
    engine.dispose()


def bench_credentials(url: str) -> tuple[int, str, str]:
    """The bench rep's id, a fresh password for /login and an API token."""
    from werkzeug.security import generate_password_hash

    from inbox.models import User
    from inbox.workspace.tokens import issue_token

    password = secrets.token_urlsafe(16)
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        user = session.scalars(sa.select(User).where(User.email == BENCH_EMAIL)).one()
        user.password_hash = generate_password_hash(password)
        _, token = issue_token(session, user, "bench/queue.py", datetime.now(UTC))
        user_id = user.id
    engine.dispose()
    return user_id, password, token


# --- gunicorn and signing in ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(args: argparse.Namespace, url: str, port: int,
                   instance: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INBOX_")}
    env.update(INBOX_DATABASE_URL=url, INBOX_SECRET_KEY=secrets.token_hex(32),
               INBOX_INSTANCE_DIR=str(instance), INBOX_LOG_LEVEL="WARNING")
    if args.queue_cache is not None:
        env["INBOX_QUEUE_CACHE_SECONDS"] = str(args.queue_cache)
    command = [str(ROOT / ".venv/bin/gunicorn"), "--chdir", str(ROOT), "-b", f"127.0.0.1:{port}",
               "-w", str(args.workers), "-k", args.worker_class, "--log-level", "warning"]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    process = subprocess.Popen([*command, "inbox.wsgi:app"], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    sys.exit("gunicorn did not answer within 60 s")


def sign_in(base: str, password: str) -> str:
    """The Cookie header of a session signed in through the /login form."""
    from tests.web import csrf_token

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    form = opener.open(f"{base}/login").read().decode()
    data = urllib.parse.urlencode({"email": BENCH_EMAIL, "password": password,
                                   "csrf_token": csrf_token(form)}).encode()
    landed = opener.open(f"{base}/login", data)
    if urllib.parse.urlsplit(landed.url).path != "/":
        sys.exit(f"signing in failed: ended on {landed.url}")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def probe(url: str, headers: dict[str, str]) -> int:
    """The status of one request, redirects not followed."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a: Any, **k: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        return int(opener.open(urllib.request.Request(url, headers=headers), timeout=30).status)
    except urllib.error.HTTPError as exc:
        return exc.code


# --- measuring ------------------------------------------------------------------------------


class CpuMeter:
    """How busy the rest of the machine was while a URL was measured: all CPU
    time (/proc/stat) less this bench's own processes (gunicorn and its
    workers, the PostgreSQL backends of the bench database, wrk, this
    script), in cores. The load average counts the bench's own processes."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, server_pid: int, url: str) -> None:
        self.server_pid = server_pid
        self.engine = create_engine(url, poolclass=sa.pool.NullPool)

    @classmethod
    def _pid_seconds(cls, pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / cls.TICK  # utime + stime

    def _ours(self) -> float:
        pids = {self.server_pid}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.server_pid:
                    pids.add(int(stat.parent.name))
            except (OSError, ValueError, IndexError):
                continue
        with self.engine.connect() as conn:
            pids.update(conn.scalars(sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()")))
        own = resource.getrusage(resource.RUSAGE_SELF)
        waited = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, once done
        return (sum(map(self._pid_seconds, pids)) + own.ru_utime + own.ru_stime
                + waited.ru_utime + waited.ru_stime)

    @classmethod
    def _busy(cls) -> float:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
        user, nice, system, _idle, _iowait, irq, softirq, steal = values
        return (user + nice + system + irq + softirq + steal) / cls.TICK

    def start(self) -> None:
        self._started = (time.monotonic(), self._busy(), self._ours())

    def others(self) -> float:
        """Cores the rest of the machine used since :meth:`start`."""
        wall, busy, ours = self._started
        elapsed = time.monotonic() - wall
        return max(0.0, (self._busy() - busy - (self._ours() - ours)) / elapsed)

    def wait_quiet(self, below: float, patience: float) -> None:
        """Wait (at most ``patience`` seconds) until the rest of the machine
        uses less than ``below`` cores over 3 s."""
        deadline = time.monotonic() + patience
        while True:
            self.start()
            time.sleep(3)
            used = self.others()
            if used < below:
                return
            if time.monotonic() > deadline:
                say(f"  (still busy: others use {used:.2f} cores; measuring anyway)")
                return


def run_wrk(url: str, headers: dict[str, str], connections: int, threads: int,
            seconds: float, script: Path) -> dict[str, Any]:
    command = ["wrk", "-t", str(min(threads, connections)), "-c", str(connections),
               "-d", f"{max(1, round(seconds))}s", "--timeout", "10s", "--latency",
               "-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH "):
            return dict(json.loads(line[6:]))
    sys.exit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def measure(args: argparse.Namespace, base: str, cookie: str, token: str,
            meter: CpuMeter) -> list[Result]:
    page_headers = {"Cookie": cookie, "User-Agent": USER_AGENT}
    api_headers = {"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT}
    targets = [(p, page_headers) for p in (args.url or PAGES)]
    targets += [(p, api_headers) for p in ([] if args.url else API)]
    results: list[Result] = []
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_SCRIPT)
        script = Path(fh.name)
    try:
        runnable = []
        for path, headers in targets:
            status = probe(base + path, headers)
            if status == 404 and path.startswith("/api/"):
                results.append(Result(path, 0, skipped="skipped (no API yet)"))
            elif status != 200:
                sys.exit(f"{path} answers {status}, not 200: not measuring a redirect "
                         f"or an error page")
            else:
                runnable.append((path, headers))
        if args.warmup > 0:  # every worker imports, connects and compiles templates
            for path, headers in runnable:
                run_wrk(base + path, headers, max(args.connections), args.wrk_threads,
                        args.warmup, script)
        for _ in range(args.repeat):
            for connections in args.connections:
                for path, headers in runnable:
                    if args.wait_quiet:
                        meter.wait_quiet(args.wait_quiet, args.patience)
                    load = os.getloadavg()[0]
                    meter.start()
                    out = run_wrk(base + path, headers, connections, args.wrk_threads,
                                  args.duration, script)
                    result = Result(
                        path, connections, rps=out["requests"] / (out["duration_us"] / 1e6),
                        p50=out["p50"] / 1000, p95=out["p95"] / 1000, p99=out["p99"] / 1000,
                        max=out["max"] / 1000, non2xx=out["non2xx"], errors=out["errors"],
                        load=load, others=meter.others())
                    say(row(result))
                    results.append(result)
    finally:
        script.unlink()
    return results


HEADER = (f"{'URL':<28} {'conns':>5} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
          f"{'max ms':>7} {'non-2xx':>7} {'errors':>6} {'load1':>5} {'others':>6}")


def row(r: Result) -> str:
    if r.skipped:
        return f"{r.path:<28} {r.skipped}"
    mark = "" if r.p95 < TARGET_P95_MS else "  > target"
    return (f"{r.path:<28} {r.connections:>5} {r.rps:>7.1f} {r.p50:>7.1f} {r.p95:>7.1f} "
            f"{r.p99:>7.1f} {r.max:>7.0f} {r.non2xx:>7} {r.errors:>6} {r.load:>5.2f} "
            f"{r.others:>6.2f}{mark}")


def explain(url: str, user_id: int, paths: list[str]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every statement queue_page runs for each view."""
    from inbox.workspace.queue import QueueFilter, queue_page

    engine = create_engine(url)
    for path in paths:
        if path.startswith("/api/"):
            continue
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query))
        statements: list[tuple[str, Any]] = []

        def grab(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            statements.append((statement, parameters))  # noqa: B023 - reset per path

        with Session(engine) as session:
            sa.event.listen(engine, "before_cursor_execute", grab)
            started = time.perf_counter()
            queue_page(session, QueueFilter.parse(query), user_id, datetime.now(UTC))
            took = (time.perf_counter() - started) * 1000
            sa.event.remove(engine, "before_cursor_execute", grab)
            say(f"\n=== {path}: queue_page {took:.1f} ms, {len(statements)} statements")
            raw = session.connection().connection.driver_connection
            assert raw is not None
            for statement, parameters in statements:
                with raw.cursor() as cur:
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                    plan = "\n".join(r[0] for r in cur.fetchall())
                say(f"--- {statement.splitlines()[0][:100]} ...\n{plan}")
    engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="inbox_bench_queue",
                        help="database to create on the INBOX_BENCH_POSTGRES server")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="use the database a --keep run loaded (implies --keep)")
    parser.add_argument("--messages", type=int, default=1_000_000,
                        help="messages to load; threads, customers and users scale with it")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--load-only", action="store_true", help="load, then stop")
    parser.add_argument("--with-search-index", dest="search_index", action="store_true",
                        help="also build the full-text GIN index of messages (migration "
                             "0010); left out by default: the queue never reads it and it "
                             "takes longer than the rest of the load (10 min on 2 busy cores)")
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN ANALYZE of each view's SQL before measuring")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--connections", default="8",
                        help="wrk connections; a comma list measures each (e.g. 1,8)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--duration", type=float, default=20, help="seconds per URL")
    parser.add_argument("--warmup", type=float, default=2, help="seconds per URL, not counted")
    parser.add_argument("--repeat", type=int, default=1, help="measure every URL this often")
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="CORES",
                        help="before each URL, wait until other processes use fewer cores "
                             "than this (e.g. 0.3; the machine is shared)")
    parser.add_argument("--patience", type=float, default=300,
                        help="seconds --wait-quiet waits at most, per URL")
    parser.add_argument("--queue-cache", type=float, metavar="SECONDS",
                        help="the app's queue_cache_seconds (default: the product's, 2); "
                             "0 measures every request computed afresh")
    parser.add_argument("--url", action="append",
                        help="measure this page path instead of the default list (repeatable)")
    args = parser.parse_args(argv)
    args.connections = [int(c) for c in str(args.connections).split(",") if c.strip()]
    args.keep = args.keep or args.reuse
    # Stopped with SIGTERM: still stop gunicorn and drop the database (finally).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    if shutil.which("wrk") is None and not args.load_only:
        sys.exit("wrk is not installed: it is this bench's load generator "
                 "(Debian: apt-get install -y wrk)")
    load1, load5, _ = os.getloadavg()
    say(f"load average before: {load1:.2f} {load5:.2f} on {os.cpu_count()} cores"
        + ("  (busy: other work shares the cores; figures will be pessimistic)"
           if load1 > 0.5 else ""))

    url = database_url(args.database)
    prepare(args, url)
    try:
        if args.load_only:
            return
        user_id, password, token = bench_credentials(url)
        if args.explain:
            explain(url, user_id, args.url or PAGES)
        with tempfile.TemporaryDirectory() as instance:
            port = free_port()
            server = start_gunicorn(args, url, port, Path(instance))
            try:
                base = f"http://127.0.0.1:{port}"
                cookie = sign_in(base, password)
                workers = f"{args.workers} {args.worker_class}" + (
                    f" x {args.threads} threads" if args.worker_class == "gthread" else "")
                cache = ("the product's default" if args.queue_cache is None
                         else f"{args.queue_cache:g} s" if args.queue_cache else "off")
                say(f"\ngunicorn {workers} workers on {base}; wrk {args.wrk_threads} threads, "
                    f"{args.duration:g} s per URL; signed in as {BENCH_EMAIL}; "
                    f"queue cache {cache}\n{HEADER}")
                results = measure(args, base, cookie, token, CpuMeter(server.pid, url))
            finally:
                server.terminate()
                server.wait(30)
    finally:
        if not args.keep:
            admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')

    load1, load5, _ = os.getloadavg()
    say(f"\nSummary (target p95 < {TARGET_P95_MS:.0f} ms; load average after: "
        f"{load1:.2f} {load5:.2f})\n{HEADER}")
    for result in results:
        say(row(result))
    measured = [r for r in results if not r.skipped]
    worst = max(measured, key=lambda r: r.p95, default=None)
    if worst is not None:
        say(f"worst p95: {worst.p95:.1f} ms ({worst.path}, {worst.connections} connections): "
            + ("meets the target" if worst.p95 < TARGET_P95_MS else "misses the target"))


if __name__ == "__main__":
    main()
