"""The whole dashboard as plain data: what the page shows, the CSV exports
and the API return (:func:`dashboard`), and its tables (:func:`tables`):
one list of rows per table, the same for the page and its CSV export."""

from __future__ import annotations

import csv
import io
import pickle
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from inbox.answer_cache import OFF, AnswerCache
from inbox.metrics.figures import (
    Stat,
    Times,
    TimesByGroup,
    assemble,
    measure_stats,
    responses_in,
)
from inbox.metrics.live import Live, live
from inbox.metrics.query import DashboardQuery
from inbox.metrics.sla import Sla, SlaRow, sla


@dataclass
class Dashboard:
    query: DashboardQuery
    now: datetime
    times: TimesByGroup
    sla: Sla
    live: Live


Sessions = Callable[[], AbstractContextManager[Session]]


def dashboard(session: Session, q: DashboardQuery, now: datetime, *,
              sessions: Sessions | None = None, cache: AnswerCache | None = None) -> Dashboard:
    """Every figure. With ``sessions`` (a factory of sessions on connections
    of their own, e.g. ``Database.transaction``) its parts (first response
    times, resolution times, SLA, live) run at once, each in its own
    transaction: the page waits for the slowest instead of their sum
    (PostgreSQL works on them in four backends). Without, they run one after
    the other in ``session``. With ``cache``, the range's figures (times and
    SLA, not the live ones) are shared between requests for the cache's
    time (:mod:`inbox.answer_cache`)."""
    def run(part: Callable[[Session], Any]) -> Any:
        if sessions is None:
            return part(session)
        with sessions() as own:
            return part(own)

    def of_range(pool: ThreadPoolExecutor | None) -> bytes:
        parts = (lambda s: measure_stats(s, q, "first_response"),
                 lambda s: (measure_stats(s, q, "resolution"), responses_in(s, q)),
                 lambda s: sla(s, q))
        if pool is None:
            return pickle.dumps(tuple(run(p) for p in parts))
        futures = [pool.submit(run, p) for p in parts]
        return pickle.dumps(tuple(f.result() for f in futures))

    question = ["range", q.start, q.end, q.timezone, q.channel, q.team, q.rep_id]
    shared = cache or OFF
    if sessions is None:
        found_live = live(session, q, now)
        found = shared.answer(question, None, lambda: of_range(None))
    else:
        with ThreadPoolExecutor(4, thread_name_prefix="dashboard") as pool:
            live_later = pool.submit(run, lambda s: live(s, q, now))
            found = shared.answer(question, None, lambda: of_range(pool))
            found_live = live_later.result()
    # Our own pickles (Redis is trusted as much as the jobs it holds).
    first, (resolved, responses), found_sla = pickle.loads(found)  # noqa: S301
    return Dashboard(q, now, assemble(session, [first, resolved], responses), found_sla,
                     found_live)


# -- tables ------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # text, int, seconds (a duration), share (0..1), datetime, link (thread id)
    kind: str = "text"
    on_page: bool = True  # False: CSV only (ids beside the names)


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]]

    @property
    def page_columns(self) -> list[tuple[int, Column]]:
        return [(n, c) for n, c in enumerate(self.columns) if c.on_page]


_FIRST_COLUMNS = (
    Column("first_responses", "First responses", "int"),
    Column("first_response_median", "First response, median", "seconds"),
    Column("first_response_p90", "First response, 90th pct.", "seconds"),
)
_RESOLUTION_COLUMNS = (
    Column("resolved", "Resolved", "int"),
    Column("resolution_median", "Resolution, median", "seconds"),
    Column("resolution_p90", "Resolution, 90th pct.", "seconds"),
)
_SLA_COLUMNS = (Column("met", "Met", "int"), Column("breached", "Breached", "int"),
                Column("warned", "Warned", "int"), Column("attainment", "Attainment", "share"))
TIME_TABLES = {"by_channel": ("channel", "By channel", "Channel"),
               "by_team": ("team", "By team", "Team"),
               "by_rep": ("rep", "By rep", "Rep"),
               "by_day": ("day", "By day", "Day"),
               "by_week": ("week", "By week", "Week")}


def _stat(s: Stat) -> tuple[Any, ...]:
    return (s.count, s.median, s.p90)


def _times_row(t: Times) -> tuple[Any, ...]:
    return (t.key, t.label, *_stat(t.first_response), *_stat(t.resolution))


def _sla_row(r: SlaRow) -> tuple[Any, ...]:
    return (r.key, r.label, r.met, r.breached, r.warned, r.attainment)


def tables(d: Dashboard) -> dict[str, Table]:
    counts, backlog = d.live.counts, d.live.backlog
    out = [
        Table("live", "Now", (Column("figure", "Figure", on_page=False),
                              Column("label", "Figure"), Column("count", "Count", "int")),
              [("open", "Open", counts.open), ("unassigned", "Unassigned", counts.unassigned),
               ("overdue", "Overdue", counts.overdue),
               ("waiting_on_customer", "Waiting on customer", counts.waiting_on_customer),
               ("backlog", "Backlog (open and waiting)", counts.backlog),
               ("open_escalations", "Open escalations", d.live.escalations.count)]),
        Table("summary", "Whole range", (Column("key", "Key", on_page=False),
                                         Column("label", ""), *_FIRST_COLUMNS,
                                         *_RESOLUTION_COLUMNS,
                                         Column("responses", "All responses", "int")),
              [(*_times_row(d.times.overall), d.times.responses)]),
    ]
    for key, (grouping, title, first) in TIME_TABLES.items():
        out.append(Table(key, title, (Column("key", "Key", on_page=False),
                                      Column("label", first), *_FIRST_COLUMNS,
                                      *_RESOLUTION_COLUMNS),
                         [_times_row(t) for t in d.times.groups[grouping]]))
    for key, title, first, rows in (
        ("sla_by_target", "SLA by target", "Target", [d.sla.total, *d.sla.by_target]),
        ("sla_by_team", "SLA by team", "Team", d.sla.by_team),
        ("sla_by_day", "SLA by day (due)", "Day", d.sla.by_day),
    ):
        out.append(Table(key, title, (Column("key", "Key", on_page=False),
                                      Column("label", first), *_SLA_COLUMNS),
                         [_sla_row(r) for r in rows]))
    channels = d.live.channels
    out.append(Table(
        "backlog", "Backlog by age and channel",
        (Column("key", "Key", on_page=False), Column("label", "Age"),
         *(Column(c, c, "int") for c in channels), Column("total", "Total", "int")),
        [(b.key, b.label, *(b.by_channel[c] for c in channels), b.total) for b in backlog]
        + [("total", "Total", *(sum(b.by_channel[c] for b in backlog) for c in channels),
            sum(b.total for b in backlog))]))
    out.append(Table(
        "escalations", "Open escalations, oldest first",
        (Column("id", "Escalation", "int", on_page=False), Column("thread_id", "Thread", "link"),
         Column("claim_id", "Claim id", "int", on_page=False), Column("source", "Source"),
         Column("team", "Team"), Column("supervisor", "Supervisor"),
         Column("raised_by", "Raised by"), Column("created_at", "Raised", "datetime"),
         Column("age_seconds", "Waiting", "seconds"), Column("reason", "Reason")),
        [(e.id, e.thread_id, e.claim_id, e.source, e.team, e.supervisor, e.raised_by,
          e.created_at, e.age_seconds, e.reason) for e in d.live.escalations.oldest]))
    return {t.key: t for t in out}


# -- CSV ---------------------------------------------------------------------------

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4f}" if kind == "share" else f"{value:.1f}"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    # A cell a spreadsheet would run as a formula is quoted as text.
    return "'" + text if text.startswith(_FORMULA) else text


def to_csv(table: Table) -> str:
    """Header of column keys, then the rows: durations in seconds, shares as
    fractions, times in ISO 8601 UTC."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.key for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
    return buffer.getvalue()


# -- the API's shape ----------------------------------------------------------------

def _stat_dict(s: Stat) -> dict[str, Any]:
    return {"count": s.count, "median": s.median, "p90": s.p90}


def _times_dict(t: Times) -> dict[str, Any]:
    return {"key": t.key, "label": t.label, "first_response": _stat_dict(t.first_response),
            "resolution": _stat_dict(t.resolution)}


def _sla_dict(r: SlaRow) -> dict[str, Any]:
    return {"key": r.key, "label": r.label, "met": r.met, "breached": r.breached,
            "warned": r.warned, "attainment": r.attainment}


def as_dict(d: Dashboard) -> dict[str, Any]:
    """The figures as JSON-ready data (durations in seconds, shares 0..1)."""
    q, counts, esc = d.query, d.live.counts, d.live.escalations
    return {
        "range": {"from": q.start, "to": q.end, "timezone": q.timezone},
        "filters": {"channel": q.channel, "team": q.team, "rep": q.rep_id},
        "generated_at": d.now,
        "times": {"all": _times_dict(d.times.overall), "responses": d.times.responses,
                  **{key: [_times_dict(t) for t in d.times.groups[grouping]]
                     for key, (grouping, *_) in TIME_TABLES.items()}},
        "sla": {"all": _sla_dict(d.sla.total),
                "by_target": [_sla_dict(r) for r in d.sla.by_target],
                "by_team": [_sla_dict(r) for r in d.sla.by_team],
                "by_day": [_sla_dict(r) for r in d.sla.by_day]},
        "live": {"open": counts.open, "unassigned": counts.unassigned,
                 "overdue": counts.overdue, "waiting_on_customer": counts.waiting_on_customer,
                 "backlog": counts.backlog},
        "backlog": {"channels": d.live.channels,
                    "rows": [{"key": b.key, "label": b.label, "by_channel": b.by_channel,
                              "total": b.total} for b in d.live.backlog]},
        "escalations": {
            "open": esc.count,
            "by_team": [{"team": team, "count": n} for team, n in esc.by_team],
            "oldest": [{"id": e.id, "thread_id": e.thread_id, "claim_id": e.claim_id,
                        "source": e.source, "team": e.team, "supervisor": e.supervisor,
                        "raised_by": e.raised_by, "created_at": e.created_at,
                        "age_seconds": e.age_seconds, "reason": e.reason}
                       for e in esc.oldest]},
    }
