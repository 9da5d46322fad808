"""Asking the customer for what a claim is missing, and noticing the answer.

:func:`request_information` sends the request (a notice in the customer's
language on their channel), records it as an :class:`InfoRequest` with a
follow-up date and puts the claim into ``info_requested``; the thread is
waiting on the customer meanwhile (pending, nothing due from us).
:func:`customer_answered` is called by ingest for every new customer message:
a message in a thread of a claim waiting for information answers the open
requests, moves the claim back to ``in_review`` and the thread back to the
queue (ingest reopens it). :func:`follow_up_overdue` brings unanswered
requests back to the rep when their follow-up date passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.info_requests import check_request, follow_up_due
from claims.models import Claim, InfoRequest
from claims.workflow import plan, transition
from config import Settings
from inbox import audit
from inbox.casework.actors import Actor
from inbox.casework.claim_threads import claim_thread
from inbox.casework.notices import Sent, language_of, send_notice, show_date
from inbox.models import Thread
from inbox.sla.claims import refresh_claims
from inbox.sla.track import record_pending, remind, track


def request_information(
    session: Session, settings: Settings, claim: Claim, actor: Actor, now: datetime, *,
    items: Sequence[str] = (), note: str = "", channel: str | None = None,
    thread_id: int | None = None,
) -> tuple[InfoRequest, Sent]:
    """Raises ``BadInfoRequest``, ``IllegalTransition``, ``NoThread`` or
    ``ReplyError`` (nothing changed) when it cannot be sent."""
    request = check_request(items, note)
    plan(claim.status, "request_info", role=actor.role)  # fail before sending anything
    thread = claim_thread(session, claim, thread_id)
    due = follow_up_due(now, settings.claims.info_request_follow_up_days)
    sent = send_notice(
        session, settings, thread, "info_request",
        {"claim_number": claim.number, "items": list(request.items), "note": request.note,
         "due_date": show_date(due, language_of(thread, thread.customer), settings)},
        now, author_id=actor.id, channel=channel, subject=f"{claim.number}",
    )
    what = ", ".join([*request.items, *(["note"] if request.note else [])])
    transition(session, claim, "request_info", now, actor_id=actor.id, role=actor.role,
               reason=f"asked by {sent.channel} for {what}"
                      f"{': ' + request.note if request.note else ''}")
    row = InfoRequest(
        claim_id=claim.id, thread_id=thread.id, items=list(request.items), note=request.note,
        channel=sent.channel, language=sent.language, outbound_id=sent.outbound.id,
        requested_by=actor.id, status="open", created_at=now, due_at=due,
    )
    session.add(row)
    thread.status = "pending"  # waiting on the customer
    track(thread, now)  # the resolution clock pauses (inbox.sla)
    session.flush()
    audit.record(session, thread, "claim.info_requested", now, actor_id=actor.id,
                 claim=claim.number, info_request_id=row.id, items=list(request.items),
                 channel=sent.channel, due_at=due.isoformat())
    refresh_claims(session, [claim.id], now)  # no decision is due while we wait (inbox.sla)
    return row, sent


def customer_answered(session: Session, answers: Sequence[tuple[int, int, str, datetime]],
                      now: datetime) -> list[int]:
    """``answers``: (thread id, message id, channel, received at) of new
    customer messages. Claims of those threads waiting for information go back
    to review; returns their ids."""
    thread_ids = {a[0] for a in answers}
    if not thread_ids:
        return []
    rows = session.execute(
        sa.select(Thread.id, Claim).join(Claim, Thread.claim_id == Claim.id)
        .where(Thread.id.in_(thread_ids), Claim.status == "info_requested")
    ).all()
    if not rows:
        return []
    first_answer: dict[int, tuple[int, str, datetime]] = {}
    for thread_id, message_id, channel, at in sorted(answers, key=lambda a: a[3]):
        first_answer.setdefault(thread_id, (message_id, channel, at))
    resumed = []
    for thread_id, claim in rows:
        if claim.status != "info_requested":
            continue  # two threads of one claim answered in the same batch
        message_id, channel, at = first_answer[thread_id]
        transition(session, claim, "info_received", now, actor_id=None, role="system",
                   reason=f"the customer answered by {channel} (message {message_id})")
        session.execute(
            sa.update(InfoRequest)
            .where(InfoRequest.claim_id == claim.id, InfoRequest.status == "open")
            .values(status="answered", answered_at=at, answer_message_id=message_id)
        )
        resumed.append(claim.id)
    refresh_claims(session, resumed, now)  # proof of claim: the decision is due (inbox.sla)
    return resumed


def follow_up_overdue(session: Session, now: datetime, limit: int = 500) -> int:
    """Unanswered requests past their follow-up date: the thread comes back
    to the queue, due now, once per request. Returns how many."""
    overdue = session.scalars(
        sa.select(InfoRequest)
        .where(InfoRequest.status == "open", InfoRequest.due_at <= now,
               InfoRequest.chased_at.is_(None))
        .order_by(InfoRequest.due_at).limit(limit).with_for_update(skip_locked=True)
    ).all()
    ids = [row.thread_id for row in overdue if row.thread_id is not None]
    threads = {t.id: t for t in session.scalars(sa.select(Thread).where(Thread.id.in_(ids)))
               } if ids else {}
    for row in overdue:
        row.chased_at = now
        thread = threads.get(row.thread_id) if row.thread_id is not None else None
        if thread is None:
            continue
        thread.status = "open"
        remind(thread, now)  # needing an answer, due now unless due earlier
        track(thread, now)
        audit.record(session, thread, "claim.info_request_overdue", now,
                     reason="no answer by the follow-up date", info_request_id=row.id,
                     due_at=row.due_at.isoformat())
    session.flush()
    record_pending(session)
    return len(overdue)
