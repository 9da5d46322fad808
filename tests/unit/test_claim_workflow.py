"""Every claim transition, legal and illegal (claims.workflow.plan)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from claims.workflow import ACTIONS, STATES, IllegalTransition, plan

# What each action needs to be allowed at all.
NEEDS = {
    "approve": {"amount": Decimal("500")},
    "pay": {"amount": Decimal("500")},
    "deny": {"reason_code": "exclusion:flood"},
    "escalate": {"reason": "large loss"},
    "reopen": {"reason": "new invoice arrived"},
}
LEGAL = {(state, action) for action, (sources, _) in ACTIONS.items() for state in sources}


def role_for(state: str, action: str) -> str:
    return "supervisor" if state == "escalated" and action in ("approve", "deny") else "rep"


@pytest.mark.parametrize(("state", "action"), sorted(LEGAL))
def test_every_legal_transition(state: str, action: str) -> None:
    step = plan(state, action, role=role_for(state, action), **NEEDS.get(action, {}))
    assert step.from_status == state
    assert step.to_status == ACTIONS[action][1]
    assert step.action == action


ILLEGAL = sorted((s, a) for s in STATES for a in ACTIONS if (s, a) not in LEGAL)


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_every_illegal_transition_says_why(state: str, action: str) -> None:
    with pytest.raises(IllegalTransition, match=f"cannot {action.replace('_', ' ')} a claim"):
        plan(state, action, role="supervisor", **NEEDS.get(action, {}))


def test_the_full_path_of_a_paid_claim() -> None:
    state = "received"
    for action in ("start_review", "request_info", "info_received", "approve", "pay", "close"):
        state = plan(state, action, **NEEDS.get(action, {})).to_status
    assert state == "closed"


def test_a_denial_must_cite_a_provision() -> None:
    with pytest.raises(IllegalTransition, match="policy provision or reason code"):
        plan("in_review", "deny", reason="not covered")
    assert plan("in_review", "deny", reason_code="exclusion:flood").to_status == "denied"


def test_an_approval_above_the_authority_limit_becomes_an_escalation() -> None:
    step = plan("in_review", "approve", amount=Decimal("12000"),
                authority_limit=Decimal("5000"))
    assert step.action == "escalate"
    assert step.to_status == "escalated"
    assert "authority limit of 5000" in step.note
    within = plan("in_review", "approve", amount=Decimal("5000"),
                  authority_limit=Decimal("5000"))
    assert within.to_status == "approved"
    assert plan("in_review", "approve", amount=Decimal("99999")).to_status == "approved"


def test_a_supervisor_decides_an_escalated_claim_whatever_the_amount() -> None:
    with pytest.raises(IllegalTransition, match="decided by a supervisor"):
        plan("escalated", "approve", role="rep", amount=Decimal("100"))
    step = plan("escalated", "approve", role="supervisor", amount=Decimal("12000"),
                authority_limit=Decimal("5000"))
    assert step.to_status == "approved"
    with pytest.raises(IllegalTransition, match="decided by a supervisor"):
        plan("escalated", "deny", role="rep", reason_code="fraud")


@pytest.mark.parametrize(("action", "kwargs", "message"), [
    ("reopen", {}, "reopen needs a reason"),
    ("escalate", {}, "escalate needs a reason"),
    ("approve", {}, "amount approved"),
    ("approve", {"amount": Decimal("0")}, "amount approved"),
    ("pay", {}, "amount paid"),
])
def test_required_facts(action: str, kwargs: dict, message: str) -> None:
    state = {"reopen": "closed", "pay": "approved"}.get(action, "in_review")
    with pytest.raises(IllegalTransition, match=message):
        plan(state, action, **kwargs)


def test_unknown_states_and_actions() -> None:
    with pytest.raises(IllegalTransition, match="unknown claim state"):
        plan("lost", "close")
    with pytest.raises(IllegalTransition, match="unknown action"):
        plan("in_review", "shred")
