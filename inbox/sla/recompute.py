"""Recomputing the SLA columns of many threads and claims at once: after a
policy was edited (the job the admin page enqueues), for threads filed
before the SLA engine existed, or by hand (``inbox sla recompute``).

The facts a thread's clocks need but older rows lack are read from its
messages (one query per batch): where its first customer message came from
and when, and since when the customer has been waiting. Then each thread is
tracked as an event would (:func:`inbox.sla.track.track`). Idempotent: a
second run changes nothing and records nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from inbox.models import Message, Thread
from inbox.sla.claims import refresh_claims
from inbox.sla.store import load_policies
from inbox.sla.track import record_pending, track

BATCH = 1000


def open_thread_ids(session: Session, policy_key: str | None = None) -> list[int]:
    query = sa.select(Thread.id).where(Thread.status != "closed",
                                       Thread.merged_into_id.is_(None))
    if policy_key is not None:
        query = query.where(sa.or_(Thread.sla_policy_key == policy_key,
                                   Thread.sla_policy_key.is_(None)))
    return list(session.scalars(query.order_by(Thread.id)))


def recompute_threads(session: Session, thread_ids: Iterable[int], now: datetime) -> int:
    """Track ``thread_ids`` as of ``now``, in batches; returns how many."""
    ids = list(thread_ids)
    policies = load_policies(session, fresh=True)
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        threads = session.scalars(sa.select(Thread).where(Thread.id.in_(chunk))
                                  .options(selectinload(Thread.customer))).all()
        talk: dict[int, list[tuple[str, bool, str, datetime]]] = defaultdict(list)
        for thread_id, direction, auto, channel, at in session.execute(
                sa.select(Message.thread_id, Message.direction, Message.auto, Message.channel,
                          Message.received_at)
                .where(Message.thread_id.in_(chunk),
                       Message.direction.in_(("inbound", "outbound")))
                .order_by(Message.received_at, Message.id)):
            talk[thread_id].append((direction, auto, channel, at))
        for thread in threads:
            _fill_facts(thread, talk.get(thread.id, []))
            track(thread, now, policies=policies)
            done += 1
        session.flush()
        record_pending(session)
    return done


def _fill_facts(thread: Thread, messages: list[tuple[str, bool, str, datetime]]) -> None:
    customer = [(channel, at) for direction, auto, channel, at in messages
                if direction == "inbound" and not auto]
    if thread.origin_channel is None and customer:
        thread.origin_channel = customer[0][0]
    if thread.sla_started_at is None and customer and thread.status != "closed":
        thread.sla_started_at = customer[0][1]
    if thread.needs_reply and thread.sla_waiting_since is None:
        waiting: list[datetime] = []
        for direction, auto, _channel, at in messages:
            if auto:
                continue
            waiting = [] if direction == "outbound" else [*waiting, at]
        thread.sla_waiting_since = waiting[0] if waiting else thread.last_inbound_at


def recompute_all(session: Session, now: datetime, *, policy_key: str | None = None
                  ) -> dict[str, int]:
    """Every open thread (of ``policy_key`` and those without one, when
    given) and every claim that is not closed."""
    from claims.models import Claim
    from inbox.sla.clock import CLAIM_OPEN

    threads = recompute_threads(session, open_thread_ids(session, policy_key), now)
    claim_ids = list(session.scalars(sa.select(Claim.id).where(Claim.status.in_(CLAIM_OPEN))
                                     .order_by(Claim.id)))
    for start in range(0, len(claim_ids), BATCH):
        refresh_claims(session, claim_ids[start:start + BATCH], now)
    return {"threads": threads, "claims": len(claim_ids)}
