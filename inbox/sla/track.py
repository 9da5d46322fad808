"""Keeping a thread's SLA columns true on every event, in memory.

Every place that changes what the clocks depend on (a customer message filed,
an answer, a status change, pending and its follow-up, an information
request and its answer, a priority or issue type, merge, split, move) calls
:func:`track` with the thread object and the event's time. It runs no query
when the thread's customer is in the session (ingest has them all), so the
bulk ingest pays only the arithmetic.

:func:`track` also notices a target that stopped: an answer in time is
``met``, anything stopped after its due time is a ``breach`` (the sweep may
have recorded it already; the unique constraint keeps one). The events wait
in ``session.info`` until :func:`record_pending` writes them in one insert.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from claims.models import Customer
from inbox.models import Thread, User
from inbox.models.sla import SlaEvent
from inbox.sla.bulk import insert_rows
from inbox.sla.calendar import Pause
from inbox.sla.clock import ThreadFacts, next_check, thread_clock
from inbox.sla.policies import THREAD_TARGETS, Match, Policy, PolicySet, config_policies
from inbox.sla.store import load_policies

PENDING_KEY = "sla.pending_events"
DUE_COLUMNS = {name: f"{name}_due_at" for name in THREAD_TARGETS}


def pauses_of(raw: Iterable[Any] | None) -> tuple[Pause, ...]:
    out = []
    for item in raw or ():
        begin, end = item
        out.append((datetime.fromisoformat(begin),
                    datetime.fromisoformat(end) if end else None))
    return tuple(out)


def facts_of(thread: Thread) -> ThreadFacts:
    waiting = None
    if thread.needs_reply:
        waiting = thread.sla_waiting_since or thread.last_inbound_at or thread.created_at
    return ThreadFacts(
        status=thread.status, started_at=thread.sla_started_at, waiting_since=waiting,
        first_response_at=thread.first_response_at, paused_at=thread.sla_paused_at,
        pauses=pauses_of(thread.sla_pauses), remind_at=thread.sla_remind_at,
    )


def match_of(thread: Thread, segment: str | None) -> Match:
    return Match(channel=thread.origin_channel, issue_type=thread.issue_type,
                 priority=thread.priority, segment=segment)


def _segment(session: Session | None, thread: Thread) -> str | None:
    if thread.customer_id is None:
        customer = thread.__dict__.get("customer")
        return customer.segment if customer is not None else None
    # The identity map first: no query when the customer is loaded (ingest).
    customer = session.get(Customer, thread.customer_id) if session is not None else None
    return customer.segment if customer is not None else None


def policies_for(session: Session | None) -> PolicySet:
    if session is None:
        from config.sla import SlaSettings

        return config_policies(SlaSettings(), timedelta(hours=24))
    return load_policies(session)


def start_cycle(thread: Thread, at: datetime) -> None:
    """A customer message opens the thread, or reopens it after it was
    closed: the resolution clock starts (again) at ``at``."""
    thread.sla_started_at = at
    thread.sla_paused_at = None
    thread.sla_pauses = []


def remind(thread: Thread, at: datetime) -> None:
    """A follow-up came back (pending until, an information request chased):
    the thread needs an answer - waiting from ``at`` if nothing waited - and
    is due at ``at`` unless it was due earlier. Call :func:`track` after."""
    if not thread.needs_reply:
        thread.needs_reply = True
        thread.sla_waiting_since = at
    thread.sla_remind_at = at if thread.sla_remind_at is None else min(thread.sla_remind_at, at)


def track(thread: Thread, now: datetime, *, answered: bool = False, dropped: bool = False,
          policies: PolicySet | None = None) -> None:
    """Recompute ``thread``'s SLA columns and ``due_at`` from its facts as of
    ``now``. ``answered``: we answered the customer just now (a response
    target that stops is met). ``dropped``: the thread stops without being
    resolved (merged away)."""
    session = object_session(thread)
    policies = policies or policies_for(session)
    paused_at = thread.sla_paused_at
    pauses = list(thread.sla_pauses or [])
    if thread.status == "pending":
        if paused_at is None and thread.sla_started_at is not None:
            thread.sla_paused_at = now
    elif paused_at is not None:
        pauses.append([paused_at.isoformat(), max(now, paused_at).isoformat()])
        thread.sla_pauses, thread.sla_paused_at = pauses, None
    if answered or thread.status != "open" or not thread.needs_reply:
        thread.sla_remind_at = None  # answered, or off the queue: nothing to remind of
    if not thread.needs_reply:
        thread.sla_waiting_since = None

    policy = policies.for_thread(match_of(thread, _segment(session, thread)))
    old_policy = policies.by_key(thread.sla_policy_key) or policy
    clock = thread_clock(facts_of(thread), policy)

    events = []
    for name, column in DUE_COLUMNS.items():
        old_due: datetime | None = getattr(thread, column)
        if name in clock.targets:
            continue
        if old_due is None and name == "resolution" and paused_at is not None:
            old_due = _due_when_paused(thread, old_policy, paused_at, now)
        if old_due is None:
            continue
        resolved = name == "resolution" and thread.status == "closed" and not dropped
        fulfilled = resolved or (answered and name != "resolution")
        kind = "breach" if now > old_due else ("met" if fulfilled else None)
        if kind is not None:
            events.append(_event(thread, old_policy.key, name, kind, old_due, now))
    if events and session is not None:
        session.info.setdefault(PENDING_KEY, []).extend(events)

    old_dues = {name: getattr(thread, column) for name, column in DUE_COLUMNS.items()}
    unseen = [name for name, target in clock.targets.items() if old_dues[name] != target.due_at]
    thread.sla_next_at = next_check(clock, now, unseen=unseen, after=thread.sla_next_at)
    for name, column in DUE_COLUMNS.items():
        setattr(thread, column, clock.due(name))
    thread.sla_policy_key = policy.key
    thread.sla_state = clock.state(now)
    thread.due_at = clock.due_at


def _due_when_paused(thread: Thread, policy: Policy, paused_at: datetime,
                     now: datetime) -> datetime | None:
    """The resolution due time of a thread closed while pending: as if the
    pause ended now."""
    duration = policy.target("resolution")
    if duration is None or thread.sla_started_at is None:
        return None
    pauses = (*pauses_of(thread.sla_pauses), (paused_at, now))
    return policy.calendar.add(thread.sla_started_at, duration, pauses)


def _event(thread: Thread, policy_key: str, target: str, kind: str, due_at: datetime,
           at: datetime) -> dict[str, Any]:
    return {"thread": thread, "claim_id": thread.claim_id, "policy_key": policy_key,
            "target": target, "kind": kind, "due_at": due_at, "at": at,
            "assignee_id": thread.assignee_id}


def record_pending(session: Session) -> int:
    """Write the events :func:`track` noticed (one insert); returns how many
    were new."""
    pending = session.info.pop(PENDING_KEY, [])
    if not pending:
        return 0
    if any(e["thread"].id is None for e in pending):
        session.flush()
    rows = [{**{k: v for k, v in e.items() if k != "thread"}, "thread_id": e["thread"].id}
            for e in pending]
    return len(insert_events(session, rows))


def insert_events(session: Session, rows: Sequence[dict[str, Any]]
                  ) -> list[tuple[int, str, str, datetime]]:
    """Insert SLA events, each (thread, target, kind, due time) once: those
    already recorded are skipped (``ON CONFLICT DO NOTHING``). ``team`` is
    filled from the assignee when missing. Returns the new ones' keys."""
    if not rows:
        return []
    assignees = {r["assignee_id"] for r in rows if r.get("assignee_id") and "team" not in r}
    teams = dict(session.execute(sa.select(User.id, User.team).where(
        User.id.in_(assignees))).all()) if assignees else {}
    values = [{name: r.get(name) for name in EVENT_COLUMNS}
              | {"team": r.get("team", teams.get(r.get("assignee_id") or 0, ""))}
              for r in rows]
    found = insert_rows(session, EVENTS, values, conflict=EVENT_KEY, returning=EVENT_KEY)
    return [(r[0], r[1], r[2], r[3]) for r in found]


EVENTS: sa.Table = SlaEvent.__table__  # type: ignore[assignment]
EVENT_KEY = ("thread_id", "target", "kind", "due_at")
EVENT_COLUMNS = ("thread_id", "claim_id", "policy_key", "target", "kind", "due_at", "at",
                 "assignee_id")
