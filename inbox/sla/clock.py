"""A thread's (or a claim's) SLA clocks, computed from its facts: pure.

Thread targets, each from the thread's policy and counted in its calendar:

* ``first_response``: from the first customer message waiting for us
  (``waiting_since``) until our first answer;
* ``next_response``: the same after we answered once - from the first
  customer message since our last answer until our next one;
* ``resolution``: from the first customer message of the thread (or the one
  that reopened it after it was closed) until it is closed, not counting the
  time it was pending (waiting on the customer: information requested, or set
  pending until a follow-up date).

A customer message that is not answered keeps its response clock running
even while the thread is pending: being pending does not answer anyone.
A reminder (a follow-up date that came, an unanswered information request
chased) makes the thread due at that time without being a target.

Claim targets (regulation): ``claim_acknowledgement`` from the claim's notice
until our first written message; ``claim_decision`` from proof of claim (the
latest move into review) until approval or denial, while in review;
``claim_status`` a written message at least every so often while the claim
is open, from the later of the notice and our last written message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from inbox.sla.calendar import Pause
from inbox.sla.policies import Policy

STATES = ("none", "ok", "warning", "breached", "paused")
CLAIM_OPEN = frozenset({"received", "in_review", "info_requested", "approved", "escalated"})
CLAIM_DECIDING = frozenset({"in_review", "escalated"})


@dataclass(frozen=True)
class ThreadFacts:
    status: str  # open | pending | closed
    started_at: datetime | None  # the first customer message of this cycle
    waiting_since: datetime | None  # the first customer message not answered
    first_response_at: datetime | None
    paused_at: datetime | None = None  # pending since
    pauses: tuple[Pause, ...] = ()  # earlier pending intervals of this cycle
    remind_at: datetime | None = None


@dataclass(frozen=True)
class ClaimFacts:
    status: str
    noticed_at: datetime
    acknowledged_at: datetime | None = None  # our first written message since the notice
    proof_at: datetime | None = None  # the latest move into review
    decided_at: datetime | None = None  # approved or denied since then
    last_written_at: datetime | None = None  # our latest written message


@dataclass(frozen=True)
class Target:
    name: str
    started_at: datetime
    due_at: datetime | None  # None while paused
    warn_at: datetime | None

    def state(self, now: datetime) -> str:
        if self.due_at is None:
            return "paused"
        if now >= self.due_at:
            return "breached"
        if self.warn_at is not None and now >= self.warn_at:
            return "warning"
        return "ok"

    def points(self) -> list[tuple[datetime, str]]:
        """(when, kind) the sweep acts at: the warning, then the breach."""
        out = []
        if self.warn_at is not None and self.due_at is not None and self.warn_at < self.due_at:
            out.append((self.warn_at, "warning"))
        if self.due_at is not None:
            out.append((self.due_at, "breach"))
        return out


@dataclass(frozen=True)
class Clock:
    policy_key: str | None
    targets: Mapping[str, Target] = field(default_factory=dict)
    remind_at: datetime | None = None

    @property
    def due_at(self) -> datetime | None:
        """The earliest open target's due time (or the reminder): the queue's order."""
        dues = [t.due_at for t in self.targets.values() if t.due_at is not None]
        if self.remind_at is not None:
            dues.append(self.remind_at)
        return min(dues, default=None)

    def due(self, name: str) -> datetime | None:
        target = self.targets.get(name)
        return target.due_at if target is not None else None

    def state(self, now: datetime) -> str:
        """The worst open target's state at ``now`` (``none`` without one)."""
        states = {t.state(now) for t in self.targets.values()}
        for worst in ("breached", "warning", "ok", "paused"):
            if worst in states:
                return worst
        return "none"


def _target(policy: Policy, name: str, start: datetime,
            pauses: Iterable[Pause] = ()) -> Target | None:
    duration = policy.target(name)
    if duration is None:
        return None
    paused = tuple(pauses)
    due = policy.calendar.add(start, duration, paused)
    warn = policy.calendar.add(start, duration * policy.warn_at, paused)
    return Target(name, start, due, warn)


def thread_clock(facts: ThreadFacts, policy: Policy) -> Clock:
    targets: dict[str, Target] = {}
    if facts.status != "closed":
        if facts.waiting_since is not None:
            name = "first_response" if facts.first_response_at is None else "next_response"
            found = _target(policy, name, facts.waiting_since)
            if found is not None:
                targets[name] = found
        if facts.started_at is not None:
            pauses = (*facts.pauses, *([(facts.paused_at, None)] if facts.paused_at else []))
            found = _target(policy, "resolution", facts.started_at, pauses)
            if found is not None:
                targets["resolution"] = found
    remind = facts.remind_at if facts.status == "open" else None
    return Clock(policy.key, targets, remind)


def claim_clock(facts: ClaimFacts, policy: Policy | None) -> Clock:
    if policy is None:
        return Clock(None)
    targets: dict[str, Target] = {}
    if facts.status in CLAIM_OPEN:
        if facts.acknowledged_at is None:
            found = _target(policy, "claim_acknowledgement", facts.noticed_at)
            if found is not None:
                targets[found.name] = found
        if facts.status in CLAIM_DECIDING and facts.proof_at is not None and (
                facts.decided_at is None or facts.decided_at < facts.proof_at):
            found = _target(policy, "claim_decision", facts.proof_at)
            if found is not None:
                targets[found.name] = found
        since = max(filter(None, [facts.noticed_at, facts.last_written_at]))
        found = _target(policy, "claim_status", since)
        if found is not None:
            targets[found.name] = found
    return Clock(policy.key, targets)


def next_check(clock: Clock, now: datetime, *, unseen: Iterable[str] = (),
               after: datetime | None = None) -> datetime | None:
    """When the sweep must look again: the earliest warning or due time still
    ahead; and, for the targets in ``unseen`` (new or moved since the sweep
    last looked), or points at or after ``after`` (where the sweep had got
    to), also those already passed, so it records them."""
    again = set(unseen)
    points = []
    for target in clock.targets.values():
        for when, _kind in target.points():
            if when > now or target.name in again or (after is not None and when >= after):
                points.append(when)
    return min(points, default=None)
