"""Twilio reconciliation state per account: the watermark the next listing of
call logs, recordings and messages starts from (minus an overlap), and how the
last run went."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, IdMixin


class TwilioSyncState(IdMixin, Base):
    __tablename__ = "twilio_sync_states"
    __table_args__ = (sa.UniqueConstraint("account_sid"),)

    account_sid: Mapped[str] = mapped_column(sa.String(34))
    # Every record at or after this time (minus the overlap) is listed next time;
    # moved only once the records of a run are stored.
    watermark: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(sa.String(16), default="new")  # new | ok | error
    error: Mapped[str] = mapped_column(sa.Text, default="")
    last_attempt_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
