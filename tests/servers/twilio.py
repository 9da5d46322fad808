"""A local HTTP server that speaks enough of Twilio's REST API (2010-04-01) for
the real ``twilio`` SDK: Calls.json, Recordings.json, Messages.json (GET with
``PageSize``/``Page`` paging via ``next_page_uri`` and the ``StartTime>`` /
``DateCreated>`` / ``DateSent>`` filters; POST Messages.json creates a
message), behind HTTP Basic auth (account sid + token, 401 otherwise).

    def test_calls(fake_twilio):
        fake_twilio.add_call(start=datetime(...))
        with connect(fake_twilio.settings()) as client: ...

``fail_status`` answers every request after the first ``fail_after`` ones with
that status and a Twilio error body (500, 429, 400 ...).
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from config.twilio import TwilioSettings

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token-0123456789"
TOKEN_ENV = "TEST_TWILIO_AUTH_TOKEN"
OUR_NUMBER = "+442079460000"
_PREFIX = f"/2010-04-01/Accounts/{ACCOUNT_SID}/"
# resource -> (record key, filter parameter, record field the filter applies to)
_LISTS = {
    "Calls.json": ("calls", "StartTime>", "start_time"),
    "Recordings.json": ("recordings", "DateCreated>", "date_created"),
    "Messages.json": ("messages", "DateSent>", "date_sent"),
}


def _rfc2822(value: datetime) -> str:
    return format_datetime(value.astimezone(UTC), usegmt=False)


class FakeTwilio:
    def __init__(self) -> None:
        self.account_sid = ACCOUNT_SID
        self.auth_token = AUTH_TOKEN
        self.records: dict[str, list[dict[str, Any]]] = {key: [] for key, _, _ in _LISTS.values()}
        # When each record's filter field took place (for ``StartTime>`` & co).
        self._times: dict[int, datetime] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path?query)
        self.fail_status: int | None = None
        self.fail_after = 0
        self._ids = itertools.count(1)
        # path -> (status, content type, body): binary media / recordings (Basic auth)
        self.media: dict[str, tuple[int, str, bytes]] = {}
        self.redirects: dict[str, str] = {}  # path -> Location (302, no auth needed)
        self.authorizations: list[tuple[str, str]] = []  # (path, Authorization header)
        self.public_paths: set[str] = set()  # served without auth (a CDN's signed URL)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeTwilio:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def settings(self, token: str | None = None) -> TwilioSettings:
        """Settings pointing the SDK here; ``token`` overrides the right one."""
        return TwilioSettings(
            account_sid=self.account_sid, auth_token_env=TOKEN_ENV, numbers=(OUR_NUMBER,),
            public_base_url="https://inbox.insurer.example", api_base_url=self.url,
            env={TOKEN_ENV: token or self.auth_token},
        )

    # -- data ------------------------------------------------------------------------

    def _sid(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):032x}"

    def _add(self, key: str, record: dict[str, Any], when: datetime) -> dict[str, Any]:
        with self._lock:
            self.records[key].append(record)
            self._times[id(record)] = when
        return record

    def add_call(self, *, start: datetime, duration: int = 60, status: str = "completed",
                 from_: str = "+447700900123", to: str = OUR_NUMBER,
                 direction: str = "inbound", parent_call_sid: str | None = None,
                 sid: str | None = None) -> dict[str, Any]:
        end = datetime.fromtimestamp(start.timestamp() + duration, UTC)
        sid = sid or self._sid("CA")
        return self._add("calls", {
            "sid": sid, "account_sid": self.account_sid, "parent_call_sid": parent_call_sid,
            "from": from_, "to": to, "status": status, "direction": direction,
            "start_time": _rfc2822(start), "end_time": _rfc2822(end), "duration": str(duration),
            "date_created": _rfc2822(start), "date_updated": _rfc2822(end),
            "answered_by": None, "caller_name": None, "price": None, "api_version": "2010-04-01",
            "uri": f"{_PREFIX}Calls/{sid}.json",
        }, start)

    def add_recording(self, *, call_sid: str, created: datetime,
                      duration: int = 30, source: str = "RecordVerb") -> dict[str, Any]:
        sid = self._sid("RE")
        return self._add("recordings", {
            "sid": sid, "account_sid": self.account_sid, "call_sid": call_sid,
            "date_created": _rfc2822(created), "date_updated": _rfc2822(created),
            "start_time": _rfc2822(created), "duration": str(duration), "status": "completed",
            "source": source, "channels": 1, "uri": f"{_PREFIX}Recordings/{sid}.json",
        }, created)

    def add_message(self, *, sent: datetime, body: str, from_: str = "+447700900123",
                    to: str = OUR_NUMBER, direction: str = "inbound",
                    status: str = "received") -> dict[str, Any]:
        sid = self._sid("SM")
        return self._add("messages", {
            "sid": sid, "account_sid": self.account_sid, "from": from_, "to": to,
            "body": body, "direction": direction, "status": status, "num_media": "0",
            "num_segments": "1", "date_created": _rfc2822(sent), "date_sent": _rfc2822(sent),
            "date_updated": _rfc2822(sent), "uri": f"{_PREFIX}Messages/{sid}.json",
        }, sent)

    # -- answers ---------------------------------------------------------------------

    def list_page(self, resource: str, query: dict[str, str]) -> dict[str, Any]:
        key, filter_name, _ = _LISTS[resource]
        since = query.get(filter_name)
        with self._lock:
            items = list(self.records[key])
        if since:
            limit = datetime.strptime(since, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            items = [r for r in items if self._times[id(r)] >= limit]
        items.sort(key=lambda r: self._times[id(r)], reverse=True)  # newest first, as Twilio
        size = int(query.get("PageSize", "50"))
        page = int(query.get("Page", "0"))
        chunk = items[page * size:(page + 1) * size]
        base = f"{_PREFIX}{resource}"
        keep = {k: v for k, v in query.items() if k not in ("Page", "PageToken")}
        next_uri = None
        if (page + 1) * size < len(items):
            next_uri = f"{base}?{urlencode({**keep, 'Page': page + 1, 'PageToken': 'PT'})}"
        return {
            key: chunk, "first_page_uri": f"{base}?{urlencode({**keep, 'Page': 0})}",
            "next_page_uri": next_uri, "previous_page_uri": None, "page": page,
            "page_size": size, "start": page * size, "end": page * size + len(chunk) - 1,
            "uri": f"{base}?{urlencode(query)}",
        }

    def create_message(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        missing = [name for name in ("To", "Body") if not form.get(name)]
        if missing or not (form.get("From") or form.get("MessagingServiceSid")):
            return 400, _error(400, 21604, f"Missing parameter {(missing or ['From'])[0]}")
        now = datetime.now(UTC)
        record = self._add("messages", {
            "sid": self._sid("SM"), "account_sid": self.account_sid, "from": form.get("From"),
            "to": form["To"], "body": form["Body"], "direction": "outbound-api",
            "status": "queued", "num_media": "0", "num_segments": "1",
            "status_callback": form.get("StatusCallback"),
            "date_created": _rfc2822(now), "date_sent": None, "date_updated": _rfc2822(now),
        }, now)
        return 201, record

    def add_media(self, path: str, body: bytes, content_type: str = "image/jpeg",
                  status: int = 200, *, public: bool = False) -> str:
        """Serve ``body`` at ``path`` (behind Basic auth unless ``public``);
        returns its full URL. ``status`` other than 200 answers that status with
        a Twilio error body."""
        with self._lock:
            self.media[path] = (status, content_type, body)
            if public:
                self.public_paths.add(path)
        return self.url + path

    def add_redirect(self, path: str, location: str) -> str:
        """Answer ``path`` with a 302 to ``location`` (as Twilio does for MMS
        media), behind Basic auth."""
        with self._lock:
            self.redirects[path] = location
        return self.url + path

    def sent(self) -> list[dict[str, Any]]:
        """Messages created through the API."""
        return [m for m in self.records["messages"] if m["direction"] == "outbound-api"]


def _error(status: int, code: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "status": status,
            "more_info": f"https://www.twilio.com/docs/errors/{code}"}


def _handler(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            with fake._lock:
                fake.requests.append((method, self.path))
                fake.authorizations.append((self.path, self.headers.get("Authorization", "")))
                count = len(fake.requests)
            if fake.fail_status is not None and count > fake.fail_after:
                self._send(fake.fail_status, _error(fake.fail_status, 20500, "Failure on purpose"))
                return
            parts = urlsplit(self.path)
            public = method == "GET" and parts.path in fake.public_paths
            if not public and not self._authorized():
                self._send(401, _error(401, 20003, "Authenticate"))
                return
            if method == "GET" and parts.path in fake.redirects:
                self._redirect(fake.redirects[parts.path])
                return
            if method == "GET" and parts.path in fake.media:
                status, content_type, data = fake.media[parts.path]
                if status != 200:
                    self._send(status, _error(status, 20404, "Media failure"))
                else:
                    self._send_bytes(content_type, data)
                return
            resource = parts.path.removeprefix(_PREFIX)
            if not parts.path.startswith(_PREFIX) or resource not in _LISTS:
                self._send(404, _error(404, 20404, "The requested resource was not found"))
                return
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            if method == "GET":
                self._send(200, fake.list_page(resource, query))
            elif resource == "Messages.json":
                self._send(*fake.create_message(dict(parse_qsl(body, keep_blank_values=True))))
            else:
                self._send(405, _error(405, 20004, "Method not allowed"))

        def _authorized(self) -> bool:
            header = self.headers.get("Authorization", "")
            expected = f"{fake.account_sid}:{fake.auth_token}".encode()
            return header == "Basic " + base64.b64encode(expected).decode()

        def _send_bytes(self, content_type: str, data: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    server = FakeTwilio().start()
    try:
        yield server
    finally:
        server.close()
