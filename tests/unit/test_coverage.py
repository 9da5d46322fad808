"""Every coverage rule of claims.coverage.assess, on plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest

from claims.coverage import Verdict, assess

TODAY = date(2026, 3, 20)


@dataclass
class C:
    number: str = "CLM-2026-000001"
    status: str = "received"
    loss_date: date | None = date(2026, 3, 1)
    amount_claimed: Decimal | None = Decimal("1200.00")
    cause: str | None = "storm"
    amount_approved: Decimal | None = None


@dataclass
class P:
    number: str = "POL-000001"
    status: str = "active"
    start_date: date | None = date(2026, 1, 1)
    end_date: date | None = date(2026, 12, 31)
    coverage_limit: Decimal | None = Decimal("5000.00")
    deductible: Decimal | None = Decimal("250.00")
    exclusions: list[str] = field(default_factory=lambda: ["flood", "wear_and_tear"])
    claims: list[C] = field(default_factory=list)


def run(claim: C | None = None, policy: P | None = None, on: date = TODAY):
    claim = claim or C()
    policy = policy or P()
    if claim not in policy.claims:
        policy.claims.append(claim)
    return assess(claim, policy, on=on)


def test_covered_with_the_deductible_applied() -> None:
    result = run()
    assert result.verdict is Verdict.COVERED
    assert result.payable == Decimal("950.00")
    assert result.codes == ("deductible_applied",)
    assert result.remaining_limit == Decimal("5000.00")


def test_no_deductible_no_limit() -> None:
    result = run(policy=P(deductible=None, coverage_limit=None))
    assert result.verdict is Verdict.COVERED
    assert result.payable == Decimal("1200.00")
    assert result.codes == ()
    assert result.remaining_limit is None


@pytest.mark.parametrize(("policy", "loss"), [
    (P(start_date=date(2026, 4, 1)), date(2026, 3, 1)),      # before the start
    (P(end_date=date(2026, 2, 28)), date(2026, 3, 1)),        # after the end
    (P(status="cancelled", end_date=None), date(2026, 3, 1)),  # cancelled, no end date
])
def test_policy_not_active_on_the_loss_date(policy: P, loss: date) -> None:
    result = run(C(loss_date=loss), policy)
    assert result.verdict is Verdict.NOT_COVERED
    assert "policy_not_active" in result.codes
    assert result.payable == Decimal("0.00")


def test_a_cancelled_policy_covers_losses_before_its_end() -> None:
    result = run(C(loss_date=date(2026, 2, 1)), P(status="cancelled", end_date=date(2026, 2, 28)))
    assert result.verdict is Verdict.COVERED


def test_the_last_day_of_the_period_is_covered() -> None:
    assert run(C(loss_date=date(2026, 12, 31)), on=date(2027, 1, 5)).verdict is Verdict.COVERED
    assert run(C(loss_date=date(2026, 1, 1))).verdict is Verdict.COVERED


def test_a_pending_policy_needs_review() -> None:
    result = run(policy=P(status="pending"))
    assert result.verdict is Verdict.NEEDS_REVIEW
    assert "policy_pending" in result.codes


def test_excluded_cause() -> None:
    result = run(C(cause="Flood"))
    assert result.verdict is Verdict.NOT_COVERED
    (reason,) = [r for r in result.reasons if r.code == "cause_excluded"]
    assert reason.provision == "exclusion:flood"


def test_unknown_cause_needs_review_only_when_there_are_exclusions() -> None:
    assert run(C(cause=None)).verdict is Verdict.NEEDS_REVIEW
    assert "cause_unknown" in run(C(cause="")).codes
    assert run(C(cause=None), P(exclusions=[])).verdict is Verdict.COVERED


@pytest.mark.parametrize("amount", [None, Decimal("0")])
def test_missing_amount_needs_review(amount: Decimal | None) -> None:
    result = run(C(amount_claimed=amount))
    assert result.verdict is Verdict.NEEDS_REVIEW
    assert "amount_missing" in result.codes
    assert result.payable == Decimal("0.00")


def test_missing_loss_date_needs_review() -> None:
    result = run(C(loss_date=None))
    assert result.verdict is Verdict.NEEDS_REVIEW
    assert "loss_date_missing" in result.codes


def test_a_loss_after_today_needs_review() -> None:
    assert "loss_in_future" in run(C(loss_date=date(2026, 3, 25))).codes


@pytest.mark.parametrize("amount", [Decimal("250.00"), Decimal("100.00")])
def test_within_the_deductible_is_not_covered(amount: Decimal) -> None:
    result = run(C(amount_claimed=amount))
    assert result.verdict is Verdict.NOT_COVERED
    assert "within_deductible" in result.codes


def test_above_the_remaining_limit_is_capped_and_reviewed() -> None:
    paid = C(number="CLM-2026-000002", status="paid", loss_date=date(2026, 2, 1),
             amount_approved=Decimal("4500.00"))
    open_claim = C(number="CLM-2026-000003", status="in_review", loss_date=date(2026, 2, 5),
                   amount_approved=Decimal("999.00"))  # not settled: does not count
    result = run(policy=P(claims=[paid, open_claim]))
    assert result.verdict is Verdict.NEEDS_REVIEW
    assert result.remaining_limit == Decimal("500.00")
    assert result.payable == Decimal("500.00")
    assert "above_remaining_limit" in result.codes


def test_an_exhausted_limit_is_not_covered() -> None:
    paid = C(number="CLM-2026-000002", status="closed", loss_date=date(2026, 2, 1),
             amount_approved=Decimal("5000.00"))
    result = run(policy=P(claims=[paid]))
    assert result.verdict is Verdict.NOT_COVERED
    assert "limit_exhausted" in result.codes


def test_a_second_claim_for_the_same_loss_needs_review() -> None:
    first = C(number="CLM-2026-000009")
    result = run(C(number="CLM-2026-000010"), P(claims=[first]))
    assert result.verdict is Verdict.NEEDS_REVIEW
    (reason,) = [r for r in result.reasons if r.code == "possible_duplicate"]
    assert "CLM-2026-000009" in reason.message


@pytest.mark.parametrize("other", [
    C(number="CLM-2026-000009", status="denied"),              # void
    C(number="CLM-2026-000009", loss_date=date(2026, 2, 1)),    # another day
    C(number="CLM-2026-000009", cause="theft"),                # another cause
])
def test_not_a_duplicate(other: C) -> None:
    result = run(C(number="CLM-2026-000010"), P(claims=[other]))
    assert "possible_duplicate" not in result.codes


def test_blocking_wins_over_review_and_the_result_is_json() -> None:
    result = run(C(cause="flood", amount_claimed=None))
    assert result.verdict is Verdict.NOT_COVERED
    data = result.to_json()
    assert data["verdict"] == "not_covered"
    assert data["payable"] == "0.00"
    assert {r["code"] for r in data["reasons"]} == {"cause_excluded", "amount_missing"}
    assert data["reasons"][0]["severity"] in {"blocking", "review"}
    assert data["assessed_on"] == "2026-03-20"
