"""One audit event for every change of state: who, what, when, why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, IdMixin


class AuditEvent(IdMixin, Base):
    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_entity", "entity_type", "entity_id", "at"),)

    at: Mapped[datetime]
    # None: the system (ingest, a job); otherwise the user.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    entity_type: Mapped[str] = mapped_column(sa.String(32))
    entity_id: Mapped[int]
    action: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
