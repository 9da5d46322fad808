"""Replies on their way out. A reply becomes a message in the thread only once
the channel accepted it; until then it waits here, visible on the thread with
its delivery state, and a job retries failed sends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, IdMixin

OUTBOUND_STATUSES = ("pending", "sent", "failed", "cancelled")


class OutboundMessage(IdMixin, Base):
    __tablename__ = "outbound_messages"
    __table_args__ = (
        sa.Index("ix_outbound_messages_status", "status", "created_at"),
        sa.UniqueConstraint("channel", "external_id"),
    )

    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(16))
    # Chosen before the first attempt (the email Message-ID), so a resend after
    # a crash carries the same id and the reply is recognised when answered.
    external_id: Mapped[str] = mapped_column(sa.String(500))
    # Which configured mailbox / number sends it.
    sender: Mapped[str] = mapped_column(sa.String(320), default="")
    recipient: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.String(500), default="")
    text: Mapped[str] = mapped_column(sa.Text, default="")
    html: Mapped[str] = mapped_column(sa.Text, default="")
    language: Mapped[str | None] = mapped_column(sa.String(8))
    in_reply_to: Mapped[str | None] = mapped_column(sa.String(500))
    references: Mapped[list[str]] = mapped_column(default=list)
    # Attachment sha256s in the blob store, with names and types.
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    extras: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The thread message created when the channel accepted it.
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("messages.id"))
    created_at: Mapped[datetime]
    # Send later: the sender leaves a pending reply alone until then.
    send_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
