"""The dashboard's figures against a brute-force computation over the raw rows
of a seeded random world (tests/integration/dashboard_world.py), on SQLite
and PostgreSQL; and the facts behind them written exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from inbox import ingest
from inbox.metrics.dashboard import Dashboard, dashboard
from inbox.metrics.facts import rebuild, refresh_threads
from inbox.metrics.query import DashboardQuery
from inbox.models import ResponseFact, Thread, ThreadFact
from inbox.outbound import Accepted, file_sent, queue_reply
from inbox.workspace.assignment import assign, set_status
from tests import factories as f
from tests.integration.dashboard_world import Ask, build_world, expected

# Every row of the facts and threads is read: a database of its own.
from tests.integration.own_database import database_url, engine  # noqa: F401

pytestmark = pytest.mark.integration

TZ = "Europe/London"
MEASURES = ("first_response", "resolution")


def _key(grouping: str, key: Any) -> str:
    if key is None:
        return "" if grouping == "rep" else "all"
    return key.isoformat() if hasattr(key, "isoformat") else str(key)


def actual_figures(d: Dashboard) -> dict[str, Any]:
    groups = {"all": [d.times.overall], **d.times.groups}
    times = {grouping: {t.key: {m: (getattr(t, m).count, getattr(t, m).median,
                                    getattr(t, m).p90)
                                for m in MEASURES if getattr(t, m).count}
                        for t in rows}
             for grouping, rows in groups.items()}
    if d.times.responses:
        times["all"]["all"]["responses"] = d.times.responses
    backlog = {(row.key, channel): n for row in d.live.backlog
               for channel, n in row.by_channel.items() if n}
    sla = {("all", None): [d.sla.total.met, d.sla.total.breached, d.sla.total.warned]}
    for grouping, rows in (("target", d.sla.by_target), ("team", d.sla.by_team),
                           ("day", d.sla.by_day)):
        for r in rows:
            sla[grouping, r.key] = [r.met, r.breached, r.warned]
    c = d.live.counts
    return {"times": times, "backlog": backlog, "sla": sla,
            "counts": {"open": c.open, "unassigned": c.unassigned, "overdue": c.overdue,
                       "waiting_on_customer": c.waiting_on_customer},
            "escalations": [e.id for e in d.live.escalations.oldest],
            "escalation_count": d.live.escalations.count,
            "escalation_teams": dict(d.live.escalations.by_team)}


def expected_figures(raw: dict[str, Any]) -> dict[str, Any]:
    times = {grouping: {_key(grouping, key): {m: v for m, v in found.items()
                                              if v[0] and m != "response"}
                        for key, found in keys.items()}
             for grouping, keys in raw["times"].items()}
    responses = raw["times"].get("all", {}).get(None, {}).get("response")
    if responses:
        times["all"]["all"]["responses"] = responses[0]
    times.setdefault("all", {})
    sla = {(g, _key(g, k) if g != "all" else None): v for (g, k), v in raw["sla"].items()}
    sla.setdefault(("all", None), [0, 0, 0])
    return {"times": times, "backlog": raw["backlog"], "sla": sla, "counts": raw["counts"],
            "escalations": raw["escalations"][:20],
            "escalation_count": len(raw["escalations"]),
            "escalation_teams": raw["escalation_teams"]}


def assert_same(actual: dict[str, Any], wanted: dict[str, Any], label: str) -> None:
    for grouping in ("all", "channel", "team", "rep", "day", "week"):
        got, want = actual["times"].get(grouping, {}), wanted["times"].get(grouping, {})
        got = {k: v for k, v in got.items() if v}
        assert set(got) == set(want), (label, grouping)
        for key, measures in want.items():
            assert set(got[key]) == set(measures), (label, grouping, key)
            for measure, wanted_stat in measures.items():
                if measure == "responses":  # a count alone
                    assert got[key][measure] == wanted_stat, (label, key)
                    continue
                n, median, p90 = wanted_stat
                assert got[key][measure][0] == n, (label, grouping, key, measure)
                assert got[key][measure][1] == pytest.approx(median), (label, grouping, key)
                assert got[key][measure][2] == pytest.approx(p90), (label, grouping, key)
    for part in ("backlog", "sla", "counts", "escalations", "escalation_count",
                 "escalation_teams"):
        assert actual[part] == wanted[part], (label, part)


def _query(ask: Ask) -> DashboardQuery:
    return DashboardQuery(ask.start, ask.end, ask.timezone, ask.channel, ask.team, ask.rep_id)


def test_every_figure_matches_a_brute_force_count_over_the_raw_rows(
        session: Session, now: datetime) -> None:
    world = build_world(session, now, seed=11, customers=40)
    local_now = now.date()
    whole = Ask(world.start.date() - timedelta(days=1), local_now, TZ)
    asks = [
        whole,
        Ask(local_now - timedelta(days=9), local_now, TZ),
        Ask(local_now - timedelta(days=20), local_now - timedelta(days=12), TZ),
        Ask(whole.start, whole.end, TZ, channel="email"),
        Ask(whole.start, whole.end, TZ, channel="sms"),
        Ask(whole.start, whole.end, TZ, team="motor"),
        Ask(whole.start, whole.end, TZ, team=""),
        Ask(whole.start, whole.end, TZ, rep_id=world.reps[1]),
        Ask(whole.start, whole.end, TZ, channel="call", team="home"),
        Ask(local_now - timedelta(days=99), local_now, TZ),  # over 62 days: by week
        Ask(local_now - timedelta(days=99), local_now, TZ, channel="email", team="motor"),
    ]
    for ask in asks:
        got = actual_figures(dashboard(session, _query(ask), now))
        assert_same(got, expected_figures(expected(session, ask, now)), repr(ask))

    # The world exercises what the figures depend on (else this test could not fail).
    full = actual_figures(dashboard(session, _query(whole), now))
    overall = full["times"]["all"]["all"]
    assert overall["first_response"][0] >= 15
    assert overall["responses"] > overall["first_response"][0]
    assert overall["resolution"][0] >= 5
    assert len(full["times"]["channel"]) >= 3
    assert len(full["times"]["team"]) == 3
    assert len(full["times"]["day"]) >= 20
    by_week = actual_figures(dashboard(session, _query(asks[-2]), now))["times"]
    assert len(by_week["week"]) >= 5
    assert not by_week["day"]
    assert sum(full["backlog"].values()) >= 5
    met, breached, _ = full["sla"]["all", None]
    assert met
    assert breached
    assert full["escalation_count"] >= 2
    actions = set(session.scalars(sa.text(
        "SELECT DISTINCT action FROM audit_events WHERE entity_type = 'threads'")))
    assert {"thread.closed", "thread.reopened", "thread.merged"} <= actions


def _facts(session: Session, *, ids: bool = True) -> tuple[list[Any], list[Any]]:
    def rows(model: Any) -> list[Any]:
        columns = [c for c in model.__table__.columns if ids or c.name != "id"]
        return sorted(tuple(r) for r in session.execute(sa.select(*columns)))
    return rows(ResponseFact), rows(ThreadFact)


def test_facts_are_written_once_whatever_repeats(session: Session, now: datetime) -> None:
    world = build_world(session, now, seed=5, customers=16)
    before, without_ids = _facts(session), _facts(session, ids=False)
    assert before[0]
    assert before[1]
    for inbound in world.inbounds:  # every message delivered again
        assert not ingest(session, inbound, now).created
    assert _facts(session) == before
    threads = list(session.scalars(sa.select(Thread.id)))
    assert refresh_threads(session, threads).total == 0
    report = rebuild(session, chunk=7)
    assert report.written is not None
    assert (report.written.total, report.orphans) == (0, 0)
    assert _facts(session) == before
    # From nothing, the rebuild finds what the events wrote (closings from the audit trail).
    session.execute(sa.delete(ResponseFact))
    session.execute(sa.delete(ThreadFact))
    rebuild(session)
    assert _facts(session, ids=False) == without_ids


def test_a_thread_answered_closed_twice_and_reopened(session: Session, now: datetime) -> None:
    rep = f.user(session, team="motor")
    f.customer(session, email="ada@example.com")
    t0 = now - timedelta(days=3)
    result = ingest(session, f.email(sender="ada@example.com", subject="Roof", text="Help",
                                     received_at=t0), t0)
    thread = session.get(Thread, result.thread_id)
    assert thread is not None
    ingest(session, f.email(sender="ada@example.com", subject="Re: Roof", text="More",
                            received_at=t0 + timedelta(hours=1)), t0 + timedelta(hours=1))
    row = queue_reply(session, thread, t0, channel="email", external_id="q1@insurer.test",
                      recipient="ada@example.com", text="On it", author_id=rep.id)
    file_sent(session, row, Accepted("s1@insurer.test", t0 + timedelta(hours=3)))
    (fact,) = session.scalars(sa.select(ResponseFact)).all()
    assert (fact.seconds, fact.first, fact.rep_id, fact.team, fact.channel) == (
        3 * 3600, True, rep.id, "motor", "email")

    closed = t0 + timedelta(hours=5)
    assign(session, thread, rep.id, closed, actor_id=rep.id)
    assert set_status(session, thread, "closed", closed, actor_id=rep.id)
    assert not set_status(session, thread, "closed", closed + timedelta(hours=1),
                          actor_id=rep.id)
    (opened,) = session.scalars(sa.select(ThreadFact)).all()
    assert (opened.closed_at, opened.seconds, opened.rep_id) == (closed, 5 * 3600, rep.id)

    # The customer writes again: no longer resolved; a late answer is the second response.
    again = t0 + timedelta(days=1)
    ingest(session, f.email(sender="ada@example.com", subject="Re: Roof", text="Still leaking",
                            received_at=again), again)
    session.refresh(opened)
    assert (opened.closed_at, opened.seconds) == (None, None)
    assert thread.status == "open"
    row = queue_reply(session, thread, again, channel="email", external_id="q2@insurer.test",
                      recipient="ada@example.com", text="Sending someone", author_id=rep.id)
    file_sent(session, row, Accepted("s2@insurer.test", again + timedelta(minutes=30)))
    closed_again = again + timedelta(hours=2)
    set_status(session, thread, "closed", closed_again, actor_id=rep.id)
    session.refresh(opened)
    assert opened.closed_at == closed_again
    assert opened.seconds == int((closed_again - t0).total_seconds())
    facts = session.scalars(sa.select(ResponseFact).order_by(ResponseFact.responded_at)).all()
    assert [(x.seconds, x.first) for x in facts] == [(3 * 3600, True), (1800, False)]


def test_backlog_ages_fall_in_the_right_bucket_at_the_edges(session: Session,
                                                             now: datetime) -> None:
    from inbox.metrics.live import live

    day, second = timedelta(days=1), timedelta(seconds=1)
    ages = {"lt1d": [day - second, timedelta(0)], "1-3d": [day, 3 * day - second],
            "3-7d": [3 * day, 7 * day - second], "7-30d": [7 * day, 30 * day - second],
            "30d+": [30 * day, 400 * day]}
    for bucket, spans in ages.items():
        for n, age in enumerate(spans):
            address = f"edge-{bucket}-{n}@example.com"
            f.customer(session, email=address)
            ingest(session, f.email(sender=address, subject=f"Edge {bucket} {n}", text="hi",
                                    received_at=now - age), now)
    q = DashboardQuery(now.date(), now.date(), TZ)
    backlog = {row.key: row.total for row in live(session, q, now).backlog}
    assert backlog == {bucket: len(spans) for bucket, spans in ages.items()}


def test_whatever_reopens_a_thread_takes_its_resolution_away(session: Session,
                                                              now: datetime) -> None:
    """Paths that set the status themselves (an information request sets the
    thread pending, a callback request opens it) undo the closing too."""
    rep = f.user(session, team="home")
    f.customer(session, email="bo@example.com")
    t0 = now - timedelta(days=2)
    result = ingest(session, f.email(sender="bo@example.com", subject="Car", text="Dent",
                                     received_at=t0), t0)
    thread = session.get(Thread, result.thread_id)
    assert thread is not None
    set_status(session, thread, "closed", t0 + timedelta(hours=1), actor_id=rep.id)
    fact = session.scalars(sa.select(ThreadFact)).one()
    assert fact.closed_at == t0 + timedelta(hours=1)
    thread.status = "pending"  # as inbox.casework.info_requests.request_info does
    session.flush()
    session.refresh(fact)
    assert (fact.closed_at, fact.seconds, fact.rep_id) == (None, None, None)
    assert refresh_threads(session, [thread.id]).total == 0  # nothing left to correct
