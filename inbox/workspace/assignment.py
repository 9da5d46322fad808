"""Who works a thread and in which state it is: assign, unassign, close,
reopen, priority. Each change is audited with who made it; a no-op records
nothing. Shared by the thread page, the API and the CLI."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inbox import audit
from inbox.metrics.facts import thread_status_changed
from inbox.models import Thread, User
from inbox.models.threads import PRIORITIES, THREAD_STATUSES


class AssignmentError(ValueError):
    """A change that cannot be made as asked; the message says why."""


def assign(session: Session, thread: Thread, assignee_id: int | None, now: datetime, *,
           actor_id: int | None = None) -> bool:
    """Give ``thread`` to an active user (None: back to the unassigned pool)."""
    user = None
    if assignee_id is not None:
        user = session.get(User, assignee_id)
        if user is None or not user.active:
            raise AssignmentError(f"no active user {assignee_id}")
    if thread.assignee_id == assignee_id:
        return False
    previous = thread.assignee_id
    thread.assignee, thread.assignee_id = user, assignee_id
    audit.record(session, thread, "thread.assigned" if assignee_id else "thread.unassigned",
                 now, actor_id=actor_id, assignee_id=assignee_id, previous=previous)
    return True


def set_status(session: Session, thread: Thread, status: str, now: datetime, *,
               actor_id: int | None = None) -> bool:
    """Open, pending or closed. Closing answers nothing: the thread stops
    asking for a reply and leaves the queue; reopening puts it back."""
    if status not in THREAD_STATUSES:
        raise AssignmentError(f"status must be one of {', '.join(THREAD_STATUSES)}")
    if thread.merged_into_id is not None:
        raise AssignmentError(f"thread {thread.id} was merged into {thread.merged_into_id}")
    if thread.status == status:
        return False
    previous, thread.status = thread.status, status
    if status == "closed":
        thread.needs_reply = False
        thread.follow_up_at = None
    _track_sla(session, thread, now, reopened=previous == "closed")
    audit.record(session, thread, f"thread.{_verb(status)}", now, actor_id=actor_id,
                 previous=previous)
    thread_status_changed(session, thread, previous, now, actor_id)  # resolution facts
    return True


def set_priority(session: Session, thread: Thread, priority: str, now: datetime, *,
                 actor_id: int | None = None) -> bool:
    if priority not in PRIORITIES:
        raise AssignmentError(f"priority must be one of {', '.join(PRIORITIES)}")
    if thread.priority == priority:
        return False
    previous, thread.priority = thread.priority, priority
    _track_sla(session, thread, now)  # another priority may mean another policy
    audit.record(session, thread, "thread.priority", now, actor_id=actor_id,
                 priority=priority, previous=previous)
    return True


def _track_sla(session: Session, thread: Thread, now: datetime, *,
               reopened: bool = False) -> None:
    """Due times after the change (inbox.sla); reopening a closed thread
    starts its resolution clock again."""
    from inbox.sla.track import record_pending, start_cycle, track

    if reopened and thread.sla_started_at is not None:
        start_cycle(thread, now)
    track(thread, now)
    record_pending(session)


def _verb(status: str) -> str:
    return {"open": "reopened", "pending": "pending", "closed": "closed"}[status]


def assignees_for(session: Session, me: int, team: str,
                  current: int | None = None) -> list[User]:
    """Whom a thread can be given to from its page: the active workers of
    ``team`` (everyone's when the team is empty), oneself and the current
    assignee, by name."""
    query = sa.select(User).where(User.active.is_(True),
                                  User.role.in_(("rep", "supervisor", "admin")))
    if team:
        query = query.where(sa.or_(User.team == team, User.id.in_(
            [i for i in (me, current) if i is not None])))
    return list(session.scalars(query.order_by(User.name, User.email).limit(500)))
