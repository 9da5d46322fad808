"""Send later, and pending until a follow-up date.

*Send later*: a reply queued with ``send_at`` stays ``pending``; the channel's
sender leaves it alone until then (:func:`inbox.outbound.send_queued_reply`
checks), it is enqueued for that time in RQ's scheduler, and the periodic
:func:`due_replies` sweep enqueues any that are due and were never tried (a
reply scheduled while Redis was down, a lost job). Until the first attempt it
can be cancelled.

*Pending until*: the thread leaves the queue (status ``pending``) with a
``follow_up_at``; :func:`reopen_due_threads` brings it back (open, needing an
answer, due now) when that time comes, once, in one statement; a customer
message before then reopens it at ingest and clears the date.

Times from a form are wall-clock times in the configured time zone
(``settings.timezone``: the team's zone; users have none of their own) and
are stored in UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inbox import audit
from inbox.models import OutboundMessage, Thread
from inbox.models.audit import AuditEvent
from inbox.sla.track import track

MAX_AHEAD = timedelta(days=366)


class BadTime(ValueError):  # noqa: N818 - reads as what happened
    """A date and time that cannot be used as asked; the message says why."""


class NotCancellable(ValueError):  # noqa: N818 - reads as what happened
    """The reply is no longer waiting (sent, being sent, failed or cancelled)."""


def parse_local(text: str | None, timezone: str, *, what: str) -> datetime | None:
    """A ``datetime-local`` value (``2026-11-23T09:30``) read in ``timezone``,
    in UTC; None for an empty field. :class:`BadTime` when unreadable."""
    if text is None or not text.strip():
        return None
    try:
        naive = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadTime(f"{what}: {text.strip()!r} is not a date and time "
                      f"(yyyy-mm-ddThh:mm)") from None
    if naive.tzinfo is None:
        naive = naive.replace(tzinfo=ZoneInfo(timezone))
    return naive.astimezone(UTC)


def check_future(when: datetime, now: datetime, *, what: str) -> datetime:
    if when <= now:
        raise BadTime(f"{what} must be in the future")
    if when - now > MAX_AHEAD:
        raise BadTime(f"{what} is more than a year ahead")
    return when


# -- send later ------------------------------------------------------------------


def schedule_reply(session: Session, outbound: OutboundMessage, send_at: datetime,
                   now: datetime, *, actor_id: int | None) -> OutboundMessage:
    """Hold the just-queued ``outbound`` back until ``send_at`` (future, UTC)."""
    check_future(send_at, now, what="send at")
    outbound.send_at = send_at
    thread = session.get(Thread, outbound.thread_id)
    assert thread is not None
    audit.record(session, thread, "reply.scheduled", now, actor_id=actor_id,
                 outbound_id=outbound.id, send_at=send_at.isoformat())
    session.flush()
    return outbound


def cancel_reply(session: Session, outbound_id: int, now: datetime, *,
                 actor_id: int | None) -> OutboundMessage:
    """Cancel a reply not yet tried; :class:`NotCancellable` otherwise. One
    conditional UPDATE: a sender that has started (attempts > 0, taken under
    its row lock) wins, and the cancel is refused."""
    cancelled = session.execute(
        sa.update(OutboundMessage)
        .where(OutboundMessage.id == outbound_id, OutboundMessage.status == "pending",
               OutboundMessage.attempts == 0)
        .values(status="cancelled").returning(OutboundMessage.id)
        .execution_options(synchronize_session=False)
    ).scalar()
    row = session.get(OutboundMessage, outbound_id, populate_existing=True)
    if row is None:
        raise LookupError(f"no reply {outbound_id}")
    if cancelled is None:
        state = "being sent" if row.status == "pending" else row.status
        raise NotCancellable(f"the reply is {state}: it can no longer be cancelled")
    thread = session.get(Thread, row.thread_id)
    assert thread is not None
    audit.record(session, thread, "reply.cancelled", now, actor_id=actor_id, outbound_id=row.id,
                 send_at=row.send_at.isoformat() if row.send_at else None)
    return row


def due_replies(session: Session, now: datetime, limit: int = 500) -> list[tuple[int, str]]:
    """(id, channel) of scheduled replies whose time has come and that no
    sender has tried yet."""
    return [(row.id, row.channel) for row in session.execute(
        sa.select(OutboundMessage.id, OutboundMessage.channel)
        .where(OutboundMessage.status == "pending", OutboundMessage.send_at.is_not(None),
               OutboundMessage.send_at <= now, OutboundMessage.attempts == 0)
        .order_by(OutboundMessage.send_at, OutboundMessage.id).limit(limit))]


# -- pending until ---------------------------------------------------------------


def set_pending(session: Session, thread: Thread, until: datetime, now: datetime, *,
                actor_id: int | None) -> Thread:
    """Wait for the customer until ``until`` (future, UTC): off the queue,
    back by itself then."""
    check_future(until, now, what="pending until")
    if thread.status == "closed":
        raise BadTime("the thread is closed: reopen it before setting it pending")
    if thread.merged_into_id is not None:
        raise BadTime("the thread was merged into another one")
    previous = thread.status
    thread.status, thread.follow_up_at = "pending", until
    track(thread, now)  # the resolution clock pauses (inbox.sla)
    session.flush()
    audit.record(session, thread, "thread.pending", now, actor_id=actor_id,
                 previous=previous, follow_up_at=until.isoformat())
    return thread


def reopen_due_threads(session: Session, now: datetime) -> list[int]:
    """Pending threads whose follow-up time has come: open again, needing an
    answer, due now (or earlier if they already were), the date cleared, and
    an audit event each. One ``UPDATE ... RETURNING`` over the
    ``(status, follow_up_at)`` index: a thread reopens once even when two
    sweeps run together (the second finds it no longer pending)."""
    reopened = session.execute(
        sa.update(Thread)
        .where(Thread.status == "pending", Thread.follow_up_at.is_not(None),
               Thread.follow_up_at <= now)
        .values(status="open", follow_up_at=None)  # needing an answer, due: _chased
        .returning(Thread.id)
        .execution_options(synchronize_session=False)
    ).scalars().all()
    if reopened:
        _chased(session, reopened, now)
        session.execute(sa.insert(AuditEvent), [
            {"at": now, "actor_id": None, "entity_type": "threads", "entity_id": thread_id,
             "action": "thread.follow_up_due", "reason": "the follow-up date has come",
             "data": {}}
            for thread_id in reopened])
    return list(reopened)


def _chased(session: Session, thread_ids: Sequence[int], now: datetime) -> None:
    """The reopened threads' clocks (inbox.sla): the pause ends, a thread
    that had nothing waiting waits from now, and the reminder makes it due
    now (unless it was due earlier). One query for the threads."""
    from inbox.sla.track import record_pending, remind, track

    threads = session.scalars(sa.select(Thread).where(Thread.id.in_(thread_ids))
                              .execution_options(populate_existing=True)).all()
    for thread in threads:
        remind(thread, now)
        track(thread, now)
    record_pending(session)
