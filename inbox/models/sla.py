"""SLA policies as kept (admin-editable, also upserted from ``[sla]`` in the
config) and what happened to each target (``sla_events``, which the
dashboard reads)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, IdMixin

SLA_EVENT_KINDS = ("warning", "breach", "met")


class SlaPolicy(IdMixin, Base):
    __tablename__ = "sla_policies"

    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # Tried in ascending order; the default policy (no conditions) is last.
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # {"channel": [...], "issue_type": [...], "priority": [...], "segment": [...]}
    conditions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # {target name: seconds}
    targets: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # {"kind": "calendar"} or {"timezone", "hours": {"mon": ["09:00-17:00"]}, "holidays"}
    calendar: Mapped[dict[str, Any]] = mapped_column(default=dict)
    warn_at: Mapped[float] = mapped_column(sa.Float, default=0.8)
    on_breach: Mapped[str] = mapped_column(sa.String(16), default="reassign")
    # "config" while it is as the [sla] section says; "admin" once edited on
    # /admin/sla (the config then no longer overwrites it).
    source: Mapped[str] = mapped_column(sa.String(16), default="config")
    updated_at: Mapped[datetime]
    updated_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class SlaEvent(IdMixin, Base):
    """One warning, breach or target met. Contract with the dashboard:
    ``target`` is first_response | next_response | resolution or a claim
    target (claim_acknowledgement | claim_decision | claim_status); each
    (thread, target, kind, due time) happens once."""

    __tablename__ = "sla_events"
    __table_args__ = (
        sa.UniqueConstraint("thread_id", "target", "kind", "due_at"),
        sa.Index("ix_sla_events_at", "at"),
        sa.CheckConstraint("kind IN ('warning', 'breach', 'met')", name="sla_event_kind"),
    )

    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id"))
    claim_id: Mapped[int | None] = mapped_column(sa.ForeignKey("claims.id"))
    policy_key: Mapped[str] = mapped_column(sa.String(64))
    target: Mapped[str] = mapped_column(sa.String(32))
    kind: Mapped[str] = mapped_column(sa.String(16))
    due_at: Mapped[datetime]
    at: Mapped[datetime]
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    team: Mapped[str] = mapped_column(sa.String(64), default="")
