"""Exactly once, raw input first, failures recorded and never lost."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from channels.base import Inbound, InboundAttachment
from inbox import ingest
from inbox.intake import core
from inbox.intake.config import IngestConfig
from inbox.models import Attachment, FailedIntake, Message, Thread
from tests import factories as f


def count(session: Session, model: type) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_repeat_delivery_is_a_no_op(session: Session, now: datetime) -> None:
    f.customer(session, email="a@example.com")
    inbound = f.email(sender="a@example.com", subject="Hi", message_id="dup@x", received_at=now)
    first = ingest(session, inbound, now)
    again = ingest(session, f.email(sender="a@example.com", subject="Hi changed",
                                    message_id="dup@x", received_at=now), now)
    assert first.created
    assert not again.created
    assert again.message is not None
    assert first.message is not None
    assert again.message.id == first.message.id
    assert again.message.subject == "Hi"
    assert count(session, Message) == 1
    assert count(session, Thread) == 1


def test_same_external_id_on_another_channel_is_another_message(
    session: Session, now: datetime
) -> None:
    f.customer(session, email="a@example.com", phone="+447700900123")
    ingest(session, f.email(sender="a@example.com", message_id="X1", received_at=now), now)
    ingest(session, f.sms(sender="+447700900123", sid="X1", text="hello", received_at=now), now)
    assert count(session, Message) == 2


def test_raw_and_attachments_are_stored_content_addressed(
    session: Session, now: datetime, ingest_config: IngestConfig
) -> None:
    raw = b"From: a@example.com\r\nSubject: Invoice\r\n\r\nSee attached."
    pdf = b"%PDF-1.4 fake invoice"
    inbound = f.email(sender="a@example.com", subject="Invoice", received_at=now, raw=raw,
                      attachments=[InboundAttachment("invoice.pdf", "application/pdf", data=pdf)])
    result = ingest(session, inbound, now)
    assert result.message is not None
    assert result.message.raw_ref == hashlib.sha256(raw).hexdigest()
    assert ingest_config.blobs.get(result.message.raw_ref) == raw
    att = session.scalars(sa.select(Attachment)).one()
    assert (att.filename, att.size, att.sha256) == ("invoice.pdf", len(pdf),
                                                    hashlib.sha256(pdf).hexdigest())
    assert ingest_config.blobs.get(att.sha256) == pdf


def test_failure_while_filing_leaves_failed_intake_and_raw(
    session: Session, now: datetime, ingest_config: IngestConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("threading exploded")

    monkeypatch.setattr(core, "find_thread", broken)
    raw = b"Subject: x\r\n\r\nbody"
    inbound = f.email(sender="a@example.com", subject="x", message_id="boom@x", raw=raw,
                      received_at=now)
    result = ingest(session, inbound, now)
    assert result.message is None
    assert result.failed is not None
    assert "threading exploded" in result.failed.error
    assert ingest_config.blobs.get(result.failed.raw_ref or "") == raw
    # Nothing half-filed: the savepoint rolled back the new customer too.
    assert count(session, Message) == 0
    assert count(session, Thread) == 0
    # The same input failing again counts an attempt on the same record.
    again = ingest(session, f.email(sender="a@example.com", subject="x", message_id="boom@x",
                                    raw=raw, received_at=now), now)
    assert again.failed is not None
    assert again.failed.id == result.failed.id
    assert again.failed.attempts == 2
    assert count(session, FailedIntake) == 1

    # The stored Inbound is enough to file it once the bug is fixed.
    monkeypatch.undo()
    stored = Inbound.from_json(result.failed.inbound or {})
    retried = ingest(session, stored, now)
    assert retried.created
    assert retried.message is not None
    assert retried.message.raw_ref == result.failed.raw_ref


def test_ingest_requires_config(session: Session, now: datetime) -> None:
    session.info.pop(core.CONFIG_KEY)
    with pytest.raises(RuntimeError, match="IngestConfig"):
        ingest(session, f.email(sender="a@example.com", received_at=now), now)


def test_inbound_json_round_trip(now: datetime) -> None:
    inbound = f.email(sender="a@example.com", subject="Ζημιά", received_at=now, raw=b"\xff\x00",
                      attachments=[InboundAttachment("a.bin", "application/octet-stream",
                                                     data=b"\x00\x01")])
    back = Inbound.from_json(inbound.to_json())
    assert back == inbound


def test_naive_datetime_refused(now: datetime) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        f.email(sender="a@example.com", received_at=now.replace(tzinfo=None))


def test_redelivery_within_one_batch_is_filed_once(
    session: Session, now: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    """...by the batch itself, not by its one-by-one fallback."""
    import logging

    from inbox.intake.core import ingest_batch

    caplog.set_level(logging.INFO, logger="inbox.intake.core")
    f.customer(session, email="a@example.com")
    first = f.email(sender="a@example.com", subject="Hi", message_id="twice@x", received_at=now)
    again = f.email(sender="a@example.com", subject="Hi", message_id="twice@x", received_at=now)
    other = f.email(sender="a@example.com", subject="Other", received_at=now)
    results = ingest_batch(session, [first, again, other], now)
    assert [r.outcome for r in results] == ["filed", "duplicate", "filed"]
    assert results[0].message_id == results[1].message_id
    assert count(session, Message) == 2
    assert "filing one by one" not in caplog.text


def test_outbound_call_reported_by_a_channel_answers_the_thread(
    session: Session, now: datetime
) -> None:
    """A call a rep made (Twilio reports it) is filed as outbound and counts as
    the response; it does not make the thread wait for us."""
    f.customer(session, email="a@example.com", phone="+447700900123")
    first = ingest(session, f.email(sender="a@example.com", subject="", text="Please call me.",
                                    received_at=now), now)
    assert first.thread is not None
    assert first.thread.needs_reply
    call = f.call(caller="+447700900123", received_at=now + timedelta(hours=1),
                  text="Outbound call, 3 min")
    call.direction = "outbound"
    result = ingest(session, call, now)
    assert result.message is not None
    assert result.message.direction == "outbound"
    assert result.message.thread_id == first.thread.id
    assert not first.thread.needs_reply
    assert first.thread.due_at is None
    assert first.thread.first_response_at == now + timedelta(hours=1)


def test_call_language_comes_from_the_transcript_not_our_summary(
    session: Session, now: datetime
) -> None:
    from channels.twilio.webhooks import CallEvent, call_inbound

    event = CallEvent(call_sid="CA" + "1" * 32, from_="+4915123456789", to="+442079460000",
                      direction="inbound", status="completed", duration=83, timestamp=now)
    transcript = "Guten Tag, ich rufe wegen meines Wasserschadens in der Küche an."
    inbound = call_inbound(event, our_numbers=("+442079460000",), region="GB",
                           transcript=transcript)
    assert inbound.text.startswith("Call from")  # our summary line, in English
    result = ingest(session, inbound, now)
    assert result.message is not None
    assert result.message.language == "de"
    silent = call_inbound(
        CallEvent(call_sid="CA" + "2" * 32, from_="+4915123456789", to="+442079460000",
                  direction="inbound", status="completed", duration=5, timestamp=now),
        our_numbers=("+442079460000",), region="GB")
    assert ingest(session, silent, now).message.language is None  # type: ignore[union-attr]
