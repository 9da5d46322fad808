"""What the thread view shows of a call: read from the message as the
Twilio channel filed it (``channels.twilio.webhooks.call_inbound`` and
:mod:`inbox.calls.media`). Pure functions of the message.

The recording is never linked at Twilio: the media job stores it in the
attachment store (``extras["media_fetched"]``: Twilio URL -> sha256) and the
app serves it to signed-in users (``thread_tools.recording``). Until then the
view says it is being fetched; a recording Twilio refused says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inbox.calls.media import ERRORS_KEY, FETCHED_KEY
from inbox.models import Message


@dataclass(frozen=True)
class CallDetails:
    direction: str  # inbound | outbound
    status: str
    from_: str
    to: str
    duration: str | None  # m:ss (h:mm:ss from an hour), as the call's summary writes it
    missed: bool
    voicemail: bool
    summary: str
    transcript: str
    # stored | fetching | refused | removed (by the retention policy) | none
    recording: str
    recording_error: str = ""


def recording_sha256(message: Message) -> str | None:
    """The stored recording of a call message, if the media job fetched it."""
    extras: dict[str, Any] = message.extras or {}
    url = extras.get("recording_url")
    fetched = extras.get(FETCHED_KEY) or {}
    if url and url in fetched:
        return str(fetched[url])
    for attachment in message.attachments:
        if (attachment.content_type or "").startswith("audio/"):
            return attachment.sha256
    return None


def recording_removed(message: Message, sha256: str) -> bool:
    """The retention policy removed this recording (inbox.privacy.retention)."""
    return any(a.sha256 == sha256 and a.removed_at is not None for a in message.attachments)


def call_details(message: Message) -> CallDetails | None:
    if message.channel != "call":
        return None
    extras: dict[str, Any] = message.extras or {}
    transcript = str(((extras.get("body_parts") or {}).get("new")) or "").strip()
    text = (message.text or "").strip()
    summary = text
    if transcript and text.endswith(transcript):
        summary = text[: len(text) - len(transcript)].strip()
    url = extras.get("recording_url")
    errors = extras.get(ERRORS_KEY) or {}
    sha = recording_sha256(message)
    if sha and recording_removed(message, sha):
        recording, error = "removed", ""
    elif sha:
        recording, error = "stored", ""
    elif url and url in errors:
        recording, error = "refused", str(errors[url])
    elif url:
        recording, error = "fetching", ""
    else:
        recording, error = "none", ""
    return CallDetails(
        direction=str(extras.get("direction") or message.direction),
        status=str(extras.get("status") or ""),
        from_=str(extras.get("from") or (message.sender if message.direction == "inbound"
                                         else message.recipient) or ""),
        to=str(extras.get("to") or (message.recipient if message.direction == "inbound"
                                    else message.sender) or ""),
        duration=clock(extras.get("duration")),
        missed=bool(extras.get("missed")),
        voicemail=bool(extras.get("voicemail")),
        summary=summary,
        transcript=transcript,
        recording=recording,
        recording_error=error,
    )


def clock(seconds: object) -> str | None:
    """``75`` -> ``"1:15"`` (minutes:seconds, as ``channels.twilio`` writes it in
    the call's summary); an hour and more -> ``"1:02:03"``; None when unknown."""
    if seconds is None or seconds == "":
        return None
    try:
        total = int(float(str(seconds)))
    except ValueError:
        return None
    if total < 0:
        return None
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
