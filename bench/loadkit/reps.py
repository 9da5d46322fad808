"""Simulated reps, each a browser: sign in through /login (CSRF token from
the form; a fixed User-Agent, as sessions are bound to it), then until the
end: the queue page (whose rows the page re-fetches every 10 s while it is
open), a thread from it (whose presence heartbeat is posted every 10 s
while it is open), and, for ``reply_share`` of the threads, an e-mail reply
posted through the thread page's form, then the thread page again (the 303
after the post). Think time between steps is drawn around ``think`` seconds.
A closed loop: a rep waits for each answer, as a person does."""

from __future__ import annotations

import html
import random
import re
import threading
import time
import uuid

import requests

from bench.loadkit.measure import OutboundTracker, Recorder
from tests.web import csrf_token

TIMEOUT = 30.0
POLL_EVERY = 10.0  # the queue page's row poll, the thread page's presence heartbeat
_THREAD_LINK = re.compile(r'href="/threads/(\d+)"')
_SEEN = re.compile(r'name="seen_inbound" value="([^"]*)"')
_ERROR = re.compile(r'<p class="flash error"[^>]*>([^<]*)</p>')


class Rep:
    def __init__(self, base: str, email: str, password: str, recorder: Recorder,
                 outbound: OutboundTracker, *, think: float, reply_share: float, seed: int) -> None:
        self.base, self.email, self.password = base, email, password
        self.recorder, self.outbound = recorder, outbound
        self.think, self.reply_share = think, reply_share
        self.rng = random.Random(seed)
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"inbox-bench-load/1 rep {seed}"
        self.token = ""

    def _do(self, kind: str, method: str, path: str, **kwargs: object) -> requests.Response | None:
        started = time.time()
        try:
            resp = self.session.request(method, self.base + path, timeout=TIMEOUT,
                                        allow_redirects=False, **kwargs)  # type: ignore[arg-type]
        except requests.Timeout:
            self.recorder.record(kind, time.time() - started, 0, path)
            return None
        except requests.RequestException as exc:
            self.recorder.record(kind, time.time() - started, -1, f"{path} {exc!r}")
            return None
        self.recorder.record(kind, time.time() - started, resp.status_code, path)
        return resp

    def sign_in(self) -> bool:
        page = self._do("GET /login", "GET", "/login")
        if page is None or page.status_code != 200:
            return False
        token = csrf_token(page.text)
        resp = self._do("POST /login", "POST", "/login", data={
            "email": self.email, "password": self.password, "csrf_token": token})
        if resp is None or resp.status_code != 302 or resp.headers.get("Location") not in (
                "/", f"{self.base}/"):
            return False
        self.token = token
        return True

    def _wait(self, seconds: float, stop: threading.Event, poll: tuple[str, str, str]) -> bool:
        """Think for ``seconds`` while the open page polls (kind, method, path)
        every POLL_EVERY s; False when the run is over."""
        end = time.time() + seconds
        next_poll = time.time() + POLL_EVERY
        while True:
            now = time.time()
            if stop.is_set():
                return False
            if now >= end:
                return True
            if now >= next_poll:
                kind, method, path = poll
                data = {"state": "viewing", "csrf_token": self.token} if method == "POST" \
                    else None
                self._do(kind, method, path, data=data)
                next_poll += POLL_EVERY
            stop.wait(max(0.0, min(end, next_poll) - time.time()))

    def _pause(self, scale: float = 1.0) -> float:
        return self.rng.uniform(0.5, 1.5) * self.think * scale

    def run(self, stop: threading.Event) -> None:
        if not self.sign_in():
            return
        while not stop.is_set():
            queue = self._do("GET / (queue page)", "GET", "/")
            ids = _THREAD_LINK.findall(queue.text) if queue is not None and queue.ok else []
            if not self._wait(self._pause(0.5), stop,
                              ("GET /queue/rows (poll)", "GET", "/queue/rows")):
                return
            if not ids:
                continue
            thread_id = self.rng.choice(ids[:25])
            self._thread(thread_id, stop)

    def _thread(self, thread_id: str, stop: threading.Event) -> None:
        path = f"/threads/{thread_id}"
        page = self._do("GET /threads/<id>", "GET", path)
        if page is None or page.status_code != 200:
            return
        presence = ("POST /threads/<id>/presence", "POST", f"{path}/presence")
        if not self._wait(self._pause(), stop, presence):
            return
        if self.rng.random() >= self.reply_share:
            return
        for channel in ("email", "sms"):  # no e-mail address: the rep answers by SMS
            page, why = self._reply(path, page, channel)
            if "no email address" not in why:
                break
        self._wait(self._pause(0.3), stop, presence)

    def _reply(self, path: str, page: requests.Response,
               channel: str) -> tuple[requests.Response, str]:
        """Post a reply from ``page``'s form; returns the page landed on and,
        when the reply was held back (the draft kept), the reason it shows."""
        seen = _SEEN.search(page.text)
        marker = f"load-reply-{uuid.uuid4().hex[:12]}"
        body = (f"Thank you. We are looking into it and will come back to you "
                f"within two working days. Ref {marker}")
        posted = time.time()
        resp = self._do(f"POST /threads/<id>/reply ({channel})", "POST", f"{path}/reply", data={
            "csrf_token": self.token, "channel": channel, "body": body,
            "seen_inbound": seen.group(1) if seen else ""})
        if resp is None or resp.status_code != 303:
            return page, ""
        location = resp.headers.get("Location", path)
        if "draft=" not in location:
            self.outbound.post(marker, posted)
        landed = self._do("GET /threads/<id>", "GET", location.removeprefix(self.base))
        if landed is None or "draft=" not in location:
            return landed or page, ""
        # Held back ("the customer wrote again", "no email address"): counted per reason.
        reason = _ERROR.search(landed.text)
        why = html.unescape(reason.group(1)) if reason else "no reason shown"
        self.recorder.record(f"reply held back: {why[:60]}", 0.0, 200)
        return landed, why
