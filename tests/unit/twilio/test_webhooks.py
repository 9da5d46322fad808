"""Webhook parameters as plain data: calls, recordings, transcriptions, SMS."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from functools import reduce

import pytest

from channels.twilio.webhooks import (
    CallEvent,
    WebhookError,
    call_inbound,
    call_status,
    is_internal,
    merge_status,
    recording,
    sms,
    transcription,
)

OURS = ("+442079460000", "+442079460001")
CUSTOMER = "+447700900123"
SID = "CA" + "a" * 32
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def status(name: str, seq: int, *, second: int = 0, **extra: str) -> CallEvent:
    params = {"CallSid": SID, "CallStatus": name, "SequenceNumber": str(seq),
              "Timestamp": f"Mon, 02 Mar 2026 09:00:{second:02d} +0000", "From": CUSTOMER,
              "To": OURS[0], "Direction": "inbound", **extra}
    return call_status(params)


def test_call_status_fields() -> None:
    event = call_status({
        "CallSid": SID, "ParentCallSid": "", "AccountSid": "AC1", "From": CUSTOMER,
        "To": OURS[0], "Direction": "inbound", "CallStatus": "completed",
        "SequenceNumber": "4", "Timestamp": "Mon, 02 Mar 2026 10:02:05 +0100",
        "CallDuration": "125", "RecordingUrl": "https://api.twilio.com/rec/RE1",
    })
    assert (event.call_sid, event.status, event.sequence_number, event.duration) == (
        SID, "completed", 4, 125)
    assert event.timestamp == datetime(2026, 3, 2, 9, 2, 5, tzinfo=UTC)
    assert event.timestamp.tzinfo is UTC
    assert event.ended_at == event.timestamp
    assert event.started_at == datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
    assert event.recording_url == "https://api.twilio.com/rec/RE1"
    minimal = call_status({"CallSid": SID, "CallStatus": "Ringing"})
    assert (minimal.sequence_number, minimal.timestamp, minimal.status) == (0, None, "ringing")
    assert call_status({"CallSid": SID, "CallStatus": "completed", "Duration": "7"}).duration == 7


@pytest.mark.parametrize(("params", "error"), [
    ({"CallStatus": "ringing"}, "CallSid: missing"),
    ({"CallSid": SID}, "CallStatus: missing"),
    ({"CallSid": SID, "CallStatus": "ringing", "SequenceNumber": "x"}, "SequenceNumber: not"),
    ({"CallSid": SID, "CallStatus": "ringing", "Timestamp": "yesterday"}, "Timestamp: not"),
])
def test_call_status_errors(params: dict[str, str], error: str) -> None:
    with pytest.raises(WebhookError, match=f"^{error}"):
        call_status(params)


def test_out_of_order_and_repeated_callbacks() -> None:
    ringing, completed, in_progress = status("ringing", 2), status("completed", 4, second=9), \
        status("in-progress", 3, second=1)
    state = reduce(merge_status, [ringing, completed, in_progress, completed], None)
    assert state is not None
    assert (state.status, state.sequence_number) == ("completed", 4)
    assert merge_status(state, completed) is state  # a duplicate is a no-op
    assert merge_status(state, status("completed", 4, second=9)) is state  # equal copy too


def test_every_delivery_order_gives_the_same_state() -> None:
    events = [status("initiated", 0), status("ringing", 1, second=1),
              status("in-progress", 2, second=3), status("completed", 3, second=40,
                                                         CallDuration="37"),
              status("ringing", 1, second=1)]  # a replay
    results = {reduce(merge_status, order, None) for order in itertools.permutations(events)}
    assert len(results) == 1
    (final,) = results
    assert final is not None
    assert (final.status, final.duration) == ("completed", 37)


def test_terminal_wins_over_a_later_non_terminal() -> None:
    # A stray in-progress with a higher sequence (another callback stream) or
    # later timestamp does not reopen a finished call.
    done = status("no-answer", 2, second=30)
    assert merge_status(done, status("in-progress", 5, second=50)) is done
    assert merge_status(status("in-progress", 5, second=50), done) is done
    # Without sequence numbers the timestamp orders non-terminal events.
    early, late = status("ringing", 0, second=1), status("in-progress", 0, second=2)
    assert merge_status(late, early) is late
    with pytest.raises(ValueError, match="cannot merge"):
        merge_status(done, CallEvent(call_sid="CA" + "b" * 32, status="ringing"))


def test_answered_inbound_call() -> None:
    event = status("completed", 4, second=0, CallDuration="185")
    message = call_inbound(event, our_numbers=OURS, transcript="  About claim CLM-1001.  ")
    assert (message.channel, message.external_id, message.recipient) == ("call", SID, OURS[0])
    assert [(s.kind, s.value) for s in message.sender] == [("phone", CUSTOMER)]
    assert message.text == f"Call from {CUSTOMER} (3:05).\n\nAbout claim CLM-1001."
    assert message.received_at == event.started_at
    extras = message.extras
    assert (extras["direction"], extras["status"], extras["duration"]) == (
        "inbound", "completed", 185)
    assert extras["missed"] is extras["needs_callback"] is extras["internal"] is False
    assert extras["ended_at"] == "2026-03-02T09:00:00+00:00"
    assert extras["started_at"] == "2026-03-02T08:56:55+00:00"


@pytest.mark.parametrize("outcome", ["no-answer", "busy", "canceled", "failed"])
def test_missed_inbound_calls_ask_for_a_callback(outcome: str) -> None:
    message = call_inbound(status(outcome, 3), our_numbers=OURS)
    assert message.extras["missed"] is True
    assert message.extras["needs_callback"] is True
    assert message.text == f"Missed call from {CUSTOMER} ({outcome.replace('-', ' ')})."


def test_voicemail_is_missed() -> None:
    rec = recording({"CallSid": SID, "RecordingSid": "RE1", "RecordingStatus": "completed",
                     "RecordingUrl": "https://api.twilio.com/RE1", "RecordingDuration": "42",
                     "RecordingSource": "RecordVerb", "RecordingChannels": "1",
                     "RecordingStartTime": "Mon, 02 Mar 2026 09:00:10 +0000"})
    assert rec.voicemail
    assert (rec.duration, rec.channels) == (42, 1)
    assert rec.started_at == datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)
    message = call_inbound(status("completed", 4, CallDuration="50"), our_numbers=OURS,
                           recording_url=rec.url, voicemail=rec.voicemail,
                           transcript="Please call me back about my car.")
    assert message.extras["missed"] is message.extras["needs_callback"] is True
    assert message.extras["recording_url"] == "https://api.twilio.com/RE1"
    assert message.text.startswith(f"Voicemail from {CUSTOMER} (0:50).\n\nPlease call me")
    dial = recording({"CallSid": SID, "RecordingSid": "RE2", "RecordingUrl": "u",
                      "RecordingSource": "DialVerb"})
    assert not dial.voicemail


def test_outbound_call_customer_is_the_callee() -> None:
    event = status("busy", 3, From=OURS[1], To="07700 900123", Direction="outbound-api")
    message = call_inbound(event, our_numbers=OURS)
    assert [s.value for s in message.sender] == [CUSTOMER]  # local format normalised
    assert message.recipient == OURS[1]
    assert message.extras["direction"] == "outbound"
    assert message.extras["missed"] is message.extras["needs_callback"] is False
    assert message.text == f"Outgoing call to {CUSTOMER}: busy."


def test_child_leg_folds_into_the_parent() -> None:
    parent = "CA" + "p" * 32
    leg = status("completed", 4, ParentCallSid=parent, Direction="outbound-dial",
                 From=CUSTOMER, To="+447700900999")
    message = call_inbound(leg, our_numbers=OURS)
    assert message.external_id == parent
    assert message.extras["call_sid"] == SID


def test_internal_calls() -> None:
    internal = status("completed", 4, From="020 7946 0001", To=OURS[0])
    assert is_internal(internal, OURS)
    assert not is_internal(status("completed", 4), OURS)
    assert not is_internal(status("completed", 4, From="client:alice"), OURS)
    message = call_inbound(status("no-answer", 2, From=OURS[1]), our_numbers=OURS)
    assert message.extras["internal"] is True
    assert message.extras["needs_callback"] is False  # nobody outside to call back
    assert message.sender == []


def test_call_needs_a_time() -> None:
    bare = CallEvent(call_sid=SID, status="completed", from_=CUSTOMER, to=OURS[0],
                     direction="inbound")
    with pytest.raises(WebhookError, match="no time"):
        call_inbound(bare, our_numbers=OURS)
    assert call_inbound(bare, our_numbers=OURS, received_at=NOW).received_at == NOW


def test_transcription() -> None:
    event = transcription({"CallSid": SID, "TranscriptionSid": "TR1",
                           "TranscriptionStatus": "completed",
                           "TranscriptionText": " Hello, my claim. ", "RecordingSid": "RE1"})
    assert (event.text, event.status, event.recording_sid) == ("Hello, my claim.", "completed",
                                                               "RE1")
    with pytest.raises(WebhookError, match="TranscriptionSid"):
        transcription({"CallSid": SID})


def test_sms_with_media() -> None:
    params = {"MessageSid": "SM1", "AccountSid": "AC1", "From": "07700 900123",
              "To": "+442079460000", "Body": "Photos of the damage", "NumMedia": "2",
              "NumSegments": "1", "MediaUrl0": "https://api.twilio.com/m0",
              "MediaContentType0": "image/jpeg", "MediaUrl1": "https://api.twilio.com/m1",
              "MediaContentType1": "image/png"}
    message = sms(params, received_at=NOW)
    assert (message.channel, message.external_id, message.text) == (
        "sms", "SM1", "Photos of the damage")
    assert [(s.kind, s.value) for s in message.sender] == [("phone", CUSTOMER)]
    assert message.recipient == OURS[0]
    assert message.extras["media"] == [
        {"url": "https://api.twilio.com/m0", "content_type": "image/jpeg"},
        {"url": "https://api.twilio.com/m1", "content_type": "image/png"}]
    assert message.raw is not None
    assert json.loads(message.raw) == params
    assert message.attachments == []  # fetched later by a job


def test_sms_edge_cases() -> None:
    plain = sms({"SmsSid": "SM2", "From": "+4930123456", "Body": ""}, received_at=NOW)
    assert (plain.external_id, plain.extras["media"]) == ("SM2", [])
    assert [s.value for s in plain.sender] == ["+4930123456"]
    alpha = sms({"MessageSid": "SM3", "From": "INSURER", "Body": "hi"}, received_at=NOW)
    assert alpha.sender == []
    assert alpha.extras["from"] == "INSURER"
    us = sms({"MessageSid": "SM4", "From": "(415) 555-2671", "Body": "x"}, received_at=NOW,
             region="US")
    assert [s.value for s in us.sender] == ["+14155552671"]
    with pytest.raises(WebhookError, match="MessageSid"):
        sms({"From": CUSTOMER}, received_at=NOW)
    with pytest.raises(WebhookError, match="NumMedia"):
        sms({"MessageSid": "SM5", "From": CUSTOMER, "NumMedia": "two"}, received_at=NOW)
    assert plain.received_at == NOW


@pytest.mark.parametrize("raw", ["07700 900123", "+44 7700 900123", "020 7946 0000",
                                 "(415) 555-2671", "+1 415 555 2671", "12345", "INSURER",
                                 "client:alice", "Anonymous", ""])
def test_numbers_normalised_like_the_book(raw: str) -> None:
    from channels.twilio.numbers import to_e164
    from claims.identifiers import normalize_phone

    assert to_e164(raw, "GB") == normalize_phone(raw, "GB")
