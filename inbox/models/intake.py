"""Input that could not be filed: kept with its raw form and the error, for retry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, IdMixin

INTAKE_STATUSES = ("failed", "retried", "discarded")


class FailedIntake(IdMixin, Base):
    __tablename__ = "failed_intakes"
    __table_args__ = (sa.Index("ix_failed_intakes_status", "status", "created_at"),)

    channel: Mapped[str] = mapped_column(sa.String(16))
    external_id: Mapped[str] = mapped_column(sa.String(500), default="")
    # sha256 of the raw input in the blob store (the .eml, the form, the scan).
    raw_ref: Mapped[str | None] = mapped_column(sa.String(64))
    # The normalized Inbound when there was one (JSON), so a retry needs no adapter.
    inbound: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # A short, user-readable reason; ``detail`` keeps the traceback.
    error: Mapped[str] = mapped_column(sa.Text)
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(16), default="failed")
    attempts: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
