"""The system under test, deployed as in production on loopback: a fresh
PostgreSQL database seeded with a book of business, a claimed Redis
database, a private Dovecot (the claims mailbox), an SMTP sink for replies,
the fake Twilio API, a letters drop folder, an ``INBOX_CONFIG`` TOML file
naming them, and the processes: ``gunicorn inbox.wsgi:app``, ``inbox
worker`` processes and ``inbox sync email`` (IDLE). Everything is torn down
by :meth:`Stack.close`: processes stopped, database dropped, Redis database
emptied, servers stopped, files removed."""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis
import requests
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from bench.pg import admin, database_url
from bench.queue_data import Sizes, load
from bench.queue_latency import libpq_dsn
from bench.webhooks import OUR_NUMBERS, PUBLIC_BASE_URL
from inbox.database import create_engine
from inbox.migrations import upgrade
from tests.integration.conftest import CLAIM_KEY, CLAIM_TTL, REDIS_BASE_URL
from tests.servers.dovecot import PASSWORD_ENV, DovecotServer, MailUser
from tests.servers.smtp import SmtpServer
from tests.servers.tls import free_port, make_test_ca
from tests.servers.twilio import FakeTwilio

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
TOKEN_ENV = "INBOX_LOAD_TWILIO_TOKEN"
MAILBOX_ADDRESS = "claims@insurer.test"


@dataclass
class Book:
    """What the traffic needs to know of the seeded data."""

    emails: list[tuple[str, str]]  # (address, language) of customers
    phones: list[tuple[str, str]]  # (E.164, language)
    threads: list[tuple[str, str, str]]  # (last email Message-ID, customer address, subject)
    reps: list[str]  # rep e-mail addresses with PASSWORD set
    password: str


@dataclass
class Options:
    seed_messages: int = 100_000
    reps: int = 8
    web_workers: int = 3
    web_threads: int = 1
    ocr_workers: int = 1
    idle_sync: bool = True  # run `inbox sync email` (IMAP IDLE); else the workers' 60 s pass
    keep_logs: bool = False


@dataclass
class Stack:
    options: Options
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="inbox-load-")))
    database: str = field(default_factory=lambda: f"inbox_load_{uuid.uuid4().hex[:8]}")
    url: str = ""
    redis_url: str = ""
    _redis_token: str = ""
    dovecot: DovecotServer | None = None
    mail_user: MailUser | None = None
    smtp: SmtpServer | None = None
    twilio: FakeTwilio | None = None
    drop: Path = Path()
    port: int = 0
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    commands_run: list[str] = field(default_factory=list)

    # --- setting up -------------------------------------------------------------------

    def database_and_book(self, say: Any) -> Book:
        admin(f'CREATE DATABASE "{self.database}"')
        self.url = database_url(self.database)
        upgrade(self.url)
        sizes = Sizes.scaled(self.options.seed_messages)
        say(f"seeding {self.database}: {sizes.messages:,} messages in {sizes.threads:,} "
            f"threads, {sizes.customers:,} customers, {sizes.users} users (bench/queue_data.py)")
        started = time.perf_counter()
        load(libpq_dsn(self.url), sizes, datetime.now(UTC), seed=7, say=lambda _: None)
        say(f"  seeded in {time.perf_counter() - started:.0f} s")
        return self._book()

    def _book(self) -> Book:
        password = secrets.token_urlsafe(12)
        engine = create_engine(self.url)
        with engine.begin() as conn:
            emails = conn.execute(sa.text(
                "SELECT i.value, c.language FROM customer_identities i JOIN customers c "
                "ON c.id = i.customer_id WHERE i.kind = 'email' ORDER BY i.id LIMIT 3000")).all()
            phones = conn.execute(sa.text(
                "SELECT i.value, c.language FROM customer_identities i JOIN customers c "
                "ON c.id = i.customer_id WHERE i.kind = 'phone' ORDER BY i.id LIMIT 3000")).all()
            # The last e-mail of open threads: customers answering them.
            threads = conn.execute(sa.text(
                "SELECT DISTINCT ON (m.thread_id) m.external_id, i.value, t.subject "
                "FROM messages m JOIN threads t ON t.id = m.thread_id "
                "JOIN customer_identities i ON i.customer_id = t.customer_id AND i.kind = 'email' "
                "WHERE m.channel = 'email' AND t.status = 'open' AND t.subject <> '' "
                "ORDER BY m.thread_id, m.received_at DESC LIMIT 2000")).all()
            reps = conn.scalars(sa.text(
                "SELECT email FROM users WHERE role = 'rep' AND active ORDER BY id LIMIT :n"),
                {"n": self.options.reps}).all()
            conn.execute(sa.text("UPDATE users SET password_hash = :h WHERE email = ANY(:e)"),
                         {"h": generate_password_hash(password), "e": list(reps)})
            self.versions["postgresql"] = conn.scalar(sa.text("SHOW server_version"))
        engine.dispose()
        if len(reps) < self.options.reps:
            raise SystemExit(f"only {len(reps)} reps in the seeded data; seed more messages")
        return Book([tuple(r) for r in emails], [tuple(r) for r in phones],  # type: ignore[misc]
                    [tuple(r) for r in threads], list(reps), password)  # type: ignore[misc]

    def claim_redis(self) -> None:
        """One of databases 1-15, claimed as the test fixtures claim theirs
        (tests/integration/conftest.py), so a test run never shares it."""
        self._redis_token = uuid.uuid4().hex
        for db in range(15, 0, -1):
            client = redis.Redis.from_url(REDIS_BASE_URL, db=db)
            try:
                if client.set(CLAIM_KEY, self._redis_token, nx=True, ex=CLAIM_TTL):
                    with client.pipeline(transaction=True) as pipe:
                        pipe.flushdb()
                        pipe.set(CLAIM_KEY, self._redis_token, ex=CLAIM_TTL)
                        pipe.execute()
                    self.redis_url = f"{REDIS_BASE_URL}/{db}"
                    self.versions["redis"] = str(client.info("server")["redis_version"])
                    return
            finally:
                client.close()
        raise SystemExit("no free Redis database 1-15 (all claimed)")

    def servers(self) -> None:
        ca = make_test_ca(self.tmp)
        self.dovecot = DovecotServer(ca).start()
        self.mail_user = self.dovecot.new_user("claims")
        self.smtp = SmtpServer().start()
        self.twilio = FakeTwilio().start()
        # Its sids count from 1, as do the seeded SMS ids (SM + the message id
        # in hex): a sent reply's sid would collide with a seeded message.
        self.twilio._ids = itertools.count(1 << 100)
        self.drop = self.tmp / "scans"
        self.drop.mkdir()
        self.versions["dovecot"] = subprocess.run(
            [self.dovecot.binary or "dovecot", "--version"], capture_output=True, text=True,
            check=False).stdout.strip()

    def config(self) -> Path:
        assert self.dovecot
        assert self.mail_user
        assert self.smtp
        assert self.twilio
        numbers = ", ".join(f'"{n}"' for n in OUR_NUMBERS)
        path = self.tmp / "inbox.toml"
        path.write_text(
            "[[email]]\n"
            f'name = "claims"\naddress = "{MAILBOX_ADDRESS}"\n'
            f'imap_host = "{self.dovecot.host}"\nimap_port = {self.dovecot.imaps_port}\n'
            f'imap_security = "ssl"\nusername = "{self.mail_user.name}"\n'
            f'password_env = "{PASSWORD_ENV}"\nca_file = "{self.dovecot.ca_file}"\n'
            f'smtp_host = "{self.smtp.host}"\nsmtp_port = {self.smtp.port}\n'
            'smtp_security = "none"\n\n'
            "[twilio]\n"
            f'account_sid = "{self.twilio.account_sid}"\nauth_token_env = "{TOKEN_ENV}"\n'
            f"numbers = [{numbers}]\npublic_base_url = \"{PUBLIC_BASE_URL}\"\n"
            f'api_base_url = "{self.twilio.url}"\n\n'
            "[letters]\n"
            f'drop_folders = ["{self.drop}"]\nocr_workers = {self.options.ocr_workers}\n'
        )
        return path

    def env(self) -> dict[str, str]:
        assert self.mail_user
        assert self.twilio
        env = {k: v for k, v in os.environ.items() if not k.startswith("INBOX_")}
        env.update(INBOX_CONFIG=str(self.tmp / "inbox.toml"), INBOX_DATABASE_URL=self.url,
                   INBOX_REDIS_URL=self.redis_url, INBOX_SECRET_KEY=secrets.token_hex(32),
                   INBOX_INSTANCE_DIR=str(self.tmp / "instance"),
                   INBOX_BLOB_DIR=str(self.tmp / "blobs"), INBOX_LOG_LEVEL="WARNING",
                   PROMETHEUS_MULTIPROC_DIR=str(self.tmp / "metrics"))
        env[PASSWORD_ENV] = self.mail_user.password
        env[TOKEN_ENV] = self.twilio.auth_token
        return env

    def commands(self) -> dict[str, list[str]]:
        o = self.options
        self.port = free_port()
        # The shipped settings (inbox/gunicorn_conf.py: sync workers, timeouts,
        # Prometheus multiprocess mode), the process count set here.
        web = [str(BIN / "gunicorn"), "-c", "python:inbox.gunicorn_conf",
               "-w", str(o.web_workers), "-b", f"127.0.0.1:{self.port}"]
        if o.web_threads > 1:
            web += ["-k", "gthread", "--threads", str(o.web_threads)]
        commands = {
            "gunicorn": [*web, "inbox.wsgi:app"],
            "worker intake,outbound,scheduled,default": [
                str(BIN / "inbox"), "worker", "--queues", "intake,outbound,scheduled,default"],
            "worker ocr": [str(BIN / "inbox"), "worker", "--queues", "ocr"],
        }
        if o.idle_sync:
            commands["inbox sync email (IDLE)"] = [str(BIN / "inbox"), "sync", "email"]
        return commands

    def start(self) -> None:
        env = self.env()
        logs = self.tmp / "logs"
        logs.mkdir(exist_ok=True)
        for name, command in self.commands().items():
            self.commands_run.append(" ".join(Path(command[0]).name if i == 0 else part
                                              for i, part in enumerate(command)))
            log = (logs / f"{name.split()[0]}-{len(self.processes)}.log").open("wb")
            # Their own session: stopped as a group at the end, and a Ctrl-C in
            # the terminal reaches only this script.
            self.processes[name] = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log,
                                                    stderr=subprocess.STDOUT,
                                                    start_new_session=True)
        self._wait_web()

    def _wait_web(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode}:\n"
                                       f"{self.log_tail()}")
            try:
                if requests.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    # Every web worker imports and connects before the clock starts.
                    for _ in range(6 * self.options.web_workers):
                        requests.get(f"{self.base}/login", timeout=10)
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def groups(self) -> dict[str, int]:
        """Process groups for the CPU meter: name -> root pid."""
        out = {name: p.pid for name, p in self.processes.items()}
        if self.dovecot is not None and self.dovecot._process is not None:
            out["dovecot (private)"] = self.dovecot._process.pid
        return out

    def alive(self) -> list[str]:
        """Processes that have died (should be none)."""
        return [f"{n} exited {p.returncode}" for n, p in self.processes.items()
                if p.poll() is not None]

    def log_tail(self, chars: int = 3000) -> str:
        texts = []
        for path in sorted((self.tmp / "logs").glob("*.log")):
            text = path.read_text(errors="replace")
            if text.strip():
                texts.append(f"--- {path.name}\n{text[-chars:]}")
        return "\n".join(texts)

    def count_errors_in_logs(self) -> dict[str, int]:
        """Lines with a traceback or ERROR per process log (the app logs at WARNING)."""
        out = {}
        for path in sorted((self.tmp / "logs").glob("*.log")):
            text = path.read_text(errors="replace")
            out[path.stem] = text.count("Traceback") + text.count(" ERROR ")
        return out

    # --- tearing down -----------------------------------------------------------------

    def close(self) -> None:
        self._stop_processes()
        for server in (self.smtp, self.dovecot):
            if server is not None:
                server.stop()
        if self.twilio is not None:
            self.twilio.close()
        if self.redis_url:
            client = redis.Redis.from_url(self.redis_url)
            if client.get(CLAIM_KEY) == self._redis_token.encode():
                client.flushdb()
            client.close()
        if self.url:
            admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        self._remove_files()

    def _stop_processes(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def _remove_files(self) -> None:
        if not self.options.keep_logs:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return
        print(f"logs kept in {self.tmp / 'logs'}")
        for child in self.tmp.iterdir():
            if child.name == "logs":
                continue
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink()

    def refresh_claim(self) -> None:
        client = redis.Redis.from_url(self.redis_url)
        client.expire(CLAIM_KEY, CLAIM_TTL)
        client.close()
