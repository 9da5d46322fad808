"""Claim transitions applied to real rows: the claim's state, the approved
amount, and the recorded step with the coverage result it relied on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.coverage import assess
from claims.models import ClaimEvent
from claims.workflow import IllegalTransition, transition
from tests import factories
from tests.conftest import NOW

pytestmark = pytest.mark.integration


def test_a_claim_moves_and_every_step_is_recorded(session: Session) -> None:
    rep = factories.user(session, role="rep")
    boss = factories.user(session, role="supervisor")
    owner = factories.customer(session)
    policy = factories.policy(session, owner, deductible=Decimal("100"))
    claim = factories.claim(session, policy, amount_claimed=Decimal("8100"), cause="storm",
                            loss_date=date(2026, 2, 1))
    session.refresh(policy)
    result = assess(claim, policy, on=date(2026, 3, 1)).to_json()

    transition(session, claim, "start_review", NOW, actor_id=rep.id)
    asked = transition(session, claim, "approve", NOW, actor_id=rep.id,
                       authority_limit=Decimal("5000"), amount=Decimal("8000"),
                       reason="storm damage covered", coverage=result)
    assert asked.action == "escalate"
    assert asked.requested == "approve"
    assert claim.status == "escalated"
    assert "authority limit" in asked.reason

    with pytest.raises(IllegalTransition):
        transition(session, claim, "pay", NOW, actor_id=rep.id, amount=Decimal("8000"))
    assert claim.status == "escalated"  # nothing changed

    transition(session, claim, "approve", NOW, actor_id=boss.id, role="supervisor",
               amount=Decimal("8000"), reason="checked the assessor's report")
    transition(session, claim, "pay", NOW, actor_id=rep.id, amount=Decimal("8000"))
    transition(session, claim, "close", NOW, actor_id=rep.id)
    assert claim.status == "closed"
    assert claim.amount_approved == Decimal("8000")

    events = session.scalars(sa.select(ClaimEvent).where(ClaimEvent.claim_id == claim.id)
                             .order_by(ClaimEvent.id)).all()
    assert [(e.from_status, e.to_status, e.actor_id) for e in events] == [
        ("received", "in_review", rep.id),
        ("in_review", "escalated", rep.id),
        ("escalated", "approved", boss.id),
        ("approved", "paid", rep.id),
        ("paid", "closed", rep.id),
    ]
    assert events[1].coverage["verdict"] == "covered"
    assert events[1].coverage["payable"] == "8000.00"


def test_inbox_claims_show_tells_the_story(committed_db, invoke) -> None:
    from inbox import ingest

    with committed_db.transaction() as session:
        rep = factories.user(session, role="rep", name="Anna Berg")
        owner = factories.customer(session, name="Jane Doe", email="jane@example.com")
        policy = factories.policy(session, owner, exclusions=["flood"])
        claim = factories.claim(session, policy, amount_claimed=Decimal("1200"),
                                cause="storm", loss_date=date(2026, 2, 1))
        ingest(session, factories.email(sender="jane@example.com",
                                        subject=f"Roof damage {claim.number}",
                                        received_at=NOW), NOW)
        transition(session, claim, "start_review", NOW, actor_id=rep.id)
        transition(session, claim, "deny", NOW, actor_id=rep.id, reason_code="exclusion:flood",
                   reason="the water came from the river")
        number = claim.number
    result = invoke("claims", "show", number.lower())
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"{number}  denied  policy {policy.number}" in out
    assert "customer: Jane Doe" in out
    assert "coverage today: covered" in out
    lines = [line for line in out.splitlines() if line.startswith("  2026")]
    assert "email from customer: Roof damage" in lines[0]
    assert "received -> in_review" in lines[1]
    assert "Anna Berg" in lines[2]
    assert "in_review -> denied" in lines[2]
    assert "why: [exclusion:flood] the water came from the river" in out
    missing = invoke("claims", "show", "CLM-1999-000000")
    assert missing.exit_code == 1
    assert "no claim CLM-1999-000000" in missing.output
