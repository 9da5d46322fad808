"""Log lines: personal data masked, ids carried, JSON one object a line."""

from __future__ import annotations

import io
import json
import logging

import pytest

from inbox.observability.logs import (
    ContextFilter,
    RedactingFilter,
    make_formatter,
    redact,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("from anna.svensson@example.se", "from a…@example.se"),
    ("<j.doe+claims@mail.example.co.uk> bounced", "<j…@mail.example.co.uk> bounced"),
    ("call from +44 20 7946 0958 ended", "call from …58 ended"),
    ("SMS +6281234567890", "SMS …90"),
    ("tel (030) 123-45-67", "tel …67"),
    ("GET /portal/link?token=abc123&lang=de", "GET /portal/link?token=…&lang=de"),
    ("password=hunter2 code=123456", "password=… code=…"),
])
def test_personal_data_is_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "2026-03-02 12:30:00.123",
    "thread 12345 message 678901",  # ids: too short to be phone numbers
    "CLM-2026-000123 POL-004211",  # claim and policy numbers stay for support
    "took 1234.5ms",
    "/threads/1234567/messages",  # path segments are not phone numbers
])
def test_what_is_not_personal_data_is_kept(text: str) -> None:
    assert redact(text) == text


def _line(log_format: str, message: str, *args: object, exc: bool = False) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactingFilter())
    handler.setFormatter(make_formatter(log_format))
    logger = logging.getLogger(f"test.logs.{log_format}")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        if exc:
            try:
                raise RuntimeError("550 no such user: kim@example.cz")
            except RuntimeError:
                logger.exception(message, *args)
        else:
            logger.warning(message, *args)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_json_lines_carry_level_logger_and_masked_message() -> None:
    record = json.loads(_line("json", "reply to %s failed", "eva@example.de"))
    assert record["level"] == "WARNING"
    assert record["logger"] == "test.logs.json"
    assert record["message"] == "reply to e…@example.de failed"
    assert record["time"].endswith("+00:00")
    assert record["request_id"] is None
    assert record["job_id"] is None


def test_tracebacks_are_masked_too() -> None:
    record = json.loads(_line("json", "sending failed", exc=True))
    assert "kim@example.cz" not in record["exc_info"]
    assert "k…@example.cz" in record["exc_info"]
    text = _line("text", "sending failed", exc=True)
    assert "kim@example.cz" not in text
    assert "k…@example.cz" in text


def test_text_lines_show_the_context_marker() -> None:
    line = _line("text", "plain")
    assert " WARNING test.logs.text [-] plain" in line
