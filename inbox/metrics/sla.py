"""SLA attainment and breaches from the SLA engine's ``sla_events``.

The engine writes one row per (thread, target, kind, due time) with kind
``warning``, ``breach`` or ``met`` (columns ``thread_id, claim_id,
policy_key, target, kind, due_at, at, assignee_id, team``). A target
instance (thread, target, due time) ends once, met or breached (an answer
after the breach is that breach again, which the unique key absorbs), and
may have been warned before; so the counts are rows by kind:

* met, breached, warned: instances due in the range with that event;
* attainment = met / (met + breached); instances still running count in
  neither.

By target, by team (the event's) and by local day of the due time; on
PostgreSQL one hashed pass over the range (``ix_sla_events_due_at``, which
the dashboard's revision adds; declared in :mod:`inbox.models.metrics`).
Filters: team (the event's), rep (its assignee), channel (the thread's,
from ``thread_facts``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inbox.metrics.query import DashboardQuery
from inbox.models import ThreadFact
from inbox.models.sla import SlaEvent

TARGET_ORDER = ("first_response", "next_response", "resolution")


@dataclass(frozen=True)
class SlaRow:
    key: str
    label: str
    met: int = 0
    breached: int = 0
    warned: int = 0

    @property
    def attainment(self) -> float | None:
        """Share of the decided instances that were met (None: none decided)."""
        decided = self.met + self.breached
        return self.met / decided if decided else None


@dataclass
class Sla:
    total: SlaRow = field(default_factory=lambda: SlaRow("all", "All"))
    by_target: list[SlaRow] = field(default_factory=list)
    by_team: list[SlaRow] = field(default_factory=list)
    by_day: list[SlaRow] = field(default_factory=list)


def sla(session: Session, q: DashboardQuery) -> Sla:
    e = SlaEvent
    start, end = q.bounds
    where: list[Any] = [e.due_at >= start, e.due_at < end]
    if q.team is not None:
        where.append(e.team == q.team)
    if q.rep_id is not None:
        where.append(e.assignee_id == q.rep_id)
    if q.channel:
        where.append(e.thread_id.in_(
            sa.select(ThreadFact.thread_id).where(ThreadFact.channel == q.channel)))
    counts: dict[tuple[str, Any], list[int]] = defaultdict(lambda: [0, 0, 0])
    if session.get_bind().dialect.name == "postgresql":
        _count_postgresql(session, q, where, counts)
    else:
        column = {"met": 0, "breach": 1, "warning": 2}
        for target, kind, team, due_at in session.execute(
                sa.select(e.target, e.kind, e.team, e.due_at).where(*where)):
            for key in (("all", None), ("target", target), ("team", team or ""),
                        ("day", q.day_of(due_at))):
                counts[key][column[kind]] += 1
    return _result(counts)


def _count_postgresql(session: Session, q: DashboardQuery, where: list[Any],
                      counts: dict[tuple[str, Any], list[int]]) -> None:
    """One pass, hashed (counts need no sort)."""
    e = SlaEvent
    day = sa.cast(sa.func.timezone(q.timezone, e.due_at), sa.Date)
    keys = (e.target, e.team, day)
    tallies = [sa.func.count().filter(e.kind == kind) for kind in ("met", "breach", "warning")]
    query = (sa.select(sa.func.grouping(*keys), *keys, *tallies).where(*where)
             .group_by(sa.func.grouping_sets(sa.tuple_(), *keys)))
    names = {7: "all", 3: "target", 5: "team", 6: "day"}  # bits of the keys left out
    for g, target, team, day_of, met, breached, warned in session.execute(query):
        grouping = names[g]
        key = {"all": None, "target": target, "team": team or "", "day": day_of}[grouping]
        counts[grouping, key] = [met, breached, warned]


def _result(counts: dict[tuple[str, Any], list[int]]) -> Sla:
    def row(key: str, label: str, tally: list[int]) -> SlaRow:
        return SlaRow(key, label, *tally)

    grouped: dict[str, dict[Any, list[int]]] = defaultdict(dict)
    for (grouping, key), tally in counts.items():
        grouped[grouping][key] = tally
    order = {t: n for n, t in enumerate(TARGET_ORDER)}
    days: dict[date, list[int]] = grouped.get("day", {})
    return Sla(
        total=row("all", "All", grouped.get("all", {}).get(None, [0, 0, 0])),
        by_target=[row(t, t.replace("_", " "), grouped["target"][t])
                   for t in sorted(grouped.get("target", {}),
                                   key=lambda t: (order.get(t, 99), t))],
        by_team=[row(t, t or "(no team)", grouped["team"][t])
                 for t in sorted(grouped.get("team", {}), key=lambda t: (t == "", t.lower()))],
        by_day=[row(d.isoformat(), d.isoformat(), days[d]) for d in sorted(days)],
    )
