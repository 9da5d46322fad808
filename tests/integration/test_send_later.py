"""Send later and pending until, on real databases and a real Redis: a
scheduled reply is not sent before its time and is after it (time driven by
passing ``now``, never by sleeping), waits in RQ's scheduler, is picked up by
the periodic sweep when Redis was down when it was scheduled, and can be
cancelled; a thread set pending comes back to the queue once when its
follow-up time comes, or earlier when the customer writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from rq import Queue, SimpleWorker
from sqlalchemy.orm import Session

from config import Settings
from inbox import ingest
from inbox.database import Database
from inbox.jobs.replies import (
    SCHEDULER_GRACE,
    dispatch_due,
    reopen_follow_ups,
    send_after_commit,
    send_due_replies,
    sender_job_id,
)
from inbox.jobs.schedule import PERIODIC
from inbox.letters.replies import print_queued_letter
from inbox.models import AuditEvent, Message, OutboundMessage, Thread
from inbox.outbound import queue_on_channel
from inbox.workspace.later import (
    BadTime,
    NotCancellable,
    cancel_reply,
    due_replies,
    reopen_due_threads,
    schedule_reply,
    set_pending,
)
from tests import factories
from tests.web import signed_in_as

pytestmark = pytest.mark.integration
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def app(app_with_redis: Flask) -> Flask:
    """With a real Redis: replies are enqueued after commit."""
    return app_with_redis


def customer_thread(session: Session, received_at: datetime) -> int:
    factories.customer(session, email="later@example.com", name="Lena Later",
                       address="2 Later Lane, York")
    result = ingest(session, factories.email(sender="later@example.com", subject="My roof",
                                             text="The roof leaks.", received_at=received_at),
                    received_at)
    assert result.thread_id is not None
    return result.thread_id


def local(when: datetime, settings: Settings) -> str:
    """``when`` as the rep types it (datetime-local, the configured zone)."""
    return when.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%dT%H:%M")


def minute(when: datetime) -> datetime:
    return when.replace(second=0, microsecond=0)


def audit_actions(session: Session, thread_id: int) -> list[str]:
    return list(session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.entity_type == "threads", AuditEvent.entity_id == thread_id)
        .order_by(AuditEvent.id)))


# -- send later ----------------------------------------------------------------------


def test_a_reply_sent_later_waits_for_its_time(
        app: Flask, committed_db: Database, settings: Settings, conn: redis.Redis) -> None:
    real_now = datetime.now(UTC)
    with committed_db.transaction() as s:
        thread_id = customer_thread(s, real_now - timedelta(minutes=5))
    rep = app.test_client()
    signed_in_as(rep, committed_db, "rep")
    page = rep.get(f"/threads/{thread_id}").get_data(as_text=True)
    seen = page.split('name="seen_inbound" value="')[1].split('"')[0]
    assert 'name="send_at"' in page
    assert "Europe/London" in page
    send_at = minute(real_now + timedelta(hours=2))
    sent = rep.post(f"/threads/{thread_id}/reply", data={
        "channel": "letter", "body": "We will call round.", "seen_inbound": seen,
        "send_at": local(send_at, settings)}, follow_redirects=True)
    html = sent.get_data(as_text=True)
    shown = send_at.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M %Z")
    assert f"Reply by letter scheduled for {shown}." in html
    assert f"scheduled for {shown}" in html
    assert "Cancel this reply" in html
    with committed_db.transaction() as s:
        row = s.scalars(sa.select(OutboundMessage).where(
            OutboundMessage.thread_id == thread_id)).one()
        assert (row.status, row.send_at, row.attempts) == ("pending", send_at, 0)
        outbound_id = row.id
        assert "reply.scheduled" in audit_actions(s, thread_id)

    # Waiting in RQ's scheduler for its time, not on the queue.
    queue = Queue("outbound", connection=conn)
    assert queue.get_job_ids() == []
    assert queue.scheduled_job_registry.get_job_ids() == [sender_job_id(outbound_id)]
    assert conn.zscore(queue.scheduled_job_registry.key, sender_job_id(outbound_id)) == (
        send_at.timestamp())

    before, after = send_at - timedelta(seconds=1), send_at + timedelta(seconds=1)
    with committed_db.transaction() as s:
        assert due_replies(s, before) == []
        assert due_replies(s, after) == [(outbound_id, "letter")]
    # The sender itself refuses to send early, without counting an attempt.
    assert print_queued_letter(committed_db, app.config["SETTINGS"], outbound_id,
                               lambda: before) == "scheduled"
    with committed_db.transaction() as s:
        row = s.get(OutboundMessage, outbound_id)
        assert row is not None
        assert (row.status, row.attempts, row.message_id) == ("pending", 0, None)
    assert print_queued_letter(committed_db, app.config["SETTINGS"], outbound_id,
                               lambda: after) == "sent"
    with committed_db.transaction() as s:
        row = s.get(OutboundMessage, outbound_id)
        assert row is not None
        assert (row.status, row.attempts) == ("sent", 1)
        message = s.get(Message, row.message_id)
        assert message is not None
        assert message.text == "We will call round."
        assert due_replies(s, after) == []


def test_a_reply_scheduled_while_redis_was_down_still_goes_out(
        app: Flask, committed_db: Database, conn: redis.Redis,
        caplog: pytest.LogCaptureFixture) -> None:
    real_now = datetime.now(UTC)
    scheduled_at = real_now - timedelta(hours=1)  # an hour ago, for half an hour ago
    with committed_db.transaction() as s:
        thread_id = customer_thread(s, scheduled_at - timedelta(minutes=5))
    dead = redis.Redis.from_url(DEAD_REDIS, socket_connect_timeout=1)
    with committed_db.transaction() as s:
        row = queue_on_channel(s, app.config["SETTINGS"], "letter", thread_id, "Sorry, late.",
                               scheduled_at, author_id=None)
        schedule_reply(s, row, scheduled_at + timedelta(minutes=30), scheduled_at,
                       actor_id=None)
        outbound_id = row.id
        send_after_commit(s, [row], connection=dead)
    dead.close()
    assert "after-commit action failed" in caplog.text  # the reply is kept all the same
    assert Queue("outbound", connection=conn).scheduled_job_registry.get_job_ids() == []

    with app.app_context():
        assert send_due_replies() == 1  # the periodic sweep, on the app's (live) Redis
        assert send_due_replies() == 0  # its job is waiting: not enqueued twice
        assert Queue("outbound", connection=conn).get_job_ids() == [sender_job_id(outbound_id)]
        assert SimpleWorker(["outbound"], connection=conn).work(burst=True)
        assert send_due_replies() == 0
    with committed_db.transaction() as s:
        row = s.get(OutboundMessage, outbound_id)
        assert row is not None
        assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
        assert s.get(Message, row.message_id) is not None


def test_the_sweep_leaves_scheduled_jobs_to_rqs_scheduler_unless_stuck(
        committed_db: Database, settings: Settings, conn: redis.Redis) -> None:
    real_now = datetime.now(UTC)
    send_at = real_now + timedelta(hours=1)
    with committed_db.transaction() as s:
        thread_id = customer_thread(s, real_now)
        row = queue_on_channel(s, settings, "letter", thread_id, "Later.", real_now,
                               author_id=None)
        schedule_reply(s, row, send_at, real_now, actor_id=None)
        outbound_id = row.id
        send_after_commit(s, [row], connection=conn)
    queue = Queue("outbound", connection=conn)
    assert queue.scheduled_job_registry.get_job_ids() == [sender_job_id(outbound_id)]
    due = [(outbound_id, "letter")]
    # RQ's scheduler enqueues it at its time: the sweep leaves it alone...
    assert dispatch_due(conn, due, send_at + SCHEDULER_GRACE / 2) == []
    assert queue.get_job_ids() == []
    # ... unless it is still waiting long after (no scheduler running): taken over, once.
    assert dispatch_due(conn, due, send_at + SCHEDULER_GRACE * 2) == [outbound_id]
    assert queue.scheduled_job_registry.get_job_ids() == []
    assert queue.get_job_ids() == [sender_job_id(outbound_id)]
    assert dispatch_due(conn, due, send_at + SCHEDULER_GRACE * 3) == []
    assert queue.get_job_ids() == [sender_job_id(outbound_id)]


def test_cancelling_a_scheduled_reply(
        app: Flask, committed_db: Database, settings: Settings) -> None:
    real_now = datetime.now(UTC)
    with committed_db.transaction() as s:
        thread_id = customer_thread(s, real_now)
        row = queue_on_channel(s, settings, "letter", thread_id, "Later.", real_now,
                               author_id=None)
        schedule_reply(s, row, real_now + timedelta(days=1), real_now, actor_id=None)
        outbound_id = row.id
        tried = queue_on_channel(s, settings, "letter", thread_id, "Now.", real_now,
                                 author_id=None)
        tried.attempts = 1  # a sender has started on it
        tried_id = tried.id
    lead = app.test_client()
    signed_in_as(lead, committed_db, "lead")
    assert lead.post(f"/outbound/{outbound_id}/cancel").status_code == 403
    rep = app.test_client()
    rep_id = signed_in_as(rep, committed_db, "rep")
    done = rep.post(f"/outbound/{outbound_id}/cancel", follow_redirects=True)
    assert "The scheduled reply is cancelled" in done.get_data(as_text=True)
    again = rep.post(f"/outbound/{outbound_id}/cancel", follow_redirects=True)
    assert "the reply is cancelled: it can no longer be cancelled" in again.get_data(
        as_text=True)
    late = rep.post(f"/outbound/{tried_id}/cancel", follow_redirects=True)
    assert "the reply is being sent: it can no longer be cancelled" in late.get_data(
        as_text=True)
    assert rep.post("/outbound/999999/cancel").status_code == 404
    with committed_db.transaction() as s:
        assert s.get(OutboundMessage, outbound_id).status == "cancelled"  # type: ignore[union-attr]
        assert s.get(OutboundMessage, tried_id).status == "pending"  # type: ignore[union-attr]
        event = s.scalars(sa.select(AuditEvent).where(
            AuditEvent.entity_id == thread_id, AuditEvent.action == "reply.cancelled")).one()
        assert (event.actor_id, event.data["outbound_id"]) == (rep_id, outbound_id)
        assert due_replies(s, real_now + timedelta(days=2)) == []
    # Its time comes: the sender leaves it alone.
    assert print_queued_letter(committed_db, settings, outbound_id,
                               lambda: real_now + timedelta(days=2)) == "cancelled"


def test_cancel_needs_a_reply_nobody_tried(session: Session, settings: Settings,
                                           now: datetime) -> None:
    thread_id = customer_thread(session, now)
    row = queue_on_channel(session, settings, "letter", thread_id, "Hello", now, author_id=None)
    with pytest.raises(BadTime, match="send at must be in the future"):
        schedule_reply(session, row, now, now, actor_id=None)
    with pytest.raises(BadTime, match="more than a year ahead"):
        schedule_reply(session, row, now + timedelta(days=400), now, actor_id=None)
    row.status = "sent"
    session.flush()
    with pytest.raises(NotCancellable, match="the reply is sent"):
        cancel_reply(session, row.id, now, actor_id=None)


# -- pending until -----------------------------------------------------------------


def test_pending_until_then_reopened_exactly_once(session: Session, now: datetime) -> None:
    thread_id = customer_thread(session, now)
    thread = session.get(Thread, thread_id)
    assert thread is not None
    with pytest.raises(BadTime, match="must be in the future"):
        set_pending(session, thread, now - timedelta(minutes=1), now, actor_id=None)
    until = now + timedelta(days=2)
    set_pending(session, thread, until, now, actor_id=None)
    assert (thread.status, thread.follow_up_at) == ("pending", until)
    earlier_due = thread.due_at
    assert earlier_due is not None
    assert earlier_due < until

    assert reopen_due_threads(session, until - timedelta(seconds=1)) == []
    assert reopen_due_threads(session, until) == [thread_id]
    assert reopen_due_threads(session, until) == []
    assert reopen_due_threads(session, until + timedelta(days=1)) == []
    assert (thread.status, thread.needs_reply, thread.follow_up_at) == ("open", True, None)
    assert thread.due_at == earlier_due  # it was due already: not pushed later
    assert audit_actions(session, thread_id).count("thread.follow_up_due") == 1

    # Pending again with nothing due from us: due when it comes back.
    thread.needs_reply, thread.due_at = False, None
    set_pending(session, thread, until + timedelta(days=3), until, actor_id=None)
    assert reopen_due_threads(session, until + timedelta(days=3)) == [thread_id]
    assert (thread.needs_reply, thread.due_at) == (True, until + timedelta(days=3))
    thread.status = "closed"
    with pytest.raises(BadTime, match="closed"):
        set_pending(session, thread, until + timedelta(days=9), until, actor_id=None)


def test_a_customer_message_before_the_follow_up_reopens_and_clears_it(
        session: Session, now: datetime) -> None:
    thread_id = customer_thread(session, now)
    thread = session.get(Thread, thread_id)
    assert thread is not None
    set_pending(session, thread, now + timedelta(days=3), now, actor_id=None)
    answer = now + timedelta(days=1)
    again = ingest(session, factories.email(sender="later@example.com", subject="Re: My roof",
                                            text="Here are the photos.", received_at=answer),
                   answer)
    assert again.thread_id == thread_id
    session.refresh(thread)
    assert (thread.status, thread.follow_up_at, thread.needs_reply) == ("open", None, True)
    reopened = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.entity_id == thread_id, AuditEvent.action == "thread.reopened")).one()
    assert reopened.data["follow_up_at"] == (now + timedelta(days=3)).isoformat()
    assert reopen_due_threads(session, now + timedelta(days=3)) == []  # nothing to reopen


def test_pending_from_the_page_and_with_a_reply(
        app: Flask, committed_db: Database, settings: Settings) -> None:
    real_now = datetime.now(UTC)
    with committed_db.transaction() as s:
        thread_id = customer_thread(s, real_now - timedelta(minutes=5))
    rep = app.test_client()
    rep_id = signed_in_as(rep, committed_db, "rep")
    for value, error in (("", "choose the date and time"), ("soon", "is not a date and time"),
                         (local(real_now - timedelta(hours=1), settings), "in the future")):
        refused = rep.post(f"/threads/{thread_id}/pending", data={"until": value},
                           follow_redirects=True)
        assert error in refused.get_data(as_text=True)
    with committed_db.transaction() as s:
        assert s.get(Thread, thread_id).status == "open"  # type: ignore[union-attr]

    until = minute(real_now + timedelta(days=1))
    done = rep.post(f"/threads/{thread_id}/pending", data={"until": local(until, settings)},
                    follow_redirects=True)
    assert "Pending until" in done.get_data(as_text=True)
    with committed_db.transaction() as s:
        thread = s.get(Thread, thread_id)
        assert thread is not None
        assert (thread.status, thread.follow_up_at) == ("pending", until)
        event = s.scalars(sa.select(AuditEvent).where(
            AuditEvent.entity_id == thread_id, AuditEvent.action == "thread.pending")).one()
        assert event.actor_id == rep_id
        thread.status, thread.follow_up_at = "open", None

    page = rep.get(f"/threads/{thread_id}").get_data(as_text=True)
    seen = page.split('name="seen_inbound" value="')[1].split('"')[0]
    past = rep.post(f"/threads/{thread_id}/reply", data={
        "channel": "letter", "body": "Draft kept", "seen_inbound": seen,
        "send_at": local(real_now - timedelta(hours=1), settings)}, follow_redirects=True)
    assert "Not sent: send at must be in the future" in past.get_data(as_text=True)
    assert "Draft kept</textarea>" in past.get_data(as_text=True)
    # Send now and set pending until next week, in one go.
    week = minute(real_now + timedelta(days=7))
    both = rep.post(f"/threads/{thread_id}/reply", data={
        "channel": "letter", "body": "Please send photos.", "seen_inbound": seen,
        "pending_until": local(week, settings)}, follow_redirects=True)
    assert "Reply queued by letter. The thread is pending until" in both.get_data(as_text=True)
    with committed_db.transaction() as s:
        rows = s.scalars(sa.select(OutboundMessage).where(
            OutboundMessage.thread_id == thread_id)).all()
        assert [(r.text, r.send_at) for r in rows] == [("Please send photos.", None)]
        thread = s.get(Thread, thread_id)
        assert thread is not None
        assert (thread.status, thread.follow_up_at) == ("pending", week)

    with app.app_context():  # the periodic job: not yet
        assert reopen_follow_ups() == 0


def test_both_sweeps_are_periodic_jobs() -> None:
    jobs = {entry.job: entry.interval for entry in PERIODIC}
    assert jobs[send_due_replies] == 60
    assert jobs[reopen_follow_ups] == 60
