"""Twilio reconciliation end to end: the real ``twilio`` SDK lists calls,
recordings and messages from a local server speaking Twilio's REST format
(tests/servers/twilio.py); the records are stored as events and filed by the
same pipeline as the webhooks, exactly once whatever came first."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from channels.twilio import rest
from channels.twilio.rest import connect
from config import Settings
from inbox import create_app
from inbox.calls.events import record_event
from inbox.calls.filing import file_events
from inbox.calls.reconcile import OVERLAP, ReconcileReport, reconcile, since_for, state_of
from inbox.database import Database
from inbox.jobs.twilio import reconcile_twilio
from inbox.models import ChannelEvent, Message, Thread, TwilioSyncState
from tests import factories as f
from tests.conftest import Invoke
from tests.servers.twilio import ACCOUNT_SID, OUR_NUMBER, TOKEN_ENV, FakeTwilio

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ANN = "+447700900456"
BOB = "+447700900789"


def run(db: Database, fake: FakeTwilio, *, since: datetime | None = None,
        now: datetime = NOW) -> ReconcileReport:
    settings = fake.settings()
    with db.transaction() as session, connect(settings) as client:
        start = since or since_for(session, settings.account_sid, now)
        return reconcile(session, settings, client, since=start, now=now)


def messages(db: Database, channel: str, external_id: str | None = None) -> list[Message]:
    query = sa.select(Message).where(Message.channel == channel).order_by(Message.id)
    if external_id is not None:
        query = query.where(Message.external_id == external_id)
    with db.transaction() as session:
        return list(session.scalars(query))


def thread_of(db: Database, message: Message) -> Thread:
    with db.transaction() as session:
        thread = session.get(Thread, message.thread_id)
        assert thread is not None
        return thread


def watermark(db: Database) -> datetime | None:
    with db.transaction() as session:
        return state_of(session, ACCOUNT_SID).watermark


def event_count(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(sa.select(sa.func.count(ChannelEvent.id))) or 0)


def test_calls_and_sms_whose_webhooks_never_came_are_filed(
    committed_db: Database, fake_twilio: FakeTwilio
) -> None:
    with committed_db.transaction() as session:
        ann = f.customer(session, name="Ann Known", phone="07700 900456")
        ann_id = ann.id
    answered = fake_twilio.add_call(start=NOW - timedelta(hours=2), duration=42, from_=ANN)
    missed = fake_twilio.add_call(start=NOW - timedelta(hours=1), duration=0, from_=BOB,
                                  status="no-answer")
    fake_twilio.add_recording(call_sid=answered["sid"], created=NOW - timedelta(hours=2))
    text = fake_twilio.add_message(sent=NOW - timedelta(minutes=30), body="Any news?",
                                   from_=ANN)
    fake_twilio.add_message(sent=NOW - timedelta(minutes=20), body="Reply from us",
                            from_=OUR_NUMBER, to=ANN, direction="outbound-api",
                            status="delivered")
    old = fake_twilio.add_call(start=NOW - timedelta(days=3), from_=ANN)  # before the window

    report = run(committed_db, fake_twilio)

    assert report.ok, report.summary()
    assert report.since == NOW - timedelta(days=1)  # first run: no watermark yet
    assert report.listed == {"call_log": 2, "recording_log": 1, "sms_log": 2}
    assert report.stored == {"call_log": 2, "recording_log": 1, "sms_log": 1}  # outbound: no
    assert messages(committed_db, "call", old["sid"]) == []

    [call] = messages(committed_db, "call", answered["sid"])
    assert call.customer_id == ann_id
    assert thread_of(committed_db, call).customer_id == ann_id
    assert call.extras["status"] == "completed"
    assert call.extras["duration"] == 42
    assert call.extras["direction"] == "inbound"
    assert call.extras["started_at"] == (NOW - timedelta(hours=2)).isoformat()
    assert call.received_at == NOW - timedelta(hours=2)
    assert call.extras["recording_url"].endswith(
        f"/Accounts/{ACCOUNT_SID}/Recordings/{fake_twilio.records['recordings'][0]['sid']}")
    assert call.extras["voicemail"] is True  # a <Record> verb: the caller left a message

    [no_answer] = messages(committed_db, "call", missed["sid"])
    assert no_answer.extras["status"] == "no-answer"
    assert no_answer.extras["needs_callback"] is True
    assert thread_of(committed_db, no_answer).needs_reply
    assert thread_of(committed_db, no_answer).customer_id != ann_id

    [sms] = messages(committed_db, "sms", text["sid"])
    assert (sms.text, sms.customer_id) == ("Any news?", ann_id)
    assert sms.received_at == NOW - timedelta(minutes=30)  # when sent, not when listed
    assert sms.thread_id == call.thread_id or thread_of(committed_db, sms).customer_id == ann_id

    assert watermark(committed_db) == NOW
    with committed_db.transaction() as session:
        state = state_of(session, ACCOUNT_SID)
        assert (state.status, state.error, state.last_success_at) == ("ok", "", NOW)


def test_a_call_whose_webhooks_came_plus_its_log_is_one_message_with_the_final_status(
    committed_db: Database, fake_twilio: FakeTwilio
) -> None:
    settings = fake_twilio.settings()
    start = NOW - timedelta(hours=1)
    call = fake_twilio.add_call(start=start, duration=95, from_=ANN)
    message_sid_record = fake_twilio.add_message(sent=start, body="Webhook came too",
                                                 from_=ANN)

    def status(state: str, seq: int, at: datetime) -> list[tuple[str, str]]:
        return list({"AccountSid": ACCOUNT_SID, "CallSid": call["sid"], "CallStatus": state,
                     "Direction": "inbound", "From": ANN, "To": OUR_NUMBER,
                     "SequenceNumber": str(seq), "Timestamp": format_datetime(at)}.items())

    # The webhooks stopped at "in-progress" (the "completed" callback was lost),
    # and the SMS webhook came before the listing.
    sms_form = {"AccountSid": ACCOUNT_SID, "MessageSid": message_sid_record["sid"],
                "SmsSid": message_sid_record["sid"], "From": ANN, "To": OUR_NUMBER,
                "Body": "Webhook came too", "NumMedia": "0"}
    with committed_db.transaction() as session:
        ids = [record_event(session, "call_status", status(s, n, start + timedelta(seconds=n)),
                            start)[0].id for n, s in enumerate(("ringing", "in-progress"))]
        ids.append(record_event(session, "sms", sms_form.items(), start)[0].id)
        filed = file_events(session, ids, settings, start)
        assert not filed.failed
    [before] = messages(committed_db, "call", call["sid"])
    assert before.extras["status"] == "in-progress"

    report = run(committed_db, fake_twilio)

    assert report.ok, report.summary()
    assert report.stored["call_log"] == 1
    [after] = messages(committed_db, "call", call["sid"])
    assert after.id == before.id
    assert after.extras["status"] == "completed"
    assert after.extras["duration"] == 95
    assert after.extras["ended_at"] == (start + timedelta(seconds=95)).isoformat()
    # The SMS: stored again as a listed record, filed onto the same one message.
    assert report.stored["sms_log"] == 1
    [sms] = messages(committed_db, "sms", message_sid_record["sid"])
    assert sms.text == "Webhook came too"

    # And a late "completed" callback after the log: still that one message.
    with committed_db.transaction() as session:
        form = [*status("completed", 3, start + timedelta(seconds=95)), ("CallDuration", "95")]
        late, new = record_event(session, "call_status", form, NOW)
        assert new
        assert not file_events(session, [late.id], settings, NOW).failed
    [last] = messages(committed_db, "call", call["sid"])
    assert (last.id, last.extras["status"], last.extras["duration"]) == (
        before.id, "completed", 95)


def test_listing_twice_over_the_overlap_changes_nothing(
    committed_db: Database, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.add_call(start=NOW - timedelta(minutes=30), from_=ANN)
    fake_twilio.add_message(sent=NOW - timedelta(minutes=10), body="hello", from_=BOB)
    first = run(committed_db, fake_twilio)
    assert first.ok
    assert sum(first.stored.values()) == 2
    events, calls, texts = (event_count(committed_db), messages(committed_db, "call"),
                            messages(committed_db, "sms"))

    later = NOW + timedelta(minutes=5)
    second = run(committed_db, fake_twilio, now=later)  # since = watermark - overlap

    assert second.since == NOW - OVERLAP
    assert second.listed == {"call_log": 1, "recording_log": 0, "sms_log": 1}
    assert sum(second.stored.values()) == 0
    assert second.filing.messages == []
    assert event_count(committed_db) == events
    assert [(m.id, m.text, m.extras) for m in messages(committed_db, "call")] == [
        (m.id, m.text, m.extras) for m in calls]
    assert [m.id for m in messages(committed_db, "sms")] == [m.id for m in texts]
    assert watermark(committed_db) == later


def test_paging_is_followed(committed_db: Database, fake_twilio: FakeTwilio,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rest, "PAGE_SIZE", 2)
    sids = [fake_twilio.add_call(start=NOW - timedelta(minutes=10 * i), duration=5 + i,
                                 from_=f"+44770090{i:04d}")["sid"] for i in range(1, 6)]
    report = run(committed_db, fake_twilio)
    assert report.ok
    assert report.listed["call_log"] == report.stored["call_log"] == 5
    pages = [path for method, path in fake_twilio.requests if "/Calls.json" in path]
    assert len(pages) == 3  # 2 + 2 + 1
    assert sum("Page=" in path for path in pages) == 2  # two next_page_uri followed
    assert sorted(m.external_id for m in messages(committed_db, "call")) == sorted(sids)


def test_twilio_down_records_the_error_and_keeps_the_watermark(
    committed_db: Database, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.add_call(start=NOW - timedelta(minutes=30), from_=ANN)
    assert run(committed_db, fake_twilio).ok
    fake_twilio.add_call(start=NOW + timedelta(minutes=1), from_=BOB)
    fake_twilio.fail_status = 503
    fake_twilio.fail_after = len(fake_twilio.requests)

    report = run(committed_db, fake_twilio, now=NOW + timedelta(minutes=5))

    assert not report.ok
    assert "HTTP 503" in report.error
    assert "list calls" in report.error
    assert watermark(committed_db) == NOW
    with committed_db.transaction() as session:
        state = state_of(session, ACCOUNT_SID)
        assert state.status == "error"
        assert "503" in state.error
        assert state.last_success_at == NOW
    assert len(messages(committed_db, "call")) == 1

    # Back up: the same window is listed again and the missing call appears.
    fake_twilio.fail_status = None
    again = run(committed_db, fake_twilio, now=NOW + timedelta(minutes=10))
    assert again.ok
    assert again.stored["call_log"] == 1
    assert len(messages(committed_db, "call")) == 2


def test_the_periodic_job_reconciles(settings: Settings, committed_db: Database,
                                     fake_twilio: FakeTwilio) -> None:
    call = fake_twilio.add_call(start=datetime.now(UTC) - timedelta(minutes=5), from_=ANN)
    app = create_app(dataclasses.replace(settings, twilio=fake_twilio.settings()))
    try:
        with app.app_context():
            result: dict[str, Any] = reconcile_twilio()
    finally:
        app.extensions["inbox.db"].engine.dispose()
    assert result["error"] == ""
    assert result["stored"]["call_log"] == 1
    assert [m.external_id for m in messages(committed_db, "call")] == [call["sid"]]
    assert watermark(committed_db) is not None


# -- the CLI -----------------------------------------------------------------


def config_env(tmp_path: Path, fake: FakeTwilio) -> dict[str, str]:
    path = tmp_path / "inbox.toml"
    path.write_text(
        "[twilio]\n"
        f'account_sid = "{fake.account_sid}"\n'
        f'auth_token_env = "{TOKEN_ENV}"\n'
        f'numbers = ["{OUR_NUMBER}"]\n'
        'public_base_url = "https://inbox.insurer.example"\n'
        f'api_base_url = "{fake.url}"\n'
    )
    return {"INBOX_CONFIG": str(path), TOKEN_ENV: fake.auth_token}


def cli_state(database_url: str) -> TwilioSyncState | None:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.select(TwilioSyncState.__table__).where(
                TwilioSyncState.account_sid == ACCOUNT_SID)).first()
    finally:
        engine.dispose()
    return TwilioSyncState(**row._mapping) if row is not None else None


def cli_calls(database_url: str) -> list[str]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(sa.select(Message.external_id)
                                     .where(Message.channel == "call")))
    finally:
        engine.dispose()


def test_cli_backfills_from_since(invoke: Invoke, tmp_path: Path, database_url: str,
                                  fake_twilio: FakeTwilio) -> None:
    env = config_env(tmp_path, fake_twilio)
    january = fake_twilio.add_call(start=datetime(2026, 1, 5, 10, 0, tzinfo=UTC), from_=ANN)

    plain = invoke("sync", "calls", "--once", extra_env=env)
    assert plain.exit_code == 0, plain.output
    assert "calls 0 listed" in plain.output  # the default window is the last day
    assert january["sid"] not in cli_calls(database_url)

    result = invoke("sync", "calls", "--once", "--since", "2026-01-01", extra_env=env)
    assert result.exit_code == 0, result.output
    assert "since 2026-01-01T00:00:00+00:00" in result.output
    assert "calls 1 listed, 1 new" in result.output
    assert january["sid"] in cli_calls(database_url)
    assert any("StartTime%3E=2026-01-01T00%3A00%3A00Z" in path or
               "StartTime>=2026-01-01T00:00:00Z" in path
               for _, path in fake_twilio.requests)

    again = invoke("sync", "calls", "--once", "--since", "2026-01-01", extra_env=env)
    assert again.exit_code == 0, again.output
    assert "calls 1 listed, 0 new" in again.output
    assert cli_calls(database_url).count(january["sid"]) == 1


def test_cli_twilio_down_is_a_clear_error_and_the_watermark_stays(
    invoke: Invoke, tmp_path: Path, database_url: str, fake_twilio: FakeTwilio
) -> None:
    env = config_env(tmp_path, fake_twilio)
    assert invoke("sync", "calls", "--once", extra_env=env).exit_code == 0
    state = cli_state(database_url)
    assert state is not None
    assert state.watermark is not None
    moved_to = state.watermark

    fake_twilio.fail_status = 500
    result = invoke("sync", "calls", "--once", extra_env=env)

    assert result.exit_code == 1, result.output
    assert "error: Twilio API: list calls: HTTP 500: Failure on purpose" in result.output
    assert "watermark not moved" in result.output
    after = cli_state(database_url)
    assert after is not None
    assert (after.watermark, after.status) == (moved_to, "error")


def test_cli_without_twilio_config_says_so(invoke: Invoke) -> None:
    result = invoke("sync", "calls", "--once")
    assert result.exit_code == 1
    assert "twilio is not configured" in result.output
