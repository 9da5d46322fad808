"""Twilio webhooks end to end: the app served by a real HTTP server, signed and
forged requests sent over a socket, the raw events stored exactly once, and the
filing job turning them into one correct call or SMS message.

The app sees ``http://127.0.0.1:<port>`` while Twilio signs the public URL
(``https://inbox.example.test``): the "behind a proxy" case.
"""

from __future__ import annotations

import dataclasses
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlencode

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from rq import Queue
from werkzeug.serving import make_server

from channels.twilio.signature import HEADER, sign
from config import Settings
from config.twilio import TwilioSettings
from inbox import create_app
from inbox.database import Database
from inbox.jobs.twilio import EventsNotFiledError, file_twilio_events
from inbox.models import ChannelEvent, Message, Thread
from tests import factories as f

pytestmark = pytest.mark.integration

TOKEN = "0123456789abcdef0123456789abcdef"
ACCOUNT = "AC" + "0" * 32
PUBLIC = "https://inbox.example.test"
OURS = "+442079460000"
OURS_TOO = "+442079460001"
REDIS_URL = "redis://127.0.0.1:6379/12"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "inbox.example.test"}


@dataclasses.dataclass
class Served:
    app: Flask
    base: str
    db: Database

    def post(self, path: str, params: dict[str, str], *, token: str = TOKEN,
             url: str | None = None, signed: dict[str, str] | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
        """POST ``params``; the signature is over ``url`` (default the public
        one) and ``signed`` (default the same params)."""
        signature = sign(token, url or PUBLIC + path, params if signed is None else signed)
        request = urllib.request.Request(
            self.base + path, data=urlencode(params).encode(), method="POST",
            headers={HEADER: signature, **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers.get("Content-Type", ""), error.read()

    def file(self, ids: list[int] | None = None) -> dict[str, list[int]]:
        """Run the filing job's body in the app (as a worker would)."""
        if ids is None:
            ids = self.scalars(sa.select(ChannelEvent.id).order_by(ChannelEvent.id))
        with self.app.app_context():
            return file_twilio_events(ids)

    def scalars(self, query: Any) -> list[Any]:
        with self.db.transaction() as session:
            return list(session.scalars(query))

    def events(self, sid: str) -> list[ChannelEvent]:
        return self.scalars(sa.select(ChannelEvent).where(ChannelEvent.sid == sid)
                            .order_by(ChannelEvent.id))

    def messages(self, channel: str, external_id: str) -> list[Message]:
        return self.scalars(sa.select(Message).where(
            Message.channel == channel, Message.external_id == external_id))


@pytest.fixture
def served(settings: Settings, committed_db: Database) -> Iterator[Served]:
    twilio = TwilioSettings(
        account_sid=ACCOUNT, auth_token_env="TWILIO_AUTH_TOKEN", numbers=(OURS, OURS_TOO),
        public_base_url=PUBLIC, env={"TWILIO_AUTH_TOKEN": TOKEN},
    )
    app = create_app(dataclasses.replace(settings, twilio=twilio, redis_url=REDIS_URL))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(app, f"http://127.0.0.1:{server.server_port}", committed_db)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        app.extensions["inbox.db"].engine.dispose()
        client = redis.Redis.from_url(REDIS_URL)
        client.flushdb()
        client.close()


def sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


def sms_params(message_sid: str, body: str = "Any news on my claim?",
               sender: str = "+447700900123") -> dict[str, str]:
    return {"AccountSid": ACCOUNT, "MessageSid": message_sid, "SmsSid": message_sid,
            "From": sender, "To": OURS, "Body": body, "NumMedia": "0", "NumSegments": "1",
            "FromCountry": "GB", "ToCountry": "GB", "ApiVersion": "2010-04-01"}


def status_params(call_sid: str, status: str, seq: int, *, at: datetime,
                  duration: int | None = None, caller: str = "+447700900123",
                  callee: str = OURS) -> dict[str, str]:
    params = {"AccountSid": ACCOUNT, "CallSid": call_sid, "CallStatus": status,
              "Direction": "inbound", "From": caller, "To": callee,
              "SequenceNumber": str(seq), "Timestamp": format_datetime(at),
              "CallbackSource": "call-progress-events", "ApiVersion": "2010-04-01"}
    if duration is not None:
        params["CallDuration"] = str(duration)
    return params


# -- signatures --------------------------------------------------------------

def test_signed_sms_is_stored_once_and_queued(served: Served) -> None:
    message_sid = sid("SM")
    params = sms_params(message_sid)
    status, content_type, body = served.post("/webhooks/twilio/sms", params, headers=PROXY)
    assert status == 200
    assert content_type.startswith("text/xml")
    assert b"<Response/>" in body
    [event] = served.events(message_sid)
    assert (event.kind, event.channel, event.params) == ("sms", "twilio", params)
    assert event.processed_at is None
    queued = Queue("intake", connection=redis.Redis.from_url(REDIS_URL))
    assert [job.args for job in queued.get_jobs()] == [([event.id],)]
    queued.connection.close()

    # An exact replay, with or without the proxy's headers: still one row.
    assert served.post("/webhooks/twilio/sms", params, headers=PROXY)[0] == 200
    assert served.post("/webhooks/twilio/sms", params)[0] == 200
    assert [e.id for e in served.events(message_sid)] == [event.id]


@pytest.mark.parametrize("forgery", ["wrong token", "internal url", "other path",
                                     "dropped param", "added param", "no signature"])
def test_forged_requests_are_refused_and_store_nothing(served: Served, forgery: str) -> None:
    message_sid = sid("SM")
    params = sms_params(message_sid)
    path = "/webhooks/twilio/sms"
    kwargs: dict[str, Any] = {}
    sent = params
    if forgery == "wrong token":
        kwargs["token"] = "f" * 32
    elif forgery == "internal url":  # what the app sees behind the proxy
        kwargs["url"] = served.base + path
    elif forgery == "other path":
        kwargs["url"] = PUBLIC + "/webhooks/twilio/voice/status"
    elif forgery == "dropped param":
        sent = {k: v for k, v in params.items() if k != "Body"}
        kwargs["signed"] = params
    elif forgery == "added param":
        sent = {**params, "Body": params["Body"], "Extra": "1"}
        kwargs["signed"] = params
    for headers in (PROXY, {}):
        if forgery == "no signature":
            request = urllib.request.Request(served.base + path, method="POST",
                                             data=urlencode(params).encode(), headers=headers)
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            refused.value.close()
            status = refused.value.code
        else:
            status = served.post(path, sent, headers=headers, **kwargs)[0]
        assert status == 403
    assert served.events(message_sid) == []
    # The same request correctly signed is accepted (the forgery made the difference).
    assert served.post(path, params, headers=PROXY)[0] == 200
    assert len(served.events(message_sid)) == 1


def test_not_configured_is_404(settings: Settings) -> None:
    app = create_app(settings)
    try:
        response = app.test_client().post("/webhooks/twilio/sms", data={"MessageSid": "SM1"})
        assert response.status_code == 404
    finally:
        app.extensions["inbox.db"].engine.dispose()


# -- filing ------------------------------------------------------------------

def test_out_of_order_and_repeated_status_callbacks_leave_one_call(served: Served) -> None:
    call_sid = sid("CA")
    path = "/webhooks/twilio/voice/status"
    ringing = status_params(call_sid, "ringing", 0, at=T0)
    completed = status_params(call_sid, "completed", 3, at=T0 + timedelta(seconds=50),
                              duration=42)
    answered = status_params(call_sid, "in-progress", 1, at=T0 + timedelta(seconds=8))
    for params in (ringing, completed, answered, completed):
        assert served.post(path, params, headers=PROXY)[0] == 200
        served.file()  # the job runs between deliveries, as it would in production
    assert len(served.events(call_sid)) == 3  # the repeated "completed" stored nothing
    assert all(e.processed_at is not None and e.error == "" for e in served.events(call_sid))

    [message] = served.messages("call", call_sid)
    assert message.extras["status"] == "completed"
    assert message.extras["duration"] == 42
    assert message.extras["needs_callback"] is False
    assert message.text == "Call from +447700900123 (0:42)."
    assert message.extras["started_at"] == (T0 + timedelta(seconds=8)).isoformat()


def test_status_callbacks_filed_all_at_once_give_the_same_call(served: Served) -> None:
    call_sid = sid("CA")
    path = "/webhooks/twilio/voice/status"
    for params in (status_params(call_sid, "completed", 3, at=T0 + timedelta(seconds=50),
                                 duration=42),
                   status_params(call_sid, "in-progress", 1, at=T0 + timedelta(seconds=8)),
                   status_params(call_sid, "ringing", 0, at=T0)):
        assert served.post(path, params)[0] == 200
    served.file()
    [message] = served.messages("call", call_sid)
    assert (message.extras["status"], message.extras["duration"]) == ("completed", 42)


def test_missed_inbound_call_asks_for_a_call_back(served: Served) -> None:
    call_sid = sid("CA")
    path = "/webhooks/twilio/voice/status"
    assert served.post(path, status_params(call_sid, "ringing", 0, at=T0))[0] == 200
    served.file()
    [message] = served.messages("call", call_sid)
    # A rep dealt with the thread meanwhile: nothing waits for us.
    with served.db.transaction() as session:
        thread = session.get(Thread, message.thread_id)
        assert thread is not None
        thread.needs_reply, thread.due_at = False, None

    no_answer = status_params(call_sid, "no-answer", 2, at=T0 + timedelta(seconds=30))
    assert served.post(path, no_answer)[0] == 200
    served.file()
    [message] = served.messages("call", call_sid)
    assert message.extras["status"] == "no-answer"
    assert message.extras["missed"] is True
    assert message.extras["needs_callback"] is True
    assert message.text.startswith("Missed call from +447700900123")
    [thread] = served.scalars(sa.select(Thread).where(Thread.id == message.thread_id))
    assert thread.needs_reply is True
    assert thread.due_at is not None


def test_voicemail_with_recording_and_transcript(served: Served) -> None:
    call_sid = sid("CA")
    recording_sid = sid("RE")
    url = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{recording_sid}"
    assert served.post("/webhooks/twilio/voice/transcription", {
        "AccountSid": ACCOUNT, "CallSid": call_sid, "TranscriptionSid": sid("TR"),
        "TranscriptionStatus": "completed", "TranscriptionText": "Please call me back.",
        "RecordingSid": recording_sid, "RecordingUrl": url})[0] == 200
    served.file()  # no status yet: kept, nothing filed
    assert served.messages("call", call_sid) == []
    assert served.post("/webhooks/twilio/voice/recording", {
        "AccountSid": ACCOUNT, "CallSid": call_sid, "RecordingSid": recording_sid,
        "RecordingUrl": url, "RecordingStatus": "completed", "RecordingDuration": "9",
        "RecordingSource": "RecordVerb", "RecordingChannels": "1"})[0] == 200
    assert served.post("/webhooks/twilio/voice/status", status_params(
        call_sid, "completed", 4, at=T0 + timedelta(seconds=40), duration=25))[0] == 200
    served.file()
    [message] = served.messages("call", call_sid)
    assert message.extras["voicemail"] is True
    assert message.extras["recording_url"] == url
    assert message.extras["needs_callback"] is True
    assert message.text == "Voicemail from +447700900123 (0:25).\n\nPlease call me back."


def test_child_leg_folds_into_parent_call(served: Served) -> None:
    parent, child = sid("CA"), sid("CA")
    path = "/webhooks/twilio/voice/status"
    leg = status_params(child, "completed", 2, at=T0 + timedelta(seconds=60), duration=55,
                        caller=OURS, callee="+447700900999")
    leg.update({"ParentCallSid": parent, "Direction": "outbound-dial"})
    assert served.post(path, leg)[0] == 200
    assert served.post(path, status_params(parent, "completed", 3,
                                           at=T0 + timedelta(seconds=61), duration=60))[0] == 200
    served.file()
    assert served.messages("call", child) == []
    [message] = served.messages("call", parent)
    assert (message.extras["status"], message.extras["duration"]) == ("completed", 60)


def test_call_between_our_numbers_is_not_filed(served: Served) -> None:
    call_sid = sid("CA")
    params = status_params(call_sid, "completed", 3, at=T0, duration=5, caller=OURS_TOO)
    assert served.post("/webhooks/twilio/voice/status", params)[0] == 200
    served.file()
    assert served.messages("call", call_sid) == []
    [event] = served.events(call_sid)
    assert event.processed_at is not None


def test_sms_from_a_known_customer_lands_in_their_thread(served: Served) -> None:
    with served.db.transaction() as session:
        customer = f.customer(session, name="Ann Known", phone="07700 900456")
    message_sid = sid("SM")
    params = sms_params(message_sid, "Did you get my photos?", sender="+447700900456")
    assert served.post("/webhooks/twilio/sms", params, headers=PROXY)[0] == 200
    result = served.file()
    [message] = served.messages("sms", message_sid)
    assert result["messages"] == [message.id]
    assert message.customer_id == customer.id
    assert message.text == "Did you get my photos?"
    [thread] = served.scalars(sa.select(Thread).where(Thread.id == message.thread_id))
    assert thread.customer_id == customer.id


def test_filing_twice_changes_nothing(served: Served) -> None:
    call_sid, message_sid = sid("CA"), sid("SM")
    assert served.post("/webhooks/twilio/sms", sms_params(message_sid))[0] == 200
    for params in (status_params(call_sid, "ringing", 0, at=T0),
                   status_params(call_sid, "busy", 1, at=T0 + timedelta(seconds=5))):
        assert served.post("/webhooks/twilio/voice/status", params)[0] == 200
    served.file()

    def snapshot() -> list[Any]:
        rows = served.scalars(sa.select(Message).order_by(Message.id))
        threads = served.scalars(sa.select(Thread).order_by(Thread.id))
        events = served.scalars(sa.select(ChannelEvent).order_by(ChannelEvent.id))
        return ([(m.id, m.thread_id, m.text, m.extras) for m in rows]
                + [(t.id, t.needs_reply, t.due_at, t.status) for t in threads]
                + [(e.id, e.processed_at, e.error, e.attempts) for e in events])

    before = snapshot()
    assert len(served.messages("call", call_sid)) == 1
    assert served.file() == {"filed": [], "messages": []}
    assert snapshot() == before


def test_an_event_that_fails_keeps_its_error_and_is_filed_again(served: Served) -> None:
    call_sid = sid("CA")
    bad = status_params(call_sid, "completed", 3, at=T0, duration=12)
    bad["CallDuration"] = "twelve"
    message_sid = sid("SM")
    assert served.post("/webhooks/twilio/voice/status", bad)[0] == 200
    assert served.post("/webhooks/twilio/sms", sms_params(message_sid))[0] == 200
    with pytest.raises(EventsNotFiledError):
        served.file()
    [event] = served.events(call_sid)
    assert event.processed_at is None
    assert "CallDuration" in event.error
    assert event.attempts == 1
    # The other event was filed and committed all the same.
    assert len(served.messages("sms", message_sid)) == 1
    with pytest.raises(EventsNotFiledError):
        served.file([event.id])
    [event] = served.events(call_sid)
    assert (event.processed_at, event.attempts) == (None, 2)
