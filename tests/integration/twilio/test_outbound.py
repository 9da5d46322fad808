"""Answering by phone: SMS replies sent through the real SDK to the local
Twilio server, their delivery callbacks, and calls logged by hand."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import Flask

from channels.twilio.rest import TwilioUnavailable
from channels.twilio.signature import HEADER, sign
from config import Settings
from inbox import create_app
from inbox.calls.outbound import ReplyError, log_call, queue_sms_reply, send_queued_sms
from inbox.database import Database
from inbox.intake.core import ingest
from inbox.jobs.twilio import send_sms_reply
from inbox.models import AuditEvent, Message, OutboundMessage, Thread
from tests import factories as f
from tests.servers.twilio import OUR_NUMBER, FakeTwilio

pytestmark = pytest.mark.integration

CUSTOMER = "+447700900123"
OTHER_NUMBER = "+442079460001"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STATUS_PATH = "/webhooks/twilio/sms/status"


@pytest.fixture
def app_settings(settings: Settings, fake_twilio: FakeTwilio) -> Settings:
    twilio = dataclasses.replace(fake_twilio.settings(), numbers=(OUR_NUMBER, OTHER_NUMBER))
    return dataclasses.replace(settings, twilio=twilio)


@pytest.fixture
def app(app_settings: Settings, committed_db: Database) -> Iterator[Flask]:
    app = create_app(app_settings)
    yield app
    app.extensions["inbox.db"].engine.dispose()


def sms_thread(db: Database, *, recipient: str = "") -> int:
    """A customer with a phone who wrote an SMS (to ``recipient``); the thread id."""
    with db.transaction() as session:
        f.customer(session, phone=CUSTOMER)
        inbound = dataclasses.replace(
            f.sms(sender=CUSTOMER, received_at=T0, text="Any news on my claim?"),
            recipient=recipient)
        result = ingest(session, inbound, T0)
        assert result.thread_id is not None
        return result.thread_id


def queue(db: Database, settings: Settings, thread_id: int, body: str = "Yes, paid today.") -> int:
    with db.transaction() as session:
        return queue_sms_reply(session, settings, thread_id, body, T0).id


def outbound_row(db: Database, outbound_id: int) -> OutboundMessage:
    with db.transaction() as session:
        row = session.get(OutboundMessage, outbound_id)
        assert row is not None
        session.expunge(row)
        return row


def sent_messages(db: Database, thread_id: int, channel: str = "sms") -> list[Message]:
    with db.transaction() as session:
        found = list(session.scalars(sa.select(Message).where(
            Message.thread_id == thread_id, Message.direction == "outbound",
            Message.channel == channel)))
        session.expunge_all()
        return found


def thread_of(db: Database, thread_id: int) -> Thread:
    with db.transaction() as session:
        thread = session.get(Thread, thread_id)
        assert thread is not None
        session.expunge(thread)
        return thread


def test_sms_reply_is_sent_and_filed_once(app_settings: Settings, committed_db: Database,
                                          fake_twilio: FakeTwilio) -> None:
    thread_id = sms_thread(committed_db)
    assert thread_of(committed_db, thread_id).needs_reply
    outbound_id = queue(committed_db, app_settings, thread_id)

    assert send_queued_sms(committed_db, app_settings, outbound_id) == "sent"
    [sent] = fake_twilio.sent()
    assert (sent["from"], sent["to"], sent["body"]) == (OUR_NUMBER, CUSTOMER, "Yes, paid today.")
    assert sent["status_callback"] == "https://inbox.insurer.example" + STATUS_PATH
    [message] = sent_messages(committed_db, thread_id)
    assert (message.external_id, message.sender, message.recipient, message.text) == (
        sent["sid"], OUR_NUMBER, CUSTOMER, "Yes, paid today.")
    row = outbound_row(committed_db, outbound_id)
    assert (row.status, row.message_id, row.attempts, row.last_error) == (
        "sent", message.id, 1, "")
    thread = thread_of(committed_db, thread_id)
    assert thread.first_response_at is not None
    assert (thread.needs_reply, thread.due_at) == (False, None)

    # Twice: nothing is sent or filed again.
    assert send_queued_sms(committed_db, app_settings, outbound_id) == "sent"
    assert len(fake_twilio.sent()) == 1
    assert len(sent_messages(committed_db, thread_id)) == 1


def test_the_job_sends_from_the_number_the_customer_wrote_to(
        app: Flask, app_settings: Settings, committed_db: Database,
        fake_twilio: FakeTwilio) -> None:
    thread_id = sms_thread(committed_db, recipient=OTHER_NUMBER)
    outbound_id = queue(committed_db, app_settings, thread_id)
    with app.app_context():
        assert send_sms_reply(outbound_id) == "sent"
    [sent] = fake_twilio.sent()
    assert (sent["from"], sent["to"]) == (OTHER_NUMBER, CUSTOMER)


def test_reply_to_the_customer_phone_identity_without_sms(
        app_settings: Settings, committed_db: Database) -> None:
    with committed_db.transaction() as session:
        f.customer(session, phone="07700 900456", email="jo@mail.test")
        result = ingest(session, f.email(sender="jo@mail.test", subject="Claim",
                                         text="Hello", received_at=T0), T0)
        assert result.thread_id is not None
        row = queue_sms_reply(session, app_settings, result.thread_id, " Call us ", T0)
        assert (row.sender, row.recipient, row.text) == (OUR_NUMBER, "+447700900456", "Call us")


def test_refused_replies(app_settings: Settings, committed_db: Database) -> None:
    thread_id = sms_thread(committed_db)
    with committed_db.transaction() as session:
        with pytest.raises(ReplyError, match="empty"):
            queue_sms_reply(session, app_settings, thread_id, "  \n", T0)
        with pytest.raises(ReplyError, match="1600"):
            queue_sms_reply(session, app_settings, thread_id, "x" * 1601, T0)
        with pytest.raises(ReplyError, match="no thread"):
            queue_sms_reply(session, app_settings, 10**9, "Hi", T0)
        f.customer(session, email="nophone@mail.test")
        result = ingest(session, f.email(sender="nophone@mail.test", subject="Claim",
                                         text="Hello", received_at=T0), T0)
        assert result.thread_id is not None
        with pytest.raises(ReplyError, match="no phone"):
            queue_sms_reply(session, app_settings, result.thread_id, "Hi", T0)


def test_rejected_by_twilio_is_failed_and_not_filed(
        app_settings: Settings, committed_db: Database, fake_twilio: FakeTwilio) -> None:
    thread_id = sms_thread(committed_db)
    outbound_id = queue(committed_db, app_settings, thread_id)
    fake_twilio.fail_status = 400
    assert send_queued_sms(committed_db, app_settings, outbound_id) == "failed"
    row = outbound_row(committed_db, outbound_id)
    assert row.status == "failed"
    assert "HTTP 400" in row.last_error
    assert "Failure on purpose" in row.last_error
    assert sent_messages(committed_db, thread_id) == []
    assert thread_of(committed_db, thread_id).needs_reply


def test_twilio_down_keeps_it_pending_and_raises(
        app_settings: Settings, committed_db: Database, fake_twilio: FakeTwilio) -> None:
    thread_id = sms_thread(committed_db)
    outbound_id = queue(committed_db, app_settings, thread_id)
    fake_twilio.fail_status = 500
    with pytest.raises(TwilioUnavailable):
        send_queued_sms(committed_db, app_settings, outbound_id)
    row = outbound_row(committed_db, outbound_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "HTTP 500" in row.last_error
    assert sent_messages(committed_db, thread_id) == []

    # The retry after Twilio is back sends it.
    fake_twilio.fail_status = None
    assert send_queued_sms(committed_db, app_settings, outbound_id) == "sent"
    assert len(sent_messages(committed_db, thread_id)) == 1
    assert outbound_row(committed_db, outbound_id).attempts == 2


def _status(app: Flask, sid: str, status: str, *, token: str | None = None) -> int:
    params = {"AccountSid": app.config["SETTINGS"].twilio.account_sid, "MessageSid": sid,
              "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
              "ApiVersion": "2010-04-01"}
    signature = sign(token or app.config["SETTINGS"].twilio.auth_token(),
                     "https://inbox.insurer.example" + STATUS_PATH, params)
    response = app.test_client().post(STATUS_PATH, data=params, headers={HEADER: signature})
    return response.status_code


def test_delivery_status_callbacks(app: Flask, app_settings: Settings,
                                   committed_db: Database, fake_twilio: FakeTwilio) -> None:
    thread_id = sms_thread(committed_db)
    outbound_id = queue(committed_db, app_settings, thread_id)
    assert send_queued_sms(committed_db, app_settings, outbound_id) == "sent"
    [message] = sent_messages(committed_db, thread_id)
    sid = message.external_id

    def delivery() -> str:
        [found] = sent_messages(committed_db, thread_id)
        return str(found.extras["delivery"]["status"])

    assert delivery() == "queued"
    assert _status(app, sid, "sent") == 200
    assert delivery() == "sent"
    assert _status(app, sid, "delivered") == 200
    assert delivery() == "delivered"
    # A late or replayed earlier state changes nothing.
    assert _status(app, sid, "sent") == 200
    assert _status(app, sid, "delivered") == 200
    assert delivery() == "delivered"
    [found] = sent_messages(committed_db, thread_id)
    assert found.extras["outbound_id"] == outbound_id

    # Forged: 403 and nothing changes.
    assert _status(app, sid, "undelivered", token="f" * 32) == 403
    assert delivery() == "delivered"
    # Unknown sid: accepted, nothing stored; an unknown status is a bad request.
    assert _status(app, "SM" + "9" * 32, "delivered") == 200
    assert _status(app, sid, "exploded") == 400


@pytest.mark.parametrize(("outcome", "answers"), [("reached", True), ("no answer", False)])
def test_manual_call_log(committed_db: Database, outcome: str, answers: bool) -> None:
    thread_id = sms_thread(committed_db)
    later = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    with committed_db.transaction() as session:
        rep = f.user(session)
        message = log_call(session, thread_id, outcome=outcome, duration_seconds=125,
                           note="Explained the payment.", author_id=rep.id, now=later)
        message_id, rep_id = message.id, rep.id
    [message] = sent_messages(committed_db, thread_id, channel="call")
    assert message.id == message_id
    assert message.external_id.startswith("manual-")
    assert message.extras == {"manual": True, "outcome": outcome, "duration": 125}
    assert (message.recipient, message.author_id) == (CUSTOMER, rep_id)
    assert outcome in message.text
    assert "2:05" in message.text
    assert "Explained the payment." in message.text
    thread = thread_of(committed_db, thread_id)
    assert thread.needs_reply is not answers
    assert (thread.first_response_at is not None) is answers
    with committed_db.transaction() as session:
        actions = list(session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.actor_id == rep_id)))
    assert actions == ["call.logged"]


def test_manual_call_log_refuses_unknown_outcome(committed_db: Database) -> None:
    thread_id = sms_thread(committed_db)
    with committed_db.transaction() as session, pytest.raises(ReplyError, match="outcome"):
        log_call(session, thread_id, outcome="maybe", duration_seconds=None, note="",
                 author_id=None, now=T0)
