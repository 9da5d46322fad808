"""Deciding a claim: one function for every step of claims.workflow that a
person takes (review, approve, deny, escalate, pay, close, reopen, and marking
information received), with the coverage result it relied on, the escalation
it may raise, and the customer told of a decision.

An approval above the approver's authority limit becomes an escalation to a
supervisor (claims.workflow decides, :mod:`.escalations` routes it). A
supervisor decides an escalated claim with :func:`decide_escalation`: the
escalation is closed with the decision and note, the rep who raised it gets a
notification and an internal note in the thread, and the customer the
decision on their channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.numbers import format_currency
from sqlalchemy.orm import Session

from claims.coverage import assess
from claims.models import Claim, ClaimEvent
from claims.workflow import IllegalTransition, transition
from config import Settings
from inbox import audit
from inbox.casework.actors import Actor
from inbox.casework.claim_threads import NoThread, claim_thread
from inbox.casework.escalations import notify, open_escalation
from inbox.casework.notices import Sent, language_of, send_notice
from inbox.models import Escalation, Thread
from inbox.notes import add_note
from inbox.sla.claims import refresh_claims

# Steps whose result the customer is told of, and the notice that tells them.
CUSTOMER_NOTICES = {"approve": "claim_approved", "deny": "claim_denied"}
ASSESSED = frozenset({"approve", "deny", "escalate", "pay", "start_review"})


@dataclass
class Decision:
    event: ClaimEvent
    escalation: Escalation | None = None
    notices: list[Sent] = field(default_factory=list)


def claim_action(
    session: Session, settings: Settings, claim: Claim, action: str, actor: Actor,
    now: datetime, *, amount: Decimal | None = None, reason: str = "", reason_code: str = "",
    thread_id: int | None = None, tell_customer: bool = True,
) -> Decision:
    """Apply ``action`` by ``actor``; raises ``IllegalTransition`` (or
    ``ReplyError`` when the customer cannot be told) with nothing changed."""
    if action == "request_info":
        raise IllegalTransition("ask for information with request_information (what is missing)")
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    coverage = assess(claim, claim.policy, on=today).to_json() if action in ASSESSED else None
    was_escalated = claim.status == "escalated"
    with session.begin_nested():
        event = transition(
            session, claim, action, now, actor_id=actor.id, role=actor.role,
            authority_limit=actor.authority_limit, amount=amount, reason=reason,
            reason_code=reason_code, coverage=coverage,
        )
        decision = Decision(event)
        try:
            thread = claim_thread(session, claim, thread_id)
        except NoThread:
            thread = None
        if event.action == "escalate":
            decision.escalation = open_escalation(
                session, now, reason=event.reason, raised_by=actor.id, team=actor.team,
                source="authority" if action == "approve" else "rep", claim_id=claim.id,
                thread_id=thread.id if thread else None,
            )
        if was_escalated and event.action in ("approve", "deny"):
            _close_escalation(session, claim, event, actor, now, thread)
        notice = CUSTOMER_NOTICES.get(event.action)
        if notice and tell_customer and thread is not None:
            language = language_of(thread, thread.customer)
            shown = (format_currency(amount, settings.claims.currency, locale=language)
                     if amount is not None else "")
            decision.notices.append(send_notice(
                session, settings, thread, notice,
                {"claim_number": claim.number, "amount": shown, "note": "",
                 **denial_reason(event.reason_code, claim)},
                now, author_id=actor.id, subject=claim.number,
            ))
        if thread is not None and event.action in ("approve", "deny", "pay", "close"):
            audit.record(session, thread, f"claim.{event.action}", now, actor_id=actor.id,
                         claim=claim.number, event_id=event.id)
    refresh_claims(session, [claim.id], now)  # the claim's regulatory clocks (inbox.sla)
    return decision


def decide_escalation(
    session: Session, settings: Settings, escalation: Escalation, decision: str, actor: Actor,
    now: datetime, *, note: str, amount: Decimal | None = None, reason_code: str = "",
) -> Decision:
    """A supervisor decides an escalated claim: ``approve`` (with the amount)
    or ``deny`` (with the reason code), always with a note."""
    if not actor.is_supervisor:
        raise IllegalTransition("an escalation is decided by a supervisor")
    if escalation.status != "open":
        raise IllegalTransition(f"this escalation is {escalation.status} already")
    if not note.strip():
        raise IllegalTransition("a supervisor's decision needs a note")
    if decision not in ("approve", "deny"):
        raise IllegalTransition("decide approve or deny")
    claim = escalation.claim
    if claim is None:
        raise IllegalTransition("this escalation is not about a claim")
    return claim_action(session, settings, claim, decision, actor, now, amount=amount,
                        reason=note, reason_code=reason_code, thread_id=escalation.thread_id)


def _close_escalation(session: Session, claim: Claim, event: ClaimEvent, actor: Actor,
                      now: datetime, thread: Thread | None) -> None:
    escalation = session.scalars(sa.select(Escalation).where(
        Escalation.claim_id == claim.id, Escalation.status == "open")).first()
    if escalation is None:
        return
    escalation.status, escalation.decision = "decided", event.action
    escalation.decision_note, escalation.decided_by, escalation.decided_at = (
        event.reason, actor.id, now)
    verdict = "approved" if event.action == "approve" else "denied"
    amount = f" {event.amount}" if event.amount is not None else ""
    text = f"{actor.name} {verdict}{amount} claim {claim.number}: {event.reason}"
    if escalation.raised_by is not None:
        notify(session, escalation.raised_by, "escalation_decided", text, now,
               thread_id=escalation.thread_id, claim_id=claim.id)
    if thread is not None:
        add_note(session, thread, text, now, author_id=actor.id,
                 mentions=[escalation.raised_by] if escalation.raised_by else None)
    audit.record(session, escalation, "escalation.decided", now, actor_id=actor.id,
                 reason=event.reason, decision=event.action)


# Reason codes (claims.coverage, or a provision like "exclusion:flood") the
# denial notices explain in the customer's language; others are cited as given.
_EXPLAINED = {"cause_excluded": "exclusion", "policy_not_active": "policy_not_active",
              "within_deductible": "within_deductible", "limit_exhausted": "limit_exhausted",
              "possible_duplicate": "duplicate", "duplicate": "duplicate"}


def denial_reason(code: str, claim: Claim) -> dict[str, str]:
    """The template context explaining a denial's reason code."""
    code = code.strip()
    if code.startswith("exclusion:"):
        return {"reason_key": "exclusion", "cause": code.partition(":")[2].replace("_", " "),
                "provision": code}
    key = _EXPLAINED.get(code.lower(), "other")
    return {"reason_key": key, "cause": (claim.cause or "").replace("_", " "),
            "provision": code}
