"""Figures of the moment (not of the range): open work by age and channel,
the queue's counts, open escalations. Read from ``threads`` and
``escalations`` as they are now, with each thread's channel and opening from
``thread_facts`` (one grouped query over the open threads, no messages).

* Backlog: threads open or pending (waiting on the customer), not merged;
  age is ``now - opened_at`` (the thread's first message that is not a note;
  its creation when it has none).
* Open: status open. Unassigned: open with no assignee. Overdue: open with
  a due time before now (the queue's "overdue"). Waiting on customer:
  pending.
* Filters: channel (the thread's), team (the assignee's team; ``""`` for an
  assignee without one, so unassigned threads match no team) and rep (the
  assignee); escalations: channel and rep through their thread (its
  assignee), team their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from channels.base import CHANNELS
from inbox.metrics.figures import rep_names
from inbox.metrics.query import DashboardQuery
from inbox.models import Escalation, Thread, ThreadFact, User

# (key, label, from days, to days): age in [from, to)
BUCKETS: tuple[tuple[str, str, int, int | None], ...] = (
    ("lt1d", "under 1 day", 0, 1),
    ("1-3d", "1 to 3 days", 1, 3),
    ("3-7d", "3 to 7 days", 3, 7),
    ("7-30d", "1 to 4 weeks", 7, 30),
    ("30d+", "over 4 weeks", 30, None),
)
UNKNOWN_CHANNEL = "unknown"
OLDEST_ESCALATIONS = 20


@dataclass(frozen=True)
class Counts:
    open: int = 0
    unassigned: int = 0
    overdue: int = 0
    waiting_on_customer: int = 0

    @property
    def backlog(self) -> int:
        return self.open + self.waiting_on_customer


@dataclass(frozen=True)
class BacklogRow:
    key: str
    label: str
    by_channel: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())


@dataclass(frozen=True)
class OpenEscalation:
    id: int
    thread_id: int | None
    claim_id: int | None
    source: str
    team: str
    supervisor: str
    raised_by: str
    created_at: datetime
    age_seconds: int
    reason: str


@dataclass(frozen=True)
class Escalations:
    count: int
    by_team: list[tuple[str, int]]
    oldest: list[OpenEscalation]


@dataclass(frozen=True)
class Live:
    counts: Counts
    backlog: list[BacklogRow]
    channels: list[str]  # the backlog's columns
    escalations: Escalations


def _thread_filter(q: DashboardQuery) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = [Thread.merged_into_id.is_(None)]
    if q.channel:
        where.append(ThreadFact.channel == q.channel)
    if q.team is not None:
        where.append(Thread.assignee_id.in_(sa.select(User.id).where(User.team == q.team)))
    if q.rep_id is not None:
        where.append(Thread.assignee_id == q.rep_id)
    return where


def live(session: Session, q: DashboardQuery, now: datetime) -> Live:
    opened = sa.func.coalesce(ThreadFact.opened_at, Thread.created_at)
    # CASE takes the first match: the youngest bucket first.
    bucket = sa.case(*[(opened > now - timedelta(days=high), key)
                       for key, _, _, high in BUCKETS if high is not None],
                     else_=BUCKETS[-1][0])
    channel = sa.func.coalesce(ThreadFact.channel, UNKNOWN_CHANNEL)
    overdue = sa.and_(Thread.due_at.is_not(None), Thread.due_at < now)
    rows = session.execute(
        sa.select(Thread.status, channel, bucket, Thread.assignee_id.is_(None), overdue,
                  sa.func.count())
        # Facts of threads not resolved (ix_thread_facts_open): every open or
        # pending thread's, since a reopening clears the closing.
        .select_from(Thread).outerjoin(ThreadFact, sa.and_(ThreadFact.thread_id == Thread.id,
                                                           ThreadFact.closed_at.is_(None)))
        .where(Thread.status.in_(("open", "pending")), *_thread_filter(q))
        .group_by(Thread.status, channel, bucket, Thread.assignee_id.is_(None), overdue)
    ).all()
    counts = {"open": 0, "unassigned": 0, "overdue": 0, "waiting_on_customer": 0}
    grid: dict[str, dict[str, int]] = {key: {} for key, *_ in BUCKETS}
    for status, chan, key, unassigned, late, n in rows:
        grid[key][chan] = grid[key].get(chan, 0) + n
        if status == "pending":
            counts["waiting_on_customer"] += n
            continue
        counts["open"] += n
        counts["unassigned"] += n if unassigned else 0
        counts["overdue"] += n if late else 0
    seen = {c for cells in grid.values() for c in cells}
    channels = [c for c in CHANNELS if c in seen] + sorted(seen - set(CHANNELS))
    backlog = [BacklogRow(key, label, {c: grid[key].get(c, 0) for c in channels})
               for key, label, *_ in BUCKETS]
    return Live(Counts(**counts), backlog, channels, escalations(session, q, now))


def escalations(session: Session, q: DashboardQuery, now: datetime) -> Escalations:
    where: list[sa.ColumnElement[bool]] = [Escalation.status == "open"]
    if q.team is not None:
        where.append(Escalation.team == q.team)
    if q.channel or q.rep_id is not None:
        on_thread = sa.select(Thread.id).outerjoin(
            ThreadFact, ThreadFact.thread_id == Thread.id)
        if q.channel:
            on_thread = on_thread.where(ThreadFact.channel == q.channel)
        if q.rep_id is not None:
            on_thread = on_thread.where(Thread.assignee_id == q.rep_id)
        where.append(Escalation.thread_id.in_(on_thread))
    by_team = [(team or "", n) for team, n in session.execute(
        sa.select(Escalation.team, sa.func.count()).where(*where)
        .group_by(Escalation.team).order_by(sa.func.count().desc(), Escalation.team))]
    rows = session.execute(
        sa.select(Escalation.id, Escalation.thread_id, Escalation.claim_id, Escalation.source,
                  Escalation.team, Escalation.supervisor_id, Escalation.raised_by,
                  Escalation.created_at, Escalation.reason)
        .where(*where).order_by(Escalation.created_at, Escalation.id)
        .limit(OLDEST_ESCALATIONS)).all()
    names = rep_names(session, [r.supervisor_id for r in rows] + [r.raised_by for r in rows])
    oldest = [OpenEscalation(
        r.id, r.thread_id, r.claim_id, r.source, r.team or "",
        names.get(r.supervisor_id, "") if r.supervisor_id else "",
        names.get(r.raised_by, "") if r.raised_by else "", r.created_at,
        max(0, int((now - r.created_at).total_seconds())), (r.reason or "")[:200])
        for r in rows]
    return Escalations(sum(n for _, n in by_team), by_team, oldest)
