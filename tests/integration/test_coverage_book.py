"""coverage.assess on real rows: a claim and its policy from the database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from claims.coverage import Verdict, assess
from tests import factories

pytestmark = pytest.mark.integration


def test_assess_reads_the_policy_and_its_other_claims(session: Session) -> None:
    owner = factories.customer(session)
    policy = factories.policy(session, owner, coverage_limit=Decimal("3000"),
                              deductible=Decimal("100"), exclusions=["flood"])
    factories.claim(session, policy, status="paid", loss_date=date(2026, 1, 10),
                    amount_approved=Decimal("2500"), cause="theft")
    claim = factories.claim(session, policy, loss_date=date(2026, 2, 1),
                            amount_claimed=Decimal("900"), cause="storm")
    session.refresh(policy)
    result = assess(claim, policy, on=date(2026, 3, 1))
    assert result.verdict is Verdict.NEEDS_REVIEW
    assert result.remaining_limit == Decimal("500.00")
    assert result.payable == Decimal("500.00")
    claim.cause = "flood"
    assert assess(claim, policy, on=date(2026, 3, 1)).verdict is Verdict.NOT_COVERED
