"""The claim's states and what may move it between them.

    received -> in_review -> info_requested <-> in_review
    in_review -> approved | denied | escalated
    escalated -> (a supervisor) approved | denied
    approved -> paid -> closed;  denied -> closed
    denied | closed -> in_review (reopen, with a reason)

:func:`plan` decides, as a pure function, what an action does to a claim in a
given state by a given person: the new state, or :class:`IllegalTransition`
with a sentence saying why. Two rules beyond the table: a denial must cite the
policy provision or reason code it rests on, and an approval above the
approver's authority limit becomes an escalation. :func:`transition` applies
the plan to a claim and records it as a :class:`~claims.models.ClaimEvent`
(who, when, what, why, and the coverage result relied on).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from claims.models import Claim, ClaimEvent

STATES = ("received", "in_review", "info_requested", "approved", "denied", "escalated",
          "paid", "closed")
SUPERVISOR_ROLES = frozenset({"supervisor", "admin"})

# action -> (states it applies to, the state it leads to)
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "start_review": (frozenset({"received"}), "in_review"),
    "request_info": (frozenset({"received", "in_review"}), "info_requested"),
    "info_received": (frozenset({"info_requested"}), "in_review"),
    "approve": (frozenset({"in_review", "escalated"}), "approved"),
    "deny": (frozenset({"in_review", "escalated"}), "denied"),
    "escalate": (frozenset({"received", "in_review", "info_requested"}), "escalated"),
    "pay": (frozenset({"approved"}), "paid"),
    "close": (frozenset({"paid", "denied"}), "closed"),
    "reopen": (frozenset({"denied", "closed"}), "in_review"),
}


class IllegalTransition(ValueError):  # noqa: N818 - reads as what happened
    """The action is not allowed for this claim, now, by this person."""


@dataclass(frozen=True)
class Step:
    action: str  # what happens (approve may become escalate)
    from_status: str
    to_status: str
    note: str = ""


def plan(
    status: str,
    action: str,
    *,
    role: str = "rep",
    authority_limit: Decimal | None = None,
    amount: Decimal | None = None,
    reason: str = "",
    reason_code: str = "",
) -> Step:
    if status not in STATES:
        raise IllegalTransition(f"unknown claim state {status!r}")
    if action not in ACTIONS:
        raise IllegalTransition(f"unknown action {action!r}; actions are {', '.join(ACTIONS)}")
    sources, target = ACTIONS[action]
    if status not in sources:
        allowed = sorted(a for a, (src, _) in ACTIONS.items() if status in src)
        raise IllegalTransition(
            f"cannot {action.replace('_', ' ')} a claim that is {status.replace('_', ' ')}"
            f"; possible now: {', '.join(allowed) or 'nothing'}")
    supervisor = role in SUPERVISOR_ROLES
    if status == "escalated" and action in ("approve", "deny") and not supervisor:
        raise IllegalTransition("an escalated claim is decided by a supervisor")
    if action == "deny" and not reason_code.strip():
        raise IllegalTransition("a denial must cite the policy provision or reason code")
    if action in ("reopen", "escalate") and not reason.strip():
        raise IllegalTransition(f"{action} needs a reason")
    if action == "pay" and (amount is None or amount <= 0):
        raise IllegalTransition("a payment needs the amount paid")
    if action == "approve":
        if amount is None or amount <= 0:
            raise IllegalTransition("an approval needs the amount approved")
        if authority_limit is not None and amount > authority_limit and not (
                supervisor and status == "escalated"):
            return Step("escalate", status, "escalated",
                        f"{amount} is above the approver's authority limit of "
                        f"{authority_limit}: escalated to a supervisor")
    return Step(action, status, target)


def transition(
    session: Session,
    claim: Claim,
    action: str,
    now: datetime,
    *,
    actor_id: int | None,
    role: str = "rep",
    authority_limit: Decimal | None = None,
    amount: Decimal | None = None,
    reason: str = "",
    reason_code: str = "",
    coverage: dict[str, Any] | None = None,
) -> ClaimEvent:
    """Apply ``action`` to ``claim`` and record it. Raises
    :class:`IllegalTransition` (nothing changed) when it is not allowed."""
    step = plan(claim.status, action, role=role, authority_limit=authority_limit,
                amount=amount, reason=reason, reason_code=reason_code)
    claim.status = step.to_status
    if step.action == "approve":
        claim.amount_approved = amount
    event = ClaimEvent(
        claim_id=claim.id, action=step.action, requested=action,
        from_status=step.from_status, to_status=step.to_status, actor_id=actor_id,
        reason=(reason or step.note).strip()[:2000], reason_code=reason_code.strip()[:64],
        amount=amount, coverage=coverage, created_at=now,
    )
    if step.note and reason:
        event.reason = f"{reason.strip()} ({step.note})"[:2000]
    session.add(event)
    session.flush()
    return event
