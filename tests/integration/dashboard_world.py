"""A seeded, random claims service for the dashboard tests, made through the
product's own paths, and the dashboard's figures computed by brute force
from the raw rows (messages, threads, audit events, users, escalations,
SLA events) without the facts or any code of ``inbox.metrics``.

:func:`build_world` runs a simulation: customers write on email, SMS, calls
and the portal; reps answer by email or SMS (queued and filed as sent),
log calls (some reach nobody), add notes; threads are assigned and closed,
some reopened by the customer or a rep, some merged or split; automatic
mail and late-delivered (out of order) messages arrive. Every action runs
at its own time with ``now`` = that time. Escalations and SLA events are
raw rows (the SLA engine writes its own; only the table is shared).
"""

from __future__ import annotations

import heapq
import itertools
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from channels.base import Inbound, SenderIdentity
from inbox import ingest
from inbox.calls.outbound import log_call
from inbox.models import AuditEvent, Escalation, Message, Thread, User
from inbox.models.sla import SlaEvent
from inbox.notes import add_note
from inbox.outbound import Accepted, file_sent, queue_reply
from inbox.workspace.assignment import assign, set_status
from inbox.workspace.later import set_pending
from inbox.workspace.thread_ops import merge_threads, resolve, split_thread
from tests import factories as f

CHANNELS = ("email", "sms", "call", "portal")
TEAMS = ("motor", "home", "")
H = timedelta(hours=1)
_ids = itertools.count(1)


@dataclass
class World:
    start: datetime
    now: datetime
    reps: list[int]
    threads: set[int] = field(default_factory=set)
    inbounds: list[Inbound] = field(default_factory=list)  # every one filed, to redeliver
    customers: int = 0


def build_world(session: Session, now: datetime, seed: int = 7, customers: int = 24,
                days: int = 40) -> World:
    rng = random.Random(seed)
    start = now - timedelta(days=days)
    reps = [f.user(session, name=f"Rep {n}", team=TEAMS[n % len(TEAMS)]).id for n in range(6)]
    supervisor = f.user(session, role="supervisor", name="Sue Pervisor", team="motor").id
    world = World(start, now, reps, customers=customers)
    sim = _Simulation(session, rng, world)
    for n in range(customers):
        tag = f"{seed}-{n}-{next(_ids)}"
        person = {"email": f"cust{tag}@example.com", "phone": f"+44770091{seed % 10}{n:03d}",
                  "subject": f"Claim question {tag}"}
        f.customer(session, name=f"Customer {tag}", email=person["email"],
                   phone=person["phone"])
        # A fifth write in the last three days: the young end of the backlog.
        since = now - timedelta(days=3) if rng.random() < 0.2 else start
        first = since + timedelta(seconds=rng.randrange(int((now - since).total_seconds())))
        sim.later(first, "customer", person=person, channel=rng.choice(CHANNELS))
        if rng.random() < 0.2:  # a second matter, merged into the first later
            sim.later(first + timedelta(minutes=rng.randrange(10, 600)), "customer",
                      person={**person, "subject": f"Another matter {tag}"}, channel="email",
                      merge_later=True)
    sim.run()
    _escalations_and_sla(session, rng, world, supervisor)
    session.flush()
    return world


class _Simulation:
    """Events in time order; each runs with ``now`` = its time and may plan more."""

    def __init__(self, session: Session, rng: random.Random, world: World) -> None:
        self.session, self.rng, self.world = session, rng, world
        self.events: list[tuple[datetime, int, str, dict[str, Any]]] = []
        self.order = itertools.count()
        self.first_thread: dict[str, int] = {}  # by customer email: where a merge goes

    def later(self, at: datetime, what: str, **data: Any) -> None:
        if at < self.world.now:
            heapq.heappush(self.events, (at, next(self.order), what, data))

    def run(self) -> None:
        while self.events:
            at, _, what, data = heapq.heappop(self.events)
            getattr(self, f"on_{what}")(at, **data)

    def on_customer(self, at: datetime, person: dict[str, str], channel: str,
                    received_at: datetime | None = None, merge_later: bool = False) -> None:
        rng = self.rng
        thread_id = _customer_writes(self.session, self.world, rng, person, channel, at,
                                     received_at or at)
        if thread_id is None:
            return
        target = self.first_thread.setdefault(person["email"], thread_id)
        if merge_later and target != thread_id:
            self.later(at + timedelta(hours=rng.uniform(1, 48)), "merge", source=thread_id,
                       target=target)
        rep = rng.choice(self.world.reps)
        r = rng.random()
        if r < 0.75:
            self.later(at + timedelta(hours=rng.expovariate(1 / 8)), "reply", thread=thread_id,
                       person=person, rep=rep)
        elif r < 0.85:
            self.later(at + timedelta(hours=rng.uniform(0.2, 12)), "call", thread=thread_id,
                       rep=rep, outcome=rng.choice(("reached", "no answer", "voicemail")))
        if rng.random() < 0.3:
            self.later(at + timedelta(minutes=rng.randrange(1, 300)), "note", thread=thread_id,
                       rep=rep)
        if rng.random() < 0.05:
            self.later(at + timedelta(hours=rng.uniform(1, 20)), "split", thread=thread_id)

    def on_reply(self, at: datetime, thread: int, person: dict[str, str], rep: int) -> None:
        rng = self.rng
        _reply(self.session, rng, thread, person, rep, at)
        r = rng.random()
        if r < 0.1:  # waiting on the customer until a follow-up date
            current = _current(self.session, thread)
            if current.status == "open":
                set_pending(self.session, current, at + timedelta(days=rng.uniform(5, 60)), at,
                            actor_id=rep)
        elif r < 0.4:
            self.later(at + timedelta(hours=rng.expovariate(1 / 20)), "close", thread=thread,
                       rep=rep, person=person)
        elif r < 0.6:
            self.later(at + timedelta(hours=rng.expovariate(1 / 10)), "customer",
                       person=person, channel=rng.choice(CHANNELS))
        if rng.random() < 0.1:  # a customer message delivered late, dated before this reply
            self.later(at + timedelta(hours=rng.uniform(1, 5)), "customer", person=person,
                       channel="email", received_at=at - timedelta(minutes=rng.randrange(5, 120)))

    def on_close(self, at: datetime, thread: int, rep: int, person: dict[str, str]) -> None:
        current = _current(self.session, thread)
        assign(self.session, current, rep, at, actor_id=rep)
        set_status(self.session, current, "closed", at, actor_id=rep)
        r = self.rng.random()
        if r < 0.2:  # the customer writes again (a reply to the same subject)
            self.later(at + timedelta(hours=self.rng.uniform(2, 72)), "customer",
                       person=person, channel="email")
        elif r < 0.3:
            self.later(at + timedelta(hours=self.rng.uniform(2, 72)), "reopen",
                       thread=current.id, rep=rep, person=person)

    def on_reopen(self, at: datetime, thread: int, rep: int, person: dict[str, str]) -> None:
        current = _current(self.session, thread)
        if current.status == "closed":
            set_status(self.session, current, "open", at, actor_id=rep)
            self.later(at + timedelta(hours=self.rng.uniform(1, 30)), "reply", thread=current.id,
                       person=person, rep=rep)

    def on_merge(self, at: datetime, source: int, target: int) -> None:
        found = self.session.get(Thread, source)
        into = _current(self.session, target)
        if found is not None and found.merged_into_id is None and found.id != into.id:
            merge_threads(self.session, found.id, into.id, at, actor_id=self.world.reps[0])

    def on_split(self, at: datetime, thread: int) -> None:
        current = _current(self.session, thread)
        ids = self.session.scalars(
            sa.select(Message.id).where(Message.thread_id == current.id)
            .order_by(Message.received_at.desc(), Message.id.desc()).limit(2)).all()
        if len(ids) == 2:
            self.world.threads.add(split_thread(self.session, current.id, ids[:1], "Split off",
                                                at, actor_id=self.world.reps[1]).id)

    def on_note(self, at: datetime, thread: int, rep: int) -> None:
        add_note(self.session, _current(self.session, thread), "Checked the policy.", at,
                 author_id=rep)

    def on_call(self, at: datetime, thread: int, rep: int, outcome: str) -> None:
        log_call(self.session, _current(self.session, thread).id, outcome=outcome,
                 duration_seconds=60, note="", author_id=rep, now=at)


def _current(session: Session, thread_id: int) -> Thread:
    thread = session.get(Thread, thread_id)
    assert thread is not None
    return resolve(session, thread)


def _customer_writes(session: Session, world: World, rng: random.Random,
                     person: dict[str, str], channel: str, at: datetime,
                     received_at: datetime) -> int | None:
    n = next(_ids)
    headers: dict[str, str] = {}
    if channel == "email" and rng.random() < 0.08:
        headers = {"Auto-Submitted": "auto-replied"}  # an out-of-office, never a question
    sender = ([SenderIdentity("phone", person["phone"])] if channel in ("sms", "call")
              else [SenderIdentity("email", person["email"])])
    inbound = Inbound(channel=channel, external_id=f"dash-{channel}-{n}@test",  # type: ignore[arg-type]
                      received_at=received_at, sender=sender,
                      subject=person["subject"] if channel in ("email", "portal") else "",
                      text="About my claim.", headers=headers)
    result = ingest(session, inbound, at)
    world.inbounds.append(inbound)
    if result.thread_id is None:
        return None
    world.threads.add(result.thread_id)
    return result.thread_id


def _reply(session: Session, rng: random.Random, thread_id: int, person: dict[str, str],
           rep: int, at: datetime) -> None:
    thread = _current(session, thread_id)
    if rng.random() < 0.5:  # the rep takes the thread
        assign(session, thread, rep, at, actor_id=rep)
    channel = rng.choice(("email", "email", "sms"))
    recipient = person["email"] if channel == "email" else person["phone"]
    row = queue_reply(session, thread, at, channel=channel,
                      external_id=f"out-{next(_ids)}@insurer.test", recipient=recipient,
                      text="We are on it.", author_id=rep)
    file_sent(session, row, Accepted(f"sent-{next(_ids)}@insurer.test",
                                     at + timedelta(seconds=rng.randrange(1, 90))))


def _escalations_and_sla(session: Session, rng: random.Random, world: World,
                         supervisor: int) -> None:
    for n, thread_id in enumerate(sorted(world.threads)):
        if rng.random() < 0.3:
            session.add(Escalation(
                thread_id=thread_id, source="rep", raised_by=rng.choice(world.reps),
                supervisor_id=supervisor, team=rng.choice(TEAMS), reason=f"Escalation {n}",
                status=rng.choice(("open", "open", "decided")),
                created_at=world.start + timedelta(hours=rng.uniform(0, 900))))
        for target in ("first_response", "resolution"):
            due = world.start + timedelta(minutes=rng.randrange(0, 60 * 24 * 44))
            # An instance ends once, met or breached, maybe warned before (the
            # engine's contract); a warning alone is still running.
            kinds = rng.choice((("met",), ("warning", "met"), ("warning", "breach"),
                                ("breach",), ("warning",)))
            assignee = rng.choice(world.reps)
            for kind in kinds:
                session.add(SlaEvent(
                    thread_id=thread_id, policy_key="default", target=target, kind=kind,
                    due_at=due, at=due + timedelta(minutes=rng.randrange(-60, 60)),
                    assignee_id=assignee, team=rng.choice(TEAMS)))
    session.flush()


# -- brute force ---------------------------------------------------------------------

@dataclass(frozen=True)
class Ask:
    start: date
    end: date
    timezone: str
    channel: str | None = None
    team: str | None = None
    rep_id: int | None = None

    def bounds(self) -> tuple[datetime, datetime]:
        tz = ZoneInfo(self.timezone)
        return (datetime.combine(self.start, time(), tz).astimezone(UTC),
                datetime.combine(self.end + timedelta(days=1), time(), tz).astimezone(UTC))


def _stat(values: list[int]) -> tuple[int, float | None, float | None]:
    if not values:
        return (0, None, None)
    if len(values) == 1:
        return (1, float(values[0]), float(values[0]))
    p90 = statistics.quantiles(values, n=10, method="inclusive")[8]
    return (len(values), float(statistics.median(values)), float(p90))


@dataclass
class _Raw:
    """Every row the figures come from, read once."""

    users: dict[int, User]
    threads: dict[int, Thread]
    messages: dict[int, list[Message]]  # by thread, notes left out, in (time, id) order
    closings: dict[int, AuditEvent]  # the last thread.closed of each thread

    @classmethod
    def read(cls, session: Session) -> _Raw:
        by_thread: dict[int, list[Message]] = defaultdict(list)
        for m in session.scalars(sa.select(Message).where(Message.direction != "note")):
            by_thread[m.thread_id].append(m)
        for rows in by_thread.values():
            rows.sort(key=lambda m: (m.received_at, m.id))
        closings = {e.entity_id: e for e in session.scalars(
            sa.select(AuditEvent).where(AuditEvent.entity_type == "threads",
                                        AuditEvent.action == "thread.closed")
            .order_by(AuditEvent.at, AuditEvent.id))}
        return cls({u.id: u for u in session.scalars(sa.select(User))},
                   {t.id: t for t in session.scalars(sa.select(Thread))}, by_thread, closings)

    def team_of(self, user_id: int | None) -> str:
        return self.users[user_id].team if user_id in self.users else ""

    def opening(self, thread_id: int) -> Message | None:
        rows = self.messages.get(thread_id, [])
        return rows[0] if rows else None

    def channel(self, thread_id: int) -> str:
        opened = self.opening(thread_id)
        return opened.channel if opened is not None else "unknown"


def expected(session: Session, ask: Ask, now: datetime) -> dict[str, Any]:
    """Every figure of the dashboard, from the raw rows."""
    raw = _Raw.read(session)
    escalations, teams = _expected_escalations(session, raw, ask)
    counts, backlog = _expected_live(raw, ask, now)
    return {"times": _expected_times(raw, ask), "counts": counts, "backlog": backlog,
            "escalations": escalations, "escalation_teams": teams,
            "sla": _expected_sla(session, raw, ask)}


def _expected_times(raw: _Raw, ask: Ask) -> dict[str, dict[Any, dict[str, Any]]]:
    tz = ZoneInfo(ask.timezone)
    lo, hi = ask.bounds()
    measures: dict[tuple[str, Any, str], list[int]] = defaultdict(list)

    def count(measure: str, seconds: int, channel: str, team: str, rep: int | None,
              at: datetime) -> None:
        if not lo <= at < hi or (ask.channel and channel != ask.channel) \
                or (ask.team is not None and team != ask.team) \
                or (ask.rep_id is not None and rep != ask.rep_id):
            return
        day = at.astimezone(tz).date()
        # Up to 62 days by day, longer ranges by ISO week (from Monday).
        period = (("day", day) if (ask.end - ask.start).days < 62
                  else ("week", day - timedelta(days=day.weekday())))
        groups = (("all", None), ("channel", channel), ("team", team), ("rep", rep), period)
        # Of every response (not only the first) only how many the range had.
        for grouping, key in groups[:1] if measure == "response" else groups:
            measures[grouping, key, measure].append(seconds)

    for rows in raw.messages.values():
        waiting: Message | None = None
        first = True
        for m in rows:
            if m.direction == "inbound" and not m.auto:
                waiting = waiting or m
            elif (m.direction == "outbound" and not m.auto
                  and (m.extras or {}).get("outcome", "reached") == "reached"
                  and waiting is not None):
                seconds = int((m.received_at - waiting.received_at).total_seconds())
                args = (seconds, waiting.channel, raw.team_of(m.author_id), m.author_id,
                        m.received_at)
                count("response", *args)
                if first:
                    count("first_response", *args)
                first, waiting = False, None
    for thread_id, t in raw.threads.items():
        opened, event = raw.opening(thread_id), raw.closings.get(thread_id)
        if t.status != "closed" or t.merged_into_id is not None or event is None \
                or opened is None:
            continue
        rep = event.actor_id or t.assignee_id
        seconds = max(0, int((event.at - opened.received_at).total_seconds()))
        count("resolution", seconds, opened.channel, raw.team_of(rep), rep, event.at)

    times: dict[str, dict[Any, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    for (grouping, key, measure), values in measures.items():
        times[grouping][key][measure] = _stat(values)
    return times


def _thread_matches(raw: _Raw, t: Thread, ask: Ask) -> bool:
    if ask.channel and raw.channel(t.id) != ask.channel:
        return False
    if ask.team is not None and (t.assignee_id is None
                                 or raw.team_of(t.assignee_id) != ask.team):
        return False
    return ask.rep_id is None or t.assignee_id == ask.rep_id


def _expected_live(raw: _Raw, ask: Ask, now: datetime
                   ) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    counts = {"open": 0, "unassigned": 0, "overdue": 0, "waiting_on_customer": 0}
    backlog: dict[tuple[str, str], int] = defaultdict(int)
    for t in raw.threads.values():
        if t.status not in ("open", "pending") or t.merged_into_id is not None \
                or not _thread_matches(raw, t, ask):
            continue
        opened = raw.opening(t.id)
        days = (now - (opened.received_at if opened is not None else t.created_at)) \
            / timedelta(days=1)
        bucket = next(key for key, limit in (("lt1d", 1), ("1-3d", 3), ("3-7d", 7),
                                             ("7-30d", 30), ("30d+", None))
                      if limit is None or days < limit)
        backlog[bucket, raw.channel(t.id)] += 1
        if t.status == "pending":
            counts["waiting_on_customer"] += 1
        else:
            counts["open"] += 1
            counts["unassigned"] += t.assignee_id is None
            counts["overdue"] += t.due_at is not None and t.due_at < now
    return counts, dict(backlog)


def _expected_escalations(session: Session, raw: _Raw, ask: Ask
                          ) -> tuple[list[int], dict[str, int]]:
    found = []
    for e in session.scalars(sa.select(Escalation).where(Escalation.status == "open")):
        if ask.team is not None and e.team != ask.team:
            continue
        if ask.channel or ask.rep_id is not None:
            t = raw.threads.get(e.thread_id) if e.thread_id else None
            if t is None or (ask.channel and raw.channel(t.id) != ask.channel) \
                    or (ask.rep_id is not None and t.assignee_id != ask.rep_id):
                continue
        found.append(e)
    found.sort(key=lambda e: (e.created_at, e.id))
    teams: dict[str, int] = defaultdict(int)
    for e in found:
        teams[e.team] += 1
    return [e.id for e in found], dict(teams)


def _expected_sla(session: Session, raw: _Raw, ask: Ask) -> dict[tuple[str, Any], list[int]]:
    """[met, breached, warned]: events of targets due in the range."""
    tz = ZoneInfo(ask.timezone)
    lo, hi = ask.bounds()
    sla: dict[tuple[str, Any], list[int]] = defaultdict(lambda: [0, 0, 0])
    for ev in session.scalars(sa.select(SlaEvent)):
        if not lo <= ev.due_at < hi or (ask.team is not None and ev.team != ask.team) \
                or (ask.rep_id is not None and ev.assignee_id != ask.rep_id) \
                or (ask.channel and raw.channel(ev.thread_id) != ask.channel):
            continue
        for key in (("all", None), ("target", ev.target), ("team", ev.team),
                    ("day", ev.due_at.astimezone(tz).date())):
            sla[key][("met", "breach", "warning").index(ev.kind)] += 1
    return dict(sla)
