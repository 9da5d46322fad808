"""Filing stored Twilio events into threads (called by the job
:func:`inbox.jobs.twilio.file_twilio_events`; only flushes).

* An SMS event is one :class:`~channels.base.Inbound` on channel ``sms``,
  ingested exactly once on its MessageSid.
* A call is rebuilt from *every* event stored for it - status callbacks of the
  call and of its child legs (``ParentCallSid``), recording and transcription
  callbacks - whatever order they came in, so filing is a function of the events:
  running it again, or after a late callback, gives the same call message. The
  first filing ingests it; later ones update that message (status, duration,
  recording, transcript) and make the thread ask for a call back when the call
  was missed or left a voicemail. Calls between two of our own numbers are skipped.
* Each call or SMS is filed in its own SAVEPOINT: one that fails keeps its
  events unprocessed with the error, to be filed again on the next run.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import partial

import sqlalchemy as sa
from sqlalchemy.orm import Session

from channels.base import Inbound
from channels.twilio.webhooks import (
    CallEvent,
    call_inbound,
    call_status,
    is_internal,
    merge_status,
    recording,
    sms,
    transcription,
)
from config.twilio import TwilioSettings
from inbox.calls.events import SMS_KINDS
from inbox.intake.analysis import new_text
from inbox.intake.core import CONFIG_KEY, ingest
from inbox.intake.language import detect_language
from inbox.models import Message
from inbox.models.events import ChannelEvent
from inbox.sla.track import record_pending, track

log = logging.getLogger(__name__)
# Webhooks, and the records reconciliation listed (``*_log``, same parameter names).
CALL_KINDS = ("call_status", "recording", "transcription", "call_log", "recording_log")
STATUS_KINDS = ("call_status", "call_log")
RECORDING_KINDS = ("recording", "recording_log")


@dataclass
class FilingReport:
    filed: list[int] = field(default_factory=list)  # event ids processed
    failed: dict[int, str] = field(default_factory=dict)  # event id -> error
    messages: list[int] = field(default_factory=list)  # message ids filed or updated


def file_events(
    session: Session, ids: Iterable[int], twilio: TwilioSettings, now: datetime
) -> FilingReport:
    """File the events ``ids`` that are not processed yet (others are skipped)."""
    report = FilingReport()
    events = list(session.scalars(
        sa.select(ChannelEvent)
        .where(ChannelEvent.id.in_(list(ids)), ChannelEvent.processed_at.is_(None))
        .order_by(ChannelEvent.id)
    ))
    calls: dict[str, None] = {}
    for event in events:
        if event.kind in SMS_KINDS:
            _run(session, report, [event], now, partial(_file_sms, session, event, twilio))
        else:
            calls.setdefault(_root_sid(session, event))
    for root in calls:
        group = _call_events(session, root)
        _run(session, report, [e for e in group if e.processed_at is None], now,
             partial(_file_call, session, group, twilio, now))
    _enqueue_media(session, report.messages)
    return report


def _enqueue_media(session: Session, message_ids: Sequence[int]) -> None:
    """After commit, queue the fetching of the recordings / MMS media of the
    messages just filed (only in an app context: the job needs the app's Redis)."""
    from flask import has_app_context

    from inbox.jobs.base import enqueue_after_commit
    from inbox.jobs.twilio import fetch_twilio_media

    if not message_ids or not has_app_context():
        return
    wanted = [m.id for m in session.scalars(sa.select(Message).where(
        Message.id.in_(list(dict.fromkeys(message_ids)))).order_by(Message.id))
        if (m.extras or {}).get("recording_url") or (m.extras or {}).get("media")]
    if wanted:
        enqueue_after_commit(session, fetch_twilio_media, wanted)


def pending_event_ids(session: Session, limit: int = 500) -> list[int]:
    """Events not filed yet (new, or failed before), oldest first."""
    return list(session.scalars(
        sa.select(ChannelEvent.id).where(ChannelEvent.processed_at.is_(None))
        .order_by(ChannelEvent.received_at, ChannelEvent.id).limit(limit)
    ))


def _run(session: Session, report: FilingReport, events: Sequence[ChannelEvent],
         now: datetime, work: Callable[[], int | None]) -> None:
    try:
        with session.begin_nested():
            message_id = work()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        log.warning("twilio events %s not filed: %s", [e.id for e in events], type(exc).__name__)
        for event in events:
            event.error = error
            event.attempts += 1
            report.failed[event.id] = error
        session.flush()
        return
    for event in events:
        event.processed_at, event.error = now, ""
        event.attempts += 1
        report.filed.append(event.id)
    if message_id is not None:
        report.messages.append(message_id)
    session.flush()


def _file_sms(session: Session, event: ChannelEvent, twilio: TwilioSettings) -> int | None:
    # A listed message carries when it was sent; a webhook is filed at its arrival.
    received_at = _sent_at(event) or event.received_at
    inbound = sms(event.params, received_at=received_at, region=twilio.default_region)
    result = ingest(session, inbound, received_at)
    if result.failed is not None:
        raise RuntimeError(f"ingest failed: {result.failed.error}")
    return result.message_id


def _sent_at(event: ChannelEvent) -> datetime | None:
    value = event.params.get("DateSent") if event.kind == "sms_log" else None
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    return (parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed).astimezone(UTC)


def _root_sid(session: Session, event: ChannelEvent) -> str:
    """The parent call's sid: a child leg's events (a recording on it carries no
    ParentCallSid itself) fold into their parent."""
    if event.parent_sid:
        return event.parent_sid
    parent = session.scalar(
        sa.select(ChannelEvent.parent_sid).where(
            ChannelEvent.channel == event.channel, ChannelEvent.sid == event.sid,
            ChannelEvent.parent_sid != "").limit(1)
    )
    return parent or event.sid


def _call_events(session: Session, root: str) -> list[ChannelEvent]:
    kinds = ChannelEvent.kind.in_(CALL_KINDS)
    legs = set(session.scalars(
        sa.select(ChannelEvent.sid).where(kinds, ChannelEvent.parent_sid == root)
    )) | {root}
    return list(session.scalars(
        sa.select(ChannelEvent)
        .where(kinds, sa.or_(ChannelEvent.sid.in_(legs), ChannelEvent.parent_sid == root))
        .order_by(ChannelEvent.id)
    ))


def _file_call(session: Session, events: Sequence[ChannelEvent], twilio: TwilioSettings,
               now: datetime) -> int | None:
    inbound = _call_inbound(events, twilio)
    if inbound is None:
        return None
    existing = session.scalar(sa.select(Message).where(
        Message.channel == inbound.channel, Message.external_id == inbound.external_id))
    if existing is None:
        result = ingest(session, inbound, now)
        if result.failed is not None:
            raise RuntimeError(f"ingest failed: {result.failed.error}")
        existing = result.message
        if existing is None:
            return result.message_id
    else:
        existing.text = inbound.text
        existing.extras = {**existing.extras, **inbound.extras}
        # A transcript that came with a later callback decides the language.
        cfg = session.info[CONFIG_KEY]
        existing.language = detect_language(new_text(inbound), cfg.languages) or existing.language
    if inbound.extras["needs_callback"]:
        thread = existing.thread
        if not thread.needs_reply:
            thread.needs_reply = True
            thread.sla_waiting_since = now
        thread.status = "open"
        track(thread, now)  # due from the thread's SLA policy (inbox.sla)
        record_pending(session)
    session.flush()
    return existing.id


def _call_inbound(events: Sequence[ChannelEvent], twilio: TwilioSettings) -> Inbound | None:
    """The call message from all its events; None while no status is known, or
    for a call between two of our numbers."""
    legs: dict[str, CallEvent] = {}
    started: dict[str, datetime] = {}  # from the call log, when the callbacks lack it
    recordings, transcripts = [], []
    for event in events:
        if event.kind in STATUS_KINDS:
            state = call_status(event.params)
            legs[state.call_sid] = merge_status(legs.get(state.call_sid), state)
            if event.kind == "call_log" and state.started_at is not None:
                started.setdefault(state.call_sid, state.started_at)
        elif event.kind in RECORDING_KINDS:
            recordings.append(recording(event.params))
        else:
            transcripts.append(transcription(event.params))
    if not legs:
        # A recording or transcript before any status callback: kept, and used
        # when the call's status arrives (its events are gathered again then).
        return None
    main = _main_leg(legs)
    if main.started_at is None and main.call_sid in started:
        main = dataclasses.replace(main, started_at=started[main.call_sid])
    if is_internal(main, twilio.numbers, twilio.default_region):
        return None
    done = [r for r in recordings if r.status in ("", "completed")]
    url = done[-1].url if done else None
    text = "\n\n".join(t.text for t in transcripts if t.status == "completed" and t.text)
    return call_inbound(
        main, our_numbers=twilio.numbers, region=twilio.default_region, transcript=text,
        recording_url=url, voicemail=any(r.voicemail for r in recordings),
        received_at=min(e.received_at for e in events),
    )


def _main_leg(legs: dict[str, CallEvent]) -> CallEvent:
    """The parent leg when its status is known, else a child leg (filed under
    the parent's sid through its ParentCallSid)."""
    parents = [leg for leg in legs.values() if not leg.parent_call_sid]
    if parents:
        return parents[0]
    return sorted(legs.values(), key=lambda leg: leg.call_sid)[0]
