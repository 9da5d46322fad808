"""Webhook parameters as plain data for the core: pure functions, no I/O.

* :func:`call_status` - a voice status callback as a :class:`CallEvent`;
  :func:`merge_status` folds the callbacks of one call leg into its state
  (they arrive out of order and repeat);
* :func:`recording`, :func:`transcription` - the recording and transcription
  callbacks;
* :func:`sms` - an inbound SMS/MMS as an :class:`~channels.base.Inbound`
  (media listed in ``extras["media"]`` for a job to fetch);
* :func:`call_inbound` - a call's final state as an ``Inbound`` on channel
  ``call``, keyed by the parent call so child legs fold into it.

Missing or malformed parameters raise :class:`WebhookError` (answer 400).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import astuple, dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from channels.base import Inbound, SenderIdentity
from channels.twilio.numbers import to_e164

TERMINAL = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
MISSED = frozenset({"busy", "no-answer", "failed", "canceled"})
# Non-terminal statuses in the order a call goes through them (ties on equal
# SequenceNumber and Timestamp).
_PROGRESS = {"queued": 0, "initiated": 1, "ringing": 2, "in-progress": 3}
_MAX_MEDIA = 10  # Twilio's limit per MMS
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class WebhookError(ValueError):
    """A webhook lacks a required parameter or has a malformed one."""


@dataclass(frozen=True)
class CallEvent:
    """One call leg's state, from a status callback or the REST call log."""

    call_sid: str
    status: str
    from_: str = ""
    to: str = ""
    direction: str = ""  # inbound | outbound-api | outbound-dial
    parent_call_sid: str = ""
    account_sid: str = ""
    sequence_number: int = 0
    timestamp: datetime | None = None  # of this event (UTC)
    started_at: datetime | None = None  # known from the call log, else derived
    ended_at: datetime | None = None
    duration: int | None = None  # seconds
    recording_url: str = ""
    recording_sid: str = ""
    answered_by: str = ""  # human | machine_start | ... (answering machine detection)
    caller_name: str = ""

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def inbound(self) -> bool:
        return self.direction == "inbound"


@dataclass(frozen=True)
class RecordingEvent:
    call_sid: str
    recording_sid: str
    url: str  # without extension; the media is fetched with the account's credentials
    status: str = ""  # in-progress | completed | absent | failed
    duration: int | None = None
    source: str = ""  # RecordVerb | DialVerb | Conference | OutboundAPI | ...
    channels: int | None = None
    started_at: datetime | None = None

    @property
    def voicemail(self) -> bool:
        """A ``<Record>`` in our TwiML: the caller left a message."""
        return self.source == "RecordVerb"


@dataclass(frozen=True)
class TranscriptionEvent:
    call_sid: str
    transcription_sid: str
    status: str  # completed | failed
    text: str
    recording_sid: str = ""
    recording_url: str = ""


def call_status(params: Mapping[str, str]) -> CallEvent:
    """A voice status callback (``StatusCallbackEvent`` initiated ... completed)."""
    status = _required(params, "CallStatus").lower()
    timestamp = _time(params, "Timestamp")
    duration = _int(params, "CallDuration")
    if duration is None:
        duration = _int(params, "Duration")
    ended = timestamp if status in TERMINAL else None
    started = ended - timedelta(seconds=duration) if ended and duration is not None else None
    return CallEvent(
        call_sid=_required(params, "CallSid"), status=status,
        from_=_get(params, "From"), to=_get(params, "To"),
        direction=_get(params, "Direction"), parent_call_sid=_get(params, "ParentCallSid"),
        account_sid=_get(params, "AccountSid"),
        sequence_number=_int(params, "SequenceNumber") or 0, timestamp=timestamp,
        started_at=started, ended_at=ended, duration=duration,
        recording_url=_get(params, "RecordingUrl"), recording_sid=_get(params, "RecordingSid"),
        answered_by=_get(params, "AnsweredBy"), caller_name=_get(params, "CallerName"),
    )


def merge_status(current: CallEvent | None, new: CallEvent) -> CallEvent:
    """The state of a call leg after ``new`` arrives.

    The later event wins - by ``SequenceNumber``, then ``Timestamp``; a terminal
    status wins over any non-terminal one whatever the order. The choice is a
    total order on events, so any delivery order of the same callbacks gives the
    same result, and a repeated callback returns ``current`` unchanged.
    """
    if current is None:
        return new
    if new.call_sid != current.call_sid:
        raise ValueError(f"cannot merge events of {new.call_sid} into {current.call_sid}")
    return new if _order(new) > _order(current) else current


def _order(event: CallEvent) -> tuple[Any, ...]:
    rest = tuple("" if v is None else str(v) for v in astuple(event))
    return (event.terminal, event.sequence_number, event.timestamp or _EPOCH,
            _PROGRESS.get(event.status, -1), rest)


def recording(params: Mapping[str, str]) -> RecordingEvent:
    """A recording status callback (``recordingStatusCallback``)."""
    return RecordingEvent(
        call_sid=_required(params, "CallSid"), recording_sid=_required(params, "RecordingSid"),
        url=_required(params, "RecordingUrl"), status=_get(params, "RecordingStatus"),
        duration=_int(params, "RecordingDuration"), source=_get(params, "RecordingSource"),
        channels=_int(params, "RecordingChannels"),
        started_at=_time(params, "RecordingStartTime"),
    )


def transcription(params: Mapping[str, str]) -> TranscriptionEvent:
    """A transcription callback (``transcribeCallback`` of ``<Record>``)."""
    return TranscriptionEvent(
        call_sid=_required(params, "CallSid"),
        transcription_sid=_required(params, "TranscriptionSid"),
        status=_get(params, "TranscriptionStatus").lower(),
        text=_get(params, "TranscriptionText").strip(),
        recording_sid=_get(params, "RecordingSid"), recording_url=_get(params, "RecordingUrl"),
    )


def sms(params: Mapping[str, str], *, received_at: datetime, region: str = "GB") -> Inbound:
    """An inbound SMS/MMS webhook. Twilio sends no time: pass when it arrived."""
    sid = _get(params, "MessageSid") or _get(params, "SmsSid")
    if not sid:
        raise WebhookError("MessageSid: missing")
    sender = _required(params, "From")
    number = to_e164(sender, region)
    media = []
    for i in range(min(_int(params, "NumMedia") or 0, _MAX_MEDIA)):
        url = _get(params, f"MediaUrl{i}")
        if url:
            media.append({"url": url, "content_type": _get(params, f"MediaContentType{i}")})
    to = _get(params, "To")
    return Inbound(
        channel="sms", external_id=sid, received_at=received_at,
        sender=[SenderIdentity("phone", number)] if number else [],
        text=_get(params, "Body"), recipient=to_e164(to, region) or to,
        raw=json.dumps(dict(params), sort_keys=True).encode(),
        extras={
            "from": sender, "to": to, "media": media,
            "num_segments": _int(params, "NumSegments"),
            "account_sid": _get(params, "AccountSid"),
        },
    )


def is_internal(event: CallEvent, our_numbers: Collection[str], region: str = "GB") -> bool:
    """A call between two of our own numbers."""
    ours = set(our_numbers)
    return to_e164(event.from_, region) in ours and to_e164(event.to, region) in ours


def call_inbound(event: CallEvent, *, our_numbers: Collection[str], region: str = "GB",
                 transcript: str = "", recording_url: str | None = None,
                 voicemail: bool = False, received_at: datetime | None = None) -> Inbound:
    """A call (its merged state) as a message on channel ``call``.

    ``external_id`` is the parent call's sid, so a child leg (``ParentCallSid``,
    a ``<Dial>`` to a rep) files into its parent - pass the parent's event when
    both are known. The customer is the caller of an inbound call and the callee
    of an outbound one (whichever side is not ours). ``voicemail`` comes from
    the recording (:attr:`RecordingEvent.voicemail`). ``received_at`` is used
    when the event carries no time.
    """
    ours = set(our_numbers)
    from_, to = to_e164(event.from_, region), to_e164(event.to, region)
    inbound = event.inbound or (event.direction == "" and to in ours)
    customer, ours_side = (from_, to) if inbound else (to, from_)
    if customer in ours and ours_side not in ours:
        customer, ours_side = ours_side, customer
    internal = is_internal(event, ours, region)
    missed = inbound and (event.status in MISSED or voicemail)
    url = recording_url if recording_url is not None else event.recording_url
    when = event.started_at or event.timestamp or received_at
    if when is None:
        raise WebhookError(f"{event.call_sid}: no time known for the call")
    other = customer or (event.from_ if inbound else event.to) or "unknown number"
    summary = _summary(event, inbound, other, missed=missed, voicemail=voicemail)
    text = f"{summary}\n\n{transcript.strip()}" if transcript.strip() else summary
    return Inbound(
        channel="call", external_id=event.parent_call_sid or event.call_sid, received_at=when,
        sender=[SenderIdentity("phone", customer)] if customer and not internal else [],
        text=text, recipient=ours_side or "", direction="inbound" if inbound else "outbound",
        extras={
            "direction": "inbound" if inbound else "outbound",
            "twilio_direction": event.direction, "status": event.status,
            "call_sid": event.call_sid, "parent_call_sid": event.parent_call_sid,
            "from": event.from_, "to": event.to,
            "started_at": _iso(event.started_at), "ended_at": _iso(event.ended_at),
            "duration": event.duration, "recording_url": url or None,
            "missed": missed, "voicemail": voicemail, "internal": internal,
            "needs_callback": missed and not internal,
            # The customer's words are the transcript, not our English summary:
            # language detection and classification read only this.
            "body_parts": {"new": transcript.strip(), "quoted": "", "signature": ""},
        },
    )


def _summary(event: CallEvent, inbound: bool, other: str, *, missed: bool,
             voicemail: bool) -> str:
    length = f" ({_clock(event.duration)})" if event.duration else ""
    reason = event.status.replace("-", " ")
    if voicemail:
        return f"Voicemail from {other}{length}."
    if missed:
        return f"Missed call from {other} ({reason})."
    if inbound:
        return f"Call from {other}{length}." if event.status == "completed" \
            else f"Call from {other}: {reason}."
    if event.status == "completed":
        return f"Outgoing call to {other}{length}."
    return f"Outgoing call to {other}: {reason}."


def _clock(seconds: int | None) -> str:
    minutes, secs = divmod(seconds or 0, 60)
    return f"{minutes}:{secs:02d}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _get(params: Mapping[str, str], key: str) -> str:
    value = params.get(key)
    return value.strip() if isinstance(value, str) else ""


def _required(params: Mapping[str, str], key: str) -> str:
    value = _get(params, key)
    if not value:
        raise WebhookError(f"{key}: missing")
    return value


def _int(params: Mapping[str, str], key: str) -> int | None:
    value = _get(params, key)
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise WebhookError(f"{key}: not a whole number: {value[:20]!r}") from None


def _time(params: Mapping[str, str], key: str) -> datetime | None:
    """RFC 2822 (``Tue, 10 Aug 2010 08:02:17 +0000``) as timezone-aware UTC."""
    value = _get(params, key)
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        raise WebhookError(f"{key}: not an RFC 2822 date: {value[:40]!r}") from None
    if parsed.tzinfo is None:  # "-0000": UTC by RFC 2822
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)

