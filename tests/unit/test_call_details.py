"""What the thread view shows of a call (inbox.workspace.calls): pure
functions of the message as the Twilio channel filed it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from inbox.models import Message
from inbox.models.messages import Attachment
from inbox.workspace.calls import call_details, clock

URL = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"


@pytest.mark.parametrize(("seconds", "shown"), [
    (0, "0:00"), (5, "0:05"), (95, "1:35"), (725, "12:05"), (3723, "1:02:03"), ("61", "1:01"),
    (None, None), ("", None), ("soon", None), (-3, None),
])
def test_clock(seconds: object, shown: str | None) -> None:
    assert clock(seconds) == shown


def _call(**extras: object) -> Message:
    message = Message(channel="call", direction="inbound", sender="+447700900001",
                      recipient="+441130000000", received_at=datetime(2026, 3, 2, tzinfo=UTC),
                      text="Call from +447700900001 (1:35).\n\nPlease call me back.",
                      extras=extras)
    message.attachments = []
    return message


def test_a_recorded_call_with_its_transcript() -> None:
    message = _call(direction="inbound", status="completed", duration=95,
                    **{"from": "+447700900001"}, to="+441130000000", recording_url=URL,
                    body_parts={"new": "Please call me back."})
    details = call_details(message)
    assert details is not None
    assert (details.direction, details.from_, details.to, details.duration) == (
        "inbound", "+447700900001", "+441130000000", "1:35")
    assert details.summary == "Call from +447700900001 (1:35)."
    assert details.transcript == "Please call me back."
    assert details.recording == "fetching"

    message.extras = {**message.extras, "media_fetched": {URL: "a" * 64}}
    assert call_details(message).recording == "stored"  # type: ignore[union-attr]
    message.extras = {**message.extras, "media_fetched": {}, "media_errors": {URL: "404"}}
    refused = call_details(message)
    assert refused is not None
    assert (refused.recording, refused.recording_error) == ("refused", "404")


def test_a_missed_call_without_recording_and_an_audio_attachment() -> None:
    missed = call_details(_call(status="no-answer", missed=True))
    assert missed is not None
    assert (missed.missed, missed.duration, missed.transcript, missed.recording) == (
        True, None, "", "none")
    # Numbers fall back on the message's own sender and recipient.
    assert (missed.from_, missed.to) == ("+447700900001", "+441130000000")
    stored = _call()
    stored.attachments = [Attachment(sha256="b" * 64, content_type="audio/mpeg")]
    assert call_details(stored).recording == "stored"  # type: ignore[union-attr]
    assert call_details(Message(channel="sms", extras={})) is None
