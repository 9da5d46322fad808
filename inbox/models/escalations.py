"""Work handed up to a supervisor, and what users are told."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claims.models import AccountIssue, Claim
from db import Base, IdMixin
from inbox.models.threads import Thread
from inbox.models.users import User

ESCALATION_STATUSES = ("open", "decided", "withdrawn")


class Escalation(IdMixin, Base):
    """A claim (or account issue, or overdue thread) waiting for a
    supervisor's decision: who raised it and why, who decides, what they
    decided and why."""

    __tablename__ = "escalations"
    __table_args__ = (
        sa.Index("ix_escalations_queue", "supervisor_id", "status", "created_at"),
        sa.CheckConstraint("status IN ('open', 'decided', 'withdrawn')",
                           name="escalation_status"),
    )

    claim_id: Mapped[int | None] = mapped_column(sa.ForeignKey("claims.id"), index=True)
    account_issue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account_issues.id"))
    thread_id: Mapped[int | None] = mapped_column(sa.ForeignKey("threads.id"))
    # "rep" (asked by a person), "authority" (an approval above the limit),
    # "sla" (overdue work).
    source: Mapped[str] = mapped_column(sa.String(16), default="rep")
    raised_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    supervisor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    team: Mapped[str] = mapped_column(sa.String(64), default="")
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    decision: Mapped[str] = mapped_column(sa.String(32), default="")
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]

    claim: Mapped[Claim | None] = relationship()
    account_issue: Mapped[AccountIssue | None] = relationship()
    thread: Mapped[Thread | None] = relationship()
    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id])
    raiser: Mapped[User | None] = relationship(foreign_keys=[raised_by])


class Notification(IdMixin, Base):
    """Something a user should see in the app (and may be mailed)."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user", "user_id", "read_at", "created_at"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    text: Mapped[str] = mapped_column(sa.Text)
    thread_id: Mapped[int | None] = mapped_column(sa.ForeignKey("threads.id"))
    claim_id: Mapped[int | None] = mapped_column(sa.ForeignKey("claims.id"))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
