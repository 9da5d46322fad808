"""The unified queue: every thread needing action, whatever its channels,
ordered by due time; filters, saved views, and take-next assignment.

:func:`take_next` gives a rep the most urgent unassigned open thread in one
statement (an UPDATE whose target is chosen by a sub-select ``FOR UPDATE SKIP
LOCKED`` on PostgreSQL; SQLite serialises writers): two reps asking at the
same moment never get the same thread.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from inbox import audit
from inbox.models import Escalation, Message, Thread, User

VIEWS = ("all", "mine", "unassigned", "overdue", "escalated")
CHANNELS = ("email", "call", "sms", "letter", "portal")
STATUSES = ("open", "pending", "closed")
PAGE_SIZE = 50
# The queue page counts its total exactly up to this many threads past the
# page's offset, then shows "1,000+": counting tens of thousands of open
# threads (each with an EXISTS over messages for a channel filter) cost more
# than the page itself (bench/queue.py).
COUNT_LIMIT = 1000


@dataclass(frozen=True)
class QueueFilter:
    view: str = "all"
    channel: str | None = None
    issue_type: str | None = None
    status: str = "open"
    assignee_id: int | None = None
    team: str | None = None
    language: str | None = None

    @classmethod
    def parse(cls, args: dict[str, str]) -> QueueFilter:
        """From query parameters; unknown values are ignored, not errors."""
        def pick(key: str, options: tuple[str, ...]) -> str | None:
            value = (args.get(key) or "").strip().lower()
            return value if value in options else None

        assignee = (args.get("assignee") or "").strip()
        return cls(
            view=pick("view", VIEWS) or "all",
            channel=pick("channel", CHANNELS),
            issue_type=(args.get("issue_type") or "").strip().lower() or None,
            status=pick("status", STATUSES) or "open",
            assignee_id=int(assignee) if assignee.isdigit() else None,
            team=(args.get("team") or "").strip() or None,
            language=(args.get("language") or "").strip().lower() or None,
        )


@dataclass(frozen=True)
class QueueRow:
    thread: Thread
    channels: tuple[str, ...]
    overdue: bool


def queue_select(f: QueueFilter, me: int, now: datetime) -> sa.Select[Any]:
    query = sa.select(Thread).where(Thread.status == f.status)
    if f.view == "mine":
        query = query.where(Thread.assignee_id == me)
    elif f.view == "unassigned":
        query = query.where(Thread.assignee_id.is_(None))
    elif f.view == "overdue":
        query = query.where(Thread.due_at < now)
    elif f.view == "escalated":
        query = query.where(sa.exists().where(
            Escalation.thread_id == Thread.id, Escalation.status == "open",
            Escalation.supervisor_id == me))
    if f.channel:
        query = query.where(sa.exists().where(Message.thread_id == Thread.id,
                                              Message.channel == f.channel))
    if f.issue_type:
        query = query.where(Thread.issue_type == f.issue_type)
    if f.assignee_id is not None:
        query = query.where(Thread.assignee_id == f.assignee_id)
    if f.team:
        query = query.where(Thread.assignee_id.in_(sa.select(User.id).where(User.team == f.team)))
    if f.language:
        query = query.where(Thread.language == f.language)
    return query


def queue_page(session: Session, f: QueueFilter, me: int, now: datetime, *,
               limit: int = PAGE_SIZE, offset: int = 0,
               count_limit: int | None = None) -> tuple[list[QueueRow], int]:
    """One page of the queue (due first, undated last) and the total count.

    With ``count_limit`` the count stops after ``offset + count_limit + 1``
    threads: a total above ``offset + count_limit`` means "at least"
    (:func:`total_is_capped`). Without, every match is counted."""
    base = queue_select(f, me, now)
    counted = base.with_only_columns(Thread.id)
    if count_limit is not None:
        counted = counted.limit(offset + count_limit + 1)
    total = session.scalar(sa.select(sa.func.count()).select_from(counted.subquery())) or 0
    # Many-to-one each: joined into the page's one query rather than four more.
    threads = session.scalars(
        base.options(joinedload(Thread.customer), joinedload(Thread.claim),
                     joinedload(Thread.assignee), joinedload(Thread.account_issue))
        .order_by(Thread.due_at.asc().nulls_last(), Thread.id).limit(limit).offset(offset)
    ).all()
    channels = channels_of(session, [t.id for t in threads])
    rows = [QueueRow(t, channels[t.id], t.due_at is not None and t.due_at < now)
            for t in threads]
    return rows, int(total)


def channels_of(session: Session, thread_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The channels each thread's messages came or went on (notes aside), in
    :data:`CHANNELS` order; one query for all of them."""
    found: dict[int, set[str]] = defaultdict(set)
    if thread_ids:
        for thread_id, channel in session.execute(
                sa.select(Message.thread_id, Message.channel).distinct()
                .where(Message.thread_id.in_(thread_ids), Message.direction != "note")):
            found[thread_id].add(channel)
    return {i: tuple(c for c in CHANNELS if c in found[i]) for i in thread_ids}


def total_is_capped(total: int, offset: int, count_limit: int | None) -> bool:
    """Whether a total from :func:`queue_page` (same ``offset`` and
    ``count_limit``) is a lower bound: show "1,000+"."""
    return count_limit is not None and total > offset + count_limit


def take_next(session: Session, user_id: int, now: datetime) -> Thread | None:
    """Assign the most urgent unassigned open thread to ``user_id``; None when
    nothing is waiting."""
    candidate = (
        sa.select(Thread.id)
        .where(Thread.status == "open", Thread.assignee_id.is_(None))
        .order_by(Thread.due_at.asc().nulls_last(), Thread.id).limit(1)
        .with_for_update(skip_locked=True).scalar_subquery()
    )
    taken = session.execute(
        sa.update(Thread).where(Thread.id == candidate, Thread.assignee_id.is_(None))
        .values(assignee_id=user_id).returning(Thread.id)
        .execution_options(synchronize_session=False)
    ).scalar()
    if taken is None:
        return None
    thread = session.get(Thread, taken, populate_existing=True)
    assert thread is not None
    audit.record(session, thread, "thread.assigned", now, actor_id=user_id,
                 reason="take next", assignee_id=user_id)
    return thread
