"""Storing a Twilio webhook as a :class:`ChannelEvent`, exactly once per form."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
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


@dataclass(frozen=True)
class StoredEvent:
    """What a caller needs of a stored event (no ORM object is loaded)."""

    id: int
    processed_at: datetime | None


def record_event(
    session: Session, kind: str, items: Iterable[tuple[str, str]], now: datetime
) -> tuple[StoredEvent, bool]:
    """Store a posted form (every ``(name, value)``, repeats included); returns the
    event and whether it is new. An exact replay returns the stored one.

    One statement on the hot path of every webhook: ``INSERT ... ON CONFLICT
    (dedupe_key) DO NOTHING RETURNING id`` (PostgreSQL and SQLite alike), so a
    replay, even a concurrent one, needs neither a look-up first nor a SAVEPOINT."""
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    pairs = list(items)
    params: dict[str, str] = {}
    for name, value in pairs:
        params.setdefault(name, value)
    sid = sid_of(kind, params)
    key = dedupe_key(CHANNEL, kind, pairs)
    table = ChannelEvent.__table__
    postgres = session.get_bind().dialect.name == "postgresql"
    parent = "" if kind in SMS_KINDS else (params.get("ParentCallSid") or "").strip()[:64]
    statement = (
        (postgresql.insert(ChannelEvent) if postgres else sqlite.insert(ChannelEvent))
        .values(
            channel=CHANNEL, kind=kind, sid=sid, parent_sid=parent,
            params=params, dedupe_key=key, received_at=now, processed_at=None, error="",
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(table.c.id)
    )
    new_id = session.execute(statement).scalar()
    if new_id is not None:
        return StoredEvent(new_id, None), True
    found = session.execute(
        sa.select(table.c.id, table.c.processed_at).where(table.c.dedupe_key == key)
    ).one()
    return StoredEvent(found.id, found.processed_at), False
