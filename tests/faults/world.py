"""The product running for real, for the fault tests: a private PostgreSQL
cluster, a private Redis (no persistence: a restart brings it back empty),
a private Dovecot, the web app under gunicorn, two ``inbox worker``
processes (each with its cron process) and a steady intake of email, SMS
webhooks and scanned letters that the test drives.

The periodic sweeps run every minute or five in production; here a "fast
cron" thread enqueues them every :data:`SWEEP_EVERY` seconds (the same jobs
the cron process enqueues, through the same queues), so a fault and its
recovery fit in seconds. A webhook the web app did not answer with 200 is
sent again, as Twilio's retries and the reconciliation job would bring it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import redis
import sqlalchemy as sa

from channels.twilio.signature import HEADER, sign
from tests.servers.dovecot import PASSWORD_ENV, DovecotServer, MailUser
from tests.servers.postgres_server import PostgresServer
from tests.servers.redis_server import RedisServer
from tests.servers.tls import free_port

TOKEN = "0123456789abcdef0123456789abcdef"
ACCOUNT = "AC" + "0" * 32
OURS = "+442079460000"
SWEEP_EVERY = 1.5  # seconds between the fast cron's rounds
BLOB_MAX_MB = 64  # the attachment store's configured limit (blob_max_mb); a scan is ~4 MB
BIN = Path(sys.executable).parent

CONFIG = """\
[[email]]
name = "claims"
address = "{user}@inbox.test"
imap_host = "127.0.0.1"
imap_port = {imap_port}
imap_security = "none"
username = "{user}"
password_env = "{password_env}"

[twilio]
account_sid = "{account}"
auth_token_env = "TWILIO_AUTH_TOKEN"
numbers = ["{ours}"]
public_base_url = "{web}"
# Nothing leaves the machine: reconciliation finds a closed loopback port.
api_base_url = "http://127.0.0.1:{closed_port}"

[letters]
drop_folders = ["{drop}"]
ocr_workers = 1
settle_seconds = 0.5
"""


@dataclass
class Inputs:
    """Everything handed to the product, by the id it is filed under."""

    mails: list[str] = field(default_factory=list)  # Message-IDs
    sms: list[str] = field(default_factory=list)  # MessageSids (answered 200)
    sms_unanswered: list[dict[str, str]] = field(default_factory=list)  # to send again
    letters: list[str] = field(default_factory=list)  # sha256 of each scan file


class World:
    def __init__(self, root: Path, dovecot: DovecotServer, scans: list[bytes]) -> None:
        self.root = root
        self.dovecot = dovecot
        self.scans = scans  # distinct one-page scans, PNG bytes
        self.user: MailUser = dovecot.new_user("fault")
        self.pg = PostgresServer().start()
        self.database_url = self.pg.create_database("inbox")
        self.redis = RedisServer().start()
        self.drop = root / "drop"
        self.drop.mkdir()
        self.blob_dir = root / "blobs"
        self.web = f"http://127.0.0.1:{free_port()}"
        config = root / "inbox.toml"
        config.write_text(CONFIG.format(
            user=self.user.name, imap_port=dovecot.imap_port, password_env=PASSWORD_ENV,
            account=ACCOUNT, ours=OURS, web=self.web, drop=self.drop, closed_port=free_port()))
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("INBOX_")},
            "INBOX_CONFIG": str(config),
            "INBOX_DATABASE_URL": self.database_url,
            "INBOX_REDIS_URL": self.redis.url(0),
            "INBOX_INSTANCE_DIR": str(root / "instance"),
            "INBOX_BLOB_DIR": str(self.blob_dir),
            "INBOX_BLOB_MAX_MB": str(BLOB_MAX_MB),
            "INBOX_SECRET_KEY": "fault-tests-" + uuid.uuid4().hex,
            "INBOX_LOG_LEVEL": os.environ.get("FAULTS_LOG_LEVEL", "WARNING"),
            "TWILIO_AUTH_TOKEN": TOKEN,
            PASSWORD_ENV: self.user.password,
            "PROMETHEUS_MULTIPROC_DIR": str(root / "prometheus"),
        }
        self.inputs = Inputs()
        self.workers: list[subprocess.Popen[bytes] | None] = [None, None]
        self.web_process: subprocess.Popen[bytes] | None = None
        self.engine = sa.create_engine(self.database_url, pool_pre_ping=True)
        self._driver: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._serial = 0
        self._letters_used = 0
        self.sweeping = True

    # -- processes -------------------------------------------------------------

    def start(self) -> World:
        (self.root / "prometheus").mkdir()
        self.inbox("migrate")
        self.web_process = self._spawn(
            "web", [str(BIN / "gunicorn"), "-w", "2", "-b", self.web.removeprefix("http://"),
                    "--timeout", "30", "inbox.wsgi:app"])
        deadline = time.monotonic() + 30
        while not self._web_answers():
            assert self.web_process.poll() is None, self.log_tail("web")
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
        for index in range(len(self.workers)):
            self.start_worker(index)
        return self

    def inbox(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([str(BIN / "inbox"), *args], env=self.env, capture_output=True,
                                text=True, timeout=120, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"inbox {' '.join(args)}: {result.stdout}{result.stderr}")
        return result

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        # A session of its own, so signals meant for pytest do not reach it.
        with (self.root / f"{name}.log").open("ab") as log:
            return subprocess.Popen(argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)

    def start_worker(self, index: int) -> None:
        self.workers[index] = self._spawn(f"worker{index}", [
            str(BIN / "inbox"), "worker", "--maintenance-interval", "2",
            "--job-monitoring-interval", "2"])

    def worker_pids(self, index: int) -> set[int]:
        """The worker, its cron process and its work horse (a session of its own)."""
        process = self.workers[index]
        assert process is not None
        return {process.pid, *_descendants(process.pid)}

    def kill_worker(self, index: int) -> None:
        """``kill -9`` the worker with its work horse and cron process."""
        for pid in self.worker_pids(index):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process = self.workers[index]
        assert process is not None
        process.wait(10)

    def stop(self) -> None:
        self.stop_intake()
        for index, process in enumerate(self.workers):
            if process is not None and process.poll() is None:
                for pid in self.worker_pids(index):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                process.wait(10)
        if self.web_process is not None:
            self.web_process.terminate()
            try:
                self.web_process.wait(15)
            except subprocess.TimeoutExpired:
                self.web_process.kill()
        self.engine.dispose()
        self.redis.close()
        self.pg.close()

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def _web_answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.web + "/healthz", timeout=2):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    def connection(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis.url(0), socket_timeout=5)

    # -- the intake ------------------------------------------------------------

    def mail(self, attachment: bytes = b"") -> None:
        with self._lock:
            self._serial += 1
            n = self._serial
        message_id = f"<fault-{n}-{uuid.uuid4().hex[:8]}@customer.test>"
        msg = EmailMessage()
        msg["From"] = f"Customer {n} <customer{n % 7}@customer.test>"
        msg["To"] = f"{self.user.name}@inbox.test"
        msg["Subject"] = f"Claim question {n}"
        msg["Message-ID"] = message_id
        msg["Date"] = "Mon, 02 Mar 2026 09:00:00 +0000"
        msg.set_content(f"Hello, this is message {n} about my claim.\n")
        if attachment:
            msg.add_attachment(attachment + uuid.uuid4().bytes, maintype="application",
                               subtype="octet-stream", filename=f"photo{n}.bin")
        self.dovecot.deliver(self.user.name, msg.as_bytes())
        self.inputs.mails.append(message_id.strip("<>"))  # filed without the brackets

    def sms(self) -> None:
        with self._lock:
            self._serial += 1
            n = self._serial
        params = {"MessageSid": f"SM{uuid.uuid4().hex}", "AccountSid": ACCOUNT,
                  "From": f"+4477009{n % 100000:05d}", "To": OURS,
                  "Body": f"SMS {n} about my claim",
                  "NumMedia": "0", "SmsStatus": "received"}
        if not self._post_sms(params):
            self.inputs.sms_unanswered.append(params)

    def _post_sms(self, params: dict[str, str]) -> bool:
        path = "/webhooks/twilio/sms"
        request = urllib.request.Request(
            self.web + path, data=urlencode(params).encode(), method="POST",
            headers={HEADER: sign(TOKEN, self.web + path, params)})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                answered = response.status == 200
        except (urllib.error.HTTPError, OSError):
            answered = False
        if answered:
            self.inputs.sms.append(params["MessageSid"])
        return answered

    def resend_unanswered(self) -> None:
        waiting, self.inputs.sms_unanswered = self.inputs.sms_unanswered, []
        for params in waiting:
            if not self._post_sms(params):
                self.inputs.sms_unanswered.append(params)

    def letter(self) -> str:
        """Drop the next scan into the drop folder (written, then renamed in)."""
        # Bytes after PNG's IEND chunk are ignored by readers: a scan of its own
        # (its own sha256) without rendering another page.
        data = self.scans[self._letters_used % len(self.scans)] + uuid.uuid4().bytes
        self._letters_used += 1
        name = f"scan-{self._letters_used}.png"
        tmp = self.drop / f".{name}"
        tmp.write_bytes(data)
        tmp.rename(self.drop / name)
        sha = hashlib.sha256(data).hexdigest()
        self.inputs.letters.append(sha)
        return sha

    def start_intake(self, *, every: float = 0.4, attachment: bytes = b"") -> None:
        """Mail and an SMS every ``every`` seconds, sweeps every SWEEP_EVERY."""
        self._stop.clear()

        def drive() -> None:
            last_sweep = 0.0
            while not self._stop.is_set():
                self.mail(attachment)
                self.sms()
                if time.monotonic() - last_sweep > SWEEP_EVERY:
                    self.sweep()
                    last_sweep = time.monotonic()
                self._stop.wait(every)

        self._driver = threading.Thread(target=drive, name="fault-intake", daemon=True)
        self._driver.start()

    def stop_intake(self) -> None:
        self._stop.set()
        if self._driver is not None:
            self._driver.join(30)
            self._driver = None

    def sweep(self) -> None:
        """One round of the fast cron (Redis down: nothing is enqueued, as for cron)."""
        from inbox.jobs.base import enqueue
        from inbox.jobs.intake import retry_due_intakes
        from inbox.jobs.letters import ingest_drop_folders
        from inbox.jobs.mail import sync_all_mailboxes
        from inbox.jobs.twilio import file_pending_twilio_events

        if not self.sweeping:
            return
        self.resend_unanswered()
        conn = self.connection()
        try:
            for job in (sync_all_mailboxes, file_pending_twilio_events, ingest_drop_folders,
                        retry_due_intakes):
                enqueue(job, connection=conn)
        except redis.RedisError:
            pass
        finally:
            conn.close()

    # -- what was filed --------------------------------------------------------

    def filed(self) -> dict[str, dict[str, int]]:
        """Messages per external id, per channel."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT channel, external_id, count(*) FROM messages "
                "GROUP BY channel, external_id")).all()
        out: dict[str, dict[str, int]] = {}
        for channel, external_id, count in rows:
            out.setdefault(channel, {})[external_id] = count
        return out

    def missing(self) -> dict[str, list[str]]:
        filed = self.filed()
        letters = {key.removeprefix("scan:").split("#")[0] for key in filed.get("letter", {})}
        return {
            "email": [m for m in self.inputs.mails if m not in filed.get("email", {})],
            "sms": [s for s in self.inputs.sms if s not in filed.get("sms", {})]
                   + [p["MessageSid"] for p in self.inputs.sms_unanswered],
            "letter": [sha for sha in self.inputs.letters if sha not in letters],
        }

    def settle(self, timeout: float = 60) -> None:
        """Stop the intake; sweep until every input is filed (or fail saying what is not)."""
        self.stop_intake()
        deadline = time.monotonic() + timeout
        while True:
            missing = self.missing()
            if not any(missing.values()):
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"not filed after {timeout} s: { {k: v[:5] for k, v in missing.items()} } "
                    f"(counts { {k: len(v) for k, v in missing.items()} }); failed intakes: "
                    f"{self.failed_intakes()}\n--- worker0:\n{self.log_tail('worker0')}"
                    f"\n--- worker1:\n{self.log_tail('worker1')}")
            self.sweep()
            time.sleep(SWEEP_EVERY)

    def assert_exactly_once(self) -> None:
        filed = self.filed()
        for channel, ids in (("email", self.inputs.mails), ("sms", self.inputs.sms)):
            counts = filed.get(channel, {})
            assert [i for i in ids if counts.get(i) != 1] == [], f"{channel} not filed once"
            assert len(counts) == len(set(ids)), f"{channel}: messages nobody sent"
        letters = [key for key in filed.get("letter", {}) if filed["letter"][key] != 1]
        assert letters == []
        shas = [key.removeprefix("scan:").split("#")[0] for key in filed.get("letter", {})]
        assert sorted(set(shas)) == sorted(set(self.inputs.letters))
        # A scan filed again (by a second pass after a kill) would be a second message.
        assert len(shas) == len(set(self.inputs.letters))
        assert self.failed_intakes() == []
        assert not [p for p in self.drop.iterdir() if p.is_file()], "scans left undone"

    def failed_intakes(self) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(
                "SELECT id, channel, external_id, error FROM failed_intakes "
                "WHERE status = 'failed'")).all()]

    def wait_for(self, condition: Callable[[], Any], timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.RedisError, sa.exc.OperationalError):
                value = condition()
                if value:
                    return value
            time.sleep(0.1)
        raise AssertionError(f"{what}: not within {timeout} s")


def _descendants(pid: int) -> Iterator[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return
    for child in children:
        yield int(child)
        yield from _descendants(int(child))
