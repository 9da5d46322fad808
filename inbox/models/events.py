"""Raw channel events (Twilio webhooks): stored exactly as posted before any
processing, so a filing that fails loses nothing and can run again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, IdMixin

EVENT_KINDS = ("call_status", "recording", "transcription", "sms")


class ChannelEvent(IdMixin, Base):
    __tablename__ = "channel_events"
    __table_args__ = (
        # An exact replay of a webhook stores nothing new.
        sa.UniqueConstraint("dedupe_key"),
        # All events of one call (and of its child legs) are gathered to file it.
        sa.Index("ix_channel_events_sid", "channel", "sid"),
        sa.Index("ix_channel_events_parent_sid", "channel", "parent_sid"),
        sa.Index("ix_channel_events_pending", "processed_at", "received_at"),
    )

    channel: Mapped[str] = mapped_column(sa.String(16))
    kind: Mapped[str] = mapped_column(sa.String(20))
    # CallSid or MessageSid; parent_sid is the ParentCallSid of a child leg.
    sid: Mapped[str] = mapped_column(sa.String(64))
    parent_sid: Mapped[str] = mapped_column(sa.String(64), default="")
    # The posted form as a flat dict, exactly as received.
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    dedupe_key: Mapped[str] = mapped_column(sa.String(64))
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(sa.Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<ChannelEvent {self.id} {self.channel}:{self.kind} {self.sid}>"


def dedupe_key(channel: str, kind: str, items: Iterable[tuple[str, str]]) -> str:
    """sha256 of the channel, the kind and every posted (name, value), sorted."""
    payload = json.dumps([channel, kind, sorted(items)], separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()
