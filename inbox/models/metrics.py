"""The dashboard's facts: one row per answer to a customer, one row per thread.

Written on events (a reply filed, a message filed, a thread closed, reopened,
merged or split) by :mod:`inbox.metrics.facts`, so the dashboard never reads
messages. They are derived data, rebuilt by ``inbox dashboard rebuild``: no
foreign keys (a merge, a bulk load or a test's clean-up need not know them),
only the ids of the thread, messages and users they were derived from.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, IdMixin
from inbox.models.sla import SlaEvent


class ResponseFact(IdMixin, Base):
    """We answered a customer: the answer (an outbound message that is not
    automatic; a call logged by hand only when it reached them) and the
    earliest customer message it answered (the first one since our previous
    answer). ``first``: the thread's first such answer."""

    __tablename__ = "response_facts"
    __table_args__ = (
        sa.UniqueConstraint("answer_message_id"),
        # The dashboard reads a range of days of answers: covering on
        # PostgreSQL, so that is an index-only scan.
        sa.Index("ix_response_facts_responded_at", "responded_at",
                 postgresql_include=["seconds", "first", "channel", "team", "rep_id"]),
    )

    thread_id: Mapped[int] = mapped_column(index=True)
    answer_message_id: Mapped[int]
    customer_message_id: Mapped[int]
    # The channel of the customer message answered (the one the customer used).
    channel: Mapped[str] = mapped_column(sa.String(16))
    reply_channel: Mapped[str] = mapped_column(sa.String(16))
    # Who answered (the answer's author; none for a call filed from the phone system).
    rep_id: Mapped[int | None]
    team: Mapped[str] = mapped_column(sa.String(64), default="")
    customer_at: Mapped[datetime]
    responded_at: Mapped[datetime]
    seconds: Mapped[int] = mapped_column(sa.BigInteger)
    first: Mapped[bool] = mapped_column(default=False)


class ThreadFact(IdMixin, Base):
    """A thread's opening (its first message that is not a note) and, while it
    is closed, its closing: resolution time is ``closed_at - opened_at``."""

    __tablename__ = "thread_facts"
    __table_args__ = (
        sa.UniqueConstraint("thread_id"),
        # A range of days of closings (covering on PostgreSQL).
        sa.Index("ix_thread_facts_closed_at", "closed_at",
                 postgresql_include=["seconds", "channel", "team", "rep_id"]),
        # The live backlog joins the open threads' facts (closed_at is empty
        # exactly while a thread is not resolved): a small index-only scan.
        sa.Index("ix_thread_facts_open", "thread_id",
                 postgresql_include=["channel", "opened_at"],
                 postgresql_where=sa.text("closed_at IS NULL")),
    )

    thread_id: Mapped[int]
    # The channel of the thread's first message.
    channel: Mapped[str] = mapped_column(sa.String(16))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    seconds: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Whoever closed it (the assignee when no person is named).
    rep_id: Mapped[int | None]
    team: Mapped[str] = mapped_column(sa.String(64), default="")


# The dashboard counts SLA targets by their due time (inbox.metrics.sla): the
# engine's table (inbox.models.sla) gets this index from the dashboard's
# revision (0013), declared beside the other tables that revision makes;
# covering on PostgreSQL (an index-only scan of the range).
sa.Index("ix_sla_events_due_at", SlaEvent.due_at,
         postgresql_include=["target", "kind", "team", "assignee_id", "thread_id"])
