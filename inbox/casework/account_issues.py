"""Steps on account issues by a person, recorded on the issue
(claims.account_issues) and in the audit of the thread it is discussed in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.account_issues import act
from claims.models import AccountIssue, AccountIssueEvent
from config import Settings
from inbox import audit
from inbox.casework.actors import Actor
from inbox.intake.config import deadlines_of
from inbox.models import Thread


def issue_step(session: Session, settings: Settings, issue: AccountIssue, action: str,
               actor: Actor, now: datetime, *, note: str = "",
               **data: Any) -> AccountIssueEvent:
    """Apply one step; ``IllegalStep`` (nothing changed) when not allowed."""
    with session.begin_nested():
        event = act(session, issue, action, now, actor_id=actor.id, actor=actor.name,
                    note=note, rules=deadlines_of(settings), **data)
        thread = session.scalars(sa.select(Thread).where(
            Thread.account_issue_id == issue.id).order_by(Thread.id.desc()).limit(1)).first()
        audit.record(session, thread or issue, f"account_issue.{action}", now,
                     actor_id=actor.id, reason=note, issue_id=issue.id, kind=issue.kind,
                     to_status=event.to_status)
    return event
