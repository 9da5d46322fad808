"""What an SLA sweep costs with 100,000 open threads in PostgreSQL.

    .venv/bin/python -m bench.sla [--threads 100000] [--keep]

Run it as a module (``-m bench.sla``), never as ``python bench/sla.py``: the
script's directory would come first on ``sys.path`` and bench/queue.py would
shadow the standard library's ``queue``.

A fresh database on the local server (``INBOX_BENCH_POSTGRES``, default the
trust-auth ``postgres@127.0.0.1``), migrated to head; 60 users in 5 teams
(a supervisor and 11 reps each), one customer per 5 threads, and
``--threads`` open threads loaded with COPY, their SLA columns computed by
the engine's own clock (:func:`inbox.sla.clock.thread_clock`) as ingest
would have left them: customers waiting since a time spread evenly over the
last 30 hours, 70% assigned, email threads under a business-hours policy
(Europe/London, 8 h first response, 40 h resolution), the rest under the
default (24 h, resolution 5 days, 24/7). Then sweeps as the periodic job runs
them, each committed, at each moment one after the other until one finds
nothing (a sweep takes at most ``inbox.sla.sweep.BATCH``, 5,000, threads):

* the first sweep after loading: everything that fell due in the last 30 hours
  (about a third of the threads), so the backlog takes several sweeps;
* one minute later: a normal minute;
* an hour later: a worker that was down for an hour;
* one second later: a sweep with (nearly) nothing to do.

Printed: threads read, events, escalations, rows written, and where the time
went (select, Python, updates, event insert, claims, notify). Benchmarks print
figures; they assert nothing.
"""

from __future__ import annotations

import argparse
import io
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench.pg import ADMIN_URL
from config import load_settings
from inbox.database import Database, create_engine
from inbox.intake.config import IngestConfig
from inbox.intake.core import CONFIG_KEY
from inbox.migrations import upgrade
from inbox.sla.clock import ThreadFacts, next_check, thread_clock
from inbox.sla.policies import Match
from inbox.sla.store import load_policies
from inbox.sla.sweep import sweep

TEAMS = ("motor", "home", "travel", "pet", "commercial")
T0 = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)  # a Wednesday afternoon
SLA = {
    "default": {"first_response": "24h", "next_response": "24h", "resolution": "5d"},
    "calendars": {"office": {"timezone": "Europe/London", "hours": {
        d: ["09:00-12:30", "13:30-17:30"] for d in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": ["2026-04-03", "2026-04-06"]}},
    "policies": [{"key": "email-office", "channel": ["email"], "first_response": "8h",
                  "next_response": "8h", "resolution": "40h", "calendar": "office"}],
}
NULL = "\\N"


def say(text: str) -> None:
    print(text, flush=True)


def _ts(value: datetime | None) -> str:
    return NULL if value is None else value.isoformat()


def load(session: Session, threads: int, rng: random.Random) -> None:
    policies = load_policies(session)
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    cur = raw.cursor()

    users = io.StringIO()
    uid = 0
    for team in TEAMS:
        for n in range(12):
            uid += 1
            role = "supervisor" if n == 0 else "rep"
            users.write(f"{uid}\t{team}-{n}@insurer.test\t{team} {n}\t{role}\t{team}\t\tt\t"
                        f"{T0.isoformat()}\n")
    with cur.copy("COPY users (id, email, name, role, team, password_hash, active, created_at)"
                  " FROM STDIN") as copy:
        copy.write(users.getvalue())
    reps = [u for u in range(1, uid + 1) if (u - 1) % 12 != 0]

    customers = max(1, threads // 5)
    with cur.copy("COPY customers (id, name, address, verified, created_at) FROM STDIN") as copy:
        copy.write("".join(f"{c}\tCustomer {c}\t\tt\t{T0.isoformat()}\n"
                           for c in range(1, customers + 1)))

    columns = ("id, customer_id, subject, subject_key, status, priority, needs_reply, due_at, "
               "last_message_at, last_inbound_at, created_at, assignee_id, origin_channel, "
               "sla_policy_key, sla_started_at, sla_waiting_since, sla_pauses, "
               "first_response_due_at, next_response_due_at, resolution_due_at, sla_next_at, "
               "sla_state")
    started = time.perf_counter()
    with cur.copy(f"COPY threads ({columns}) FROM STDIN") as copy:
        chunk = []
        for tid in range(1, threads + 1):
            waiting = T0 - timedelta(seconds=rng.uniform(0, 30 * 3600))
            channel = rng.choice(("email", "email", "sms", "call", "portal", "letter"))
            answered = waiting - timedelta(hours=2) if rng.random() < 0.4 else None
            opened = answered - timedelta(hours=rng.uniform(1, 48)) if answered else waiting
            policy = policies.for_thread(Match(channel, None, "normal", None))
            clock = thread_clock(ThreadFacts("open", opened, waiting, answered), policy)
            dues = {name: clock.due(name) for name in
                    ("first_response", "next_response", "resolution")}
            assignee = rng.choice(reps) if rng.random() < 0.7 else None
            chunk.append("\t".join([
                str(tid), str(rng.randint(1, customers)), f"Thread {tid}", f"thread {tid}",
                "open", "normal", "t", _ts(clock.due_at), _ts(waiting), _ts(waiting),
                _ts(opened), str(assignee) if assignee else NULL, channel, policy.key,
                _ts(opened), _ts(waiting), "[]", _ts(dues["first_response"]),
                _ts(dues["next_response"]), _ts(dues["resolution"]),
                # As ingest leaves it: targets not seen by a sweep count even when passed.
                _ts(next_check(clock, waiting, unseen=list(clock.targets))),
                clock.state(waiting)]) + "\n")
            if len(chunk) >= 5000:
                copy.write("".join(chunk))
                chunk.clear()
        copy.write("".join(chunk))
    for table in ("users", "customers", "threads"):
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))")
    say(f"loaded {threads:,} threads, {customers:,} customers, {uid} users "
        f"in {time.perf_counter() - started:.1f} s (clocks computed in Python, COPY)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    name = f"inbox_bench_sla_{uuid.uuid4().hex[:6]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        settings = load_settings(env={}, overrides={"database_url": url, "sla": SLA,
                                                    "instance_dir": "/tmp/inbox-bench-sla"})
        db = Database()
        db.bind(create_engine(url))
        assert db.sessionmaker is not None
        db.sessionmaker.configure(info={CONFIG_KEY: IngestConfig.from_settings(settings)})
        with db.transaction() as session:
            load(session, args.threads, random.Random(7))
        with db.transaction() as session:
            session.execute(sa.text("ANALYZE threads"))
        say(f"\nsweeps ({args.threads:,} open threads; each committed; at each moment "
            "until one finds nothing):")
        say(f"{'when':<34}{'read':>8}{'warn':>7}{'breach':>7}{'escal.':>7}{'written':>8}"
            f"{'seconds':>9}   where the time went")
        def run(label: str, now: datetime) -> int:
            started = time.perf_counter()
            with db.transaction() as session:
                result = sweep(session, now)
            total = time.perf_counter() - started
            parts = ", ".join(f"{k} {v:.2f}" for k, v in result.seconds.items() if k != "total")
            say(f"{label:<34}{result.threads:>8,}{result.warnings:>7,}{result.breaches:>7,}"
                f"{result.escalations:>7,}{result.updated:>8,}{total:>9.2f}   {parts}, "
                f"commit {total - result.seconds['total']:.2f}")
            return result.threads

        # Each moment: sweeps one after the other until one finds nothing
        # (a sweep takes at most inbox.sla.sweep.BATCH threads).
        for moment, now in (("first sweep after loading", T0),
                            ("one minute later", T0 + timedelta(minutes=1)),
                            ("after an hour without sweeps",
                             T0 + timedelta(hours=1, minutes=1)),
                            ("one second later", T0 + timedelta(hours=1, minutes=1, seconds=1))):
            label = moment
            while run(label, now):
                label = "  and the next sweep"
        with db.transaction() as session:
            counts = dict(session.execute(sa.text(
                "SELECT kind, count(*) FROM sla_events GROUP BY kind")).all())
            escalations = session.scalar(sa.text("SELECT count(*) FROM escalations"))
        say(f"\nsla_events by kind: {counts}; escalations: {escalations}")
        assert db.engine is not None
        db.engine.dispose()
    finally:
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            say(f"kept database {name}")
        admin.dispose()


if __name__ == "__main__":
    main()
