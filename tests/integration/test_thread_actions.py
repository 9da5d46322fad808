"""Working a thread in the browser's forms (Flask test client, real
database): a reply by letter, an internal note, the claim's workflow with an
escalation a supervisor decides on the page, and a reply held back when the
customer wrote again meanwhile."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from claims.models import Claim
from inbox import ingest
from inbox.database import Database
from inbox.models import Escalation, Message, OutboundMessage, Thread, User
from tests import factories
from tests.web import signed_in_as

pytestmark = pytest.mark.integration


@pytest.fixture
def app(app_with_redis: Flask) -> Flask:
    """With a real Redis: replies are enqueued after commit."""
    return app_with_redis


@pytest.fixture
def claim_thread(committed_db: Database) -> tuple[int, int]:
    now = datetime.now(UTC) - timedelta(minutes=5)
    with committed_db.transaction() as s:
        owner = factories.customer(s, email="web@example.com", name="Wendy Web",
                                   address="1 Web Street, Leeds")
        policy = factories.policy(s, owner)
        claim = factories.claim(s, policy, amount_claimed=Decimal("9000"), cause="storm",
                                loss_date=date(2026, 2, 1))
        result = ingest(s, factories.email(sender="web@example.com",
                                           subject=f"Storm {claim.number}",
                                           text="The storm broke the windows.",
                                           received_at=now), now)
        return result.thread_id, claim.id


def test_reply_note_and_claim_workflow_from_the_page(
        app: Flask, committed_db: Database, claim_thread: tuple[int, int]) -> None:
    thread_id, claim_id = claim_thread
    with committed_db.transaction() as s:
        s.execute(sa.update(User).values(active=False))
    rep = app.test_client()
    rep_id = signed_in_as(rep, committed_db, "rep")
    with committed_db.transaction() as s:
        s.get(User, rep_id).authority_limit = Decimal("5000")  # type: ignore[union-attr]
    page = rep.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert "Claim CLM-" in page
    assert 'name="seen_inbound"' in page
    seen = page.split('name="seen_inbound" value="')[1].split('"')[0]

    sent = rep.post(f"/threads/{thread_id}/reply", data={
        "channel": "letter", "body": "Dear Ms Web, we are on it.", "seen_inbound": seen},
        follow_redirects=True)
    assert "Reply queued by letter." in sent.get_data(as_text=True)
    rep.post(f"/threads/{thread_id}/notes", data={"text": "called the glazier"})
    with committed_db.transaction() as s:
        assert s.scalars(sa.select(OutboundMessage.channel).where(
            OutboundMessage.thread_id == thread_id)).all() == ["letter"]
        note = s.scalars(sa.select(Message).where(Message.thread_id == thread_id,
                                                  Message.direction == "note")).one()
        assert (note.text, note.author_id) == ("called the glazier", rep_id)

    rep.post(f"/claims/{claim_id}/act", data={"action": "start_review", "thread_id": thread_id})
    bad = rep.post(f"/claims/{claim_id}/act", data={
        "action": "approve", "amount": "lots", "thread_id": thread_id}, follow_redirects=True)
    assert "is not an amount" in bad.get_data(as_text=True)
    boss = app.test_client()
    boss_id = signed_in_as(boss, committed_db, "supervisor")
    escalated = rep.post(f"/claims/{claim_id}/act", data={
        "action": "approve", "amount": "8000", "reason": "glazier invoice",
        "thread_id": thread_id}, follow_redirects=True)
    assert "in_review → escalated" in escalated.get_data(as_text=True)
    with committed_db.transaction() as s:
        escalation = s.scalars(sa.select(Escalation).where(
            Escalation.claim_id == claim_id)).one()
        assert escalation.supervisor_id == boss_id
        escalation_id = escalation.id
    assert rep.post(f"/escalations/{escalation_id}/decide", data={
        "decision": "approve", "amount": "8000", "note": "ok"}).status_code == 403
    boss_page = boss.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert "Escalated: glazier invoice" in boss_page
    decided = boss.post(f"/escalations/{escalation_id}/decide", data={
        "decision": "approve", "amount": "8000", "note": "windows and frames"},
        follow_redirects=True)
    assert "Decided: approved." in decided.get_data(as_text=True)
    with committed_db.transaction() as s:
        assert s.get(Claim, claim_id).status == "approved"  # type: ignore[union-attr]


def test_a_reply_is_held_back_when_the_customer_wrote_again(
        app: Flask, committed_db: Database, claim_thread: tuple[int, int]) -> None:
    thread_id, _ = claim_thread
    rep = app.test_client()
    signed_in_as(rep, committed_db, "rep")
    page = rep.get(f"/threads/{thread_id}").get_data(as_text=True)
    seen = page.split('name="seen_inbound" value="')[1].split('"')[0]
    later = datetime.now(UTC)
    with committed_db.transaction() as s:
        subject = s.get(Thread, thread_id).subject  # type: ignore[union-attr]
        again = ingest(s, factories.email(sender="web@example.com", subject=f"Re: {subject}",
                                          text="Also the door!", received_at=later), later)
        assert again.thread_id == thread_id
    held = rep.post(f"/threads/{thread_id}/reply", data={
        "channel": "letter", "body": "My draft answer", "seen_inbound": seen},
        follow_redirects=True)
    html = held.get_data(as_text=True)
    assert "The customer wrote again" in html
    assert "My draft answer</textarea>" in html
    assert "Also the door!" in html
    with committed_db.transaction() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(OutboundMessage).where(
            OutboundMessage.thread_id == thread_id)) == 0


def test_assign_prioritise_close_and_reopen_from_the_page(
        app: Flask, committed_db: Database, claim_thread: tuple[int, int]) -> None:
    thread_id, _ = claim_thread
    rep = app.test_client()
    rep_id = signed_in_as(rep, committed_db, "rep")
    page = rep.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert f'<option value="{rep_id}"' in page
    rep.post(f"/threads/{thread_id}/manage", data={"assignee": str(rep_id),
                                                   "priority": "urgent"})
    closed = rep.post(f"/threads/{thread_id}/manage", data={
        "assignee": str(rep_id), "priority": "urgent", "status": "closed"},
        follow_redirects=True)
    assert "Thread closed." in closed.get_data(as_text=True)
    with committed_db.transaction() as s:
        thread = s.get(Thread, thread_id)
        assert thread is not None
        assert (thread.assignee_id, thread.priority, thread.status, thread.needs_reply) == (
            rep_id, "urgent", "closed", False)
    bad = rep.post(f"/threads/{thread_id}/manage", data={"assignee": "999999"},
                   follow_redirects=True)
    assert "no active user 999999" in bad.get_data(as_text=True)
    rep.post(f"/threads/{thread_id}/manage", data={"assignee": "", "status": "open"})
    with committed_db.transaction() as s:
        thread = s.get(Thread, thread_id)
        assert thread is not None
        assert (thread.assignee_id, thread.status) == (None, "open")
    lead = app.test_client()
    signed_in_as(lead, committed_db, "lead")
    assert lead.post(f"/threads/{thread_id}/manage", data={"status": "closed"}).status_code == 403
