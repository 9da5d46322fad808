"""The whole email pipeline against a bare fetch-and-parse, on one Dovecot.

    .venv/bin/python bench/email_ingest.py [--mails 5000] [--parse-workers N]

Seeds a fresh Dovecot (tests/servers/dovecot.py; Debian dovecot-imapd, run as
root like the tests) with N mails: a mix of sizes, 10% with a ~100 KB PDF
attachment, six languages in several charsets, 30% of them replies (Re:
subject, In-Reply-To and References to an earlier mail), senders drawn from a
book of 500 customers of whom 400 are imported. Then, in the same run:

(a) bare: imapclient fetch of every mail with BODY.PEEK[] in UID batches, plus
    ``email.message_from_bytes(raw, policy=email.policy.default)`` on each;
    nothing stored. Timed twice: imapclient as it comes (debug 5) and with
    ``_imap.debug = 0``.
(b) ``inbox sync email --once`` (a subprocess, start-up included) into a fresh
    PostgreSQL database with full identity, threading and linking.

Prints mails/s for each and the ratio b/a (target >= 1.0).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.imap_fetch import CHARSETS, TEXTS, fetch_all  # noqa: E402
from claims.models import Claim, Customer, CustomerIdentity, Policy  # noqa: E402
from inbox.database import create_engine  # noqa: E402
from inbox.migrations import upgrade  # noqa: E402
from tests.servers.dovecot import PASSWORD_ENV, DovecotServer  # noqa: E402
from tests.servers.tls import make_test_ca  # noqa: E402

ADMIN_URL = os.environ.get("INBOX_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1/test")
CUSTOMERS = 500
IN_BOOK = 400


def sender(i: int) -> str:
    return f"customer{i}@example.{list(TEXTS)[i % len(TEXTS)]}"


def build_corpus(count: int, seed: int = 11) -> list[bytes]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 5, 8, tzinfo=UTC)
    pdf_body = bytes(rng.getrandbits(8) for _ in range(100_000))
    sent: list[tuple[int, str, str]] = []  # (customer, message-id, subject)
    mails = []
    for n in range(count):
        if sent and rng.random() < 0.3:
            who, parent, subject = rng.choice(sent[-400:])
            subject = f"Re: {subject}"
        else:
            who, parent = rng.randrange(CUSTOMERS), None
            lang = list(TEXTS)[who % len(TEXTS)]
            subject = f"{TEXTS[lang][0]} {n}"
            if who < IN_BOOK and rng.random() < 0.3:
                subject += f" CLM-2026-{who:06d}"
        lang = list(TEXTS)[who % len(TEXTS)]
        text = TEXTS[lang][1]
        msg = EmailMessage(policy=SMTP)
        msg["From"] = f"Customer {who} <{sender(who)}>"
        msg["To"] = "claims@insurer.test"
        msg["Subject"] = subject
        msg["Date"] = format_datetime(start + timedelta(minutes=3 * n))
        message_id = f"b{n}.{seed}@mail.example.{lang}"
        msg["Message-ID"] = f"<{message_id}>"
        if parent:
            msg["In-Reply-To"] = f"<{parent}>"
            msg["References"] = f"<{parent}>"
        kind = rng.random()
        body = "\n\n".join([text] * (1 if kind < 0.55 else rng.randint(5, 25)))
        msg.set_content(body + "\n", charset=rng.choice(CHARSETS[lang]))
        if kind >= 0.55:
            paragraphs = "".join(f"<p>{text}</p>" for _ in range(body.count("\n\n") + 1))
            msg.add_alternative(f"<html><body>{paragraphs}</body></html>", subtype="html")
        if n % 10 == 0:
            msg.add_attachment(b"%PDF-1.4\n" + pdf_body[n % 97:] + b"\n%%EOF\n",
                               "application", "pdf", filename=f"invoice-{n}.pdf")
        mails.append(msg.as_bytes())
        sent.append((who, message_id, subject.removeprefix("Re: ")))
    return mails


def bare(server: DovecotServer, user, debug: int | None) -> float:  # type: ignore[no-untyped-def]
    """(a): fetch everything, parse each with policy.default; returns seconds."""
    return fetch_all(server, user, debug=debug,
                     each=lambda raw: email.message_from_bytes(raw, policy=email.policy.default))[2]


def fresh_database() -> str:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text('DROP DATABASE IF EXISTS "inbox_bench" WITH (FORCE)'))
        conn.execute(sa.text('CREATE DATABASE "inbox_bench"'))
    admin.dispose()
    url = sa.engine.make_url(ADMIN_URL).set(database="inbox_bench")
    text = url.render_as_string(hide_password=False)
    upgrade(text)
    engine = create_engine(text)
    with Session(engine) as session, session.begin():
        for i in range(IN_BOOK):
            customer = Customer(ref=f"B{i:05d}", name=f"Customer {i}", verified=True)
            session.add(customer)
            session.add(CustomerIdentity(customer=customer, kind="email", value=sender(i),
                                         verified=True, source="import"))
            policy = Policy(number=f"POL-{i:06d}", customer=customer, product="home",
                            start_date=date(2025, 1, 1))
            session.add(policy)
            session.add(Claim(number=f"CLM-2026-{i:06d}", policy=policy))
    engine.dispose()
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=5000)
    parser.add_argument("--parse-workers", type=int, default=None)
    args = parser.parse_args(argv)

    mails = build_corpus(args.mails)
    total_mb = sum(map(len, mails)) / 1e6
    with tempfile.TemporaryDirectory() as tmp, DovecotServer(make_test_ca(Path(tmp))) as server:
        user = server.new_user("bench")
        started = time.perf_counter()
        server.append_many(user.name, mails)
        print(f"seeded {args.mails} mails ({total_mb:.1f} MB) in "
              f"{time.perf_counter() - started:.1f} s")
        fetch_all(server, user, debug=0)  # warm Dovecot's index and the page cache

        a_default = bare(server, user, debug=None)
        a_tuned = bare(server, user, debug=0)

        url = fresh_database()
        config = Path(tmp) / "inbox.toml"
        config.write_text(
            "[[email]]\n"
            f'name = "bench"\naddress = "claims@insurer.test"\nimap_host = "{server.host}"\n'
            f'imap_port = {server.imaps_port}\nimap_security = "ssl"\n'
            f'username = "{user.name}"\npassword_env = "{PASSWORD_ENV}"\n'
            f'ca_file = "{server.ca_file}"\n'
        )
        env = {**os.environ, "INBOX_CONFIG": str(config), "INBOX_DATABASE_URL": url,
               PASSWORD_ENV: user.password, "INBOX_INSTANCE_DIR": str(Path(tmp) / "instance"),
               "INBOX_LOG_LEVEL": "WARNING"}
        command = [str(ROOT / ".venv/bin/inbox"), "sync", "email", "--once"]
        if args.parse_workers is not None:
            command += ["--parse-workers", str(args.parse_workers)]
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        b_seconds = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"inbox sync email failed:\n{done.stdout}\n{done.stderr}")

    engine = create_engine(url)
    with engine.connect() as conn:
        filed = conn.scalar(sa.text("SELECT count(*) FROM messages"))
        threads = conn.scalar(sa.text("SELECT count(*) FROM threads"))
        failed = conn.scalar(sa.text("SELECT count(*) FROM failed_intakes"))
    engine.dispose()
    assert filed == args.mails, (filed, done.stdout)

    rate = lambda seconds: args.mails / seconds  # noqa: E731
    print(done.stdout.strip())
    print(f"(a) bare fetch + parse(policy.default), imapclient as shipped (debug 5): "
          f"{rate(a_default):7.0f} mails/s")
    print(f"(a') the same with _imap.debug = 0:                                     "
          f"{rate(a_tuned):7.0f} mails/s")
    print(f"(b) inbox sync email --once into PostgreSQL ({threads} threads, {failed} failed):"
          f" {rate(b_seconds):7.0f} mails/s")
    print(f"ratio b/a = {a_default / b_seconds:.2f}   (b/a' = {a_tuned / b_seconds:.2f})")


if __name__ == "__main__":
    main()
