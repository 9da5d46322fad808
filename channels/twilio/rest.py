"""The Twilio REST API through the real SDK: call logs, recordings, messages
(for reconciliation) and sending an SMS. No database here.

Errors, and what the caller does with them:

* :class:`TwilioUnavailable` - connection refused or dropped, timeout, a 5xx or
  429 answer: retry later (the reconciliation overlap makes a retry harmless).
* :class:`TwilioRejected` - any other 4xx (wrong credentials, bad number,
  unknown resource): permanent; show it, do not retry.
* :class:`TwilioError` (the base) - an answer the SDK cannot read.

SDK notes (twilio 9.13, FIELD-NOTES): list errors raise ``TwilioException``
with the response as second argument, fetch/create errors
``TwilioRestException`` with ``status``; datetimes are sent as ``...Z``
without conversion, so they are converted to UTC here; ``TWILIO_REGION`` /
``TWILIO_EDGE`` in the environment rewrite the host, so they are ignored.
The list functions are generators: paging (``next_page_uri``) is followed
lazily and errors surface - translated - while iterating.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from channels.twilio.webhooks import CallEvent

if TYPE_CHECKING:
    from twilio.http.response import Response
    from twilio.rest.api.v2010.account.call import CallInstance
    from twilio.rest.api.v2010.account.message import MessageInstance
    from twilio.rest.api.v2010.account.recording import RecordingInstance

    from config.twilio import TwilioSettings

DEFAULT_TIMEOUT = 30.0
PAGE_SIZE = 1000  # Twilio's maximum: fewer round trips for a reconciliation window


class TwilioError(Exception):
    """Twilio's answer could not be used; ``status`` is the HTTP status if any."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TwilioUnavailable(TwilioError):  # noqa: N818 - the name says what the caller does
    """Cannot talk to Twilio now (connection, timeout, 5xx, 429): retry later."""


class TwilioRejected(TwilioError):  # noqa: N818
    """Twilio refused the request (4xx): permanent, do not retry."""


class _RebasingHttpClient(TwilioHttpClient):
    """Sends every request - whatever Twilio domain the SDK built - to ``base_url``."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        parts = urlsplit(base_url)
        self._scheme, self._netloc = parts.scheme, parts.netloc

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        parts = urlsplit(url)
        url = urlunsplit((self._scheme, self._netloc, parts.path, parts.query, parts.fragment))
        return super().request(method, url, *args, **kwargs)


def make_client(settings: TwilioSettings, *, timeout: float = DEFAULT_TIMEOUT) -> Client:
    """An SDK client for the account, talking to ``api_base_url`` (for every
    Twilio domain) when it is not Twilio's. Close it with :func:`close_client`."""
    if settings.api_base_url.rstrip("/") == "https://api.twilio.com":
        http_client = TwilioHttpClient(timeout=timeout)
    else:
        http_client = _RebasingHttpClient(settings.api_base_url, timeout)
    client = Client(settings.account_sid, settings.auth_token(), settings.account_sid,
                    http_client=http_client)
    client.region = None  # TWILIO_REGION / TWILIO_EDGE would rewrite the host
    client.edge = None
    return client


def close_client(client: Client) -> None:
    """Close the client's pooled connections."""
    session = getattr(client.http_client, "session", None)
    if session is not None:
        session.close()


@contextlib.contextmanager
def connect(settings: TwilioSettings, *, timeout: float = DEFAULT_TIMEOUT) -> Iterator[Client]:
    """``with connect(settings) as client:`` - :func:`make_client`, closed at the end."""
    client = make_client(settings, timeout=timeout)
    try:
        yield client
    finally:
        close_client(client)


def list_calls(client: Client, since: datetime) -> Iterator[CallInstance]:
    """Calls started at or after ``since`` (all pages)."""
    since = _utc(since)
    with _translate("list calls"):
        yield from client.calls.stream(start_time_after=since, page_size=PAGE_SIZE)


def list_recordings(client: Client, since: datetime) -> Iterator[RecordingInstance]:
    """Recordings created at or after ``since`` (all pages)."""
    since = _utc(since)
    with _translate("list recordings"):
        yield from client.recordings.stream(date_created_after=since, page_size=PAGE_SIZE)


def list_messages(client: Client, since: datetime) -> Iterator[MessageInstance]:
    """Messages (in and out) sent at or after ``since`` (all pages)."""
    since = _utc(since)
    with _translate("list messages"):
        yield from client.messages.stream(date_sent_after=since, page_size=PAGE_SIZE)


def send_sms(client: Client, from_: str, to: str, body: str,
             status_callback: str | None = None) -> str:
    """Queue an SMS; returns its sid (``SM...``). Delivery state arrives at
    ``status_callback``."""
    with _translate("send SMS"):
        kwargs: dict[str, Any] = {"from_": from_, "to": to, "body": body}
        if status_callback:
            kwargs["status_callback"] = status_callback
        message = client.messages.create(**kwargs)
    if not message.sid:
        raise TwilioError("send SMS: the answer has no sid")
    return str(message.sid)


def call_event(record: CallInstance) -> CallEvent:
    """A call-log record as a :class:`CallEvent`, mergeable with the callbacks
    (a terminal status from the log wins over any non-terminal callback)."""
    duration = int(record.duration) if record.duration not in (None, "") else None
    return CallEvent(
        call_sid=str(record.sid), status=str(record.status or ""),
        from_=record._from or "", to=record.to or "", direction=record.direction or "",
        parent_call_sid=record.parent_call_sid or "", account_sid=record.account_sid or "",
        timestamp=_aware(record.end_time or record.start_time),
        started_at=_aware(record.start_time), ended_at=_aware(record.end_time),
        duration=duration, answered_by=record.answered_by or "",
        caller_name=record.caller_name or "",
    )


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("since must be timezone-aware")
    return value.astimezone(UTC)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@contextlib.contextmanager
def _translate(action: str) -> Iterator[None]:
    try:
        yield
    except TwilioRestException as exc:
        raise _by_status(action, exc.status, exc.msg) from exc
    except TwilioException as exc:
        response = exc.args[1] if len(exc.args) > 1 else None
        status = getattr(response, "status_code", None)
        if status is None:
            raise TwilioError(f"{action}: {exc}") from exc
        raise _by_status(action, int(status), _message(response)) from exc
    except OSError as exc:  # requests' ConnectionError and Timeout are OSErrors
        raise TwilioUnavailable(f"{action}: {exc.__class__.__name__}: {exc}") from exc
    except ValueError as exc:  # a body that is not JSON (a proxy's error page)
        raise TwilioUnavailable(f"{action}: unreadable answer: {exc}") from exc


def _message(response: Any) -> str:
    """Twilio's ``message`` from an error body, else the start of the body."""
    text = str(getattr(response, "text", "") or "")
    with contextlib.suppress(ValueError, KeyError, TypeError):
        return str(json.loads(text)["message"])
    return text[:200]


def _by_status(action: str, status: int, message: str) -> TwilioError:
    text = f"{action}: HTTP {status}: {message}"
    if status >= 500 or status == 429:
        return TwilioUnavailable(text, status)
    if 400 <= status < 500:
        return TwilioRejected(text, status)
    return TwilioError(text, status)
