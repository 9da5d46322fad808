"""The SLA engine on PostgreSQL and SQLite: due times kept on every event
(ingest, answers, pending, merge, priority), the sweep's warnings, breaches
and escalations happening once each as a fake clock ages the threads, claim
targets, and policies kept in the table. Time is passed in; nothing sleeps."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from inbox import ingest
from inbox.models import AuditEvent, Escalation, Message, Notification, Thread
from inbox.models.sla import SlaEvent, SlaPolicy
from inbox.outbound import mark_answered
from inbox.sla.claims import refresh_claims
from inbox.sla.policies import PolicyError
from inbox.sla.store import load_policies, save_policy, set_active, sync_config
from inbox.sla.sweep import sweep
from inbox.workspace.assignment import assign, set_priority, set_status
from inbox.workspace.later import set_pending
from inbox.workspace.thread_ops import merge_threads
from tests import factories as f
from tests.conftest import Invoke

pytestmark = pytest.mark.integration
H = timedelta(hours=1)
M = timedelta(minutes=1)
DAY = timedelta(days=1)
FAST = {"key": "fast", "name": "Fast lane", "first_response": "4h", "next_response": "2h",
        "resolution": "40h", "warn_at": 0.8, "on_breach": "reassign"}


def policies(session: Session, now: datetime, *raws: dict[str, object]) -> None:
    for raw in raws:
        save_policy(session, raw, now, actor_id=None)


def email(session: Session, now: datetime, subject: str, at: datetime,
          sender: str = "sam@example.com") -> Thread:
    result = ingest(session, f.email(sender=sender, subject=subject, text=subject,
                                     received_at=at), at)
    assert result.thread is not None
    return result.thread


def answer(session: Session, thread: Thread, at: datetime) -> None:
    session.add(Message(thread_id=thread.id, customer_id=thread.customer_id, channel="email",
                        direction="outbound", external_id=f"{uuid.uuid4().hex}@insurer.test",
                        received_at=at, text="On it.", created_at=at))
    session.flush()
    mark_answered(thread, at)
    session.flush()


def events(session: Session, thread_id: int) -> list[tuple[str, str]]:
    return [(e.target, e.kind) for e in session.scalars(
        sa.select(SlaEvent).where(SlaEvent.thread_id == thread_id).order_by(SlaEvent.id))]


# -- due times on events ------------------------------------------------------------


def test_ingest_sets_the_due_times_of_the_default_policy(session: Session, now: datetime) -> None:
    f.customer(session, email="sam@example.com")
    thread = email(session, now, "Hail damage", now)
    assert (thread.sla_policy_key, thread.origin_channel) == ("default", "email")
    assert thread.first_response_due_at == thread.due_at == now + 24 * H
    assert (thread.next_response_due_at, thread.resolution_due_at) == (None, None)
    assert thread.sla_next_at == now + 24 * H * 0.8
    assert thread.sla_state == "ok"
    answer(session, thread, now + H)
    assert (thread.due_at, thread.sla_next_at, thread.sla_state) == (None, None, "none")
    assert events(session, thread.id) == [("first_response", "met")]
    later = email(session, now, "Re: Hail damage", now + 2 * H)
    assert later.id == thread.id
    assert thread.next_response_due_at == thread.due_at == now + 26 * H


def test_a_policy_in_the_table_wins_and_follows_the_thread(session: Session,
                                                          now: datetime) -> None:
    policies(session, now, {**FAST, "key": "urgent", "priority": ["urgent"],
                            "first_response": "1h"}, FAST)
    f.customer(session, email="sam@example.com")
    thread = email(session, now, "Burst pipe", now)
    assert thread.sla_policy_key == "fast"
    assert thread.due_at == now + 4 * H
    assert thread.resolution_due_at == now + 40 * H
    # Urgent now: the urgent policy's first response, counted from the same message.
    set_priority(session, thread, "urgent", now + 10 * M)
    assert (thread.sla_policy_key, thread.due_at) == ("urgent", now + H)
    assert [p.key for p in load_policies(session).policies] == ["urgent", "fast", "default"]


def test_pending_pauses_resolution_until_the_customer_writes(session: Session,
                                                            now: datetime) -> None:
    policies(session, now, FAST)
    f.customer(session, email="sam@example.com")
    thread = email(session, now, "Documents", now)
    answer(session, thread, now + H)
    assert thread.due_at == thread.resolution_due_at == now + 40 * H
    set_pending(session, thread, now + 5 * DAY, now + H, actor_id=None)
    assert thread.sla_paused_at == now + H
    assert (thread.resolution_due_at, thread.due_at, thread.sla_state) == (None, None, "paused")
    # The customer answers 10 hours later: the clock resumes, 10 hours later than it was.
    email(session, now, "Re: Documents", now + 11 * H)
    assert thread.status == "open"
    assert thread.sla_paused_at is None
    assert thread.resolution_due_at == now + 50 * H
    assert thread.next_response_due_at == thread.due_at == now + 13 * H
    # Closing in time meets the resolution target; reopening starts another cycle.
    answer(session, thread, now + 12 * H)
    set_status(session, thread, "closed", now + 20 * H)
    assert events(session, thread.id) == [("first_response", "met"), ("next_response", "met"),
                                          ("resolution", "met")]
    set_status(session, thread, "open", now + 30 * H)
    assert thread.resolution_due_at == now + 70 * H


def test_late_answers_are_breaches_without_the_sweep(session: Session, now: datetime) -> None:
    f.customer(session, email="sam@example.com")
    thread = email(session, now, "Anyone there?", now)
    answer(session, thread, now + 30 * H)
    assert events(session, thread.id) == [("first_response", "breach")]
    assert session.scalar(sa.select(sa.func.count()).select_from(Escalation)) == 0


def test_a_merge_keeps_each_threads_events_and_the_earliest_wait(session: Session,
                                                                 now: datetime) -> None:
    f.customer(session, email="sam@example.com")
    a = email(session, now, "Window", now)
    b = email(session, now, "Roof", now + 2 * H)
    answer(session, b, now + 3 * H)
    target = merge_threads(session, a.id, b.id, now + 4 * H)
    assert target.id == b.id
    assert target.sla_waiting_since == now
    assert target.first_response_due_at is None  # B was answered once: next response now
    assert target.next_response_due_at == target.due_at == now + 24 * H
    assert events(session, b.id) == [("first_response", "met")]
    assert (a.due_at, a.sla_next_at, events(session, a.id)) == (None, None, [])


# -- the sweep ----------------------------------------------------------------------


def test_the_sweep_warns_breaches_and_escalates_once_each(session: Session,
                                                          now: datetime) -> None:
    policies(session, now, FAST)
    supervisor = f.user(session, role="supervisor", team="motor")
    home = f.user(session, role="supervisor", team="home")
    rep = f.user(session, role="rep", team="motor")
    f.customer(session, email="sam@example.com")
    thread = email(session, now, "Car accident", now)
    assign(session, thread, rep.id, now)
    quiet = email(session, now, "Unrelated", now + 36 * H)  # due much later

    def swept(at: datetime) -> tuple[int, int, int]:
        result = sweep(session, at)
        session.expire_all()
        return result.warnings, result.breaches, result.escalations

    assert swept(now + 3 * H) == (0, 0, 0)
    assert swept(now + 3 * H + 12 * M) == (1, 0, 0)  # 80% of 4 hours
    assert swept(now + 3 * H + 30 * M) == (0, 0, 0)
    warning = session.scalars(sa.select(Notification).where(
        Notification.kind == "sla_warning")).one()
    assert (warning.user_id, warning.thread_id) == (rep.id, thread.id)
    assert "first response" in warning.text

    assert swept(now + 4 * H + M) == (0, 1, 1)
    assert swept(now + 4 * H + M) == (0, 0, 0)
    escalation = session.scalars(sa.select(Escalation)).one()
    assert (escalation.source, escalation.thread_id, escalation.supervisor_id,
            escalation.team) == ("sla", thread.id, supervisor.id, "motor")
    thread = session.get(Thread, thread.id)  # type: ignore[assignment]
    assert thread is not None
    assert thread.assignee_id == supervisor.id  # reassigned, per the policy
    assert thread.sla_state == "breached"
    assert session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.entity_type == "threads", AuditEvent.entity_id == thread.id,
        AuditEvent.action == "thread.assigned", AuditEvent.reason.like("SLA%"))).all() == [
        "thread.assigned"]

    # The resolution target warns its new assignee, then breaches: no second
    # escalation for it; the quiet thread's first breach gets its own.
    assert swept(now + 33 * H) == (1, 0, 0)
    assert swept(now + 41 * H) == (0, 2, 1)
    assert swept(now + 80 * H) == (0, 1, 0)  # the quiet thread's resolution: escalated already
    assert sorted(events(session, thread.id)) == sorted([
        ("first_response", "warning"), ("first_response", "breach"),
        ("resolution", "warning"), ("resolution", "breach")])
    # Both crossed between two sweeps: the breach alone is recorded.
    assert sorted(events(session, quiet.id)) == [("first_response", "breach"),
                                                 ("resolution", "breach")]
    other = session.scalars(sa.select(Escalation).where(Escalation.id != escalation.id)).one()
    assert (other.thread_id, other.supervisor_id) == (quiet.id, home.id)  # the least loaded
    # Nothing ahead: the threads are not read again.
    assert session.get(Thread, thread.id).sla_next_at is None  # type: ignore[union-attr]
    assert sweep(session, now + 90 * H).threads == 0


def test_a_watch_policy_leaves_the_assignee_and_tells_the_supervisor(
        session: Session, now: datetime) -> None:
    policies(session, now, {**FAST, "on_breach": "watch"})
    supervisor = f.user(session, role="supervisor")
    rep = f.user(session, role="rep")
    f.customer(session, email="sam@example.com")
    thread = email(session, now, "Windscreen", now)
    assign(session, thread, rep.id, now)
    result = sweep(session, now + 5 * H)
    assert (result.warnings, result.breaches, result.escalations, result.reassigned) == (
        0, 1, 1, 0)
    session.expire_all()
    assert session.get(Thread, thread.id).assignee_id == rep.id  # type: ignore[union-attr]
    note = session.scalars(sa.select(Notification).where(
        Notification.user_id == supervisor.id)).one()
    assert note.kind == "escalation"
    assert "first response of thread" in note.text


def test_a_breach_without_any_supervisor_is_still_recorded(session: Session,
                                                           now: datetime) -> None:
    f.customer(session, email="sam@example.com")
    thread = email(session, now, "Nobody home", now)
    for user_id in session.scalars(sa.text("SELECT id FROM users")):
        session.execute(sa.text("UPDATE users SET active = false WHERE id = :i"), {"i": user_id})
    result = sweep(session, now + 25 * H)
    assert (result.breaches, result.escalations) == (1, 0)
    assert events(session, thread.id) == [("first_response", "breach")]


# -- claims -------------------------------------------------------------------------


def test_claim_regulation_acknowledge_decide_and_write(session: Session, now: datetime) -> None:
    policies(session, now, {"preset": "claims_regulation"})
    supervisor = f.user(session, role="supervisor")
    owner = f.customer(session, email="sam@example.com")
    claim = f.claim(session, f.policy(session, owner), created_at=now)
    thread = email(session, now, f"Claim {claim.number}", now)
    assert thread.claim_id == claim.id
    assert thread.sla_policy_key == "claims_regulation"
    assert thread.first_response_due_at == now + 15 * DAY
    refresh_claims(session, [claim.id], now)
    assert claim.due_at == now + 15 * DAY
    assert claim.sla_policy_key == "claims_regulation"

    answer(session, thread, now + 2 * DAY)  # acknowledged
    assert sorted(events(session, thread.id)) == [
        ("claim_acknowledgement", "met"), ("claim_status", "met"), ("first_response", "met")]
    assert claim.due_at == now + 32 * DAY  # the next written status

    assert sweep(session, now + 26 * DAY + H).warnings == 1
    result = sweep(session, now + 32 * DAY + H)
    assert (result.breaches, result.escalations, result.reassigned) == (1, 1, 0)
    escalation = session.scalars(sa.select(Escalation)).one()
    assert (escalation.claim_id, escalation.thread_id, escalation.supervisor_id) == (
        claim.id, thread.id, supervisor.id)
    assert sweep(session, now + 33 * DAY).breaches == 0
    assert ("claim_status", "breach") in events(session, thread.id)


# -- policies kept in the table -------------------------------------------------------


def test_config_policies_are_synced_once_and_admin_edits_are_kept(session: Session,
                                                                  now: datetime) -> None:
    first = sync_config(session, now)
    assert first["added"] == ["default"]
    assert sync_config(session, now) == {"added": [], "updated": [], "kept": [],
                                         "deactivated": []}
    row = session.scalars(sa.select(SlaPolicy).where(SlaPolicy.key == "default")).one()
    save_policy(session, {"key": "default", "name": "Default", "first_response": "8h"},
                now, actor_id=None, row=row)
    assert sync_config(session, now)["kept"] == ["default"]
    assert load_policies(session).default.targets == {"first_response": 8 * H}
    with pytest.raises(PolicyError, match="no conditions"):
        save_policy(session, {"key": "default", "name": "D", "segment": ["vip"]}, now,
                    actor_id=None, row=row)
    with pytest.raises(PolicyError, match="cannot be switched off"):
        set_active(session, row, False, now, actor_id=None)
    with pytest.raises(PolicyError, match="exists already"):
        save_policy(session, {"key": "default", "name": "Again"}, now, actor_id=None)


# -- threads from before the engine, and the commands -----------------------------------


def test_recompute_gives_older_threads_their_clocks_once(session: Session,
                                                         now: datetime) -> None:
    from inbox.sla.recompute import recompute_all

    f.customer(session, email="sam@example.com")
    thread = email(session, now, "Old matter", now)
    answer(session, thread, now + H)
    email(session, now, "Re: Old matter", now + 2 * H)
    # As a thread filed before the SLA columns existed looks.
    for column in ("origin_channel", "sla_policy_key", "sla_started_at", "sla_waiting_since",
                   "first_response_due_at", "next_response_due_at", "sla_next_at"):
        setattr(thread, column, None)
    thread.sla_state = "none"
    session.flush()
    assert recompute_all(session, now + 3 * H) == {"threads": 1, "claims": 0}
    assert (thread.origin_channel, thread.sla_started_at, thread.sla_waiting_since) == (
        "email", now, now + 2 * H)
    assert thread.next_response_due_at == thread.due_at == now + 26 * H
    before = events(session, thread.id)
    assert recompute_all(session, now + 3 * H) == {"threads": 1, "claims": 0}
    assert events(session, thread.id) == before


def test_the_sla_commands(invoke: Invoke, now: datetime) -> None:
    listed = invoke("sla", "policies")
    assert listed.exit_code == 0, listed.output
    assert "default" in listed.output
    assert "first_response 1d" in listed.output
    synced = invoke("sla", "sync")
    assert (synced.exit_code, synced.output.strip()) == (0, "added: default")
    assert invoke("sla", "sync").output.strip() == "nothing to do"
    swept = invoke("sla", "sweep", "--now", now.isoformat())
    assert swept.exit_code == 0, swept.output
    assert "threads=0" in swept.output
    bad = invoke("sla", "sweep", "--now", "2026-03-02T09:00")
    assert bad.exit_code == 2
    assert "time zone" in bad.output
    recomputed = invoke("sla", "recompute")
    assert (recomputed.exit_code, recomputed.output.strip()) == (0, "0 threads, 0 claims")


def test_a_customers_segment_comes_with_the_book_and_picks_the_policy(
        session: Session, now: datetime) -> None:
    import csv
    import io

    from claims.book_import import BOOK_FILES, import_rows

    reader = csv.reader(io.StringIO(
        "customer_ref,name,email,phone,language,address,segment\n"
        "V1,Vera,vera@example.com,,en,,VIP\nV2,Val,val@example.com,,en,,\n"))
    header = BOOK_FILES["customers"].header(next(reader))
    results = import_rows(session, header, list(enumerate(reader, start=2)),
                          default_region="GB")
    assert [r.outcome for r in results] == ["created", "created"]
    policies(session, now, {**FAST, "key": "vip", "segment": ["vip"], "first_response": "1h"})
    vip = email(session, now, "Hello", now, sender="vera@example.com")
    plain = email(session, now, "Hello", now, sender="val@example.com")
    assert (vip.sla_policy_key, vip.due_at) == ("vip", now + H)
    assert (plain.sla_policy_key, plain.due_at) == ("default", now + 24 * H)
