"""Recordings and MMS media fetched from (a fake) Twilio into the attachment
store by the job ``fetch_twilio_media``: with the account's credentials, only
on Twilio's host, once, a refusal recorded and an outage retried."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from rq import Queue

from channels.twilio.media import fetch, recording_url
from channels.twilio.rest import TwilioRejected, TwilioUnavailable
from config import Settings
from inbox import create_app
from inbox.blobs import BlobStore
from inbox.database import Database
from inbox.jobs.twilio import MediaNotFetchedError, fetch_twilio_media, file_twilio_events
from inbox.models import Attachment, ChannelEvent, Message
from tests.servers.twilio import ACCOUNT_SID, OUR_NUMBER, FakeTwilio, fake_twilio  # noqa: F401

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/12"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AUDIO = b"ID3\x03\x00" + bytes(range(256)) * 40
JPEG = b"\xff\xd8\xff\xe0" + b"jpeg-one" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"png-two" * 100
PREFIX = f"/2010-04-01/Accounts/{ACCOUNT_SID}"


@dataclasses.dataclass
class Env:
    app: Flask
    db: Database
    fake: FakeTwilio
    blobs: BlobStore

    def event(self, kind: str, sid: str, params: dict[str, str]) -> int:
        with self.db.transaction() as session:
            event = ChannelEvent(channel="twilio", kind=kind, sid=sid, params=params,
                                 dedupe_key=uuid.uuid4().hex, received_at=T0)
            session.add(event)
            session.flush()
            return event.id

    def file(self, ids: list[int]) -> list[int]:
        with self.app.app_context():
            return file_twilio_events(ids)["messages"]

    def fetch(self, ids: list[int]) -> dict[str, int]:
        with self.app.app_context():
            return fetch_twilio_media(ids)

    def attachments(self, message_id: int) -> list[Attachment]:
        with self.db.transaction() as session:
            return list(session.scalars(sa.select(Attachment).where(
                Attachment.message_id == message_id).order_by(Attachment.id)))

    def message(self, message_id: int) -> Message:
        with self.db.transaction() as session:
            message = session.get(Message, message_id)
            assert message is not None
            return message

    def sms(self, media: list[tuple[str, str]]) -> int:
        message_sid = "SM" + uuid.uuid4().hex
        params = {"AccountSid": ACCOUNT_SID, "MessageSid": message_sid, "From": "+447700900123",
                  "To": OUR_NUMBER, "Body": "Photos of the damage", "NumMedia": str(len(media)),
                  "NumSegments": "1"}
        for i, (url, content_type) in enumerate(media):
            params[f"MediaUrl{i}"], params[f"MediaContentType{i}"] = url, content_type
        [message_id] = self.file([self.event("sms", message_sid, params)])
        return message_id

    def call(self, recording: str) -> tuple[str, int]:
        call_sid = "CA" + uuid.uuid4().hex
        status = {"AccountSid": ACCOUNT_SID, "CallSid": call_sid, "CallStatus": "completed",
                  "Direction": "inbound", "From": "+447700900123", "To": OUR_NUMBER,
                  "SequenceNumber": "1", "Timestamp": format_datetime(T0), "CallDuration": "40"}
        rec = {"AccountSid": ACCOUNT_SID, "CallSid": call_sid, "RecordingSid": "RE" + "1" * 32,
               "RecordingUrl": recording, "RecordingStatus": "completed",
               "RecordingDuration": "30"}
        ids = [self.event("call_status", call_sid, status), self.event("recording", call_sid, rec)]
        [message_id] = self.file(ids)
        return call_sid, message_id


@pytest.fixture
def env(settings: Settings, committed_db: Database,
        fake_twilio: FakeTwilio) -> Iterator[Env]:  # noqa: F811
    app = create_app(dataclasses.replace(settings, twilio=fake_twilio.settings(),
                                         redis_url=REDIS_URL))
    try:
        yield Env(app, committed_db, fake_twilio, BlobStore(settings.blob_dir))
    finally:
        app.extensions["inbox.db"].engine.dispose()
        client = redis.Redis.from_url(REDIS_URL)
        client.flushdb()
        client.close()


@pytest.fixture
def foreign() -> Iterator[FakeTwilio]:
    server = FakeTwilio().start()
    try:
        yield server
    finally:
        server.close()


def queued_media_jobs() -> list[Any]:
    queue = Queue("intake", connection=redis.Redis.from_url(REDIS_URL))
    try:
        return [job.args for job in queue.get_jobs()
                if job.func_name == "inbox.jobs.twilio.fetch_twilio_media"]
    finally:
        queue.connection.close()


def test_recording_and_mms_become_attachments_once(env: Env) -> None:
    rec_path = f"{PREFIX}/Recordings/RE{'1' * 32}"
    env.fake.add_media(rec_path + ".mp3", AUDIO, "audio/mpeg")
    jpeg = env.fake.add_media(f"{PREFIX}/Messages/MM1/Media/ME1", JPEG, "image/jpeg")
    png = env.fake.add_media(f"{PREFIX}/Messages/MM1/Media/ME2", PNG, "image/png")
    call_sid, call_id = env.call(env.fake.url + rec_path)
    sms_id = env.sms([(jpeg, "image/jpeg"), (png, "image/png")])
    # Filing queued the fetching after its commit (Redis db 12 may be shared
    # with another test run: look for ours only).
    queued = queued_media_jobs()
    assert ([call_id],) in queued
    assert ([sms_id],) in queued

    assert env.fetch([call_id, sms_id]) == {str(call_id): 1, str(sms_id): 2}
    [audio] = env.attachments(call_id)
    assert (audio.filename, audio.content_type, audio.size) == (
        f"recording-{call_sid}.mp3", "audio/mpeg", len(AUDIO))
    assert env.blobs.get(audio.sha256) == AUDIO
    one, two = env.attachments(sms_id)
    assert [(a.filename, a.content_type, a.size) for a in (one, two)] == [
        ("mms-1.jpg", "image/jpeg", len(JPEG)), ("mms-2.png", "image/png", len(PNG))]
    assert (env.blobs.get(one.sha256), env.blobs.get(two.sha256)) == (JPEG, PNG)
    # The audio was asked for at the URL plus .mp3, with the account's credentials.
    assert (rec_path + ".mp3") in [path for path, auth in env.fake.authorizations
                                   if auth.startswith("Basic ")]

    requests = len(env.fake.requests)
    assert env.fetch([call_id, sms_id]) == {str(call_id): 0, str(sms_id): 0}
    assert len(env.fake.requests) == requests  # nothing fetched again
    assert len(env.attachments(call_id)) == 1
    assert len(env.attachments(sms_id)) == 2

    # Filing the call again (a late callback) keeps what was fetched.
    env.file([env.event("call_status", call_sid, {
        "AccountSid": ACCOUNT_SID, "CallSid": call_sid, "CallStatus": "completed",
        "Direction": "inbound", "From": "+447700900123", "To": OUR_NUMBER,
        "SequenceNumber": "2", "Timestamp": format_datetime(T0), "CallDuration": "40"})])
    assert env.fetch([call_id]) == {str(call_id): 0}
    assert len(env.attachments(call_id)) == 1


def test_foreign_host_is_refused_without_credentials(env: Env, foreign: FakeTwilio) -> None:
    foreign_url = foreign.add_media("/evil.jpg", JPEG, "image/jpeg", public=True)
    with pytest.raises(TwilioRejected):
        fetch(env.fake.settings(), foreign_url)
    sms_id = env.sms([(foreign_url, "image/jpeg")])
    assert env.fetch([sms_id]) == {str(sms_id): 0}
    assert foreign.requests == []  # never asked, so never sent our credentials
    assert env.attachments(sms_id) == []
    assert foreign_url in env.message(sms_id).extras["media_errors"]


def test_redirect_elsewhere_is_followed_without_credentials(
        env: Env, foreign: FakeTwilio) -> None:
    cdn = foreign.add_media("/signed/abc", PNG, "image/png", public=True)
    media = env.fake.add_redirect(f"{PREFIX}/Messages/MM2/Media/ME1", cdn + "?Signature=x")
    assert fetch(env.fake.settings(), media) == (PNG, "image/png")
    assert [auth for _, auth in foreign.authorizations] == [""]


def test_not_found_is_recorded_and_not_retried(env: Env) -> None:
    gone = env.fake.add_media(f"{PREFIX}/Messages/MM3/Media/ME1", b"", status=404)
    here = env.fake.add_media(f"{PREFIX}/Messages/MM3/Media/ME2", PNG, "image/png")
    sms_id = env.sms([(gone, "image/jpeg"), (here, "image/png")])
    assert env.fetch([sms_id]) == {str(sms_id): 1}
    errors = env.message(sms_id).extras["media_errors"]
    assert list(errors) == [gone]
    assert "HTTP 404" in errors[gone]
    requests = len(env.fake.requests)
    assert env.fetch([sms_id]) == {str(sms_id): 0}
    assert len(env.fake.requests) == requests


def test_server_error_raises_for_retry_then_succeeds(env: Env) -> None:
    path = f"{PREFIX}/Messages/MM4/Media/ME1"
    url = env.fake.add_media(path, b"", status=500)
    sms_id = env.sms([(url, "image/jpeg")])
    with pytest.raises(TwilioUnavailable):
        fetch(env.fake.settings(), url)
    with pytest.raises(MediaNotFetchedError):
        env.fetch([sms_id])
    assert env.attachments(sms_id) == []
    assert "media_errors" not in env.message(sms_id).extras
    env.fake.add_media(path, JPEG, "image/jpeg")  # Twilio is back: the retry stores it
    assert env.fetch([sms_id]) == {str(sms_id): 1}
    [one] = env.attachments(sms_id)
    assert env.blobs.get(one.sha256) == JPEG


def test_too_large_and_wrong_credentials_are_rejected(env: Env) -> None:
    url = env.fake.add_media(f"{PREFIX}/Messages/MM5/Media/ME1", JPEG, "image/jpeg")
    with pytest.raises(TwilioRejected):
        fetch(env.fake.settings(), url, max_bytes=10)
    with pytest.raises(TwilioRejected) as refused:
        fetch(env.fake.settings(token="wrong"), url)
    assert refused.value.status == 401


def test_recording_url_gets_mp3() -> None:
    base = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"
    assert recording_url(base) == base + ".mp3"
    assert recording_url(base + ".wav") == base + ".wav"


def test_only_twilio_hosts_get_credentials_by_default(fake_twilio: FakeTwilio) -> None:  # noqa: F811
    from channels.twilio.media import is_allowed

    default = dataclasses.replace(fake_twilio.settings(), api_base_url="https://api.twilio.com")
    assert is_allowed(default, "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1")
    assert is_allowed(default, "https://media.twilio.com/x")
    assert not is_allowed(default, "http://api.twilio.com/x")  # credentials never in clear
    assert not is_allowed(default, "https://api.twilio.com.evil.example/x")
    assert not is_allowed(default, "https://eviltwilio.com/x")
    assert not is_allowed(default, "https://user:pw@api.twilio.com/x")
    assert not is_allowed(fake_twilio.settings(), "https://api.twilio.com/x")  # not configured
