"""The dashboard's figures from the facts (never from messages).

* First response and resolution times (count, median, 90th percentile;
  seconds) for the range, by channel, team, rep and local day (ISO week when
  the range is longer than two months), in one pass per fact table: on
  PostgreSQL ``percentile_cont`` over ``GROUPING SETS`` of the facts whose
  time falls in the range (a range of a covering index on ``responded_at``
  / ``closed_at``); on SQLite the rows are read and the same continuous
  percentile (linear interpolation) is computed in Python. How many
  responses (every answer, not only the first) the range had. Responses
  count on the day of the answer, resolutions on the day of the closing.
* SLA attainment and breaches from the SLA engine's ``sla_events``
  (:mod:`inbox.metrics.sla`); the live backlog, counts and open escalations
  from ``threads`` and ``escalations`` (:mod:`inbox.metrics.live`).

Filters: channel (the customer message's for a response, the thread's first
message's otherwise), team and rep (the fact's; for live figures the
assignee's).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from channels.base import CHANNELS
from inbox.metrics.query import DashboardQuery
from inbox.models import ResponseFact, ThreadFact, User

# The groupings of times (besides the whole range: "all"); a range has
# either days or weeks (DashboardQuery.period).
GROUPINGS = ("channel", "team", "rep", "day", "week")
NO_TEAM = "(no team)"
NO_REP = "(no one)"


@dataclass(frozen=True)
class Stat:
    """Count, median and 90th percentile of durations in seconds (None when empty)."""

    count: int = 0
    median: float | None = None
    p90: float | None = None


EMPTY = Stat()


@dataclass(frozen=True)
class Times:
    """One group's times: ``key`` identifies it (a channel, team, rep id, ISO
    date), ``label`` is what a person reads."""

    key: str
    label: str
    first_response: Stat = EMPTY
    resolution: Stat = EMPTY


@dataclass
class TimesByGroup:
    overall: Times
    groups: dict[str, list[Times]] = field(default_factory=dict)
    responses: int = 0  # every answer in the range, not only first responses


def percentile_cont(ordered: Sequence[float], p: float) -> float:
    """PostgreSQL's ``percentile_cont``: linear interpolation between the
    closest ranks of sorted values."""
    position = p * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def stat_of(values: Iterable[float]) -> Stat:
    ordered = sorted(values)
    if not ordered:
        return EMPTY
    return Stat(len(ordered), percentile_cont(ordered, 0.5), percentile_cont(ordered, 0.9))


# -- the rows each fact table contributes --------------------------------------------

def _response_filter(q: DashboardQuery, *, first: bool) -> list[sa.ColumnElement[bool]]:
    start, end = q.bounds
    where = [ResponseFact.responded_at >= start, ResponseFact.responded_at < end]
    if first:
        where.append(ResponseFact.first.is_(True))
    if q.channel:
        where.append(ResponseFact.channel == q.channel)
    if q.team is not None:
        where.append(ResponseFact.team == q.team)
    if q.rep_id is not None:
        where.append(ResponseFact.rep_id == q.rep_id)
    return where


def _resolution_filter(q: DashboardQuery) -> list[sa.ColumnElement[bool]]:
    start, end = q.bounds
    where = [ThreadFact.closed_at >= start, ThreadFact.closed_at < end]
    if q.channel:
        where.append(ThreadFact.channel == q.channel)
    if q.team is not None:
        where.append(ThreadFact.team == q.team)
    if q.rep_id is not None:
        where.append(ThreadFact.rep_id == q.rep_id)
    return where


MEASURES = ("first_response", "resolution")
# Per grouping: {key: {measure: Stat}}
Stats = dict[str, dict[Any, dict[str, Stat]]]


def times(session: Session, q: DashboardQuery) -> TimesByGroup:
    """First response and resolution times by every grouping; how many
    responses (every answer) the range had."""
    return assemble(session, [measure_stats(session, q, m) for m in MEASURES],
                    responses_in(session, q))


def measure_stats(session: Session, q: DashboardQuery, measure: str) -> Stats:
    """One measure's count, median and p90 by every grouping (a part the
    dashboard may compute on a connection of its own)."""
    stats: Stats = {g: defaultdict(dict) for g in ("all", *GROUPINGS)}
    if session.get_bind().dialect.name == "postgresql":
        _stats_postgresql(session, q, measure, stats)
    else:
        _stats_python(session, q, measure, stats)
    return stats


def responses_in(session: Session, q: DashboardQuery) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(ResponseFact)
                          .where(*_response_filter(q, first=False))) or 0


def assemble(session: Session, parts: Sequence[Stats], responses: int) -> TimesByGroup:
    """The measures' statistics as labelled, ordered rows."""
    merged: Stats = {g: defaultdict(dict) for g in ("all", *GROUPINGS)}
    for part in parts:
        for grouping, keys in part.items():
            for key, found in keys.items():
                merged[grouping][key].update(found)
    found_times = _label(session, merged)
    found_times.responses = responses
    return found_times


def _facts(q: DashboardQuery, measure: str, *, collate: str | None = None) -> sa.Select[Any]:
    """(seconds, channel, team, rep_id, at) of the measure's facts in the range."""
    def text(column: Any) -> Any:
        return column.collate(collate).label(column.key) if collate else column

    if measure == "first_response":
        return sa.select(ResponseFact.seconds, text(ResponseFact.channel),
                         text(ResponseFact.team), ResponseFact.rep_id,
                         ResponseFact.responded_at.label("at")
                         ).where(*_response_filter(q, first=True))
    return sa.select(ThreadFact.seconds, text(ThreadFact.channel), text(ThreadFact.team),
                     ThreadFact.rep_id, ThreadFact.closed_at.label("at")
                     ).where(*_resolution_filter(q))


def _stats_python(session: Session, q: DashboardQuery, measure: str, stats: Stats) -> None:
    """SQLite: read the range's facts and compute the percentiles here."""
    collected: dict[tuple[str, Any], list[int]] = defaultdict(list)
    for seconds, channel, team, rep, at in session.execute(_facts(q, measure)):
        # A closing always has its seconds and time (the filter requires them).
        for grouping, key in (("all", None), ("channel", channel), ("team", team),
                              ("rep", rep), (q.period, q.period_of(q.day_of(at)))):
            collected[grouping, key].append(seconds)
    for (grouping, key), values in collected.items():
        stats[grouping][key][measure] = stat_of(values)


# GROUPING(channel, team, rep_id, period) is a bit mask of the columns *not*
# grouped by, channel the highest bit.
_SETS = {15: "all", 7: "channel", 11: "team", 13: "rep", 14: "period"}
_MONDAY = date(2000, 1, 3)
_KEYS = ("channel", "team", "rep", "period")
_QUANTILES: sa.ColumnElement[Any] = sa.literal_column("ARRAY[0.5, 0.9]")
# Sorting is the cost of every grouping: no locale rules for these keys (the
# labels are ordered in Python), and room to sort in memory.
_C = "C"
WORK_MEM = "32MB"


def _stats_postgresql(session: Session, q: DashboardQuery, measure: str,
                      stats: Stats) -> None:
    """``percentile_cont`` over every grouping in one scan (a range of a
    covering index on the day of the answer / the closing)."""
    session.execute(sa.text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    f = _facts(q, measure, collate=_C).subquery("f").c
    day = sa.cast(sa.func.timezone(q.timezone, f.at), sa.Date)
    # date - integer is a date: the Monday of the day's ISO week.
    period = day if q.period == "day" else day - (day - _MONDAY) % 7
    keys = (f.channel, f.team, f.rep_id, period)
    query = (sa.select(sa.func.grouping(*keys), *keys, sa.func.count(),
                       sa.func.percentile_cont(_QUANTILES).within_group(f.seconds))
             .group_by(sa.func.grouping_sets(sa.tuple_(), *keys)))
    for row in session.execute(query):
        grouping = _SETS[row[0]]
        key = None if grouping == "all" else row[1 + _KEYS.index(grouping)]
        if row[5]:  # the empty grouping set () answers even when nothing matched
            stats[q.period if grouping == "period" else grouping][key][measure] = Stat(
                row[5], row[6][0], row[6][1])


# -- labels and order ---------------------------------------------------------------

def _label(session: Session, stats: Stats) -> TimesByGroup:
    def times_of(key: str, label: str, found: dict[str, Stat]) -> Times:
        return Times(key, label, found.get("first_response", EMPTY),
                     found.get("resolution", EMPTY))

    rep_ids = [r for r in stats["rep"] if r is not None]
    names = rep_names(session, rep_ids)
    order = {c: n for n, c in enumerate(CHANNELS)}
    groups: dict[str, list[Times]] = {
        "channel": [times_of(c, c, stats["channel"][c]) for c in
                    sorted(stats["channel"], key=lambda c: (order.get(c, 99), c))],
        "team": [times_of(t, t or NO_TEAM, stats["team"][t]) for t in
                 sorted(stats["team"], key=lambda t: (t == "", t.lower()))],
        "rep": sorted((times_of("" if r is None else str(r), names.get(r, NO_REP)
                                if r is not None else NO_REP, stats["rep"][r])
                       for r in stats["rep"]), key=lambda t: (t.key == "", t.label.lower())),
        "day": [times_of(d.isoformat(), d.isoformat(), stats["day"][d])
                for d in sorted(stats["day"])],
        "week": [times_of(w.isoformat(), week_label(w), stats["week"][w])
                 for w in sorted(stats["week"])],
    }
    overall = times_of("all", "All", stats["all"].get(None, {}))
    return TimesByGroup(overall, groups)


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d} (from {monday.isoformat()})"


def rep_names(session: Session, ids: Iterable[int | None]) -> dict[int | None, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return {i: name or email for i, name, email in session.execute(
        sa.select(User.id, User.name, User.email).where(User.id.in_(wanted)))}
