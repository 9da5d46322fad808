"""A thread: one conversation with one customer about one matter."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claims.models import AccountIssue, Claim, Customer, Policy
from db import Base, IdMixin, utcnow

if TYPE_CHECKING:
    from inbox.models.messages import Message
    from inbox.models.users import User

THREAD_STATUSES = ("open", "pending", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
ISSUE_TYPES = ("claim", "renewal", "account_change", "complaint", "payment_delay", "other")


class Thread(IdMixin, Base):
    __tablename__ = "threads"
    __table_args__ = (
        # The queue: open work ordered by due time.
        sa.Index("ix_threads_queue", "status", "due_at"),
        sa.Index("ix_threads_customer_subject", "customer_id", "subject_key"),
        # Pending threads whose follow-up date has come back to the queue.
        sa.Index("ix_threads_follow_up", "status", "follow_up_at"),
        # The SLA sweep: threads with a warning or a breach due (inbox.sla).
        sa.Index("ix_threads_sla_next", "sla_next_at"),
        sa.CheckConstraint("status IN ('open', 'pending', 'closed')", name="thread_status"),
    )

    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(500), default="")
    # The subject without reply/forward prefixes, case-folded: the threading key.
    subject_key: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    priority: Mapped[str] = mapped_column(sa.String(16), default="normal")
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    claim_id: Mapped[int | None] = mapped_column(sa.ForeignKey("claims.id"), index=True)
    policy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("policies.id"))
    account_issue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account_issues.id"))
    issue_type: Mapped[str | None] = mapped_column(sa.String(20))
    language: Mapped[str | None] = mapped_column(sa.String(8))
    # True while a customer message waits for an answer from us.
    needs_reply: Mapped[bool] = mapped_column(default=False)
    due_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    last_message_at: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime | None]
    # Set pending until then: the thread comes back to the queue at this time
    # unless the customer writes first.
    follow_up_at: Mapped[datetime | None]
    # A thread merged into another keeps its id (old links, audit) and points
    # at the thread that now holds its messages.
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("threads.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # -- SLA (inbox.sla): the facts the clocks run on, and what they say --------
    # The channel of the first customer message: a policy condition.
    origin_channel: Mapped[str | None] = mapped_column(sa.String(16))
    sla_policy_key: Mapped[str | None] = mapped_column(sa.String(64))
    # The first customer message of this cycle (reopening after close starts
    # another): the resolution clock's start.
    sla_started_at: Mapped[datetime | None]
    # The first customer message not answered yet (while needs_reply).
    sla_waiting_since: Mapped[datetime | None]
    # Pending (waiting on the customer) since; earlier pending intervals of
    # this cycle as [[start, end], ...] ISO times.
    sla_paused_at: Mapped[datetime | None]
    sla_pauses: Mapped[list[Any]] = mapped_column(default=list)
    # A follow-up that came back: due then, whatever the targets say.
    sla_remind_at: Mapped[datetime | None]
    first_response_due_at: Mapped[datetime | None]
    next_response_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    # When the sweep must look at it next (a warning or a breach); None: never.
    sla_next_at: Mapped[datetime | None]
    # none | ok | warning | breached | paused, as of the last event or sweep.
    sla_state: Mapped[str] = mapped_column(sa.String(16), default="none")

    customer: Mapped[Customer] = relationship()
    claim: Mapped[Claim | None] = relationship()
    policy: Mapped[Policy | None] = relationship()
    account_issue: Mapped[AccountIssue | None] = relationship()
    assignee: Mapped[User | None] = relationship()
    messages: Mapped[list[Message]] = relationship(
        back_populates="thread", order_by="Message.received_at"
    )

    def __repr__(self) -> str:
        return f"<Thread {self.id} c={self.customer_id} {self.subject_key!r}>"
