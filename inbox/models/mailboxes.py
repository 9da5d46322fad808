"""Sync state per mailbox and folder: where the IMAP cursor stands, and how the
last sync went (shown to admins; read by the readiness check)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, IdMixin

SYNC_STATUSES = ("new", "ok", "error", "auth_failed")


class MailboxState(IdMixin, Base):
    __tablename__ = "mailbox_states"
    __table_args__ = (sa.UniqueConstraint("mailbox", "folder"),)

    mailbox: Mapped[str] = mapped_column(sa.String(64))
    folder: Mapped[str] = mapped_column(sa.String(300))
    uidvalidity: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The highest UID whose mail is stored (filed or kept as failed intake).
    last_uid: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    highestmodseq: Mapped[int | None] = mapped_column(sa.BigInteger)
    status: Mapped[str] = mapped_column(sa.String(16), default="new")
    error: Mapped[str] = mapped_column(sa.Text, default="")
    last_attempt_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    messages_synced: Mapped[int] = mapped_column(sa.BigInteger, default=0)
