"""The customers' side of the load: mails APPENDed to the claims mailbox,
signed Twilio webhooks (inbound SMS, call-status callbacks), and letter scans
dropped into the drop folder, each at a steady rate (open loop: item *i* is
due at ``start + i / rate`` whatever happened to the earlier ones, and a
webhook's latency counts from its due time)."""

from __future__ import annotations

import hashlib
import os
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import requests
from imapclient import IMAPClient

from bench.imap_fetch import CHARSETS
from bench.loadkit.measure import IntakeTracker, Recorder
from bench.loadkit.stack import MAILBOX_ADDRESS, Book, Stack
from bench.queue_data import SENTENCES, SUBJECTS
from bench.webhooks import OUR_NUMBERS, PUBLIC_BASE_URL, build_requests
from channels.twilio.signature import HEADER, sign
from tests.letters import scans

TIMEOUT = 30.0  # seconds before a request counts as timed out


def paced(rate_per_min: float, until: float, start: float, stop: threading.Event,
          send: Callable[[int, float], None], pool: ThreadPoolExecutor) -> threading.Thread:
    """A thread handing item i to ``pool`` at ``start + i * 60 / rate`` until ``until``."""

    def run() -> None:
        if rate_per_min <= 0:
            return
        interval = 60.0 / rate_per_min
        i = 0
        while True:
            due = start + i * interval
            if due >= until or stop.is_set():
                return
            delay = due - time.time()
            if delay > 0 and stop.wait(delay):
                return
            pool.submit(send, i, due)
            i += 1

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _post(session: requests.Session, recorder: Recorder, kind: str, url: str, body: bytes,
          headers: dict[str, str], due: float) -> int:
    try:
        resp = session.post(url, data=body, headers=headers, timeout=TIMEOUT)
        recorder.record(kind, time.time() - due, resp.status_code, resp.text[:120])
        return resp.status_code
    except requests.Timeout:
        recorder.record(kind, time.time() - due, 0, "timeout")
    except requests.RequestException as exc:
        recorder.record(kind, time.time() - due, -1, type(exc).__name__)
    return -1


class Mails:
    """Mail in six languages from seeded customers (and 5% strangers); 30%
    answer an earlier mail (a seeded open thread, or one sent in this run),
    10% carry a PDF letter with a text layer."""

    def __init__(self, stack: Stack, book: Book, tracker: IntakeTracker, recorder: Recorder,
                 seed: int = 1) -> None:
        self.stack, self.book, self.tracker, self.recorder = stack, book, tracker, recorder
        self.rng = random.Random(seed)
        self.sent: list[tuple[str, str, str]] = []  # (message-id, address, subject)
        self.pdfs = {spec.language: scans.save_text_pdf(
            spec, stack.tmp / f"attachment-{spec.key}.pdf").read_bytes()
            for spec in {s.language: s for s in scans.LETTERS}.values()}
        self._lock = threading.Lock()
        self._local = threading.local()

    def build(self, n: int) -> tuple[str, bytes]:
        rng = self.rng
        with self._lock:
            r = rng.random()
            parent: tuple[str, str, str] | None = None
            if r < 0.15 and self.sent:
                parent = rng.choice(self.sent[-200:])
            elif r < 0.30 and self.book.threads:
                parent = rng.choice(self.book.threads)
            if parent is not None:
                address = parent[1]
                language = next((lang for a, lang in self.book.emails if a == address), "en")
            elif rng.random() < 0.05:
                language = rng.choice(list(SENTENCES))
                address = f"new{n}.{rng.randrange(10**6)}@mail.example.{language}"
            else:
                address, language = rng.choice(self.book.emails)
            message_id = f"load{n}.{rng.getrandbits(40):x}@mail.example.{language}"
            subject = parent[2] if parent else rng.choice(SUBJECTS[language])
            msg = EmailMessage(policy=SMTP)
            msg["From"] = address
            msg["To"] = MAILBOX_ADDRESS
            msg["Subject"] = f"Re: {subject}" if parent else subject
            msg["Date"] = format_datetime(datetime.now(UTC))
            msg["Message-ID"] = f"<{message_id}>"
            if parent:
                msg["In-Reply-To"] = f"<{parent[0]}>"
                msg["References"] = f"<{parent[0]}>"
            body = " ".join(rng.choice(SENTENCES[language]) for _ in range(rng.randint(2, 12)))
            msg.set_content(body + "\n", charset=rng.choice(CHARSETS[language]))
            if rng.random() < 0.5:
                msg.add_alternative(f"<html><body><p>{body}</p></body></html>", subtype="html")
            if rng.random() < 0.10:
                msg.add_attachment(self.pdfs[language], "application", "pdf",
                                   filename=f"letter-{n}.pdf")
            self.sent.append((message_id, address, subject))
        return message_id, msg.as_bytes()

    def _client(self) -> IMAPClient:
        client = getattr(self._local, "client", None)
        if client is None:
            assert self.stack.dovecot
            assert self.stack.mail_user
            client = IMAPClient(self.stack.dovecot.host, self.stack.dovecot.imap_port, ssl=False,
                                timeout=TIMEOUT)
            client._imap.debug = 0
            client.login(self.stack.mail_user.name, self.stack.mail_user.password)
            self._local.client = client
        return client

    def send(self, n: int, due: float) -> None:
        message_id, raw = self.build(n)
        try:
            self._client().append("INBOX", raw)
        except Exception as exc:
            self._local.client = None
            self.recorder.record("IMAP APPEND (Dovecot)", time.time() - due, -1, repr(exc))
            return
        self.recorder.record("IMAP APPEND (Dovecot)", time.time() - due, 200)
        self.tracker.sent_now("email", message_id, time.time())


class Webhooks:
    """Signed Twilio webhooks: 40% inbound SMS (from seeded customers' phones,
    six languages), 60% call-status callbacks (ringing, in-progress,
    completed per call; bench/webhooks.py builds them). A call is filed when
    its completed callback is stored."""

    def __init__(self, stack: Stack, book: Book, tracker: IntakeTracker, recorder: Recorder,
                 total: int, seed: int = 2) -> None:
        assert stack.twilio
        self.stack, self.book, self.tracker, self.recorder = stack, book, tracker, recorder
        self.token = stack.twilio.auth_token
        self.account_sid = stack.twilio.account_sid
        self.rng = random.Random(seed)
        self.calls = build_requests(max(3, total), self.account_sid, self.token, seed=seed)
        self._next_call = 0
        self._lock = threading.Lock()
        self._local = threading.local()

    def _session(self) -> requests.Session:
        if getattr(self._local, "session", None) is None:
            self._local.session = requests.Session()
        return self._local.session  # type: ignore[no-any-return]

    def send(self, n: int, due: float) -> None:
        if n % 5 in (1, 3):
            self._sms(n, due)
        else:
            self._call_status(due)

    def _sms(self, n: int, due: float) -> None:
        with self._lock:
            phone, language = self.rng.choice(self.book.phones)
            text = " ".join(self.rng.choice(SENTENCES[language]) for _ in range(2))[:300]
            sid = f"SM{self.rng.getrandbits(128):032x}"
        params = {"AccountSid": self.account_sid, "ApiVersion": "2010-04-01", "MessageSid": sid,
                  "SmsSid": sid, "SmsMessageSid": sid, "SmsStatus": "received",
                  "From": phone, "To": OUR_NUMBERS[n % 2], "Body": text, "NumMedia": "0",
                  "NumSegments": str(1 + len(text) // 153), "MessagingServiceSid": ""}
        path = "/webhooks/twilio/sms"
        signature = sign(self.token, PUBLIC_BASE_URL + path, params)
        status = _post(self._session(), self.recorder, "POST Twilio SMS webhook",
                       self.stack.base + path, urlencode(params).encode(),
                       {"Content-Type": "application/x-www-form-urlencoded",
                        HEADER: signature}, due)
        if status == 200:
            self.tracker.sent_now("sms", sid)

    def _call_status(self, due: float) -> None:
        with self._lock:
            request = self.calls[self._next_call % len(self.calls)]
            self._next_call += 1
        path = "/webhooks/twilio/voice/status"
        status = _post(self._session(), self.recorder, "POST Twilio call-status webhook",
                       self.stack.base + path, request.body,
                       {"Content-Type": "application/x-www-form-urlencoded",
                        HEADER: request.signature}, due)
        params = dict(parse_qsl(request.body.decode()))
        if status == 200 and params["CallStatus"] == "completed":
            self.tracker.sent_now("call", params["CallSid"])


class Letters:
    """Scans of the twelve test letters (tests/letters/scans.py: six languages,
    skew, noise, blur), every one distinct, alternately PNG and image-only PDF,
    rendered before the clock starts; dropped by an atomic rename."""

    def __init__(self, stack: Stack, tracker: IntakeTracker, count: int) -> None:
        self.stack, self.tracker = stack, tracker
        self.ready = stack.tmp / "rendered"
        self.ready.mkdir(exist_ok=True)
        self.files: list[Path] = []
        for i in range(count):
            spec = scans.LETTERS[i % len(scans.LETTERS)]
            pages = scans.render_pages(spec, seed=1000 + i)
            path = self.ready / f"letter-{i:04d}-{spec.key}.{'pdf' if i % 2 else 'png'}"
            if i % 2:
                scans.save_pdf(pages, path)
            else:
                scans.save_png(pages[0], path)
            self.files.append(path)

    def send(self, n: int, due: float) -> None:
        if n >= len(self.files):
            return
        source = self.files[n]
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        os.utime(source)  # written "now", as by a scanner: the drop folder's settle time holds
        source.rename(self.stack.drop / source.name)  # same file system: atomic
        self.tracker.sent_now("letter", f"scan:{digest}")
