"""What filing needs to know from the database, fetched for a whole batch.

Filing one message asks: is it filed already, whose identity is this, which
claims and policies does it name, which messages does it answer, which threads
could it join. Asked one message at a time that is a dozen round trips each;
:meth:`Lookup.prefetch` asks once for the batch, and the filing code reads the
answers from here. Objects created while filing (a new customer, identity or
thread) are added as they are made, so a later message of the same batch sees
them without a query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from channels.base import Inbound
from claims.identifiers import normalize_identity
from claims.models import Claim, Customer, CustomerIdentity, Policy
from inbox.intake.analysis import Analysis
from inbox.intake.config import IngestConfig
from inbox.models import Message, Thread

# Which identity decides when a message carries several that point to
# different customers.
KIND_PRIORITY = ("email", "phone", "customer_ref", "address")
MAX_IDENTITY = 320  # CustomerIdentity.value


def sender_identities(inbound: Inbound, cfg: IngestConfig) -> list[tuple[str, str]]:
    """The sender's identities normalized, in priority order, without duplicates."""
    found: dict[tuple[str, str], None] = {}
    for kind in KIND_PRIORITY:
        for identity in inbound.sender:
            if identity.kind != kind:
                continue
            value = normalize_identity(kind, identity.value, cfg.default_region)
            # Longer than the identity column: not an identity (a misread block).
            if value and len(value) <= MAX_IDENTITY:
                found.setdefault((kind, value))
    return list(found)


class Lookup:
    def __init__(self, session: Session, cfg: IngestConfig) -> None:
        self.session = session
        self.cfg = cfg
        # Filed already: the Message, or the row this batch is about to insert.
        self.existing: dict[tuple[str, str], Any] = {}
        self.identities: dict[tuple[str, str], Customer] = {}
        self.claims: dict[str, Claim] = {}
        self.policies: dict[str, Policy] = {}
        # Message-ID → (thread, customer) of a message we have.
        self.by_ref: dict[str, tuple[Thread, Customer]] = {}
        # Candidate threads per customer, keyed by the object: a customer made
        # in this batch has no id until the batch is flushed.
        self._threads: dict[Customer, list[Thread]] = defaultdict(list)
        self._threads_loaded: set[int] = set()
        self._oldest: datetime | None = None
        # What the batch's threading rules can ask (inbox.intake.threads):
        # its subject keys, and whether a message without one is among it.
        self._subject_keys: set[str] = set()
        self._subjectless = False

    # -- prefetch -------------------------------------------------------------

    def prefetch(self, inbounds: Iterable[Inbound], analyses: dict[int, Analysis]) -> None:
        """Fetch what filing ``inbounds`` will ask; ``analyses`` by ``id(inbound)``."""
        items = list(inbounds)
        if not items:
            return
        s = self.session
        keys = {(i.channel, i.external_id) for i in items}
        # By external id alone (ix_messages_external_id), the channel checked
        # here: with (channel, external_id) and the statistics of a young
        # table (a first sync) the planner scanned every message of the
        # channel and compared it with each id of the batch.
        for message in s.scalars(sa.select(Message).where(
                Message.external_id.in_(sorted({e for _, e in keys})))):
            if (message.channel, message.external_id) in keys:
                self.existing[(message.channel, message.external_id)] = message

        wanted = {key for i in items for key in sender_identities(i, self.cfg)}
        if wanted:
            rows = s.scalars(
                sa.select(CustomerIdentity)
                .where(sa.tuple_(CustomerIdentity.kind, CustomerIdentity.value).in_(list(wanted)))
                .options(joinedload(CustomerIdentity.customer))
            )
            for row in rows:
                self.identities[(row.kind, row.value)] = row.customer

        claim_numbers: set[str] = set()
        policy_numbers: set[str] = set()
        for i in items:
            claim_numbers.update(analyses[id(i)].claim_numbers)
            policy_numbers.update(analyses[id(i)].policy_numbers)
        if claim_numbers:
            for claim in s.scalars(sa.select(Claim).where(Claim.number.in_(claim_numbers))
                                   .options(joinedload(Claim.policy)
                                            .joinedload(Policy.customer))):
                self.claims[claim.number] = claim
        if policy_numbers:
            for policy in s.scalars(sa.select(Policy).where(Policy.number.in_(policy_numbers))
                                    .options(joinedload(Policy.customer))):
                self.policies[policy.number] = policy

        refs = {ref for i in items for ref in i.reference_ids()}
        if refs:
            rows2 = s.execute(
                sa.select(Message.external_id, Thread)
                .join(Thread, Message.thread_id == Thread.id)
                .where(Message.external_id.in_(list(refs)))
                .options(joinedload(Thread.customer))
            ).all()
            for external_id, thread in rows2:
                self.by_ref[external_id] = (thread, thread.customer)

        oldest = min(i.received_at for i in items)
        self._oldest = oldest if self._oldest is None else min(self._oldest, oldest)
        subject_keys = [analyses[id(i)].subject_key for i in items]
        self._subject_keys.update(k for k in subject_keys if k)
        self._subjectless = self._subjectless or not all(subject_keys)
        customers = {c.id for c in self.identities.values()}
        customers |= {c.policy.customer_id for c in self.claims.values()}
        customers |= {p.customer_id for p in self.policies.values()}
        customers |= {t.customer_id for t, _ in self.by_ref.values()}
        self._load_threads(customers)

    def _load_threads(self, customer_ids: set[int]) -> None:
        todo = [cid for cid in customer_ids if cid not in self._threads_loaded]
        if not todo:
            return
        oldest = self._oldest or datetime.max.replace(tzinfo=UTC)
        # Only threads a rule of inbox.intake.threads can pick for this batch
        # (a long-standing customer has many others, and each one loaded
        # costs): an open one about a claim the batch names (identify finds
        # claims among self.claims only); one with a subject of the batch
        # active within the thread window; and, for a message without a
        # subject, an open one active within the subject-less window.
        wanted = []
        if self.claims:
            wanted.append(sa.and_(Thread.status != "closed", Thread.claim_id.in_(
                sorted(claim.id for claim in self.claims.values()))))
        if self._subject_keys:
            wanted.append(sa.and_(Thread.subject_key.in_(sorted(self._subject_keys)),
                                  Thread.last_message_at >= oldest - self.cfg.thread_window))
        if self._subjectless:
            wanted.append(sa.and_(Thread.status != "closed",
                                  Thread.last_message_at >= oldest - self.cfg.subjectless_window))
        if not wanted:
            self._threads_loaded.update(todo)
            return
        for thread in self.session.scalars(
            sa.select(Thread).where(
                Thread.customer_id.in_(todo),
                # A merged thread is a pointer: its messages are in another.
                Thread.merged_into_id.is_(None),
                sa.or_(*wanted),
            ).options(joinedload(Thread.customer))
        ):
            self._threads[thread.customer].append(thread)
        self._threads_loaded.update(todo)

    # -- reads ----------------------------------------------------------------

    def threads_of(self, customer: Customer) -> list[Thread]:
        if customer.id is not None and customer.id not in self._threads_loaded:
            self._load_threads({customer.id})
        return self._threads[customer]

    # -- writes made while filing ----------------------------------------------

    def add_identity(self, kind: str, value: str, customer: Customer) -> None:
        self.identities[(kind, value)] = customer

    def add_thread(self, thread: Thread, customer: Customer) -> None:
        self._threads[customer].append(thread)

    def add_message(self, channel: str, external_id: str, pending: Any, thread: Thread,
                    customer: Customer) -> None:
        self.existing[(channel, external_id)] = pending
        self.by_ref[external_id] = (thread, customer)
