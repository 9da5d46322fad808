"""The SLA sweep: warnings, breaches and escalations, set-based.

Every thread and claim carries ``sla_next_at``, the next time something can
happen to it (a warning or a due time; kept by :mod:`.track` on every event).
The sweep (``inbox.jobs.sla.sla_sweep``, every minute) takes those whose time
has come - one indexed query, ``FOR UPDATE SKIP LOCKED`` so two sweeps share
the work instead of waiting - recomputes their clocks in Python, and then,
in a few statements for all of them:

* records a ``warning`` or ``breach`` per target in ``sla_events``
  (``INSERT ... ON CONFLICT DO NOTHING RETURNING``): each (thread, target,
  kind, due time) happens once, however often the sweep runs or crashes;
* for each new warning, tells the assignee (a notification, and an email);
* for each new breach, opens an escalation (source ``sla``) to a supervisor
  of the assignee's team, chosen as :func:`inbox.casework.escalations.
  choose_supervisor` does (same team first, then any supervisor, then an
  admin; fewest open escalations) but spread over the supervisors when many
  breach at once; notifies them; and per the policy reassigns the thread to
  them (``reassign``) or leaves it with its assignee (``watch``). A thread
  or claim with an open escalation gets no second one;
* writes ``sla_next_at`` (the next point ahead, or none), the state, and the
  due times if the policy changed them: only the rows it took, and for
  threads whose due times did not change, only those two columns.

Threads with nothing ahead (answered, closed, no targets) have no
``sla_next_at`` and are never read. Emails go after the commit, one per
person per sweep, through the first configured mailbox's SMTP server;
failures are logged, never fatal.
"""

from __future__ import annotations

import heapq
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.models import Claim, Customer
from config.email import Mailbox
from inbox.database import after_commit
from inbox.models import AuditEvent, Escalation, Notification, Thread, User
from inbox.sla.bulk import insert_rows, update_by_id
from inbox.sla.claims import refresh_claims
from inbox.sla.clock import ThreadFacts, next_check, thread_clock
from inbox.sla.policies import Match, PolicySet
from inbox.sla.store import ensure_policies, load_policies
from inbox.sla.track import DUE_COLUMNS, insert_events, pauses_of

log = logging.getLogger(__name__)
THREADS: sa.Table = Thread.__table__  # type: ignore[assignment]
ESCALATIONS: sa.Table = Escalation.__table__  # type: ignore[assignment]
NOTIFICATIONS: sa.Table = Notification.__table__  # type: ignore[assignment]
AUDIT: sa.Table = AuditEvent.__table__  # type: ignore[assignment]
# Threads per sweep at most (earliest first), so that a sweep stays within a
# few seconds even when every one of them breaches and is escalated
# (bench/sla.py, 2 shared cores: 5,000 such threads ~3.3 s, 8,000 4.6-6 s); a
# bigger backlog (workers down for hours) is worked off minute by minute.
BATCH = 5_000
TARGET_WORDS = {"first_response": "first response", "next_response": "next response",
                "resolution": "resolution", "claim_acknowledgement": "acknowledgement",
                "claim_decision": "decision", "claim_status": "written status"}

_COLUMNS = (
    Thread.id, Thread.status, Thread.needs_reply, Thread.sla_started_at,
    Thread.sla_waiting_since, Thread.last_inbound_at, Thread.created_at,
    Thread.first_response_at, Thread.sla_paused_at, Thread.sla_pauses, Thread.sla_remind_at,
    Thread.sla_policy_key, Thread.first_response_due_at, Thread.next_response_due_at,
    Thread.resolution_due_at, Thread.sla_state, Thread.assignee_id, Thread.claim_id,
    Thread.origin_channel, Thread.issue_type, Thread.priority, Thread.subject, Customer.segment,
)


@dataclass
class SweepResult:
    threads: int = 0  # threads looked at
    claims: int = 0
    warnings: int = 0  # new events
    breaches: int = 0
    escalations: int = 0
    reassigned: int = 0
    updated: int = 0  # thread rows written
    emails: int = 0  # emails queued for after the commit
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "seconds"}


def sweep(session: Session, now: datetime, *, mailboxes: Sequence[Mailbox] = (),
          batch: int = BATCH) -> SweepResult:
    """One pass; safe to run twice, or twice at once."""
    import time

    clock_start = time.perf_counter()
    result = SweepResult()
    ensure_policies(session, now)
    policies = load_policies(session, fresh=True)
    marks = {"setup": time.perf_counter()}

    rows = session.execute(
        sa.select(*_COLUMNS).join(Customer, Customer.id == Thread.customer_id)
        .where(Thread.sla_next_at <= now).order_by(Thread.sla_next_at).limit(batch)
        .with_for_update(of=Thread, skip_locked=True)).all()
    marks["select"] = time.perf_counter()
    result.threads = len(rows)
    events, updates, info = _thread_work(rows, policies, now)
    marks["compute"] = time.perf_counter()
    _write_updates(session, updates)
    result.updated = len(updates)
    marks["update"] = time.perf_counter()
    new = _new_events(session, events)
    marks["events"] = time.perf_counter()

    claim_ids = session.scalars(
        sa.select(Claim.id).where(Claim.sla_next_at <= now).order_by(Claim.sla_next_at)
        .limit(batch).with_for_update(skip_locked=True)).all()
    result.claims = len(claim_ids)
    if claim_ids:
        for event in refresh_claims(session, claim_ids, now, sweep=True, policies=policies):
            if event["kind"] != "met":
                new.append(event)
    marks["claims"] = time.perf_counter()

    warnings = [e for e in new if e["kind"] == "warning"]
    breaches = [e for e in new if e["kind"] == "breach"]
    result.warnings, result.breaches = len(warnings), len(breaches)
    mail: dict[int, list[str]] = defaultdict(list)
    _warn(session, warnings, info, now, mail)
    result.escalations, result.reassigned = _escalate(session, breaches, info, policies, now,
                                                      mail)
    marks["notify"] = time.perf_counter()
    result.emails = _mail_after_commit(session, mail, mailboxes)
    previous = clock_start
    for name, at in marks.items():
        result.seconds[name] = round(at - previous, 4)
        previous = at
    result.seconds["total"] = round(previous - clock_start, 4)
    return result


def _thread_work(rows: Sequence[Any], policies: PolicySet, now: datetime
                 ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, dict[str, Any]]]:
    events: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    info: dict[int, dict[str, Any]] = {}
    for r in rows:
        waiting = None
        if r.needs_reply:
            waiting = r.sla_waiting_since or r.last_inbound_at or r.created_at
        facts = ThreadFacts(r.status, r.sla_started_at, waiting, r.first_response_at,
                            r.sla_paused_at, pauses_of(r.sla_pauses), r.sla_remind_at)
        policy = policies.by_key(r.sla_policy_key) or policies.for_thread(Match(
            r.origin_channel, r.issue_type, r.priority, r.segment))
        clock = thread_clock(facts, policy)
        info[r.id] = {"assignee_id": r.assignee_id, "claim_id": r.claim_id,
                      "subject": r.subject, "policy": policy}
        for target in clock.targets.values():
            crossed = [(when, kind) for when, kind in target.points() if when <= now]
            if crossed:
                when, kind = crossed[-1]  # a breach makes the warning moot
                events.append({"thread_id": r.id, "claim_id": r.claim_id,
                               "policy_key": policy.key, "target": target.name, "kind": kind,
                               "due_at": target.due_at, "at": when,
                               "assignee_id": r.assignee_id})
        update: dict[str, Any] = {"id": r.id, "sla_next_at": next_check(clock, now),
                                  "sla_state": clock.state(now)}
        dues = {column: clock.due(name) for name, column in DUE_COLUMNS.items()}
        if any(getattr(r, column) != due for column, due in dues.items()) \
                or r.sla_policy_key != policy.key:
            # The policy changed since the last event: the due times follow.
            update.update(dues, sla_policy_key=policy.key, due_at=clock.due_at)
        updates.append(update)
    return events, updates, info


def _write_updates(session: Session, updates: list[dict[str, Any]]) -> None:
    update_by_id(session, THREADS, updates)


def _new_events(session: Session, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    inserted = set(insert_events(session, events))
    return [e for e in events
            if (e["thread_id"], e["target"], e["kind"], e["due_at"]) in inserted]


def _describe(event: dict[str, Any]) -> str:
    if event["target"].startswith("claim_") and event.get("claim_id"):
        what = f"claim #{event['claim_id']}"
    else:
        what = f"thread #{event['thread_id']}"
    return (f"{TARGET_WORDS.get(event['target'], event['target'])} of {what} "
            f"due {event['due_at']:%Y-%m-%d %H:%M} UTC")


def _warn(session: Session, warnings: list[dict[str, Any]], info: dict[int, dict[str, Any]],
          now: datetime, mail: dict[int, list[str]]) -> None:
    rows = []
    for event in warnings:
        user_id = event.get("assignee_id")
        if user_id is None:
            continue  # nobody to warn: the breach will go to a supervisor
        text = f"SLA warning: {_describe(event)}"
        rows.append({"user_id": user_id, "kind": "sla_warning", "text": text,
                     "thread_id": event["thread_id"], "claim_id": event.get("claim_id"),
                     "created_at": now, "read_at": None})
        mail[user_id].append(text)
    insert_rows(session, NOTIFICATIONS, rows)


def _supervisors(session: Session) -> list[tuple[int, str, str, int]]:
    """(id, role, team, open escalations) of every active supervisor and admin."""
    load = (sa.select(sa.func.count(Escalation.id))
            .where(Escalation.supervisor_id == User.id, Escalation.status == "open")
            .correlate(User).scalar_subquery())
    return [(r.id, r.role, r.team, r.load) for r in session.execute(
        sa.select(User.id, User.role, User.team, load.label("load"))
        .where(User.active.is_(True), User.role.in_(("supervisor", "admin"))))]


class _Chooser:
    """:func:`choose_supervisor`'s rule for many at once: the same team's
    supervisors, else any supervisor, else an admin; the least loaded first,
    each escalation counting towards the load."""

    def __init__(self, people: list[tuple[int, str, str, int]]) -> None:
        self.load = {p[0]: p[3] for p in people}
        self.team = {p[0]: p[2] for p in people}
        self.tiers = {
            "supervisor": sorted(p[0] for p in people if p[1] == "supervisor"),
            "admin": sorted(p[0] for p in people if p[1] == "admin"),
        }

    def choose(self, team: str, exclude: int | None) -> int | None:
        tiers = []
        if team:
            tiers.append([u for u in self.tiers["supervisor"] if self.team[u] == team])
        tiers += [self.tiers["supervisor"], self.tiers["admin"]]
        for tier in tiers:
            pool = [(self.load[u], u) for u in tier if u != exclude]
            if pool:
                _, chosen = heapq.nsmallest(1, pool)[0]
                self.load[chosen] += 1
                return chosen
        return None


def _escalate(session: Session, breaches: list[dict[str, Any]],
              info: dict[int, dict[str, Any]], policies: PolicySet, now: datetime,
              mail: dict[int, list[str]]) -> tuple[int, int]:
    if not breaches:
        return 0, 0
    by_thread: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for event in breaches:
        by_thread[event["thread_id"]].append(event)
    thread_ids = list(by_thread)
    claim_ids = {e["claim_id"] for e in breaches
                 if e["target"].startswith("claim_") and e.get("claim_id")}
    busy = set(session.scalars(sa.select(Escalation.thread_id).where(
        Escalation.thread_id.in_(thread_ids), Escalation.status == "open")))
    busy_claims = set(session.scalars(sa.select(Escalation.claim_id).where(
        Escalation.claim_id.in_(claim_ids), Escalation.status == "open"))) if claim_ids else set()
    assignees = {e["assignee_id"] for e in breaches if e.get("assignee_id")}
    teams = dict(session.execute(sa.select(User.id, User.team).where(
        User.id.in_(assignees))).all()) if assignees else {}
    chooser = _Chooser(_supervisors(session))

    escalations, notes, reassign = [], [], []
    for thread_id, events in by_thread.items():
        claim_id = next((e["claim_id"] for e in events if e["target"].startswith("claim_")),
                        None)
        if thread_id in busy or (claim_id is not None and claim_id in busy_claims):
            continue
        first = events[0]
        assignee = first.get("assignee_id")
        team = teams.get(assignee, "") if assignee else ""
        supervisor = chooser.choose(team, assignee)
        if supervisor is None:
            log.warning("SLA breach on thread %s: no active supervisor or admin to "
                        "escalate to", thread_id)
            continue
        reason = "SLA breached: " + "; ".join(_describe(e) for e in events)
        escalations.append({
            "claim_id": claim_id, "account_issue_id": None, "thread_id": thread_id,
            "source": "sla", "raised_by": None, "supervisor_id": supervisor,
            "team": team or chooser.team.get(supervisor, ""), "reason": reason[:2000],
            "status": "open", "decision": "", "decision_note": "", "decided_by": None,
            "created_at": now, "decided_at": None})
        notes.append({"user_id": supervisor, "kind": "escalation",
                      "text": f"Escalated to you: {reason}"[:2000], "thread_id": thread_id,
                      "claim_id": claim_id, "created_at": now, "read_at": None})
        mail[supervisor].append(f"Escalated to you: {reason}")
        policy = policies.by_key(first["policy_key"]) or info.get(thread_id, {}).get("policy")
        if policy is not None and policy.on_breach == "reassign" and assignee != supervisor:
            reassign.append((thread_id, supervisor, assignee))
    if not escalations:
        return 0, 0
    made = {thread_id: esc_id for esc_id, thread_id in insert_rows(
        session, ESCALATIONS, escalations, returning=("id", "thread_id"))}
    insert_rows(session, NOTIFICATIONS, notes)
    audit = [{"at": now, "actor_id": None, "entity_type": "escalations",
              "entity_id": made[row["thread_id"]], "action": "escalation.opened",
              "reason": row["reason"],
              "data": {"supervisor_id": row["supervisor_id"], "source": "sla",
                       "thread_id": row["thread_id"]}}
             for row in escalations]
    if reassign:
        update_by_id(session, THREADS, [{"id": t, "assignee_id": s} for t, s, _ in reassign])
        audit += [{"at": now, "actor_id": None, "entity_type": "threads", "entity_id": t,
                   "action": "thread.assigned", "reason": "SLA breached: escalated",
                   "data": {"assignee_id": s, "previous": previous}}
                  for t, s, previous in reassign]
        # Threads loaded in this session see their new assignee.
        for t, s, _ in reassign:
            loaded = session.identity_map.get(
                sa.inspect(Thread).identity_key_from_primary_key((t,)))
            if loaded is not None:
                sa.orm.attributes.set_committed_value(loaded, "assignee_id", s)
    insert_rows(session, AUDIT, audit)
    return len(made), len(reassign)


def _mail_after_commit(session: Session, mail: dict[int, list[str]],
                       mailboxes: Sequence[Mailbox]) -> int:
    """One email per person, sent after the commit (never inside the
    transaction); nothing when no mailbox can send."""
    box = next((m for m in mailboxes if m.smtp_host), None)
    if box is None or not mail:
        return 0
    addresses = dict(session.execute(sa.select(User.id, User.email).where(
        User.id.in_(list(mail)), User.active.is_(True))).all())
    letters = [(addresses[u], lines) for u, lines in mail.items() if u in addresses]

    def send() -> None:
        from channels.base import Outbound
        from channels.email.smtp import SmtpError, send

        for address, lines in letters:
            subject = (f"SLA: {len(lines)} item{'s' if len(lines) > 1 else ''} "
                       "need your attention")
            text = "\n".join(f"- {line}" for line in lines) + "\n"
            try:
                send(box, Outbound(channel="email", to=address, subject=subject, text=text,
                                   extras={"automatic": True}), timeout=20)
            except (SmtpError, OSError) as exc:
                # No address or server text in the log (personal data).
                log.warning("SLA mail could not be sent: %s (code %s)", type(exc).__name__,
                            getattr(exc, "code", None))

    after_commit(session, send)
    return len(letters)
