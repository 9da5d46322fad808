"""Account issues (claims.account_issues.plan): every generic and kind step,
legal and illegal, with the deadlines it sets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from claims.account_issues import (
    _KEEP,
    Deadlines,
    IllegalStep,
    Outcome,
    opening_deadline,
    plan,
)

OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = OPENED + timedelta(days=1)
RULES = Deadlines(complaint_ack_days=5, complaint_final_response_days=56, payment_chase_days=3)


def step(kind: str, action: str, status: str = "open", details: dict[str, Any] | None = None,
         now: datetime = NOW, actor: str = "Anna Berg", **data: Any) -> Outcome:
    return plan(kind, status, details or {}, action, data, now=now, opened_at=OPENED,
                rules=RULES, actor=actor)


def test_a_complaint_opens_with_its_acknowledgement_deadline() -> None:
    assert opening_deadline("complaint", OPENED, RULES) == OPENED + timedelta(days=5)
    for kind in ("renewal", "account_change", "payment_delay", "other"):
        assert opening_deadline(kind, OPENED, RULES) is None


@pytest.mark.parametrize("kind", ["renewal", "account_change", "payment_delay", "complaint",
                                  "other"])
def test_generic_steps(kind: str) -> None:
    started = step(kind, "start")
    assert (started.from_status, started.to_status) == ("open", "in_progress")
    with pytest.raises(IllegalStep, match="cannot start"):
        step(kind, "start", status="in_progress")
    assert step(kind, "note", note="called back").to_status == "open"
    with pytest.raises(IllegalStep, match="note is required"):
        step(kind, "note")
    with pytest.raises(IllegalStep, match="closed"):
        step(kind, "note", status="closed", note="x")
    closed = step(kind, "close", status="resolved")
    assert closed.to_status == "closed"
    assert closed.due_at is None
    for status in ("open", "in_progress", "closed"):
        with pytest.raises(IllegalStep, match="only a resolved issue is closed"):
            step(kind, "close", status=status)
    for status in ("resolved", "closed"):
        reopened = step(kind, "reopen", status=status, note="customer still waiting")
        assert reopened.to_status == "in_progress"
        assert reopened.details["reopened"] == "customer still waiting"
    with pytest.raises(IllegalStep, match="cannot reopen"):
        step(kind, "reopen", status="open", note="x")
    with pytest.raises(IllegalStep, match="note is required"):
        step(kind, "reopen", status="closed")
    with pytest.raises(IllegalStep, match="cannot resolve"):
        step(kind, "resolve", status="resolved", resolution="x")


def test_unknown_steps_and_states() -> None:
    with pytest.raises(IllegalStep, match="a renewal has no step 'chase'"):
        step("renewal", "chase")
    with pytest.raises(IllegalStep, match="unknown state"):
        step("renewal", "start", status="pending")


@pytest.mark.parametrize(("kind", "action", "data"), [
    ("renewal", "decide", {"decision": "renew"}),
    ("payment_delay", "chase", {}),
    ("complaint", "acknowledge", {}),
])
def test_kind_steps_need_an_active_issue(kind: str, action: str, data: dict[str, Any]) -> None:
    moved = step(kind, action, **data)
    assert moved.to_status == "in_progress"  # a step on an open issue starts it
    for status in ("resolved", "closed"):
        with pytest.raises(IllegalStep, match="reopen it"):
            step(kind, action, status=status, **data)


def test_renewal_quote_decide_resolve() -> None:
    with pytest.raises(IllegalStep, match="cannot resolve yet: decide the renewal"):
        step("renewal", "resolve", status="in_progress")
    quoted = step("renewal", "quote", amount="412.5", valid_until="2026-04-30",
                  renewal_date="2026-05-01")
    assert quoted.details == {"quote": {"amount": "412.50", "valid_until": "2026-04-30"},
                              "renewal_date": "2026-05-01"}
    for bad, match in (({"amount": "-1", "valid_until": "2026-04-30"}, "more than 0"),
                       ({"amount": "abc", "valid_until": "2026-04-30"}, "not an amount"),
                       ({"amount": "10", "valid_until": "30/04/2026"}, "not a date")):
        with pytest.raises(IllegalStep, match=match):
            step("renewal", "quote", **bad)
    with pytest.raises(IllegalStep, match="decision must be one of"):
        step("renewal", "decide", decision="maybe")
    decided = step("renewal", "decide", status="in_progress", details=quoted.details,
                   decision="Renew")
    assert decided.details["decision"] == "renew"
    done = step("renewal", "resolve", status="in_progress", details=decided.details)
    assert done.to_status == "resolved"
    assert done.due_at is None


def test_an_address_or_bank_change_needs_verified_identity() -> None:
    with pytest.raises(IllegalStep, match="record the change first"):
        step("account_change", "apply_change")
    for field in ("bank_details", "address"):
        recorded = step("account_change", "record_change", field=field, old="GB12 3456 7890",
                        new="DE44 5001 0517 5407 3249 31")
        with pytest.raises(IllegalStep, match="verify the customer's identity"):
            step("account_change", "apply_change", status="in_progress",
                 details=recorded.details)
        verified = step("account_change", "verify_identity", status="in_progress",
                        details=recorded.details, method="callback")
        assert verified.details["verification"]["by"] == "Anna Berg"
        applied = step("account_change", "apply_change", status="in_progress",
                       details=verified.details)
        assert applied.details["applied_by"] == "Anna Berg"
        with pytest.raises(IllegalStep, match="applied already"):
            step("account_change", "apply_change", status="in_progress",
                 details=applied.details)
        with pytest.raises(IllegalStep, match="applied already"):
            step("account_change", "record_change", status="in_progress",
                 details=applied.details, field="email", new="x@y.z")
        assert step("account_change", "resolve", status="in_progress",
                    details=applied.details).to_status == "resolved"


def test_bank_details_are_kept_masked() -> None:
    recorded = step("account_change", "record_change", field="bank_details",
                    old="GB29 NWBK 6016 1331 9268 19", new="DE44 5001 0517 5407 3249 31")
    assert recorded.details["change"] == {"field": "bank_details", "old": "****6819",
                                          "new": "****4931"}
    assert "5001" not in str(recorded.changes)


def test_other_changes_need_no_verification_and_can_be_rejected() -> None:
    recorded = step("account_change", "record_change", field="email", old="a@x.test",
                    new="b@x.test")
    assert recorded.details["change"]["new"] == "b@x.test"
    assert step("account_change", "apply_change", status="in_progress",
                details=recorded.details).details["applied_at"] == NOW.isoformat()
    with pytest.raises(IllegalStep, match="apply or reject the change"):
        step("account_change", "resolve", status="in_progress", details=recorded.details)
    rejected = step("account_change", "reject_change", status="in_progress",
                    details=recorded.details, reason="caller failed security questions")
    assert step("account_change", "resolve", status="in_progress",
                details=rejected.details).to_status == "resolved"
    with pytest.raises(IllegalStep, match="field must be one of"):
        step("account_change", "record_change", field="shoe_size", new="44")
    with pytest.raises(IllegalStep, match="method must be one of"):
        step("account_change", "verify_identity", method="vibes")
    with pytest.raises(IllegalStep, match="person who verified"):
        step("account_change", "verify_identity", method="callback", actor="")


def test_payment_delay_chases_and_resolves() -> None:
    set_ = step("payment_delay", "set_payment", reference="PAY-778", expected_date="2026-03-10")
    assert set_.details == {"payment_reference": "PAY-778", "expected_date": "2026-03-10"}
    chased = step("payment_delay", "chase", status="in_progress", details=set_.details)
    assert chased.due_at == NOW + timedelta(days=3)
    again = step("payment_delay", "chase", status="in_progress", details=chased.details,
                 now=NOW + timedelta(days=3))
    assert len(again.details["chases"]) == 2
    with pytest.raises(IllegalStep, match="record the payment"):
        step("payment_delay", "resolve", status="in_progress", details=again.details)
    paid = step("payment_delay", "payment_received", status="in_progress",
                details=again.details, paid_on="2026-03-09")
    assert paid.due_at is None
    assert step("payment_delay", "resolve", status="in_progress",
                details=paid.details).to_status == "resolved"
    # Or resolved with a resolution (the payment was cancelled, say).
    assert step("payment_delay", "resolve", status="in_progress", details=again.details,
                resolution="payment cancelled by the customer").to_status == "resolved"
    with pytest.raises(IllegalStep, match="reference is required"):
        step("payment_delay", "set_payment", expected_date="2026-03-10")


def test_complaint_path_with_regulatory_deadlines() -> None:
    with pytest.raises(IllegalStep, match="acknowledge it, classify it, record its root cause"):
        step("complaint", "resolve", status="in_progress", resolution="sorry")
    classified = step("complaint", "classify", category="delay", severity="high")
    assert classified.due_at is _KEEP  # the acknowledgement deadline stands
    acked = step("complaint", "acknowledge", status="in_progress", details=classified.details)
    assert acked.due_at == OPENED + timedelta(days=56)  # now the final response
    assert acked.details["acknowledged_late"] is False
    late = step("complaint", "acknowledge", now=OPENED + timedelta(days=6))
    assert late.details["acknowledged_late"] is True
    with pytest.raises(IllegalStep, match="acknowledged already"):
        step("complaint", "acknowledge", status="in_progress", details=acked.details)
    rooted = step("complaint", "record_root_cause", status="in_progress",
                  details=acked.details, root_cause="assessor visit booked late")
    with pytest.raises(IllegalStep, match="resolution"):
        step("complaint", "resolve", status="in_progress", details=rooted.details)
    resolved = step("complaint", "resolve", status="in_progress", details=rooted.details,
                    resolution="apology and 50 GBP goodwill payment")
    assert resolved.to_status == "resolved"
    assert resolved.due_at is None
    reopened = step("complaint", "reopen", status="resolved", details=resolved.details,
                    note="customer unhappy with outcome")
    assert reopened.due_at == NOW + timedelta(days=56)
    with pytest.raises(IllegalStep, match="severity must be one of"):
        step("complaint", "classify", category="delay", severity="apocalyptic")


def test_other_issues_resolve_with_a_resolution() -> None:
    with pytest.raises(IllegalStep, match="resolution"):
        step("other", "resolve")
    assert step("other", "resolve", resolution="answered by phone").to_status == "resolved"
