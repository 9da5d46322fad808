"""Claim-level SLA (regulation): acknowledgement, decision, written status.

A claim's facts are read with three grouped queries for any number of claims
(its threads' written answers, its workflow events); its clock comes from
the first policy with claim targets that matches (``issue_type`` "claim" and
the customer's segment). :func:`refresh_claims` runs on the events that
change those facts (a workflow step, an information request and its answer,
an answer filed in a claim's thread) and in the sweep. What happened to a
target that stopped is derived from the facts themselves - the
acknowledgement against the notice, the decision against proof of claim,
each written message against the one before - so refreshing twice records
nothing twice (``sla_events``' unique constraint).

Events name the claim's most recently active thread (a claim without a
conversation gets due times but no events: ``sla_events.thread_id`` is
required).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.models import Claim, ClaimEvent, Customer, Policy
from inbox.models import Message, Thread
from inbox.sla.clock import ClaimFacts, Clock, claim_clock, next_check
from inbox.sla.policies import Match, PolicySet
from inbox.sla.store import load_policies
from inbox.sla.track import insert_events

DECISIONS = ("approved", "denied")


@dataclass
class ClaimRow:
    id: int
    facts: ClaimFacts
    segment: str | None
    thread_id: int | None = None
    assignee_id: int | None = None
    # Written answers since the notice, oldest first (the status target's history).
    written: list[datetime] = field(default_factory=list)


def load_facts(session: Session, claim_ids: Iterable[int]) -> dict[int, ClaimRow]:
    ids = sorted(set(claim_ids))
    if not ids:
        return {}
    out: dict[int, ClaimRow] = {}
    rows = session.execute(
        sa.select(Claim.id, Claim.status, Claim.created_at, Customer.segment)
        .join(Policy, Claim.policy_id == Policy.id)
        .join(Customer, Policy.customer_id == Customer.id)
        .where(Claim.id.in_(ids))).all()
    noticed = {}
    for claim_id, status, created_at, segment in rows:
        noticed[claim_id] = created_at
        out[claim_id] = ClaimRow(claim_id, ClaimFacts(status=status, noticed_at=created_at),
                                 segment)
    # Our written answers in the claims' threads, and each claim's latest thread.
    for claim_with, at in session.execute(
            sa.select(Thread.claim_id, Message.received_at)
            .join(Message, Message.thread_id == Thread.id)
            .where(Thread.claim_id.in_(ids), Message.direction == "outbound",
                   Message.auto.is_(False))
            .order_by(Message.received_at)).all():
        if claim_with in out and at >= noticed[claim_with]:
            out[claim_with].written.append(at)
    for thread_id, claim_of, assignee_id in session.execute(
            sa.select(Thread.id, Thread.claim_id, Thread.assignee_id)
            .where(Thread.claim_id.in_(ids), Thread.merged_into_id.is_(None))
            .order_by(Thread.last_message_at.asc().nulls_first(), Thread.id)).all():
        if claim_of is not None:
            out[claim_of].thread_id, out[claim_of].assignee_id = thread_id, assignee_id
    proof: dict[int, datetime] = {}
    decided: dict[int, datetime] = {}
    for claim_id, to_status, at in session.execute(
            sa.select(ClaimEvent.claim_id, ClaimEvent.to_status, ClaimEvent.created_at)
            .where(ClaimEvent.claim_id.in_(ids),
                   ClaimEvent.to_status.in_(("in_review", *DECISIONS)))
            .order_by(ClaimEvent.created_at, ClaimEvent.id)).all():
        (proof if to_status == "in_review" else decided)[claim_id] = at
    for claim_id, row in out.items():
        written = row.written
        row.facts = ClaimFacts(
            status=row.facts.status, noticed_at=row.facts.noticed_at,
            acknowledged_at=written[0] if written else None, proof_at=proof.get(claim_id),
            decided_at=decided.get(claim_id), last_written_at=written[-1] if written else None)
    return out


def clock_of(row: ClaimRow, policies: PolicySet) -> Clock:
    return claim_clock(row.facts, policies.for_claim(Match(segment=row.segment)))


def stopped(row: ClaimRow, policies: PolicySet) -> list[tuple[str, datetime, datetime]]:
    """(target, due, when) of the targets that stopped: the acknowledgement,
    the decision, the latest written status."""
    policy = policies.for_claim(Match(segment=row.segment))
    if policy is None:
        return []
    facts, out = row.facts, []
    ack = policy.target("claim_acknowledgement")
    if ack is not None and facts.acknowledged_at is not None:
        due = policy.calendar.add(facts.noticed_at, ack)
        if due is not None:
            out.append(("claim_acknowledgement", due, facts.acknowledged_at))
    decision = policy.target("claim_decision")
    if (decision is not None and facts.proof_at is not None and facts.decided_at is not None
            and facts.decided_at >= facts.proof_at):
        due = policy.calendar.add(facts.proof_at, decision)
        if due is not None:
            out.append(("claim_decision", due, facts.decided_at))
    status = policy.target("claim_status")
    if status is not None and row.written:
        before = row.written[-2] if len(row.written) > 1 else facts.noticed_at
        due = policy.calendar.add(before, status)
        if due is not None:
            out.append(("claim_status", due, row.written[-1]))
    return out


def refresh_claims(session: Session, claim_ids: Iterable[int], now: datetime, *,
                   sweep: bool = False, policies: PolicySet | None = None,
                   ) -> list[dict[str, Any]]:
    """Recompute the claims' due times and record what their facts say
    happened; with ``sweep`` also the warnings and breaches due by ``now``.
    Returns the new events (as inserted) for notifying."""
    policies = policies or load_policies(session)
    rows = load_facts(session, claim_ids)
    if not rows:
        return []
    claims = {c.id: c for c in session.scalars(sa.select(Claim).where(Claim.id.in_(rows)))}
    events: list[dict[str, Any]] = []
    for claim_id, row in rows.items():
        claim = claims[claim_id]
        clock = clock_of(row, policies)
        key = clock.policy_key
        if row.thread_id is not None and key is not None:
            base = {"thread_id": row.thread_id, "claim_id": claim_id, "policy_key": key,
                    "assignee_id": row.assignee_id}
            for target, due, at in stopped(row, policies):
                events.append({**base, "target": target, "due_at": due, "at": at,
                               "kind": "met" if at <= due else "breach"})
            if sweep:
                for running in clock.targets.values():
                    crossed = [(when, kind) for when, kind in running.points() if when <= now]
                    if crossed:
                        when, kind = crossed[-1]  # a breach makes the warning moot
                        events.append({**base, "target": running.name,
                                       "due_at": running.due_at, "at": when, "kind": kind})
        claim.due_at = clock.due_at
        claim.sla_policy_key = key
        claim.sla_state = clock.state(now)
        claim.sla_next_at = next_check(clock, now, unseen=() if sweep else list(clock.targets))
    session.flush()
    inserted = set(insert_events(session, events))
    return [e for e in events
            if (e["thread_id"], e["target"], e["kind"], e["due_at"]) in inserted]


def refresh_claim_of(thread: Thread, now: datetime) -> None:
    """After an answer in a claim's thread: the claim's acknowledgement and
    written status (no-op for a thread without a claim)."""
    from sqlalchemy.orm import object_session

    session = object_session(thread)
    if session is not None and thread.claim_id is not None:
        refresh_claims(session, [thread.claim_id], now)
