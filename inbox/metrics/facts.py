"""The dashboard's facts, written when something happens to a thread, so the
dashboard reads them instead of messages.

Definitions (docs/design.md, "Dashboard"):

* A **customer message** is an inbound message that is not automatic
  (auto-replies, bounces). An **answer** is an outbound message that is not
  automatic; a call logged by hand counts only when it reached the customer.
  Notes count for nothing. A thread's messages are taken in the order
  ``(received_at, id)``.
* A **response** is an answer with at least one customer message since our
  previous answer (or since the thread began); it answers the earliest of
  them, and its time is ``answer.received_at - that message's received_at``
  in whole seconds (calendar time; business hours are the SLA engine's). The
  thread's **first response** is its first response. Each response is one
  row of ``response_facts``, keyed by the answer's message id.
* A thread is **opened** at its first message that is not a note (any
  direction); its channel is that message's channel.
* A thread is **resolved** while it is closed by a person (the last
  ``thread.closed`` audit event: the thread page, the API) and not merged
  away; its **resolution time** is ``closed_at - opened_at`` (whole seconds,
  never negative); its rep is whoever closed it (the assignee when no
  person is named). A thread closed at birth (automatic mail) was never resolved.
  Reopening (by a person, or a customer writing) takes the resolution away;
  the next closing counts from the opening again ("full resolution time").
  One ``thread_facts`` row per thread holds the opening and, while resolved,
  the closing.
* A fact's ``team`` is its rep's team when the fact was written.

:func:`refresh_threads` recomputes the facts of some threads from their
messages and writes only the differences (a repeated event writes nothing);
the event hooks call it: ingest (new thread, an answer, a message older than
the thread's latest, a closed thread reopened), a reply filed
(:func:`inbox.outbound.file_sent`), a call logged, closing and reopening
(:func:`inbox.workspace.assignment.set_status`), merge, split and move.
:func:`rebuild` runs it over every thread (``inbox dashboard rebuild``).
Whatever else takes a thread out of "closed" (an information request, a
callback, code not written yet) clears its closing in the same flush
(:func:`_undo_closings`, a session event), so a resolution never outlives
its closing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from inbox.bulk import insert_rows, table_of
from inbox.models import AuditEvent, Message, ResponseFact, Thread, ThreadFact, User

CHUNK = 500  # threads per query (SQLite's bound-parameter limit is far above)
CLOSED_ACTION = "thread.closed"


@dataclass(frozen=True)
class Msg:
    """What the facts read of a message (notes are never read)."""

    id: int
    channel: str
    direction: str
    auto: bool
    received_at: datetime
    author_id: int | None
    outcome: str | None = None  # a call logged by hand: "reached", "no answer" ...

    @property
    def from_customer(self) -> bool:
        return self.direction == "inbound" and not self.auto

    @property
    def answers(self) -> bool:
        return (self.direction == "outbound" and not self.auto
                and self.outcome in (None, "reached"))


@dataclass(frozen=True)
class Response:
    answer: Msg
    customer: Msg
    first: bool

    @property
    def seconds(self) -> int:
        return int((self.answer.received_at - self.customer.received_at).total_seconds())


@dataclass(frozen=True)
class Derived:
    responses: list[Response]
    opened: Msg | None  # the first message that is not a note


def derive(messages: Sequence[Msg]) -> Derived:
    """The facts of one thread's messages (notes left out), in (received_at, id) order."""
    responses: list[Response] = []
    waiting: Msg | None = None
    for message in messages:
        if message.from_customer:
            if waiting is None:
                waiting = message
        elif message.answers and waiting is not None:
            responses.append(Response(message, waiting, first=not responses))
            waiting = None
    return Derived(responses, messages[0] if messages else None)


def resolution_seconds(opened_at: datetime, closed_at: datetime) -> int:
    return max(0, int((closed_at - opened_at).total_seconds()))


# -- writing ---------------------------------------------------------------------

Closing = tuple[datetime, int | None]  # (when, by whom)

_RESPONSE_FIELDS = ("thread_id", "customer_message_id", "channel", "reply_channel", "rep_id",
                    "team", "customer_at", "responded_at", "seconds", "first")
_THREAD_FIELDS = ("channel", "opened_at", "closed_at", "seconds", "rep_id", "team")


@dataclass
class Written:
    """Rows written by a refresh (a repeated event writes none)."""

    inserted: int = 0
    updated: int = 0
    deleted: int = 0

    def __iadd__(self, other: Written) -> Written:
        self.inserted += other.inserted
        self.updated += other.updated
        self.deleted += other.deleted
        return self

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.deleted


def refresh_threads(session: Session, thread_ids: Iterable[int | None], *,
                    closed: Mapping[int, Closing] | None = None) -> Written:
    """Bring the facts of ``thread_ids`` in line with their messages and state.
    ``closed``: threads a person has just closed, with when and by whom (else
    a closed thread keeps the closing its facts hold, or takes it from the
    audit trail). Flushes first; writes only what differs."""
    ids = sorted({i for i in thread_ids if i is not None})
    written = Written()
    if not ids:
        return written
    session.flush()
    for start in range(0, len(ids), CHUNK):
        written += _refresh(session, ids[start:start + CHUNK], closed or {})
    return written


def thread_status_changed(session: Session, thread: Thread, previous: str, now: datetime,
                          actor_id: int | None) -> None:
    """A person set ``thread``'s status (closing or reopening changes its facts)."""
    if thread.status == "closed":
        refresh_threads(session, [thread.id], closed={thread.id: (now, actor_id)})
    elif previous == "closed":
        refresh_threads(session, [thread.id])


def _undo_closings(session: Session, _flush_context: Any) -> None:
    """Whatever takes a thread out of "closed" (a person, a customer writing,
    an information request, a callback, a merge's recomputing), its closing
    stops counting as a resolution in the flush that does it. Runs after
    every flush (the attribute histories still show what changed)."""
    reopened = [t.id for t in session.dirty if isinstance(t, Thread)
                and t.status != "closed" and "closed" in get_history(t, "status").deleted]
    if reopened:
        session.connection().execute(
            sa.update(ThreadFact).where(ThreadFact.thread_id.in_(reopened))
            .values(closed_at=None, seconds=None, rep_id=None, team=""))


sa.event.listen(Session, "after_flush", _undo_closings)


def _message_rows(session: Session, thread_ids: Sequence[int]) -> dict[int, list[Msg]]:
    outcome = sa.case(
        (sa.and_(Message.channel == "call", Message.direction == "outbound"),
         Message.extras["outcome"].as_string()),
        else_=sa.null())
    by_thread: dict[int, list[Msg]] = {i: [] for i in thread_ids}
    for row in session.execute(
        sa.select(Message.thread_id, Message.id, Message.channel, Message.direction,
                  Message.auto, Message.received_at, Message.author_id, outcome)
        .where(Message.thread_id.in_(thread_ids), Message.direction != "note")
        .order_by(Message.thread_id, Message.received_at, Message.id)
    ):
        by_thread[row[0]].append(Msg(*row[1:]))
    return by_thread


def _last_closings(session: Session, thread_ids: Sequence[int]) -> dict[int, Closing]:
    found: dict[int, Closing] = {}
    if not thread_ids:
        return found
    for entity_id, at, actor_id in session.execute(
        sa.select(AuditEvent.entity_id, AuditEvent.at, AuditEvent.actor_id)
        .where(AuditEvent.entity_type == "threads", AuditEvent.action == CLOSED_ACTION,
               AuditEvent.entity_id.in_(thread_ids))
        .order_by(AuditEvent.entity_id, AuditEvent.at, AuditEvent.id)
    ):
        found[entity_id] = (at, actor_id)  # the last one wins
    return found


def _refresh(session: Session, ids: Sequence[int], closed: Mapping[int, Closing]) -> Written:
    threads = {row.id: row for row in session.execute(
        sa.select(Thread.id, Thread.status, Thread.merged_into_id, Thread.assignee_id)
        .where(Thread.id.in_(ids)))}
    messages = _message_rows(session, ids)
    derived = {i: derive(messages[i]) for i in ids}
    old_threads = {row.thread_id: row for row in session.execute(
        sa.select(ThreadFact.id, ThreadFact.thread_id,
                  *(getattr(ThreadFact, f) for f in _THREAD_FIELDS))
        .where(ThreadFact.thread_id.in_(ids)))}

    # Closings: the event's, else the one the facts hold, else the audit trail's.
    closings: dict[int, Closing] = {}
    rep_of_closing: dict[int, tuple[int | None, str] | None] = {}
    look_up: list[int] = []
    for i in ids:
        t = threads.get(i)
        if (t is None or t.status != "closed" or t.merged_into_id is not None
                or derived[i].opened is None):
            continue
        old = old_threads.get(i)
        if i in closed:
            closings[i] = closed[i]
        elif old is not None and old.closed_at is not None:
            closings[i] = (old.closed_at, old.rep_id)
            rep_of_closing[i] = (old.rep_id, old.team)
        else:
            look_up.append(i)
    closings.update(_last_closings(session, look_up))

    reps = {r.answer.author_id for d in derived.values() for r in d.responses}
    reps |= {by or threads[i].assignee_id for i, (_, by) in closings.items()}
    teams = _teams(session, reps)

    wanted_responses: dict[int, dict[str, Any]] = {}
    for i in ids:
        for r in derived[i].responses:
            wanted_responses[r.answer.id] = {
                "thread_id": i, "answer_message_id": r.answer.id,
                "customer_message_id": r.customer.id, "channel": r.customer.channel,
                "reply_channel": r.answer.channel, "rep_id": r.answer.author_id,
                "team": teams.get(r.answer.author_id, ""), "customer_at": r.customer.received_at,
                "responded_at": r.answer.received_at, "seconds": r.seconds, "first": r.first}
    wanted_threads: dict[int, dict[str, Any]] = {}
    for i in ids:
        opened = derived[i].opened
        t = threads.get(i)
        if opened is None or t is None or t.merged_into_id is not None:
            continue
        row: dict[str, Any] = {"thread_id": i, "channel": opened.channel,
                               "opened_at": opened.received_at, "closed_at": None,
                               "seconds": None, "rep_id": None, "team": ""}
        if i in closings:
            at, by = closings[i]
            kept = rep_of_closing.get(i)
            rep, team = kept if kept is not None else (
                by or t.assignee_id, teams.get(by or t.assignee_id, ""))
            row.update(closed_at=at, seconds=resolution_seconds(opened.received_at, at),
                       rep_id=rep, team=team)
        wanted_threads[i] = row

    old_responses = {row.answer_message_id: row for row in session.execute(
        sa.select(ResponseFact.id, ResponseFact.answer_message_id,
                  *(getattr(ResponseFact, f) for f in _RESPONSE_FIELDS))
        .where(sa.or_(ResponseFact.thread_id.in_(ids),
                      ResponseFact.answer_message_id.in_(list(wanted_responses)))))}
    written = _apply(session, ResponseFact, old_responses, wanted_responses, _RESPONSE_FIELDS)
    written += _apply(session, ThreadFact, old_threads, wanted_threads, _THREAD_FIELDS)
    return written


def _teams(session: Session, user_ids: Iterable[int | None]) -> dict[int | None, str]:
    ids = [i for i in set(user_ids) if i is not None]
    if not ids:
        return {}
    return {i: team or "" for i, team in session.execute(
        sa.select(User.id, User.team).where(User.id.in_(ids)))}


def _apply(session: Session, model: Any, old: Mapping[int, Any],
           wanted: Mapping[int, dict[str, Any]], fields: Sequence[str]) -> Written:
    """Deletes, then updates by primary key, then inserts: a key never exists twice."""
    gone = [row.id for key, row in old.items() if key not in wanted]
    changed = [{"id": old[key].id, **values} for key, values in wanted.items()
               if key in old and any(getattr(old[key], f) != values[f] for f in fields)]
    new = [values for key, values in wanted.items() if key not in old]
    if gone:
        session.execute(sa.delete(model).where(model.id.in_(gone)))
    if changed:
        session.execute(sa.update(model), changed)
    insert_rows(session, table_of(model), new)
    return Written(len(new), len(changed), len(gone))


# -- rebuilding ------------------------------------------------------------------


@dataclass
class Rebuilt:
    threads: int = 0
    written: Written | None = None
    orphans: int = 0


def rebuild(session: Session, *, chunk: int = 2000,
            progress: Callable[[int], None] | None = None) -> Rebuilt:
    """Refresh every thread's facts (idempotent: a second run writes nothing)
    and drop facts of threads that no longer exist. Closings the facts hold
    are kept; missing ones come from the audit trail."""
    report = Rebuilt(written=Written())
    last = 0
    while True:
        ids = list(session.scalars(sa.select(Thread.id).where(Thread.id > last)
                                   .order_by(Thread.id).limit(chunk)))
        if not ids:
            break
        assert report.written is not None
        report.written += refresh_threads(session, ids)
        report.threads += len(ids)
        last = ids[-1]
        if progress is not None:
            progress(report.threads)
    for model in (ResponseFact, ThreadFact):
        result = session.execute(sa.delete(model).where(~sa.exists().where(
            Thread.id == model.thread_id)))
        report.orphans += result.rowcount  # type: ignore[attr-defined]
    return report
