"""Twilio jobs: filing the webhook events the web app stored, and the periodic
reconciliation that lists what the webhooks missed."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from rq import Retry
from sqlalchemy.orm import Session

from inbox.database import Database
from inbox.jobs.base import enqueue_after_commit, job


class EventsNotFiledError(RuntimeError):
    """Some events could not be filed; they keep their error and RQ retries the job."""


@job("intake", timeout=300, retry=Retry(max=3, interval=[30, 120, 600]), transaction=False)
def file_twilio_events(db: Database, ids: list[int]) -> dict[str, list[int]]:
    """File these stored events (see :mod:`inbox.calls.filing`). Safe to run
    twice: processed events are skipped and a call is rebuilt from all its events.

    What was filed is committed first; when an event failed (its error is kept on
    it), the job then raises so RQ runs it again later with the same ids."""
    from inbox.calls.filing import file_events

    twilio = current_app.config["SETTINGS"].twilio
    if twilio is None:
        raise RuntimeError("twilio is not configured ([twilio] in the config)")
    with db.transaction() as session:
        report = file_events(session, [int(i) for i in dict.fromkeys(ids)], twilio,
                             datetime.now(UTC))
    if report.failed:
        raise EventsNotFiledError(f"twilio events not filed: {sorted(report.failed)}")
    return {"filed": report.filed, "messages": report.messages}


@job("scheduled", timeout=300, retry=Retry(max=2, interval=[10, 60]))
def file_pending_twilio_events(session: Session) -> int:
    """Periodic: queue the filing of events no job has filed (a job lost when
    Redis was down, an event that failed before). Returns how many."""
    from inbox.calls.filing import pending_event_ids

    if current_app.config["SETTINGS"].twilio is None:
        return 0
    ids = pending_event_ids(session)
    for start in range(0, len(ids), 100):
        enqueue_after_commit(session, file_twilio_events, ids[start:start + 100])
    return len(ids)


@job("scheduled", timeout=600, retry=Retry(max=2, interval=[10, 60]))
def reconcile_twilio(session: Session) -> dict[str, object]:
    """Periodic: list Twilio's calls, recordings and inbound SMS since the
    watermark (minus the overlap) and file those whose webhooks were lost (see
    :mod:`inbox.calls.reconcile`). Safe to run twice: a record listed again
    stores nothing new. When Twilio fails, the error is kept on the sync state,
    the watermark stays, and the next run lists the same window again."""
    from channels.twilio.rest import connect
    from inbox.calls.reconcile import reconcile, since_for

    twilio = current_app.config["SETTINGS"].twilio
    if twilio is None:
        return {"skipped": "twilio is not configured"}
    now = datetime.now(UTC)
    since = since_for(session, twilio.account_sid, now)
    with connect(twilio) as client:
        report = reconcile(session, twilio, client, since=since, now=now)
    return {"since": report.since.isoformat(), "listed": report.listed,
            "stored": report.stored, "messages": report.filing.messages,
            "failed": sorted(report.filing.failed), "error": report.error}


@job("outbound", timeout=300, retry=Retry(max=5, interval=[30, 120, 600, 1800, 3600]),
     transaction=False)
def send_sms_reply(db: Database, outbound_id: int) -> str:
    """Send one queued SMS reply (see :func:`inbox.calls.outbound.send_queued_sms`).
    Twilio unreachable raises, so RQ retries it; a refusal is recorded on the
    reply, visible on the thread, and not retried."""
    from inbox.calls.outbound import send_queued_sms

    return send_queued_sms(db, current_app.config["SETTINGS"], outbound_id)


class MediaNotFetchedError(RuntimeError):
    """Twilio was unavailable for some media; what was fetched is stored and RQ
    retries the job (the media already stored is not fetched again)."""


@job("intake", timeout=600, retry=Retry(max=5, interval=[30, 120, 600, 1800, 3600]),
     transaction=False)
def fetch_twilio_media(db: Database, message_ids: list[int]) -> dict[str, int]:
    """Fetch the recordings / MMS media of these call and SMS messages into the
    attachment store (see :mod:`inbox.calls.media`). Safe to run twice. Network
    I/O runs outside any transaction. A refusal (404, too large, a URL not on
    Twilio's host) is recorded on the message and not retried; Twilio
    unavailable makes the job raise once every message was tried, so RQ retries."""
    from channels.twilio.rest import TwilioUnavailable
    from inbox.calls.media import fetch_message_media

    twilio = current_app.config["SETTINGS"].twilio
    if twilio is None:
        raise RuntimeError("twilio is not configured ([twilio] in the config)")
    added: dict[str, int] = {}
    unavailable: list[int] = []
    for message_id in dict.fromkeys(int(i) for i in message_ids):
        try:
            added[str(message_id)] = fetch_message_media(db, twilio, message_id)
        except TwilioUnavailable:
            unavailable.append(message_id)
    if unavailable:
        raise MediaNotFetchedError(f"twilio media not fetched (unavailable): {unavailable}")
    return added
