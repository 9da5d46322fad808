"""The dashboard over HTTP: the page, its CSV exports and ``GET
/api/v1/dashboard`` show the brute-force figures of a generated world; only
leads, supervisors and admins see them; bad input is a clear 400/422."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from inbox.database import Database
from inbox.models import ResponseFact, ThreadFact, User
from inbox.web.dashboard import duration
from inbox.workspace.tokens import issue_token
from tests.conftest import Invoke
from tests.integration.dashboard_world import Ask, build_world, expected

# Every row of the facts and threads is read: a database of its own.
from tests.integration.own_database import database_url, engine  # noqa: F401
from tests.integration.test_dashboard import expected_figures
from tests.web import add_user, signed_in_as

pytestmark = pytest.mark.integration

TZ = "Europe/London"  # the default settings' time zone
TABLES = ("live", "summary", "by_channel", "by_team", "by_rep", "by_day", "by_week",
          "sla_by_target", "sla_by_team", "sla_by_day", "backlog", "escalations")


@pytest.fixture
def world(committed_db: Database) -> dict[str, Any]:
    now = datetime.now(UTC)
    with committed_db.transaction() as session:
        built = build_world(session, now, seed=3, customers=20)
        return {"start": built.start.date() - timedelta(days=1), "reps": built.reps}


def _api_figures(body: dict[str, Any]) -> dict[str, Any]:
    """The API's answer in the brute force's shape."""
    def stats(t: dict[str, Any]) -> dict[str, Any]:
        return {m: (t[m]["count"], t[m]["median"], t[m]["p90"])
                for m in ("first_response", "resolution") if t[m]["count"]}

    times = {"all": {"all": stats(body["times"]["all"])}}
    if body["times"]["responses"]:
        times["all"]["all"]["responses"] = body["times"]["responses"]
    for grouping in ("channel", "team", "rep", "day", "week"):
        times[grouping] = {t["key"]: stats(t) for t in body["times"][f"by_{grouping}"]}
    sla = {("all", None): [body["sla"]["all"][k] for k in ("met", "breached", "warned")]}
    for grouping in ("target", "team", "day"):
        for r in body["sla"][f"by_{grouping}"]:
            sla[grouping, r["key"]] = [r["met"], r["breached"], r["warned"]]
    live = body["live"]
    return {
        "times": times, "sla": sla,
        "backlog": {(row["key"], c): n for row in body["backlog"]["rows"]
                    for c, n in row["by_channel"].items() if n},
        "counts": {k: live[k] for k in ("open", "unassigned", "overdue",
                                        "waiting_on_customer")},
        "escalations": [e["id"] for e in body["escalations"]["oldest"]],
        "escalation_count": body["escalations"]["open"],
        "escalation_teams": {t["team"]: t["count"] for t in body["escalations"]["by_team"]},
    }


def _check(client: FlaskClient, committed_db: Database, ask: Ask, query: str) -> dict[str, Any]:
    from tests.integration.test_dashboard import assert_same

    response = client.get(f"/api/v1/dashboard?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    now = datetime.fromisoformat(body["generated_at"])
    with committed_db.transaction() as session:
        wanted = expected_figures(expected(session, ask, now))
    assert_same(_api_figures(body), wanted, query)
    return body


def test_the_api_page_and_csv_show_the_brute_force_figures(
        app: Flask, committed_db: Database, world: dict[str, Any]) -> None:
    client = app.test_client()
    signed_in_as(client, committed_db, "lead")
    start, end = world["start"], datetime.now(UTC).date()
    query = f"from={start}&to={end}"
    body = _check(client, committed_db, Ask(start, end, TZ), query)
    assert body["times"]["all"]["first_response"]["count"] >= 10
    assert body["range"] == {"from": start.isoformat(), "to": end.isoformat(), "timezone": TZ}
    rep = world["reps"][0]
    _check(client, committed_db, Ask(start, end, TZ, channel="email", team="motor"),
           f"{query}&channel=email&team=motor")
    _check(client, committed_db, Ask(start, end, TZ, rep_id=rep), f"{query}&rep={rep}")
    _check(client, committed_db, Ask(start, end, TZ, team=""), f"{query}&team=-")

    page = client.get(f"/dashboard?{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('role="img"') == 4  # first response, resolution, breaches, backlog
    assert "<script" not in html  # nothing to run: the charts are drawn on the server
    overall = body["times"]["all"]
    for measure in ("first_response", "resolution"):
        assert duration(overall[measure]["median"]) in html
    assert f'id="count-open">{body["live"]["open"]:,}<' in html
    for key in TABLES:  # a range of up to 62 days is broken down by day, not by week
        assert (f'id="table-{key}"' in html) == (key != "by_week")
        assert (f"/dashboard.csv?table={key}&amp;from={start}" in html) == (key != "by_week")

    by_channel = {t["key"]: t for t in body["times"]["by_channel"]}
    for key in TABLES:
        response = client.get(f"/dashboard.csv?table={key}&{query}")
        assert response.status_code == 200, key
        assert response.mimetype == "text/csv"
        assert f"dashboard-{key}-{start}-{end}.csv" in response.headers["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        if key == "by_channel":
            assert {r["key"] for r in rows} == set(by_channel)
            for r in rows:
                stat = by_channel[r["key"]]["first_response"]
                assert int(r["first_responses"]) == stat["count"]
                if stat["count"]:
                    assert float(r["first_response_median"]) == pytest.approx(
                        stat["median"], abs=0.05)
                    assert float(r["first_response_p90"]) == pytest.approx(stat["p90"], abs=0.05)
        if key == "live":
            assert {r["figure"]: int(r["count"]) for r in rows}["open"] == body["live"]["open"]
        if key == "escalations":
            assert [int(r["id"]) for r in rows] == [e["id"] for e in
                                                    body["escalations"]["oldest"]]


def test_bad_input_is_a_clear_error(app: Flask, committed_db: Database) -> None:
    client = app.test_client()
    signed_in_as(client, committed_db, "supervisor")
    page = client.get("/dashboard?from=2026-13-01")
    assert page.status_code == 400
    assert "from: &#39;2026-13-01&#39; is not a date (yyyy-mm-dd)" in page.get_data(as_text=True)
    assert client.get("/dashboard?from=2026-03-05&to=2026-03-01").status_code == 400
    unknown = client.get("/dashboard.csv?table=nope")
    assert unknown.status_code == 400
    assert "unknown table 'nope'; tables are live, summary" in unknown.get_data(as_text=True)
    assert client.get("/dashboard.csv?table=live&channel=fax").status_code == 400
    api = client.get("/api/v1/dashboard?channel=fax")
    assert api.status_code == 422
    assert "channel" in api.get_json()["errors"]["query"]
    api = client.get("/api/v1/dashboard?from=2026-03-05&to=2026-03-01")
    assert api.status_code == 422
    assert "starts (2026-03-05) after it ends" in api.get_json()["message"]
    far = datetime.now(UTC).date() - timedelta(days=800)
    assert client.get(f"/api/v1/dashboard?from={far}").status_code == 422


@pytest.mark.parametrize("role", ["lead", "supervisor", "admin"])
def test_leads_supervisors_and_admins_see_it(app: Flask, committed_db: Database,
                                             role: str) -> None:
    client = app.test_client()
    signed_in_as(client, committed_db, role)
    assert client.get("/dashboard").status_code == 200
    assert client.get("/dashboard.csv?table=live").status_code == 200
    assert client.get("/api/v1/dashboard").status_code == 200
    assert 'href="/dashboard">Dashboard</a>' in client.get("/").get_data(as_text=True)


def test_a_rep_is_refused_on_the_page_the_csv_and_the_api(app: Flask,
                                                          committed_db: Database) -> None:
    client = app.test_client()
    signed_in_as(client, committed_db, "rep")
    assert client.get("/dashboard").status_code == 403
    assert client.get("/dashboard.csv?table=live").status_code == 403
    refused = client.get("/api/v1/dashboard")
    assert refused.status_code == 403
    assert refused.get_json()["status"] == "Forbidden"
    assert 'href="/dashboard"' not in client.get("/").get_data(as_text=True)
    anonymous = app.test_client()
    assert anonymous.get("/api/v1/dashboard").status_code == 401
    assert anonymous.get("/dashboard").status_code == 302


def test_the_api_with_a_lead_token(app: Flask, committed_db: Database) -> None:
    lead = add_user(committed_db, "lead")
    rep = add_user(committed_db, "rep", email="dash-rep@insurer.test")
    tokens = {}
    with committed_db.transaction() as session:
        for user_id in (lead, rep):
            user = session.get(User, user_id)
            assert user is not None
            tokens[user_id] = issue_token(session, user, "dash", datetime.now(UTC))[1]
    client = app.test_client()
    ok = client.get("/api/v1/dashboard", headers={"Authorization": f"Bearer {tokens[lead]}"})
    assert ok.status_code == 200
    assert set(ok.get_json()) == {"range", "filters", "generated_at", "times", "sla", "live",
                                  "backlog", "escalations"}
    assert client.get("/api/v1/dashboard", headers={
        "Authorization": f"Bearer {tokens[rep]}"}).status_code == 403


def test_inbox_dashboard_rebuild_fills_the_facts_once(committed_db: Database,
                                                       invoke: Invoke) -> None:
    with committed_db.transaction() as session:
        build_world(session, datetime.now(UTC), seed=9, customers=8)
        written = [session.scalar(sa.select(sa.func.count()).select_from(model))
                   for model in (ResponseFact, ThreadFact)]
        session.execute(sa.delete(ResponseFact))
        session.execute(sa.delete(ThreadFact))
    first = invoke("dashboard", "rebuild")
    assert first.exit_code == 0, first.output
    assert f"{sum(written):,} facts added, 0 changed, 0 removed" in first.output
    again = invoke("dashboard", "rebuild")
    assert again.exit_code == 0, again.output
    assert "0 facts added, 0 changed, 0 removed" in again.output


def test_range_figures_are_shared_for_the_cache_time_live_counts_are_not(
        settings: Any, committed_db: Database, world: dict[str, Any], redis_url: str) -> None:
    from tests.integration.conftest import app_on_redis

    with app_on_redis(settings, redis_url, dashboard_cache_seconds=60) as app:
        _shared_figures(app.test_client(), committed_db, world, redis_url)


def _shared_figures(client: FlaskClient, committed_db: Database, world: dict[str, Any],
                    redis_url: str) -> None:
    import redis

    from inbox.answer_cache import DASHBOARD
    from inbox.models import Thread

    signed_in_as(client, committed_db, "lead")
    query = f"from={world['start']}"
    before = client.get(f"/api/v1/dashboard?{query}").get_json()
    now = datetime.now(UTC)
    with committed_db.transaction() as session:
        session.add(ResponseFact(thread_id=0, answer_message_id=10**9, customer_message_id=0,
                                 channel="email", reply_channel="email", team="",
                                 customer_at=now - timedelta(hours=1), responded_at=now,
                                 seconds=3600, first=True))
        thread = session.scalars(sa.select(Thread).where(Thread.status == "pending")).first()
        assert thread is not None
        thread.status = "open"
    after = client.get(f"/api/v1/dashboard?{query}").get_json()
    assert after["times"] == before["times"]  # shared: computed a moment ago
    assert after["sla"] == before["sla"]
    assert after["live"]["open"] == before["live"]["open"] + 1  # live: never cached
    # Other filters are another question; the page shares the API's figures.
    other = client.get(f"/api/v1/dashboard?{query}&channel=email").get_json()
    with committed_db.transaction() as session:
        email_firsts = session.scalar(sa.select(sa.func.count()).select_from(ResponseFact).where(
            ResponseFact.first.is_(True), ResponseFact.channel == "email"))
    assert other["times"]["all"]["first_response"]["count"] == email_firsts
    conn = redis.Redis.from_url(redis_url)
    fresh = list(conn.scan_iter(f"{DASHBOARD}:f:*"))
    assert len(fresh) == 2
    assert all(0 < conn.pttl(k) <= 60_000 for k in fresh)
    conn.delete(*fresh)  # what a minute does
    renewed = client.get(f"/api/v1/dashboard?{query}").get_json()
    assert renewed["times"]["all"]["first_response"]["count"] == \
        before["times"]["all"]["first_response"]["count"] + 1
    conn.close()
    with committed_db.transaction() as session:
        session.execute(sa.delete(ResponseFact).where(ResponseFact.answer_message_id == 10**9))
