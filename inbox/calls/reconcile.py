"""Twilio reconciliation: calls, recordings and inbound SMS whose webhooks were
lost still appear (called by ``inbox sync calls`` and the periodic job
:func:`inbox.jobs.twilio.reconcile_twilio`; only flushes).

Each record listed through the REST API is stored as a :class:`ChannelEvent`
(``call_log``, ``recording_log``, ``sms_log``) with the parameter names the
webhooks use, so the stored-event pipeline files it: a call log merges with the
status callbacks of the same call (:func:`~channels.twilio.webhooks.merge_status`),
a listed SMS is filed exactly once on its MessageSid whether the webhook or the
listing came first. A record listed again unchanged has the same dedupe key and
stores nothing, so the overlap of consecutive listings is harmless.

The watermark (per account, :class:`TwilioSyncState`) is where the next listing
starts, minus :data:`OVERLAP`; it moves to ``now`` only after every list was
read to its last page and the records stored. When Twilio fails, what was
stored is kept (and filed), the error is recorded and the watermark stays.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from channels.twilio.rest import TwilioError, list_calls, list_messages, list_recordings
from inbox.calls.events import record_event
from inbox.calls.filing import FilingReport, file_events
from inbox.models.twilio_sync import TwilioSyncState

if TYPE_CHECKING:
    from twilio.rest import Client

    from config.twilio import TwilioSettings

log = logging.getLogger(__name__)

# Each listing starts this long before the watermark: records that appeared late
# in Twilio's logs, or changed (a call that was in progress), are seen again.
OVERLAP = timedelta(hours=1)
# Without a watermark (first run) and no --since: this far back.
FIRST_LOOKBACK = timedelta(days=1)


@dataclass
class ReconcileReport:
    since: datetime
    listed: dict[str, int] = field(default_factory=dict)  # kind -> records listed
    stored: dict[str, int] = field(default_factory=dict)  # kind -> new events stored
    filing: FilingReport = field(default_factory=FilingReport)
    error: str = ""  # Twilio's error when the run stopped early
    watermark: datetime | None = None  # after the run

    @property
    def ok(self) -> bool:
        return not self.error and not self.filing.failed

    def summary(self) -> str:
        kinds = ("call_log", "recording_log", "sms_log")
        parts = [f"{k.removesuffix('_log')}s {self.listed.get(k, 0)} listed, "
                 f"{self.stored.get(k, 0)} new" for k in kinds]
        text = (f"since {self.since.isoformat()}: {'; '.join(parts)}; "
                f"{len(self.filing.messages)} messages filed or updated, "
                f"{len(self.filing.failed)} events failed")
        return f"{text}; ERROR {self.error}" if self.error else text


def state_of(session: Session, account_sid: str) -> TwilioSyncState:
    state = session.scalar(
        sa.select(TwilioSyncState).where(TwilioSyncState.account_sid == account_sid))
    if state is None:
        state = TwilioSyncState(account_sid=account_sid, status="new", error="")
        session.add(state)
        session.flush()
    return state


def since_for(session: Session, account_sid: str, now: datetime, *,
              overlap: timedelta = OVERLAP, first: timedelta = FIRST_LOOKBACK) -> datetime:
    """Where the next listing starts: the watermark minus ``overlap``."""
    state = state_of(session, account_sid)
    if state.watermark is None:
        return now - first
    return state.watermark - overlap


def reconcile(session: Session, twilio_settings: TwilioSettings, client: Client, *,
              since: datetime, now: datetime) -> ReconcileReport:
    """List calls, recordings and inbound messages from ``since``, store each as
    an event (new ones only), file the new events, then move the watermark."""
    if since.tzinfo is None:
        raise ValueError("since must be timezone-aware")
    report = ReconcileReport(since=since)
    state = state_of(session, twilio_settings.account_sid)
    state.last_attempt_at = now
    new_ids: list[int] = []
    lists: list[tuple[str, Iterable[Any], Any]] = [
        ("call_log", list_calls(client, since), call_params),
        ("recording_log", list_recordings(client, since),
         lambda r: recording_params(r, twilio_settings.api_base_url)),
        ("sms_log", list_messages(client, since), message_params),
    ]
    try:
        for kind, records, to_params in lists:
            report.listed[kind] = report.stored[kind] = 0
            for record in records:
                report.listed[kind] += 1
                params = to_params(record)
                if params is None:  # an outbound message: not ours to file
                    continue
                event, new = record_event(session, kind, params.items(), now)
                if new:
                    report.stored[kind] += 1
                    new_ids.append(event.id)
    except TwilioError as exc:
        report.error = str(exc)
        state.status, state.error = "error", report.error[:2000]
        log.warning("twilio reconciliation stopped: %s", report.error)
    else:
        if state.watermark is None or now > state.watermark:
            state.watermark = now
        state.status, state.error, state.last_success_at = "ok", "", now
    session.flush()
    if new_ids:
        report.filing = file_events(session, new_ids, twilio_settings, now)
    report.watermark = state.watermark
    return report


# -- records as webhook-shaped parameters -------------------------------------------


def call_params(record: Any) -> dict[str, str]:
    """A call-log record with the status callback's names (``Timestamp`` is the
    end of a finished call, so ``CallDuration`` before it is its start)."""
    start, end = _aware(record.start_time), _aware(record.end_time)
    return _clean({
        "CallSid": record.sid, "ParentCallSid": record.parent_call_sid,
        "AccountSid": record.account_sid, "From": record._from, "To": record.to,
        "Direction": record.direction, "CallStatus": record.status,
        "CallDuration": record.duration, "Timestamp": _rfc2822(end or start),
        "StartTime": _rfc2822(start), "EndTime": _rfc2822(end),
        "AnsweredBy": record.answered_by, "CallerName": record.caller_name,
    })


def recording_params(record: Any, api_base_url: str) -> dict[str, str]:
    """A recording with the recording callback's names; ``RecordingUrl`` without
    extension, as Twilio posts it."""
    uri = str(record.uri or "").removesuffix(".json")
    return _clean({
        "CallSid": record.call_sid, "RecordingSid": record.sid,
        "AccountSid": record.account_sid,
        "RecordingUrl": f"{api_base_url.rstrip('/')}{uri}" if uri else "",
        "RecordingStatus": record.status, "RecordingDuration": record.duration,
        "RecordingSource": record.source, "RecordingChannels": record.channels,
        "RecordingStartTime": _rfc2822(_aware(record.start_time or record.date_created)),
    })


def message_params(record: Any) -> dict[str, str] | None:
    """An inbound message with the SMS webhook's names; None for outbound ones."""
    if str(record.direction or "") != "inbound":
        return None
    return _clean({
        "MessageSid": record.sid, "SmsSid": record.sid, "AccountSid": record.account_sid,
        "From": record.from_, "To": record.to, "Body": record.body,
        "NumMedia": record.num_media, "NumSegments": record.num_segments,
        "SmsStatus": record.status, "DateSent": _rfc2822(_aware(record.date_sent)),
    })


def _clean(values: dict[str, Any]) -> dict[str, str]:
    """Flat strings; absent values left out (as a webhook leaves them out)."""
    out: dict[str, str] = {}
    for key, value in values.items():
        if value is None or value == "":
            continue
        out[key] = str(getattr(value, "value", value))  # SDK enums -> their value
    return out


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _rfc2822(value: datetime | None) -> str:
    return format_datetime(value, usegmt=False) if value is not None else ""
