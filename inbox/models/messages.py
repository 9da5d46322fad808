"""Messages on any channel, and their attachments (bytes on disk, by sha256)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claims.models import Customer
from db import Base, IdMixin, utcnow
from inbox.models.text_search import search_vector
from inbox.models.threads import Thread

DIRECTIONS = ("inbound", "outbound", "note")


class Message(IdMixin, Base):
    __tablename__ = "messages"
    __table_args__ = (
        # Exactly once: the same mail, webhook or scan is filed a single time.
        sa.UniqueConstraint("channel", "external_id"),
        sa.Index("ix_messages_thread_received", "thread_id", "received_at"),
        # The queue's channel filter: an index-only EXISTS per thread (0011).
        sa.Index("ix_messages_thread_channel", "thread_id", "channel"),
        # Threading looks messages up by Message-ID whatever the channel.
        sa.Index("ix_messages_external_id", "external_id"),
        sa.CheckConstraint(
            "direction IN ('inbound', 'outbound', 'note')", name="message_direction"
        ),
    )

    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id"))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(16))
    direction: Mapped[str] = mapped_column(sa.String(16), default="inbound")
    # For email, the Message-ID without angle brackets (synthetic when absent).
    external_id: Mapped[str] = mapped_column(sa.String(500))
    sender: Mapped[str] = mapped_column(sa.String(320), default="")
    sender_name: Mapped[str] = mapped_column(sa.String(200), default="")
    recipient: Mapped[str] = mapped_column(sa.String(320), default="")
    subject: Mapped[str] = mapped_column(sa.String(500), default="")
    text: Mapped[str] = mapped_column(sa.Text, default="")
    html: Mapped[str] = mapped_column(sa.Text, default="")
    language: Mapped[str | None] = mapped_column(sa.String(8))
    received_at: Mapped[datetime]
    # Auto-replies, out-of-office, bounces: kept, never asking for a reply.
    auto: Mapped[bool] = mapped_column(default=False)
    # sha256 of the raw input in the blob store.
    raw_ref: Mapped[str | None] = mapped_column(sa.String(64))
    # When the raw input was removed by the retention policy (raw_ref is then
    # empty; the parsed message stays).
    raw_removed_at: Mapped[datetime | None]
    in_reply_to: Mapped[str | None] = mapped_column(sa.String(500))
    references: Mapped[list[str]] = mapped_column(default=list)
    extras: Mapped[dict[str, Any]] = mapped_column(default=dict)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    thread: Mapped[Thread] = relationship(back_populates="messages")
    customer: Mapped[Customer] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="message", order_by="Attachment.id"
    )

    def __repr__(self) -> str:
        return f"<Message {self.id} {self.channel}:{self.external_id}>"


# Full-text search (inbox.workspace.search): GIN over the message's document in
# its language's configuration. PostgreSQL only; SQLite searches with LIKE.
sa.Index(
    "ix_messages_search",
    search_vector(Message.language, Message.subject, Message.text),
    postgresql_using="gin",
).ddl_if(dialect="postgresql")


class Attachment(IdMixin, Base):
    __tablename__ = "attachments"

    message_id: Mapped[int] = mapped_column(sa.ForeignKey("messages.id"), index=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    filename: Mapped[str] = mapped_column(sa.String(300), default="")
    content_type: Mapped[str] = mapped_column(sa.String(200), default="application/octet-stream")
    size: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    content_id: Mapped[str | None] = mapped_column(sa.String(300))
    inline: Mapped[bool] = mapped_column(default=False)
    # When the file was removed by the retention policy (the row stays, so the
    # thread says so instead of showing a broken link).
    removed_at: Mapped[datetime | None]

    message: Mapped[Message] = relationship(back_populates="attachments")
