"""Log lines for the web app, the workers and the CLI: one handler on the root
logger, set up once per process by :func:`configure_logging`.

* Every line carries where it came from: ``request_id`` in a web request (the
  caller's ``X-Request-ID`` when it is sane, else a new one; the response
  sends it back), ``job_id`` and ``job`` inside an RQ job, ``-`` elsewhere.
* Personal data is masked before a line is written (rule 6 of the house):
  e-mail addresses keep their first letter and domain (``j…@example.com``),
  phone numbers their last two digits, and secrets in URLs (``token=``,
  ``code=``, ``password=``) are dropped. The masking runs on the finished
  message and on tracebacks, so an exception text that quotes an address
  (an SMTP 550, say) is masked too.
* ``log_format = "json"`` writes one JSON object a line (python-json-logger)
  for a log shipper; ``"text"`` a readable line for a terminal.

RQ adds its own handlers only when a record would reach none (``rq.logutils``),
so with this handler on the root the worker's lines come out the same way.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

if TYPE_CHECKING:
    from flask import Flask, Response

    from config import Settings

_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-])[\w.+-]*@([\w-]+(?:\.[\w-]+)+)")
# A phone number: optional +, then 7-15 digits that may be grouped by spaces,
# dots, dashes or brackets. Plain ids in log lines are shorter than 7 digits or
# not grouped like this often enough to matter; a false hit only masks digits.
_PHONE = re.compile(r"(?<![\w/.-])(\+?\(?\d[\d ().-]{5,18}\d)(?![\w/-])")
_URL_SECRET = re.compile(r"(?i)\b(token|code|password|passwd|secret|signature|key)=[^&\s\"']+")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
HANDLER_NAME = "inbox"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(context)s] %(message)s"
JSON_FIELDS = ("asctime", "levelname", "name", "message", "request_id", "job_id", "job")
_OWN_FIELDS = frozenset({"time", "level", "logger", "message", "request_id", "job_id", "job",
                         "exc_info", "stack_info"})


def redact(text: str) -> str:
    """``text`` with e-mail addresses, phone numbers and URL secrets masked."""
    if not text:
        return text
    text = _EMAIL.sub(r"\1…@\2", text)
    text = _PHONE.sub(_mask_phone, text)
    return _URL_SECRET.sub(r"\1=…", text)


def _mask_phone(match: re.Match[str]) -> str:
    number = match.group(1)
    digits = [c for c in number if c.isdigit()]
    if len(digits) < 7 or _looks_like_time_or_date(number):
        return number
    return "…" + "".join(digits[-2:])


def _looks_like_time_or_date(text: str) -> bool:
    """2026-03-02, 12:30:00.123 and 2026.03.02 are not phone numbers."""
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}.*|\d{1,2}[.:]\d{2}[.:]\d{2}.*|\d{4}\.\d{2}\.\d{2}",
                             text))


class ContextFilter(logging.Filter):
    """Adds ``request_id``, ``job_id`` and ``job`` to every record (``None``
    outside a request or job; a job id RQ passed in ``extra`` is kept), and
    ``context``, their short form for text lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = _request_id()
        current_id, job_name = _current_job()
        job_id = current_id or getattr(record, "job_id", None)
        record.request_id, record.job_id = request_id, job_id
        record.job = job_name or getattr(record, "job", None)
        record.context = request_id or (f"job={job_id}" if job_id else "-")
        return True


class RedactingFilter(logging.Filter):
    """Masks personal data in the finished message (args merged in)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        return True


class TextFormatter(logging.Formatter):
    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        return redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 - logging's name
        return redact(super().formatStack(stack_info))


class JsonLineFormatter(JsonFormatter):
    """``{"time": ISO 8601 UTC, "level", "logger", "message", "request_id",
    "job_id", "job"}`` and, with an exception, ``"exc_info"``."""

    def __init__(self) -> None:
        super().__init__(list(JSON_FIELDS), rename_fields={
            "asctime": "time", "levelname": "level", "name": "logger"}, json_ensure_ascii=False,
            reserved_attrs=[*RESERVED_ATTRS, "context"])

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        return redact(str(super().formatException(ei)))

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        # What a library passed in ``extra`` (RQ: the job's arguments) is
        # masked like the message.
        return {key: value if key in _OWN_FIELDS else _redact_value(value)
                for key, value in log_data.items()}


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list | tuple):
        return [_redact_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _redact_value(item) for key, item in value.items()}
    return value


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is now (as logging's last resort does),
    so a test's or a daemon's replaced stderr is followed."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(settings: Settings) -> None:
    """Install (or replace) this process's handler on the root logger."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == HANDLER_NAME:
            root.removeHandler(handler)
    handler = StderrHandler()
    handler.set_name(HANDLER_NAME)
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactingFilter())
    handler.setFormatter(make_formatter(settings.log_format))
    root.addHandler(handler)
    root.setLevel(settings.log_level)


def make_formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonLineFormatter()
    return TextFormatter(TEXT_FORMAT)


def init_request_ids(app: Flask) -> None:
    """Give every request an id (kept from a sane ``X-Request-ID``) and send it back."""
    from flask import g, request

    @app.before_request
    def _assign_request_id() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-ID"] = request_id
        return response


def _request_id() -> str | None:
    from flask import g, has_request_context

    if not has_request_context():
        return None
    return g.get("request_id")


def _current_job() -> tuple[str | None, str | None]:
    rq_job = sys.modules.get("rq.job")  # only where RQ is in use: never imported for this
    if rq_job is None:
        return None, None
    try:
        job = rq_job.get_current_job()
    except Exception:  # a log line must never fail on its context
        return None, None
    if job is None:
        return None, None
    return job.id, job.func_name
