"""The SLA admin page (/admin/sla, admins only) and the thread page's SLA box,
through the real app: listing, creating and editing a policy (targets,
conditions, a business-hours calendar), clear errors for bad input, who may
see it, and what a thread shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from rq import Queue

from inbox import ingest
from inbox.database import Database
from inbox.models import AuditEvent
from inbox.models.sla import SlaPolicy
from inbox.sla.calendar import BusinessCalendar
from inbox.sla.store import load_policies, row_policy
from tests import factories as f
from tests.web import signed_in_as

pytestmark = pytest.mark.integration


@pytest.fixture
def app(app_with_redis: Flask) -> Flask:
    """The app with a real Redis: a saved policy enqueues the recomputation."""
    return app_with_redis


def test_an_admin_adds_and_edits_a_policy(app: Flask, committed_db: Database,
                                          conn: redis.Redis) -> None:
    client = app.test_client()
    admin_id = signed_in_as(client, committed_db, "admin")
    page = client.get("/admin/sla")
    assert page.status_code == 200
    assert "The table is empty" in page.get_data(as_text=True)
    assert client.post("/admin/sla/sync").status_code == 303
    assert 'data-key="default"' in client.get("/admin/sla").get_data(as_text=True)

    form = {"key": "vip", "name": "VIP customers", "segment": "vip, gold", "priority": "",
            "channel": "", "issue_type": "", "first_response": "2h", "next_response": "4h",
            "resolution": "40h", "calendar_kind": "business", "timezone": "Europe/Athens",
            "hours_mon": "09:00-13:00, 14:00-18:00", "hours_fri": "09:00-15:00",
            "holidays": "2026-04-13\n2026-04-10", "warn_at": "0.75", "on_breach": "watch",
            "position": "5"}
    created = client.post("/admin/sla/new", data=form)
    assert created.status_code == 303, created.get_data(as_text=True)
    with committed_db.transaction() as session:
        row = session.scalars(sa.select(SlaPolicy).where(SlaPolicy.key == "vip")).one()
        policy = row_policy(row)
        assert (row.source, row.updated_by, row.position) == ("admin", admin_id, 5)
        assert policy.conditions.segment == {"vip", "gold"}
        assert isinstance(policy.calendar, BusinessCalendar)
        assert policy.calendar.hours[0] == ((540, 780), (840, 1080))
        assert len(policy.calendar.holidays) == 2
        assert (policy.warn_at, policy.on_breach) == (0.75, "watch")
        assert [p.key for p in load_policies(session, fresh=True).policies] == ["vip", "default"]
        assert session.scalar(sa.select(AuditEvent.action).where(
            AuditEvent.entity_type == "sla_policies", AuditEvent.entity_id == row.id)) == (
            "sla.policy_created")
        vip_id = row.id
    # After the commit, open threads are given the new targets by a job.
    assert [(job.func_name, job.args) for job in Queue("default", connection=conn).get_jobs()
            ] == [("inbox.jobs.sla.recompute_sla", (None,))] * 2  # sync, then create
    shown = client.get("/admin/sla").get_data(as_text=True)
    assert "segment gold or vip" in shown
    assert "business hours in Europe/Athens" in shown

    edit = client.get(f"/admin/sla/{vip_id}/edit").get_data(as_text=True)
    assert 'value="09:00-13:00, 14:00-18:00"' in edit
    assert client.post(f"/admin/sla/{vip_id}/edit", data={
        **form, "first_response": "1h", "calendar_kind": "calendar"}).status_code == 303
    with committed_db.transaction() as session:
        policy = row_policy(session.get(SlaPolicy, vip_id))  # type: ignore[arg-type]
        assert policy.targets["first_response"] == timedelta(hours=1)
        assert policy.calendar.kind == "calendar"
    assert client.post(f"/admin/sla/{vip_id}/active", data={"active": "0"}).status_code == 303
    with committed_db.transaction() as session:
        assert session.get(SlaPolicy, vip_id).active is False  # type: ignore[union-attr]


def test_bad_input_is_refused_with_the_reason(app: Flask, committed_db: Database) -> None:
    client = app.test_client()
    signed_in_as(client, committed_db, "admin")
    base = {"key": "slow", "name": "Slow", "calendar_kind": "calendar", "warn_at": "0.8",
            "on_breach": "reassign"}
    for extra, reason in (
        ({"first_response": "soon"}, "first_response"),
        ({"warn_at": "lots"}, "warn_at"),
        ({"key": "Bad Key!"}, "key"),
        ({"calendar_kind": "business", "timezone": "Mars/Base", "hours_mon": "09:00-17:00"},
         "unknown time zone"),
        ({"calendar_kind": "business", "timezone": "Europe/London", "hours_mon": "9 to 5"},
         "not working hours"),
        ({"calendar_kind": "business", "timezone": "Europe/London", "hours_mon": "09:00-17:00",
          "resolution": "2d"}, "not days"),
    ):
        response = client.post("/admin/sla/new", data={**base, **extra})
        assert response.status_code == 422, extra
        assert reason in response.get_data(as_text=True), (extra, reason)
    with committed_db.transaction() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(SlaPolicy)) == 0


@pytest.mark.parametrize("role", ["rep", "supervisor", "lead"])
def test_only_admins_manage_policies(app: Flask, committed_db: Database, role: str) -> None:
    client = app.test_client()
    signed_in_as(client, committed_db, role)
    assert client.get("/admin/sla").status_code == 403
    assert client.post("/admin/sla/new", data={"key": "x", "name": "x"}).status_code == 403
    assert "SLA policies" not in client.get("/").get_data(as_text=True)


def test_the_thread_page_shows_each_targets_due_time_and_state(
        app: Flask, committed_db: Database) -> None:
    client = app.test_client()
    signed_in_as(client, committed_db, "rep")
    now = datetime.now(UTC)
    with committed_db.transaction() as session:
        f.customer(session, email="tess@example.com")
        thread = ingest(session, f.email(sender="tess@example.com", subject="Flood",
                                         received_at=now - timedelta(hours=20)), now).thread
        assert thread is not None
        thread_id = thread.id
    html = client.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert 'aria-label="Service levels"' in html
    assert 'data-sla-target="first_response"' in html
    assert 'class="sla-state warning">warning' in html  # 20 of 24 hours gone
