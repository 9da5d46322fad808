"""Storing a Twilio webhook as a :class:`ChannelEvent`, exactly once per form."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channels.twilio.webhooks import WebhookError
from inbox.models.events import EVENT_KINDS, ChannelEvent, dedupe_key

CHANNEL = "twilio"
# Records listed from the REST API by reconciliation (inbox.calls.reconcile),
# stored with the webhooks' parameter names so filing reads them the same way.
LOG_KINDS = ("call_log", "recording_log", "sms_log")
SMS_KINDS = ("sms", "sms_log")
KINDS = EVENT_KINDS + LOG_KINDS


def sid_of(kind: str, params: dict[str, str]) -> str:
    """The CallSid (MessageSid for SMS) an event belongs to; raises WebhookError."""
    keys = ("MessageSid", "SmsSid") if kind in SMS_KINDS else ("CallSid",)
    for key in keys:
        value = (params.get(key) or "").strip()
        if value:
            return value[:64]
    raise WebhookError(f"{keys[0]}: missing")


def record_event(
    session: Session, kind: str, items: Iterable[tuple[str, str]], now: datetime
) -> tuple[ChannelEvent, bool]:
    """Store a posted form (every ``(name, value)``, repeats included); returns the
    event and whether it is new. An exact replay returns the stored one. Flushes only."""
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    pairs = list(items)
    params: dict[str, str] = {}
    for name, value in pairs:
        params.setdefault(name, value)
    sid = sid_of(kind, params)
    key = dedupe_key(CHANNEL, kind, pairs)
    existing = _by_key(session, key)
    if existing is not None:
        return existing, False
    event = ChannelEvent(
        channel=CHANNEL, kind=kind, sid=sid,
        parent_sid="" if kind in SMS_KINDS else (params.get("ParentCallSid") or "").strip()[:64],
        params=params, dedupe_key=key, received_at=now, processed_at=None, error="",
        attempts=0,
    )
    try:
        with session.begin_nested():
            session.add(event)
    except IntegrityError:  # the same form stored concurrently
        found = _by_key(session, key)
        if found is None:
            raise
        return found, False
    return event, True


def _by_key(session: Session, key: str) -> ChannelEvent | None:
    return session.scalar(sa.select(ChannelEvent).where(ChannelEvent.dedupe_key == key))
