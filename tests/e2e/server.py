"""The product as a browser meets it, for the end-to-end tests: the real app
(``inbox.create_app``) served by werkzeug's threaded server on a free loopback
port (what ``inbox run`` does), a real ``inbox worker`` process on a Redis
database of its own, a real SMTP server for outgoing mail, a local Twilio
API for call recordings, and a fresh database: PostgreSQL, or SQLite with
``INBOX_E2E_DATABASE=sqlite``.

The app and the worker read one configuration: a TOML file named by
``INBOX_CONFIG`` plus ``INBOX_*`` variables, as in production.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import redis
import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from channels.twilio.signature import HEADER, sign
from config import load_settings
from inbox import create_app
from inbox.database import Database, create_engine
from inbox.migrations import upgrade
from tests.servers.smtp import SmtpServer
from tests.servers.tls import free_port
from tests.servers.twilio import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, TOKEN_ENV, FakeTwilio

MAILBOX = "claims@insurer.test"
REDIS_BASE_URL = os.environ.get("INBOX_TEST_REDIS_URL", "redis://127.0.0.1:6379")
POSTGRES_ADMIN_URL = os.environ.get(
    "INBOX_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# The page polls the queue every 10 s in production; the tests need not wait that long.
POLL_MS = 400
T = TypeVar("T")


@dataclass
class Product:
    base: str  # http://127.0.0.1:<port>
    app: Flask
    db: Database
    smtp: SmtpServer
    twilio: FakeTwilio
    env: dict[str, str]
    worker_log: Path

    @property
    def settings(self) -> Any:
        return self.app.config["SETTINGS"]

    @property
    def sqlite(self) -> bool:
        return str(self.settings.database_url).startswith("sqlite")

    def post_twilio(self, path: str, params: dict[str, str]) -> int:
        """A webhook as Twilio sends it: form-encoded, signed with the auth token."""
        signature = sign(AUTH_TOKEN, self.base + path, params)
        request = urllib.request.Request(self.base + path, data=urlencode(params).encode(),
                                         method="POST", headers={HEADER: signature})
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)

    def scalar(self, query: Any) -> Any:
        with self.db.transaction() as session:
            return session.scalar(query)

    def wait_for(self, what: str, check: Callable[[], T | None], timeout: float = 20) -> T:
        """Poll ``check`` until it returns something (the worker runs jobs
        asynchronously); fails with the worker's log when it never does."""
        deadline = time.monotonic() + timeout
        while True:
            found = check()
            if found:
                return found
            if time.monotonic() > deadline:
                log = self.worker_log.read_text(errors="replace")[-3000:]
                raise AssertionError(f"gave up waiting for {what}; worker log:\n{log}")
            time.sleep(0.1)


def chromium_args() -> list[str]:
    return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextmanager
def redis_database() -> Iterator[str]:
    """A Redis database (1-15) this run has to itself, claimed as the
    integration tests claim theirs; emptied afterwards."""
    from tests.integration.conftest import CLAIM_KEY, CLAIM_TTL

    token = uuid.uuid4().hex
    for number in range(1, 16):
        client = redis.Redis.from_url(REDIS_BASE_URL, db=number)
        try:
            if client.set(CLAIM_KEY, token, nx=True, ex=CLAIM_TTL):
                client.flushdb()
                client.set(CLAIM_KEY, token, ex=CLAIM_TTL)
                try:
                    yield f"{REDIS_BASE_URL}/{number}"
                finally:
                    if client.get(CLAIM_KEY) == token.encode():
                        client.flushdb()
                return
        finally:
            client.close()
    raise RuntimeError(f"no free Redis database 1-15 at {REDIS_BASE_URL}")


@contextmanager
def fresh_database(kind: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'e2e.sqlite3'}"
        return
    if kind != "postgresql":
        raise ValueError(f"INBOX_E2E_DATABASE: {kind!r} is neither sqlite nor postgresql")
    name = f"inbox_e2e_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(
            hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _config_file(path: Path, port: int, smtp: SmtpServer, twilio: FakeTwilio) -> Path:
    path.write_text(f"""\
log_level = "WARNING"

[[email]]
name = "claims"
address = "{MAILBOX}"
imap_host = "127.0.0.1"
imap_port = 1
imap_security = "none"
username = "unused"
password_env = "E2E_UNUSED_IMAP_PASSWORD"
smtp_host = "{smtp.host}"
smtp_port = {smtp.port}
smtp_security = "none"

[twilio]
account_sid = "{ACCOUNT_SID}"
auth_token_env = "{TOKEN_ENV}"
numbers = ["{OUR_NUMBER}"]
public_base_url = "http://127.0.0.1:{port}"
api_base_url = "{twilio.url}"

[portal]
public_url = "http://127.0.0.1:{port}"
""")
    return path


@contextmanager
def running_product(tmp: Path, database: str) -> Iterator[Product]:
    with fresh_database(database, tmp) as database_url, redis_database() as redis_url, \
            SmtpServer() as smtp:
        twilio = FakeTwilio().start()
        port = free_port()
        env = {
            "INBOX_CONFIG": str(_config_file(tmp / "inbox.toml", port, smtp, twilio)),
            "INBOX_DATABASE_URL": database_url,
            "INBOX_REDIS_URL": redis_url,
            "INBOX_INSTANCE_DIR": str(tmp / "instance"),
            "INBOX_BLOB_DIR": str(tmp / "blobs"),
            "INBOX_SECRET_KEY": uuid.uuid4().hex,
            TOKEN_ENV: AUTH_TOKEN,
        }
        worker_log = tmp / "worker.log"
        with worker_log.open("wb") as log:
            # The real worker command, in its own process (started first: its
            # imports overlap the migrations). --simple: jobs run in the
            # worker process rather than a fresh fork each, so models
            # (language detection) load once; no cron: periodic jobs are not
            # under test here. INFO: the log shows each job (see wait_for).
            worker = subprocess.Popen(
                [sys.executable, "-c", "from inbox.cli import main; main()", "worker",
                 "--simple", "--no-cron"],
                env={**os.environ, **env, "INBOX_LOG_LEVEL": "INFO"}, stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            upgrade(database_url)
            app = create_app(load_settings(env=env))
            app.config["QUEUE_POLL_MS"] = POLL_MS
            with _serving(app, port):
                yield Product(f"http://127.0.0.1:{port}", app, app.extensions["inbox.db"],
                              smtp, twilio, env, worker_log)
            app.extensions["inbox.db"].engine.dispose()
        finally:
            worker.terminate()  # RQ's warm shutdown
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            twilio.close()


@contextmanager
def _serving(app: Flask, port: int) -> Iterator[None]:
    """What ``inbox run`` does (werkzeug, a thread per request), in a thread here."""
    server: BaseWSGIServer = make_server("127.0.0.1", port, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, name="e2e-http", daemon=True)
    serving.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        serving.join(10)
