"""A steady mix of every channel and of reps at work, against the app deployed
as in production, with throughput, latencies, queue lag, errors and CPU per
process group.

    .venv/bin/python -m bench.load [--minutes 10] [--mails-per-min 30]
        [--webhooks-per-min 60] [--letters-per-min 2] [--reps 8] [--think 8]
        [--web-workers 3] [--json PATH]

Sets up (bench/loadkit/stack.py): a fresh PostgreSQL database
``inbox_load_<random>`` on INBOX_BENCH_POSTGRES (default the local server),
migrated and seeded with bench/queue_data.py (``--seed-messages``, default
100,000 messages in 20,000 threads, 5,000 customers); a Redis database 1-15
claimed as the tests claim theirs; a private Dovecot (the claims mailbox,
IMAPS), an SMTP sink for replies, the fake Twilio API, a letters drop folder;
an ``INBOX_CONFIG`` naming them; then ``gunicorn inbox.wsgi:app`` (sync
workers), ``inbox worker --queues intake,outbound,scheduled,default``,
``inbox worker --queues ocr`` and ``inbox sync email`` (IMAP IDLE; with
``--no-idle-sync`` mail comes only by the workers' pass every 60 s).

Then for ``--minutes`` (after ``--warmup`` seconds of the same traffic,
not counted): mails APPENDed over IMAP, signed Twilio SMS and call-status
webhooks, letter scans dropped (bench/loadkit/traffic.py), and ``--reps``
reps signed in through /login working the queue and thread pages and
replying by e-mail (bench/loadkit/reps.py). Measured: each request kind's
rate, p50/p95/p99 latency and errors (5xx, 4xx, timeouts, connection
errors); intake lag per channel (sent -> row in ``messages``); outbound lag
(reply posted -> SMTP sink accepted it); RQ queue depth and oldest-job age
every 5 s; CPU per process group (bench/loadkit/cpu.py) and the load
average. After the load, up to ``--drain`` seconds for what was sent to be
filed and sent. Prints the report (``--json PATH`` writes it as JSON) and
tears everything down, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.loadkit import report  # noqa: E402
from bench.loadkit.cpu import CpuMeter  # noqa: E402
from bench.loadkit.measure import (  # noqa: E402
    IntakeTracker,
    OutboundTracker,
    Recorder,
    Sampler,
    scrape,
    server_side,
)
from bench.loadkit.reps import Rep  # noqa: E402
from bench.loadkit.stack import Options, Stack  # noqa: E402
from bench.loadkit.traffic import Letters, Mails, Webhooks, paced  # noqa: E402
from inbox.database import create_engine  # noqa: E402


def say(text: str) -> None:
    print(text, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=10.0, help="measured load (10)")
    p.add_argument("--warmup", type=float, default=30.0,
                   help="seconds of traffic before the clock starts (30)")
    p.add_argument("--drain", type=float, default=120.0,
                   help="seconds after the load to wait for intake and replies (120)")
    p.add_argument("--mails-per-min", type=float, default=30.0)
    p.add_argument("--webhooks-per-min", type=float, default=60.0,
                   help="Twilio webhooks: 40%% inbound SMS, 60%% call-status callbacks (60)")
    p.add_argument("--letters-per-min", type=float, default=2.0)
    p.add_argument("--reps", type=int, default=8, help="reps signed in (8; at most 10 "
                   "sign-ins a minute are allowed from one address)")
    p.add_argument("--think", type=float, default=8.0, help="reps' mean think time, s (8)")
    p.add_argument("--reply-share", type=float, default=0.5,
                   help="share of opened threads a rep answers (0.5)")
    p.add_argument("--web-workers", type=int, default=3, help="gunicorn workers (3)")
    p.add_argument("--web-threads", type=int, default=1,
                   help="threads per gunicorn worker; >1 uses gthread (1: sync)")
    p.add_argument("--ocr-workers", type=int, default=1, help="[letters] ocr_workers (1)")
    p.add_argument("--no-idle-sync", dest="idle_sync", action="store_false",
                   help="no `inbox sync email` process: mail only by the workers' "
                        "periodic pass (every 60 s)")
    p.add_argument("--seed-messages", type=int, default=100_000)
    p.add_argument("--json", type=Path, default=None, help="write the figures here")
    p.add_argument("--keep-logs", action="store_true", help="keep the processes' logs")
    return p.parse_args(argv)


def run_traffic(stack: Stack, args: argparse.Namespace, parts: dict[str, Any], seconds: float,
                stop: threading.Event) -> None:
    """Send the mix for ``seconds`` (returns when the last item is handed over)."""
    start = time.time() + 0.5
    until = start + seconds
    pools = [ThreadPoolExecutor(n, thread_name_prefix=name)
             for name, n in (("mail", 4), ("webhook", 16), ("letter", 1))]
    threads = [
        paced(args.mails_per_min, until, start, stop, parts["mails"].send, pools[0]),
        paced(args.webhooks_per_min, until, start, stop, parts["webhooks"].send, pools[1]),
        paced(args.letters_per_min, until, start, stop, parts["letters"].send, pools[2]),
    ]
    for thread in threads:
        thread.join()
    for pool in pools:
        pool.shutdown(wait=True)


def measured(stack: Stack, args: argparse.Namespace, book: Any) -> dict[str, Any]:
    seconds = args.minutes * 60
    recorder, warm = Recorder(), Recorder()
    intake = IntakeTracker(stack.url)
    outbound = OutboundTracker()
    assert stack.smtp is not None
    outbound.attach(stack.smtp.handler)
    outbound.attach_twilio(stack.twilio)
    total_webhooks = math.ceil(args.webhooks_per_min * (seconds + args.warmup) / 60) + 3
    say("rendering letter scans and PDF attachments ...")
    letters = Letters(stack, intake, math.ceil(args.letters_per_min *
                                               (seconds + args.warmup) / 60) + 1)
    parts = {"mails": Mails(stack, book, intake, warm),
             "webhooks": Webhooks(stack, book, intake, warm, total_webhooks),
             "letters": letters}
    stop, reps_stop = threading.Event(), threading.Event()
    reps = [Rep(stack.base, email, book.password, warm, outbound, think=args.think,
                reply_share=args.reply_share, seed=i) for i, email in enumerate(book.reps)]
    intake.start()
    rep_threads = []
    for rep in reps:  # spread the sign-ins a little
        rep_threads.append(threading.Thread(target=rep.run, args=(reps_stop,), daemon=True))
        rep_threads[-1].start()
        time.sleep(0.3)
    say(f"warm-up: {args.warmup:.0f} s of the same traffic (not counted)")
    run_traffic(stack, args, parts, args.warmup, stop)
    for part in (parts["mails"], parts["webhooks"], *reps):
        part.recorder = recorder  # type: ignore[attr-defined]
    intake.since = outbound.since = time.time()
    sampler = Sampler(stack.redis_url)
    cpu = CpuMeter(stack.groups(), stack.url, stack.database)
    metrics_before = scrape(stack.base)
    sampler.start()
    cpu.start()
    say(f"load: {args.minutes:g} min: {args.mails_per_min:g} mails/min, "
        f"{args.webhooks_per_min:g} webhooks/min, {args.letters_per_min:g} letters/min, "
        f"{len(reps)} reps (think ~{args.think:g} s, reply to {args.reply_share:.0%})")
    started = time.time()
    try:
        ticker = threading.Thread(target=_progress, args=(stack, started, seconds, stop),
                                  daemon=True)
        ticker.start()
        run_traffic(stack, args, parts, seconds, stop)
    finally:
        reps_stop.set()
        for thread in rep_threads:
            thread.join(TIMEOUT_JOIN)
        stop.set()
    elapsed = time.time() - started
    cpu_figures = cpu.stop()
    metrics = server_side(metrics_before, scrape(stack.base), elapsed)
    say(f"load done; draining (up to {args.drain:.0f} s) ...")
    _drain(intake, outbound, args.drain)
    sampler.stop()
    intake.stop()
    failed_jobs = sampler.failed_jobs()
    extra = {"settings": {k: (str(v) if isinstance(v, Path) else v)
                          for k, v in vars(args).items()},
             "versions": stack.versions, "commands": stack.commands_run,
             "server_side": metrics,
             "failed_intakes": _failed_intakes(stack.url), "log_errors":
             stack.count_errors_in_logs(), "processes_died": stack.alive()}
    return report.collect(recorder, intake, outbound, sampler.samples, failed_jobs, cpu_figures,
                          elapsed, extra)


TIMEOUT_JOIN = 40.0


def _progress(stack: Stack, started: float, seconds: float, stop: threading.Event) -> None:
    while not stop.wait(60):
        stack.refresh_claim()
        say(f"  {time.time() - started:4.0f} s of {seconds:.0f}; load average "
            f"{os.getloadavg()[0]:.2f}; {', '.join(stack.alive()) or 'all processes up'}")


def _drain(intake: IntakeTracker, outbound: OutboundTracker, limit: float) -> None:
    deadline = time.time() + limit
    while time.time() < deadline:
        intake.poll()
        if not intake.pending() and not outbound.waiting():
            return
        time.sleep(1)


def _failed_intakes(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.scalar(sa.text("SELECT count(*) FROM failed_intakes"))
    engine.dispose()
    return int(count or 0)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)

    def on_term(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    stack = Stack(Options(seed_messages=args.seed_messages, reps=args.reps,
                          web_workers=args.web_workers, web_threads=args.web_threads,
                          ocr_workers=args.ocr_workers, idle_sync=args.idle_sync,
                          keep_logs=args.keep_logs))
    try:
        stack.claim_redis()
        stack.servers()
        book = stack.database_and_book(say)
        stack.config()
        stack.start()
        say(f"system under test up: {', '.join(stack.commands_run)}")
        result = measured(stack, args, book)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        stack.close()
    say(report.text(result))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n")
        say(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
