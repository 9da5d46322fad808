"""``GET /dashboard`` (leads, supervisors, admins: ``dashboard.view``): response
and resolution times, SLA attainment, backlog, escalations and live counts,
with SVG charts drawn here; ``GET /dashboard.csv?table=KEY`` exports one of
its tables with the same range and filters. Thin handlers over
:mod:`inbox.metrics` (the API calls the same functions)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, render_template, request, url_for
from markupsafe import Markup

from channels.base import CHANNELS
from inbox.answer_cache import DASHBOARD, AnswerCache, shared
from inbox.database import Database
from inbox.metrics.charts import Bar, bar_chart, stacked_chart
from inbox.metrics.dashboard import Dashboard, Sessions, Table, dashboard, tables, to_csv
from inbox.metrics.figures import Times
from inbox.metrics.query import DashboardError, DashboardQuery, parse_query, week_of
from inbox.models import User
from inbox.web import db_session, settings
from inbox.web.permissions import requires

bp = Blueprint("dashboard", __name__)
log = logging.getLogger(__name__)


@bp.get("/dashboard")
@requires("dashboard.view")
def page() -> tuple[str, int]:
    now = datetime.now(UTC)
    try:
        q = parse_query(request.args, settings().timezone, now)
    except DashboardError as exc:
        log.info("dashboard refused %s: %s", dict(request.args), exc)
        q = parse_query({}, settings().timezone, now)
        return render_template("dashboard.html", error=str(exc), q=q, d=None,
                               **_form_options()), 400
    d = dashboard(db_session(), q, now, sessions=read_sessions(), cache=figures_cache())
    return render_template("dashboard.html", error=None, q=q, d=d, tables=tables(d),
                           charts=charts(d), cells=cells, **_form_options()), 200


@bp.get("/dashboard.csv")
@requires("dashboard.view")
def csv_export() -> Response:
    now = datetime.now(UTC)
    key = request.args.get("table", "")
    try:
        q = parse_query(request.args, settings().timezone, now)
    except DashboardError as exc:
        return Response(f"{exc}\n", status=400, mimetype="text/plain")
    d = dashboard(db_session(), q, now, sessions=read_sessions(), cache=figures_cache())
    found = tables(d)
    if key not in found:
        return Response(f"unknown table {key!r}; tables are {', '.join(found)}\n",
                        status=400, mimetype="text/plain")
    name = f"dashboard-{key}-{q.start}-{q.end}.csv"
    return Response(to_csv(found[key]), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def figures_cache() -> AnswerCache:
    """The range figures shared between leads (``dashboard_cache_seconds``)."""
    return shared(settings(), settings().dashboard_cache_seconds, DASHBOARD)


def read_sessions() -> Sessions | None:
    """Sessions of their own for the dashboard's parts to run at once
    (PostgreSQL; SQLite serves one reader at a time as well: none)."""
    db: Database = current_app.extensions["inbox.db"]
    assert db.engine is not None
    return db.transaction if db.engine.dialect.name == "postgresql" else None


def _form_options() -> dict[str, Any]:
    session = db_session()
    teams = sorted(t for t in session.scalars(sa.select(User.team).distinct()) if t)
    reps = session.execute(sa.select(User.id, User.name, User.email)
                           .where(User.role.in_(("rep", "supervisor", "lead", "admin")))
                           .order_by(User.name, User.email).limit(1000)).all()
    return {"channels": CHANNELS, "teams": teams, "reps": reps}


# -- formatting --------------------------------------------------------------------

def duration(seconds: float | None) -> str:
    """3 min, 2 h 05 min, 4 d 3 h."""
    if seconds is None:
        return "–"
    minutes = round(seconds / 60)
    if minutes < 1:
        return "< 1 min"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def fmt(value: Any, kind: str) -> str:
    if kind == "seconds":
        return duration(value)
    if value is None:
        return "–"
    if kind == "share":
        return f"{value:.1%}"
    if kind == "int":
        return f"{value:,}"
    if kind == "datetime":
        return str(value.astimezone(ZoneInfo(settings().timezone)).strftime("%Y-%m-%d %H:%M"))
    return str(value)


Cell = tuple[str, bool, str, str | None]  # (th or td, numeric, text, link)
NUMERIC = frozenset({"int", "seconds", "share"})


def cells(table: Table) -> list[list[Cell]]:
    """The page's cells of ``table``, formatted here (a template loop per cell
    with a macro cost more than the queries on a large range)."""
    columns = table.page_columns
    out = []
    for row in table.rows:
        line: list[Cell] = []
        for position, (n, column) in enumerate(columns):
            value = row[n]
            if position == 0 and column.kind == "text":
                line.append(("th", False, str(value), None))
            elif column.kind == "link":
                line.append(("td", False, f"#{value}" if value else "–",
                             url_for("views.thread", thread_id=value) if value else None))
            else:
                line.append(("td", column.kind in NUMERIC, fmt(value, column.kind), None))
        out.append(line)
    return out


# -- charts ------------------------------------------------------------------------

def _series(q: DashboardQuery, rows: list[Times]) -> tuple[list[str], dict[str, Times], str]:
    """(keys of every day or week of the range, rows by key, "day" or "week")."""
    by_key = {t.key: t for t in rows}
    if q.period == "day":
        return [(q.start + timedelta(days=n)).isoformat() for n in range(q.days)], by_key, "day"
    weeks: list[str] = []
    monday: date = week_of(q.start)
    while monday <= q.end:
        weeks.append(monday.isoformat())
        monday += timedelta(days=7)
    return weeks, by_key, "week"


def _time_bars(keys: list[str], by_key: dict[str, Times], measure: str, what: str
               ) -> list[Bar]:
    bars = []
    for key in keys:
        t = by_key.get(key)
        s = getattr(t, measure) if t is not None else None
        label = key[5:] if len(key) == 10 else key  # mm-dd
        if s is None or not s.count:
            bars.append(Bar(label, None, tip=f"{key}: no {what}"))
            continue
        bars.append(Bar(label, s.median, s.p90, tip=(
            f"{key}: median {duration(s.median)}, 90th percentile {duration(s.p90)} "
            f"({s.count:,} {what})")))
    return bars


def charts(d: Dashboard) -> dict[str, Markup]:
    q = d.query
    out: dict[str, Markup] = {}
    for chart_id, measure, what, name in (
        ("chart-first-response", "first_response", "first responses", "First response time"),
        ("chart-resolution", "resolution", "resolutions", "Resolution time"),
    ):
        rows = d.times.groups[q.period]
        keys, by_key, unit = _series(q, rows)
        table = "by day" if unit == "day" else "by week"
        out[measure] = bar_chart(
            chart_id, f"{name} by {unit}, median and 90th percentile",
            f"Bars are medians, ticks 90th percentiles; the same figures are in the table "
            f"'{table.capitalize()}'.", _time_bars(keys, by_key, measure, what),
            mark_name="90th percentile")
    series = d.live.channels
    out["backlog"] = stacked_chart(
        "chart-backlog", "Backlog by age and channel",
        "Open and waiting threads by age, split by channel; the same figures are in the "
        "table 'Backlog by age and channel'.",
        [(b.label, [b.by_channel[c] for c in series]) for b in d.live.backlog], series,
        lambda age, channel, n: f"{age}, {channel}: {n:,} threads")
    days = {r.key: r for r in d.sla.by_day}
    keys = [(q.start + timedelta(days=n)).isoformat() for n in range(q.days)]
    out["breaches"] = bar_chart(
        "chart-breaches", "SLA breaches by day the target was due",
        "The same figures are in the table 'SLA by day (due)'.",
        [Bar(k[5:], float(days[k].breached) if k in days else 0.0,
             tip=f"{k}: {days[k].breached if k in days else 0} breached")
         for k in keys], durations=False, value_name="breaches")
    return out
