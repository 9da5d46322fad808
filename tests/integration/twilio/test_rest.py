"""The real twilio SDK against a local server that speaks Twilio's REST format."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from channels.twilio import rest
from channels.twilio.rest import TwilioError, TwilioRejected, TwilioUnavailable
from channels.twilio.webhooks import CallEvent, merge_status
from config.twilio import DEFAULT_API_BASE_URL
from tests.servers.tls import free_port
from tests.servers.twilio import OUR_NUMBER, FakeTwilio

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_list_calls_follows_three_pages(fake_twilio: FakeTwilio,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rest, "PAGE_SIZE", 2)
    sids = {fake_twilio.add_call(start=T0 + timedelta(minutes=i))["sid"] for i in range(5)}
    with rest.connect(fake_twilio.settings()) as client:
        calls = list(rest.list_calls(client, T0))
    assert {c.sid for c in calls} == sids
    pages = [path for method, path in fake_twilio.requests if "Calls.json" in path]
    assert len(pages) == 3
    assert all("PageSize=2" in path for path in pages)
    assert "Page=1" in pages[1]
    assert "Page=2" in pages[2]


def test_since_is_sent_as_utc_and_filters(fake_twilio: FakeTwilio) -> None:
    old = fake_twilio.add_call(start=T0 - timedelta(hours=2))
    new = fake_twilio.add_call(start=T0 + timedelta(minutes=5))
    # 10:00 at +01:00 is 09:00 UTC: the SDK would send "10:00:00Z" unconverted.
    since = datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    with rest.connect(fake_twilio.settings()) as client:
        assert [c.sid for c in rest.list_calls(client, since)] == [new["sid"]]
        assert {c.sid for c in rest.list_calls(client, T0 - timedelta(days=1))} == {
            old["sid"], new["sid"]}
    assert "StartTime%3E=2026-03-02T09%3A00%3A00Z" in fake_twilio.requests[0][1]
    with pytest.raises(ValueError, match="timezone-aware"):
        next(rest.list_calls(client, datetime(2026, 3, 2)))  # noqa: DTZ001


def test_call_log_record_as_event(fake_twilio: FakeTwilio) -> None:
    record = fake_twilio.add_call(start=T0, duration=125, direction="inbound")
    with rest.connect(fake_twilio.settings()) as client:
        (call,) = rest.list_calls(client, T0)
    event = rest.call_event(call)
    assert (event.call_sid, event.status, event.from_, event.to, event.duration) == (
        record["sid"], "completed", "+447700900123", OUR_NUMBER, 125)
    assert event.started_at == T0
    assert event.ended_at == T0 + timedelta(seconds=125)
    ringing = CallEvent(call_sid=record["sid"], status="ringing", sequence_number=9)
    assert merge_status(ringing, event) is event  # the log's terminal status wins


def test_recordings_and_messages(fake_twilio: FakeTwilio) -> None:
    call = fake_twilio.add_call(start=T0)
    fake_twilio.add_recording(call_sid=call["sid"], created=T0 - timedelta(days=1))
    rec = fake_twilio.add_recording(call_sid=call["sid"], created=T0 + timedelta(minutes=1))
    fake_twilio.add_message(sent=T0 - timedelta(days=1), body="old")
    msg = fake_twilio.add_message(sent=T0 + timedelta(seconds=30), body="Hello, claim CLM-1")
    with rest.connect(fake_twilio.settings()) as client:
        recordings = list(rest.list_recordings(client, T0))
        messages = list(rest.list_messages(client, T0))
    assert [(r.sid, r.call_sid, r.source, r.duration) for r in recordings] == [
        (rec["sid"], call["sid"], "RecordVerb", "30")]
    assert [(m.sid, m.body, m.from_) for m in messages] == [
        (msg["sid"], "Hello, claim CLM-1", "+447700900123")]
    assert any("DateCreated%3E=" in p for _, p in fake_twilio.requests)
    assert any("DateSent%3E=" in p for _, p in fake_twilio.requests)


def test_send_sms_is_recorded_by_the_server(fake_twilio: FakeTwilio) -> None:
    with rest.connect(fake_twilio.settings()) as client:
        sid = rest.send_sms(client, OUR_NUMBER, "+447700900123", "We got your claim.",
                            "https://inbox.insurer.example/webhooks/twilio/sms/status")
    (sent,) = fake_twilio.sent()
    assert sent["sid"] == sid
    assert sid.startswith("SM")
    assert (sent["from"], sent["to"], sent["body"], sent["status"]) == (
        OUR_NUMBER, "+447700900123", "We got your claim.", "queued")
    assert sent["status_callback"] == "https://inbox.insurer.example/webhooks/twilio/sms/status"


def test_send_sms_refused_is_rejected(fake_twilio: FakeTwilio) -> None:
    with rest.connect(fake_twilio.settings()) as client, \
            pytest.raises(TwilioRejected, match="Missing parameter Body") as info:
        rest.send_sms(client, OUR_NUMBER, "+447700900123", "")
    assert info.value.status == 400
    assert fake_twilio.sent() == []


def test_wrong_token_is_rejected(fake_twilio: FakeTwilio) -> None:
    fake_twilio.add_call(start=T0)
    with rest.connect(fake_twilio.settings(token="wrong")) as client:
        with pytest.raises(TwilioRejected, match="Authenticate") as info:
            list(rest.list_calls(client, T0))
        assert info.value.status == 401
        with pytest.raises(TwilioRejected) as info:
            rest.send_sms(client, OUR_NUMBER, "+447700900123", "hi")
        assert info.value.status == 401
    assert fake_twilio.sent() == []


@pytest.mark.parametrize(("status", "error"), [
    (500, TwilioUnavailable), (503, TwilioUnavailable), (429, TwilioUnavailable),
    (400, TwilioRejected), (404, TwilioRejected),
])
def test_error_statuses(fake_twilio: FakeTwilio, status: int, error: type[TwilioError]) -> None:
    fake_twilio.fail_status = status
    with rest.connect(fake_twilio.settings()) as client:
        with pytest.raises(error) as listing:
            list(rest.list_messages(client, T0))
        with pytest.raises(error) as sending:
            rest.send_sms(client, OUR_NUMBER, "+447700900123", "hi")
    assert listing.value.status == sending.value.status == status
    # A permanent refusal is never the retry kind, and the reverse.
    assert isinstance(listing.value, TwilioUnavailable) == (status >= 500 or status == 429)


def test_failure_on_a_later_page_surfaces_while_iterating(
        fake_twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rest, "PAGE_SIZE", 2)
    for i in range(5):
        fake_twilio.add_call(start=T0 + timedelta(minutes=i))
    fake_twilio.fail_status, fake_twilio.fail_after = 500, 1
    seen = []
    with rest.connect(fake_twilio.settings()) as client, pytest.raises(TwilioUnavailable):
        seen.extend(rest.list_calls(client, T0))
    assert len(seen) == 2  # the first page arrived; the caller retries the window


def test_server_down_is_unavailable(fake_twilio: FakeTwilio) -> None:
    settings = replace(fake_twilio.settings(), api_base_url=f"http://127.0.0.1:{free_port()}")
    with rest.connect(settings, timeout=5) as client:
        with pytest.raises(TwilioUnavailable, match="ConnectionError"):
            list(rest.list_calls(client, T0))
        with pytest.raises(TwilioUnavailable):
            rest.send_sms(client, OUR_NUMBER, "+447700900123", "hi")


def test_region_and_edge_in_the_environment_are_ignored(
        fake_twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_REGION", "ie1")
    monkeypatch.setenv("TWILIO_EDGE", "dublin")
    call = fake_twilio.add_call(start=T0)
    with rest.connect(fake_twilio.settings()) as client:
        assert [c.sid for c in rest.list_calls(client, T0)] == [call["sid"]]
    # With Twilio's own URL nothing rewrites the host either (no request sent).
    with rest.connect(replace(fake_twilio.settings(), api_base_url=DEFAULT_API_BASE_URL)) as real:
        url = "https://api.twilio.com/2010-04-01/Accounts.json"
        assert real.get_hostname(url) == url
        assert not isinstance(real.http_client, rest._RebasingHttpClient)


def test_missing_token_fails_before_any_request(fake_twilio: FakeTwilio) -> None:
    settings = replace(fake_twilio.settings(), env={})
    with pytest.raises(ValueError, match=r"twilio\.auth_token_env: .* is not set"):
        rest.make_client(settings)
    assert fake_twilio.requests == []
