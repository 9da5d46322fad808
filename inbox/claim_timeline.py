"""A claim's whole story in time order: the messages of its threads (every
channel, both directions), each step of the claim (claims.workflow: who, what,
why, the coverage relied on) and the audit events about it. Used by ``inbox
claims show`` and, later, the claim view beside the thread."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.coverage import CoverageResult, assess
from claims.models import Claim, ClaimEvent, InfoRequest
from inbox.models import AuditEvent, Escalation, Message, Thread, User


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # message | note | step | request | escalate | audit
    who: str
    what: str
    why: str = ""
    # Entries at the same instant in causal order: a customer's message (0),
    # the step it may cause (1), then what a step causes: the request (2),
    # escalation (3), notes (4), our messages (5); audit last (6).
    rank: int = 5


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
    names: dict[int | None, str] = dict(session.execute(sa.select(User.id, User.name)).all())
    entries = [
        *_messages(session, claim, names), *_steps(session, claim, names),
        *_requests(session, claim, names), *_escalations(session, claim, names),
    ]
    for a in session.scalars(sa.select(AuditEvent).where(
            AuditEvent.entity_type == "claims", AuditEvent.entity_id == claim.id)):
        entries.append(Entry(a.at, "audit", names.get(a.actor_id, "system"), a.action,
                             a.reason, rank=6))
    entries.sort(key=lambda e: (e.at, e.rank))
    return ClaimStory(claim, assess(claim, claim.policy, on=today), entries)


Names = dict[int | None, str]


def _messages(session: Session, claim: Claim, names: Names) -> Iterator[Entry]:
    messages = session.scalars(
        sa.select(Message).join(Thread, Message.thread_id == Thread.id)
        .where(Thread.claim_id == claim.id).order_by(Message.received_at, Message.id)
    ).all()
    for m in messages:
        if m.direction == "note":
            yield Entry(m.received_at, "note", names.get(m.author_id, "") or "-",
                        "internal note", _one_line(m.text, 300), rank=4)
            continue
        who = (names.get(m.author_id, "") if m.direction == "outbound"
               else m.sender_name or m.sender)
        arrow = "to customer" if m.direction == "outbound" else "from customer"
        yield Entry(m.received_at, "message", who or "-",
                    f"{m.channel} {arrow}: {m.subject or _one_line(m.text, 60)}",
                    _one_line(m.text, 160) if m.direction == "outbound" else "",
                    rank=5 if m.direction == "outbound" else 0)


def _steps(session: Session, claim: Claim, names: Names) -> Iterator[Entry]:
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
        yield Entry(e.created_at, "step", names.get(e.actor_id, "system"), what, why, rank=1)


def _requests(session: Session, claim: Claim, names: Names) -> Iterator[Entry]:
    for r in session.scalars(sa.select(InfoRequest).where(InfoRequest.claim_id == claim.id)):
        asked = ", ".join([*r.items, *(["note"] if r.note else [])])
        yield Entry(r.created_at, "request", names.get(r.requested_by, "system"),
                    f"asked for {asked} by {r.channel} ({r.language}), "
                    f"follow up {r.due_at:%Y-%m-%d}", r.note, rank=2)
        if r.answered_at is not None:
            yield Entry(r.answered_at, "request", "customer",
                        f"answered (message {r.answer_message_id})", rank=2)


def _escalations(session: Session, claim: Claim, names: Names) -> Iterator[Entry]:
    for x in session.scalars(sa.select(Escalation).where(Escalation.claim_id == claim.id)):
        yield Entry(x.created_at, "escalate", names.get(x.raised_by, "system"),
                    f"escalated to {names.get(x.supervisor_id, '-')} ({x.source})", x.reason,
                    rank=3)
        if x.decided_at is not None:
            yield Entry(x.decided_at, "escalate", names.get(x.decided_by, "-"),
                        f"decided: {x.decision}", x.decision_note, rank=3)


def _one_line(text: str | None, limit: int) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
