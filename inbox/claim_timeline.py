"""A claim's whole story in time order: the messages of its threads (every
channel, both directions), each step of the claim (claims.workflow: who, what,
why, the coverage relied on) and the audit events about it. Used by ``inbox
claims show`` and, later, the claim view beside the thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.coverage import CoverageResult, assess
from claims.models import Claim, ClaimEvent
from inbox.models import AuditEvent, Message, Thread, User


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # message | step | audit
    who: str
    what: str
    why: str = ""


@dataclass(frozen=True)
class ClaimStory:
    claim: Claim
    coverage: CoverageResult
    entries: list[Entry]


class ClaimNotFound(LookupError):  # noqa: N818 - reads as what happened
    pass


def claim_story(session: Session, number: str, today: date) -> ClaimStory:
    claim = session.scalars(sa.select(Claim).where(
        Claim.number == number.strip().upper())).first()
    if claim is None:
        raise ClaimNotFound(f"no claim {number}")
    names = dict(session.execute(sa.select(User.id, User.name)).all())
    entries: list[Entry] = []

    messages = session.scalars(
        sa.select(Message).join(Thread, Message.thread_id == Thread.id)
        .where(Thread.claim_id == claim.id).order_by(Message.received_at, Message.id)
    ).all()
    for m in messages:
        who = (names.get(m.author_id, "") if m.direction == "outbound"
               else m.sender_name or m.sender)
        arrow = "to customer" if m.direction == "outbound" else "from customer"
        entries.append(Entry(m.received_at, "message", who or "-",
                             f"{m.channel} {arrow}: {m.subject or (m.text or '')[:60]!s}"))

    for e in session.scalars(sa.select(ClaimEvent).where(ClaimEvent.claim_id == claim.id)
                             .order_by(ClaimEvent.created_at, ClaimEvent.id)):
        what = f"{e.from_status} -> {e.to_status}"
        if e.requested != e.action:
            what += f" (asked: {e.requested})"
        if e.amount is not None:
            what += f", amount {e.amount}"
        why = e.reason
        if e.reason_code:
            why = f"[{e.reason_code}] {why}".strip()
        if e.coverage:
            why = f"{why} (coverage: {e.coverage.get('verdict')}, payable " \
                  f"{e.coverage.get('payable')})".strip()
        entries.append(Entry(e.created_at, "step", names.get(e.actor_id, "system"), what, why))

    for a in session.scalars(sa.select(AuditEvent).where(
            AuditEvent.entity_type == "claims", AuditEvent.entity_id == claim.id)):
        entries.append(Entry(a.at, "audit", names.get(a.actor_id, "system"), a.action,
                             a.reason))

    entries.sort(key=lambda e: e.at)
    return ClaimStory(claim, assess(claim, claim.policy, on=today), entries)
