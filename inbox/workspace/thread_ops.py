"""Reorganising a customer's threads: merge two threads, split messages off
into a new thread, move one message to another thread.

The three share one rule for the fields a thread derives from its messages
(:func:`_recompute`). An operation never answers a customer and never makes
one wait:

* before it, each thread that needs a reply names the customer messages it
  waits on (those after our last answer, automatic mail aside) and its due
  time; a thread needing a reply with no such message (an overdue
  information request's chase) carries the flag itself;
* after it, a thread needs a reply when it holds one of those waiting
  messages, or inherits such a flag (a merge's target from both threads;
  after a split or a move each thread keeps its own);
* its due time is the earliest of: the old due time of each thread whose
  first waiting message it now holds (or whose flag it inherits), and, for a
  thread holding only later waiting messages of another, the first of them
  plus the first-response time ("earliest due wins");
* ``last_message_at`` (the latest inbound or outbound message; notes do not
  count, as when filing) and ``last_inbound_at`` (the latest customer
  message, automatic mail aside) come from the messages it holds;
  ``first_response_at`` only ever moves earlier, except on a new thread;
* a closed or pending thread that now needs a reply is opened again.

Rows that point at a thread (messages, outbound replies, escalations,
notifications, information requests; see :data:`THREAD_REFERENCES`) follow a
merge. A merged thread keeps its id, is closed and points at the thread that
now holds its messages; :func:`resolve` follows that chain, and merging
always targets the end of the chain, so no cycle can arise.

Plain functions of the session and ``now``; they flush, the caller commits.
Both threads are locked (``SELECT ... FOR UPDATE`` in id order on
PostgreSQL) before anything moves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.models import InfoRequest
from inbox import audit
from inbox.intake.core import CONFIG_KEY
from inbox.intake.subjects import strip_prefixes, subject_key
from inbox.metrics.facts import refresh_threads
from inbox.models import Escalation, Message, Notification, OutboundMessage, Thread
from inbox.models.sla import SlaEvent
from inbox.models.threads import PRIORITIES

# Every table with a foreign key to threads.id (besides threads.merged_into_id):
# what a merge moves. tests/integration/test_thread_ops.py checks this list
# against the metadata, so a new reference cannot be forgotten.
THREAD_REFERENCES: tuple[Any, ...] = (
    Message, OutboundMessage, Escalation, Notification, InfoRequest,
)
# Rows that reference a thread but stay with it on a merge: the history of
# what happened to that thread (the dashboard reads SLA events as they were).
KEPT_WITH_THREAD: tuple[Any, ...] = (SlaEvent,)
MAX_CHAIN = 100  # longer merge chains than this mean corrupt data


class ThreadOpError(ValueError):
    """A merge, split or move that cannot be done; the message says why."""


@dataclass(frozen=True)
class _Wait:
    """What a thread was waiting on before the operation."""

    needs_reply: bool
    due_at: datetime | None
    # The customer messages it waited on, oldest first: (id, received_at).
    waiting: tuple[tuple[int, datetime], ...]
    # Waiting since (inbox.sla): what a carried flag brings along.
    since: datetime | None = None

    @property
    def flag_only(self) -> bool:
        """Needing a reply with no waiting message (a chase): carried as is."""
        return self.needs_reply and not self.waiting


@dataclass(frozen=True)
class _Row:
    id: int
    direction: str
    auto: bool
    received_at: datetime
    language: str | None


def resolve(session: Session, thread: Thread) -> Thread:
    """The thread that holds ``thread``'s messages now: itself, or the end of
    its merge chain."""
    seen = {thread.id}
    while thread.merged_into_id is not None:
        target = session.get(Thread, thread.merged_into_id)
        if target is None or target.id in seen or len(seen) > MAX_CHAIN:
            raise ThreadOpError(f"thread {thread.id}: its merge chain is broken")
        seen.add(target.id)
        thread = target
    return thread


def merge_threads(session: Session, source_id: int, target_id: int, now: datetime, *,
                  actor_id: int | None = None, reason: str = "") -> Thread:
    """Merge thread ``source_id`` into ``target_id`` (or into the thread that
    one was merged into). Returns the thread that holds the messages now.

    Merging again a thread already merged into the same thread moves what
    reached it since (a message filed while the merge committed) and changes
    nothing else: nothing is done twice."""
    source, target = _get(session, source_id), _get(session, target_id)
    target = resolve(session, target)
    if source.merged_into_id is not None and resolve(session, source).id != target.id:
        raise ThreadOpError(
            f"thread {source.id} is already merged into thread {source.merged_into_id}")
    if target.id == source.id:
        raise ThreadOpError("a thread cannot be merged into itself")
    source, target = _lock(session, source.id, target.id)
    again = source.merged_into_id is not None
    if target.merged_into_id is not None or (again and resolve(session, source) is not target):
        raise ThreadOpError("one of the threads was merged meanwhile; try again")
    if source.customer_id != target.customer_id:
        raise ThreadOpError(
            f"thread {source.id} and thread {target.id} belong to different customers; "
            "only one customer's threads can be merged (merge the customers first)")

    carried = [_waiting(session, source), _waiting(session, target)]
    moved: dict[str, int] = {}
    for model in THREAD_REFERENCES:
        result = session.execute(
            sa.update(model).where(model.thread_id == source.id)
            .values(thread_id=target.id).execution_options(synchronize_session="fetch"))
        moved[model.__tablename__] = result.rowcount  # type: ignore[attr-defined]
    # Threads merged into the source earlier point straight at the target.
    session.execute(
        sa.update(Thread).where(Thread.merged_into_id == source.id)
        .values(merged_into_id=target.id).execution_options(synchronize_session="fetch"))
    if again and not any(moved.values()):
        return target  # merged before, and nothing reached it since

    if not again:
        _adopt_links(source, target)
    previous = source.status
    source.status, source.merged_into_id = "closed", target.id
    source.needs_reply, source.due_at, source.follow_up_at = False, None, None
    session.flush()
    session.expire(source, ["messages"])
    session.expire(target, ["messages"])
    reopened = _recompute(session, target, carried, carried, _first_response(session),
                          keep_first_response=True)
    _track_sla(session, source, now, dropped=True)
    _track_sla(session, target, now,
               started=source.sla_started_at if previous != "closed" else None)
    refresh_threads(session, [source.id, target.id])  # the dashboard's facts

    audit.record(session, source, "thread.merged", now, actor_id=actor_id, reason=reason,
                 into_thread_id=target.id, previous_status=previous, moved=moved,
                 again=again)
    audit.record(session, target, "thread.merged_from", now, actor_id=actor_id, reason=reason,
                 from_thread_id=source.id, moved=moved, again=again, reopened=reopened)
    return target


def split_thread(session: Session, thread_id: int, message_ids: Iterable[int], subject: str,
                 now: datetime, *, actor_id: int | None = None) -> Thread:
    """Move ``message_ids`` of thread ``thread_id`` to a new thread of the same
    customer titled ``subject``; returns the new thread."""
    title = strip_prefixes(subject or "")[:500]
    if not title:
        raise ThreadOpError("the new thread needs a subject")
    ids = sorted(set(message_ids))
    if not ids:
        raise ThreadOpError("choose the messages to split off")
    (source,) = _lock(session, thread_id)
    if source.merged_into_id is not None:
        raise ThreadOpError(f"thread {source.id} was merged into thread "
                            f"{source.merged_into_id}; work there")
    _check_messages(session, source, ids, leaving="split")

    carried = _waiting(session, source)
    new = Thread(customer_id=source.customer_id, subject=title, subject_key=subject_key(title),
                 status="open", priority=source.priority, needs_reply=False,
                 language=None, created_at=now)
    session.add(new)
    session.flush()
    _move(session, ids, new.id)
    session.expire(source, ["messages"])
    first_response = _first_response(session)
    # A flag set without a waiting message stays with the thread that had it.
    _recompute(session, source, [carried], [carried], first_response, keep_first_response=True)
    _recompute(session, new, [carried], [], first_response, keep_first_response=False)
    if not new.needs_reply:
        new.status = source.status
    new.origin_channel = source.origin_channel
    _track_sla(session, source, now)
    _track_sla(session, new, now)
    refresh_threads(session, [source.id, new.id])  # the dashboard's facts

    audit.record(session, source, "thread.split", now, actor_id=actor_id,
                 new_thread_id=new.id, message_ids=ids)
    audit.record(session, new, "thread.split_from", now, actor_id=actor_id,
                 from_thread_id=source.id, message_ids=ids, subject=title)
    return new


def move_message(session: Session, message_id: int, target_id: int, now: datetime, *,
                 actor_id: int | None = None) -> Thread:
    """Move one message to another thread of the same customer (or to the
    thread that one was merged into); returns the thread it is in now."""
    message = session.get(Message, message_id)
    if message is None:
        raise ThreadOpError(f"message {message_id} does not exist")
    target = resolve(session, _get(session, target_id))
    if target.id == message.thread_id:
        raise ThreadOpError(f"the message is in thread {target.id} already")
    source, target = _lock(session, message.thread_id, target.id)
    if target.merged_into_id is not None:
        raise ThreadOpError(f"thread {target.id} was merged meanwhile; try again")
    if source.customer_id != target.customer_id:
        raise ThreadOpError(
            f"thread {target.id} belongs to another customer; a message can only move "
            "between one customer's threads")
    _check_messages(session, source, [message.id], leaving="move")

    carried = [_waiting(session, source), _waiting(session, target)]
    _move(session, [message.id], target.id)
    session.expire(source, ["messages"])
    session.expire(target, ["messages"])
    first_response = _first_response(session)
    # Each thread keeps a flag it had without a waiting message.
    _recompute(session, source, carried, carried[:1], first_response, keep_first_response=True)
    _recompute(session, target, carried, carried[1:], first_response, keep_first_response=True)
    _track_sla(session, source, now)
    _track_sla(session, target, now)
    refresh_threads(session, [source.id, target.id])  # the dashboard's facts

    audit.record(session, source, "thread.message_moved_out", now, actor_id=actor_id,
                 message_id=message.id, to_thread_id=target.id)
    audit.record(session, target, "thread.message_moved_in", now, actor_id=actor_id,
                 message_id=message.id, from_thread_id=source.id)
    return target


# -- helpers ------------------------------------------------------------------


def _get(session: Session, thread_id: int) -> Thread:
    thread = session.get(Thread, thread_id)
    if thread is None:
        raise ThreadOpError(f"thread {thread_id} does not exist")
    return thread


def _lock(session: Session, *thread_ids: int) -> tuple[Thread, ...]:
    """The threads, locked in id order (no deadlock between two merges), in
    the order asked, reloaded so a concurrent change is seen."""
    rows = session.scalars(
        sa.select(Thread).where(Thread.id.in_(thread_ids)).order_by(Thread.id)
        .with_for_update().execution_options(populate_existing=True)).all()
    by_id = {t.id: t for t in rows}
    missing = [i for i in thread_ids if i not in by_id]
    if missing:
        raise ThreadOpError(f"thread {missing[0]} does not exist")
    return tuple(by_id[i] for i in thread_ids)


def _check_messages(session: Session, source: Thread, ids: Sequence[int], *,
                    leaving: str) -> None:
    held = set(session.scalars(sa.select(Message.id).where(Message.thread_id == source.id)))
    strangers = [i for i in ids if i not in held]
    if strangers:
        raise ThreadOpError(f"message {strangers[0]} is not in thread {source.id}")
    if held <= set(ids):
        what = "split off every message" if leaving == "split" else "move its only message"
        raise ThreadOpError(f"cannot {what} of thread {source.id}: merge the thread instead")


def _move(session: Session, ids: Sequence[int], thread_id: int) -> None:
    session.execute(sa.update(Message).where(Message.id.in_(ids)).values(thread_id=thread_id)
                    .execution_options(synchronize_session="fetch"))
    # The reply rows of sent messages go with them (pending replies stay).
    session.execute(sa.update(OutboundMessage).where(OutboundMessage.message_id.in_(ids))
                    .values(thread_id=thread_id).execution_options(synchronize_session="fetch"))


def _adopt_links(source: Thread, target: Thread) -> None:
    """What the target lacks, it takes from the merged thread."""
    if target.claim_id is None and source.claim_id is not None:
        target.claim_id = source.claim_id
        target.policy_id = target.policy_id or source.policy_id
    if target.policy_id is None:
        target.policy_id = source.policy_id
    if target.account_issue_id is None:
        target.account_issue_id = source.account_issue_id
    if target.issue_type is None:
        target.issue_type = source.issue_type
    if target.assignee_id is None:
        target.assignee_id = source.assignee_id
    if target.language is None:
        target.language = source.language
    ranks = {p: n for n, p in enumerate(PRIORITIES)}
    if ranks.get(source.priority, 0) > ranks.get(target.priority, 0):
        target.priority = source.priority


def _first_response(session: Session) -> timedelta:
    cfg = session.info.get(CONFIG_KEY)
    return cfg.first_response if cfg is not None else timedelta(hours=24)


def _rows(session: Session, thread_id: int) -> list[_Row]:
    return [_Row(*r) for r in session.execute(
        sa.select(Message.id, Message.direction, Message.auto, Message.received_at,
                  Message.language)
        .where(Message.thread_id == thread_id)
        .order_by(Message.received_at, Message.id)).all()]


def _unanswered(rows: Sequence[_Row]) -> list[_Row]:
    """The customer messages after our last answer (automatic mail aside)."""
    waiting: list[_Row] = []
    for row in rows:
        if row.auto:
            continue
        if row.direction == "outbound":
            waiting = []
        elif row.direction == "inbound":
            waiting.append(row)
    return waiting


def _waiting(session: Session, thread: Thread) -> _Wait:
    waiting = _unanswered(_rows(session, thread.id)) if thread.needs_reply else []
    return _Wait(needs_reply=thread.needs_reply, due_at=thread.due_at,
                 waiting=tuple((r.id, r.received_at) for r in waiting),
                 since=thread.sla_waiting_since if thread.needs_reply else None)


def _track_sla(session: Session, thread: Thread, now: datetime, *, dropped: bool = False,
               started: datetime | None = None) -> None:
    """The thread's SLA clocks after the operation (inbox.sla): waiting
    since its first waiting message (set by :func:`_recompute`), its
    resolution clock from the earliest start of the threads it took over or,
    for a new thread, its first customer message. The due time from the rule
    above stays when it is earlier (a merge never makes anyone wait longer)."""
    from inbox.sla.track import record_pending, track

    carried = thread.due_at if thread.needs_reply else None
    rows = _rows(session, thread.id)
    if thread.needs_reply and thread.sla_waiting_since is None:
        thread.sla_waiting_since = now  # a carried flag of unknown age
    if thread.status != "closed":
        first = next((r.received_at for r in rows
                      if r.direction == "inbound" and not r.auto), None)
        begun = [t for t in (thread.sla_started_at, started) if t is not None]
        thread.sla_started_at = min(begun) if begun else first
    track(thread, now, dropped=dropped)
    if carried is not None and (thread.due_at is None or carried < thread.due_at):
        thread.due_at = carried
    record_pending(session)


def _recompute(session: Session, thread: Thread, waits: Sequence[_Wait],
               flags: Sequence[_Wait], first_response: timedelta, *,
               keep_first_response: bool) -> bool:
    """Set the derived fields of ``thread`` from the messages it holds now,
    the waits of the threads involved (``waits``) and the flags it inherits
    (``flags``: only their flag-only waits count). True if a closed or pending
    thread was opened again."""
    rows = _rows(session, thread.id)
    talk = [r for r in rows if r.direction in ("inbound", "outbound")]
    thread.last_message_at = max((r.received_at for r in talk), default=None)
    thread.last_inbound_at = max(
        (r.received_at for r in talk if r.direction == "inbound" and not r.auto), default=None)
    answers = [r.received_at for r in talk if r.direction == "outbound" and not r.auto]
    earliest = [*answers, *([thread.first_response_at] if keep_first_response else [])]
    thread.first_response_at = min((t for t in earliest if t is not None), default=None)
    if thread.language is None:
        thread.language = next((r.language for r in rows if r.language), None)

    held = {r.id for r in rows}
    needs_reply = False
    due: list[datetime] = []
    since: list[datetime] = []
    for wait in waits:
        mine = [(i, at) for i, at in wait.waiting if i in held]
        if not mine:
            continue
        needs_reply = True
        since.append(mine[0][1])
        if mine[0] == wait.waiting[0] and wait.due_at is not None:
            due.append(wait.due_at)
        else:
            due.append(mine[0][1] + first_response)
    for wait in flags:
        if wait.flag_only:
            needs_reply = True
            if wait.due_at is not None:
                due.append(wait.due_at)
            if wait.since is not None:
                since.append(wait.since)
    thread.needs_reply = needs_reply
    thread.sla_waiting_since = min(since, default=None)
    thread.due_at = min(due) if needs_reply and due else None
    if needs_reply and thread.status != "open":
        thread.status = "open"
        return True
    return False
