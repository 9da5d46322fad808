"""What the message search index costs ingest, and what a search costs.

    .venv/bin/python bench/search.py [--messages 20000] [--rounds 2] [--query-messages 0]

In a fresh PostgreSQL database (migrated to head): 500 customers, 5,000
threads, then ``--messages`` messages inserted the way the ingest core files
them (``inbox/intake/core.py``: ``INSERT ... RETURNING id`` of 200 rows, one
commit per batch), texts drawn from the demo's six language packs with the
sizes of bench/email_ingest.py's corpus (55% a paragraph, 35% 5-25 of them,
10% without a detected language). Rounds alternate with and without
``ix_messages_search`` (table emptied before each) and print messages/s and
the cost of the index per message. Then ``search()`` (all kinds) is timed on
the indexed table (grown to ``--query-messages`` first, if larger): p50/p95
per query. Benchmarks print figures; they assert nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Not bench/ itself: bench/queue.py would shadow the standard library's queue.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.pg import ADMIN_URL  # noqa: E402
from claims.models import Claim, Customer, CustomerIdentity, Policy  # noqa: E402
from inbox.database import create_engine  # noqa: E402
from inbox.demo.texts import PACKS  # noqa: E402
from inbox.migrations import upgrade  # noqa: E402
from inbox.models import Message, Thread  # noqa: E402
from inbox.workspace.search import search  # noqa: E402

BATCH = 200
CUSTOMERS, THREADS = 500, 5000
INDEX_SQL = ("CREATE INDEX ix_messages_search ON messages "
             "USING gin (inbox_search_vector(language, subject, text))")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_MARKERS = re.compile(r"\[\[([^|\]]*)\|[^\]]*\]\]|<<([^|>]*)\|[^>]*>>")


def sentences() -> dict[str, list[str]]:
    """Every text of each language pack, placeholders filled with plausible words."""
    out: dict[str, list[str]] = {}
    for code, pack in PACKS.items():
        texts = [s for group in pack.losses.values() for s in group]
        texts += [body for group in pack.email.values() for _, body in group]
        texts += [t for group in pack.short.values() for t in group]
        filled = []
        for template in texts:
            text = _MARKERS.sub(lambda m: m.group(1) or m.group(2) or "", template)
            filled.append(_PLACEHOLDER.sub(
                lambda m: {"policy": "POL-2026-004217", "claim": "CLM-2026-000913"}.get(
                    m.group(1), m.group(1).replace("_", " ")), text))
        out[code] = filled
    return out


def make_rows(count: int, rng: random.Random, texts: dict[str, list[str]], start: int
              ) -> list[dict[str, object]]:
    langs = list(texts)
    begin = datetime(2026, 1, 5, 8, tzinfo=UTC)
    rows = []
    for n in range(start, start + count):
        lang = langs[n % len(langs)]
        pick = rng.random()
        parts = 1 if pick < 0.55 else rng.randint(5, 25)
        body = "\n\n".join(rng.choice(texts[lang]) for _ in range(parts))
        thread = rng.randrange(1, THREADS + 1)
        rows.append({
            "thread_id": thread, "customer_id": (thread - 1) % CUSTOMERS + 1,
            "channel": "email", "direction": "inbound", "external_id": f"b{n}@bench.test",
            "sender": f"customer{thread % CUSTOMERS}@example.{lang}",
            "subject": f"{rng.choice(texts[lang])[:60]} #{n}", "text": body,
            "language": None if pick > 0.9 else lang,
            "received_at": begin + timedelta(minutes=n), "references": [], "extras": {},
        })
    return rows


def seed_book(engine: sa.Engine) -> None:
    with Session(engine) as s:
        s.execute(sa.insert(Customer), [{"name": f"Customer {i}", "language": "en",
                                         "ref": f"C{i:06d}"} for i in range(1, CUSTOMERS + 1)])
        s.execute(sa.insert(CustomerIdentity), [
            {"customer_id": i, "kind": "email", "value": f"customer{i}@example.com"}
            for i in range(1, CUSTOMERS + 1)])
        s.execute(sa.insert(Policy), [{"number": f"POL-2026-{i:06d}", "customer_id": i}
                                      for i in range(1, CUSTOMERS + 1)])
        s.execute(sa.insert(Claim), [{"number": f"CLM-2026-{i:06d}", "policy_id": i}
                                     for i in range(1, CUSTOMERS + 1)])
        s.execute(sa.insert(Thread), [
            {"customer_id": (t - 1) % CUSTOMERS + 1, "subject": f"Thread {t}",
             "subject_key": f"thread {t}", "language": "en",
             "claim_id": (t - 1) % CUSTOMERS + 1 if t % 3 == 0 else None}
            for t in range(1, THREADS + 1)])
        s.commit()


def backend_cpu(conn: sa.Connection) -> float | None:
    """CPU seconds the PostgreSQL backend of ``conn`` has used (server on this
    host only): unlike wall time, hardly moved by what else runs here."""
    pid = conn.scalar(sa.text("SELECT pg_backend_pid()"))
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def insert(engine: sa.Engine, rows: list[dict[str, object]]) -> tuple[float, float | None]:
    """Wall seconds, and the backend's CPU seconds, to file ``rows`` in batches
    (then to merge the GIN pending list, so no work is left for later)."""
    with engine.connect() as conn:
        cpu = backend_cpu(conn)
        conn.commit()
        began = time.perf_counter()
        with Session(bind=conn) as s:
            for i in range(0, len(rows), BATCH):
                s.scalars(sa.insert(Message).returning(Message.id,
                                                       sort_by_parameter_order=True),
                          rows[i:i + BATCH]).all()
                s.commit()
        if conn.scalar(sa.text("SELECT to_regclass('ix_messages_search') IS NOT NULL")):
            conn.execute(sa.text("SELECT gin_clean_pending_list('ix_messages_search')"))
        conn.commit()
        wall = time.perf_counter() - began
        after = backend_cpu(conn)
        conn.commit()
    return wall, (after - cpu) if after is not None and cpu is not None else None


def reset(engine: sa.Engine, *, index: bool) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE messages RESTART IDENTITY CASCADE"))
        # All the index's work is done by the inserting backend, where it is
        # measured (autovacuum would merge GIN's pending list elsewhere).
        conn.execute(sa.text("ALTER TABLE messages SET (autovacuum_enabled = off)"))
        conn.execute(sa.text("DROP INDEX IF EXISTS ix_messages_search"))
        if index:
            conn.execute(sa.text(INDEX_SQL))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE messages"))


def timed(fn: object, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--query-messages", type=int, default=0)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database (name printed)")
    args = parser.parse_args(argv)

    name = f"inbox_bench_search_{uuid.uuid4().hex[:6]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        upgrade(url)
        seed_book(engine)
        rng = random.Random(5)
        texts = sentences()
        rows = make_rows(args.messages, rng, texts, 0)
        chars = sum(len(str(r["subject"])) + len(str(r["text"])) for r in rows) / len(rows)
        print(f"{len(rows)} messages, mean {chars:.0f} characters, batches of {BATCH}")
        walls: dict[bool, list[float]] = {True: [], False: []}
        cpus: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.rounds):
            for index in (True, False):
                reset(engine, index=index)
                wall, cpu = insert(engine, rows)
                walls[index].append(wall)
                if cpu is not None:
                    cpus[index].append(cpu)
                print(f"  {'with   ' if index else 'without'} index: {wall:6.2f} s "
                      f"{len(rows) / wall:6.0f} msgs/s; PostgreSQL backend CPU "
                      + (f"{cpu / len(rows) * 1e6:5.0f} us/msg" if cpu is not None else "n/a"))
        with_s, without_s = min(walls[True]), min(walls[False])
        print(f"wall, best of {args.rounds}: {len(rows) / with_s:.0f} vs "
              f"{len(rows) / without_s:.0f} msgs/s ({(with_s / without_s - 1) * 100:+.0f}% "
              f"time on the insert alone)")
        if cpus[True] and cpus[False]:
            with_c = statistics.median(cpus[True]) / len(rows) * 1e6
            without_c = statistics.median(cpus[False]) / len(rows) * 1e6
            print(f"backend CPU, median: {with_c:.0f} vs {without_c:.0f} us/msg: the index "
                  f"costs {with_c - without_c:.0f} us of PostgreSQL CPU a message")

        reset(engine, index=True)
        total = max(args.messages, args.query_messages)
        for start in range(0, total, 20_000):
            insert(engine, make_rows(min(20_000, total - start), rng, texts, start))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ALTER TABLE messages RESET (autovacuum_enabled)"))
            conn.execute(sa.text("VACUUM ANALYZE messages"))
            size = conn.scalar(sa.text(
                "SELECT pg_size_pretty(pg_relation_size('ix_messages_search'))"))
            table = conn.scalar(sa.text(
                "SELECT pg_size_pretty(pg_total_relation_size('messages'))"))
        print(f"\n{total} messages: ix_messages_search {size}, messages with TOAST {table}")
        queries = ["Rechnungen", "Wasserschaden Küche", "ασφάλεια", "faktura",
                   "CLM-2026-000042", "customer42@example.com", "policy",
                   '"burst pipe" -kitchen', "zzzznothing"]
        with Session(engine) as s:
            for q in queries:
                found = search(s, q)
                p50, p95 = timed(lambda q=q: search(s, q), args.runs)
                print(f"  {q!r:32} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
                      f"({len(found.threads)} threads{'+' if found.has_more['threads'] else ''}"
                      f", {len(found.customers)} customers, {len(found.claims)} claims)")
    finally:
        engine.dispose()
        if args.keep:
            print(f"kept database {name}")
        else:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
