"""Escalations: work handed up to a supervisor, who decides.

The supervisor is chosen by team and load: an active supervisor of the rep's
team with the fewest open escalations (any team's when the team has none;
admins only when there is no supervisor at all). The supervisor sees their
queue (:func:`escalation_queue`) and decides a claim with a note
(:func:`inbox.casework.decisions.decide_escalation`); the rep is notified and
the customer told the outcome.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from inbox import audit
from inbox.models import Escalation, Notification, User


class NoSupervisor(LookupError):  # noqa: N818 - reads as what happened
    pass


def choose_supervisor(session: Session, team: str, *, exclude: int | None = None) -> User:
    load = (
        sa.select(sa.func.count(Escalation.id))
        .where(Escalation.supervisor_id == User.id, Escalation.status == "open")
        .correlate(User).scalar_subquery()
    )
    for roles, same_team in ((("supervisor",), True), (("supervisor",), False),
                             (("admin",), False)):
        query = sa.select(User).where(User.active.is_(True), User.role.in_(roles))
        if exclude is not None:
            query = query.where(User.id != exclude)
        if same_team:
            if not team:
                continue
            query = query.where(User.team == team)
        found = session.scalars(query.order_by(load, User.id).limit(1)).first()
        if found is not None:
            return found
    raise NoSupervisor("there is no active supervisor to escalate to; add one with "
                       "`inbox user add --role supervisor`")


def open_escalation(
    session: Session, now: datetime, *, reason: str, raised_by: int | None, team: str,
    source: str = "rep", claim_id: int | None = None, account_issue_id: int | None = None,
    thread_id: int | None = None,
) -> Escalation:
    """An open escalation for a supervisor chosen by team and load, who is
    notified. One open escalation per claim: raising it again returns it."""
    if claim_id is not None:
        existing = session.scalars(sa.select(Escalation).where(
            Escalation.claim_id == claim_id, Escalation.status == "open")).first()
        if existing is not None:
            return existing
    supervisor = choose_supervisor(session, team, exclude=raised_by)
    escalation = Escalation(
        claim_id=claim_id, account_issue_id=account_issue_id, thread_id=thread_id,
        source=source, raised_by=raised_by, supervisor_id=supervisor.id,
        team=team or supervisor.team, reason=reason.strip()[:2000], status="open",
        created_at=now,
    )
    session.add(escalation)
    session.flush()
    notify(session, supervisor.id, "escalation", f"Escalated to you: {reason.strip()}"[:2000],
           now, thread_id=thread_id, claim_id=claim_id)
    audit.record(session, escalation, "escalation.opened", now, actor_id=raised_by,
                 reason=reason, supervisor_id=supervisor.id, source=source)
    return escalation


def escalation_queue(session: Session, supervisor_id: int | None = None) -> list[Escalation]:
    """Open escalations, oldest first; one supervisor's, or everyone's."""
    query = (sa.select(Escalation).where(Escalation.status == "open")
             .options(selectinload(Escalation.claim), selectinload(Escalation.thread),
                      selectinload(Escalation.raiser), selectinload(Escalation.supervisor))
             .order_by(Escalation.created_at, Escalation.id))
    if supervisor_id is not None:
        query = query.where(Escalation.supervisor_id == supervisor_id)
    return list(session.scalars(query))


def notify(session: Session, user_id: int, kind: str, text: str, now: datetime, *,
           thread_id: int | None = None, claim_id: int | None = None) -> Notification:
    note = Notification(user_id=user_id, kind=kind, text=text, thread_id=thread_id,
                        claim_id=claim_id, created_at=now)
    session.add(note)
    return note
