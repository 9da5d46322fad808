"""The customer card beside a thread: who the customer is (name, identities),
their policies and claims, and their other threads.

Loaded with a fixed number of queries whatever the customer holds: the
customer, then their identities, policies and the policies' claims (one
``selectinload`` each), then one page of other threads with their claim
numbers and the total count in the same query (a window function).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from claims.models import Claim, Customer, CustomerIdentity, Policy
from inbox.models import Thread

CARD_THREADS = 25  # other threads listed; the card says how many more there are
IDENTITY_ORDER = ("email", "phone", "address", "customer_ref")


@dataclass(frozen=True)
class CardClaim:
    id: int
    number: str
    status: str
    loss_date: date | None
    policy_number: str


@dataclass(frozen=True)
class CardPolicy:
    number: str
    product: str
    status: str
    start_date: date | None
    end_date: date | None


@dataclass(frozen=True)
class CardThread:
    id: int
    subject: str
    status: str
    last_activity: datetime | None
    needs_reply: bool
    claim_number: str | None


@dataclass(frozen=True)
class CustomerCard:
    customer_id: int
    name: str
    ref: str | None
    language: str | None
    verified: bool
    # kind -> values, in IDENTITY_ORDER
    identities: dict[str, list[str]] = field(default_factory=dict)
    policies: list[CardPolicy] = field(default_factory=list)
    claims: list[CardClaim] = field(default_factory=list)
    threads: list[CardThread] = field(default_factory=list)
    # Other threads in all (``threads`` holds the most recent CARD_THREADS).
    thread_count: int = 0


def customer_card(session: Session, customer_id: int, *,
                  exclude_thread_id: int | None = None,
                  limit: int = CARD_THREADS) -> CustomerCard | None:
    customer = session.scalars(
        sa.select(Customer).where(Customer.id == customer_id)
        .options(selectinload(Customer.identities),
                 selectinload(Customer.policies).selectinload(Policy.claims))
    ).one_or_none()
    if customer is None:
        return None

    identities: dict[str, list[str]] = {}
    for identity in sorted(customer.identities, key=_identity_order):
        identities.setdefault(identity.kind, []).append(identity.value)
    policies = sorted(customer.policies, key=lambda p: (p.start_date or date.min, p.number),
                      reverse=True)
    claims = sorted(
        (CardClaim(c.id, c.number, c.status, c.loss_date, p.number)
         for p in policies for c in p.claims),
        key=lambda c: (c.loss_date or date.min, c.number), reverse=True)

    total = sa.func.count().over().label("total")
    query = (
        sa.select(Thread.id, Thread.subject, Thread.status, Thread.last_message_at,
                  Thread.created_at, Thread.needs_reply, Claim.number, total)
        .outerjoin(Claim, Claim.id == Thread.claim_id)
        .where(Thread.customer_id == customer_id, Thread.merged_into_id.is_(None))
        .order_by(sa.func.coalesce(Thread.last_message_at, Thread.created_at).desc(),
                  Thread.id.desc())
        .limit(limit)
    )
    if exclude_thread_id is not None:
        query = query.where(Thread.id != exclude_thread_id)
    rows = session.execute(query).all()
    threads = [CardThread(r.id, r.subject, r.status, r.last_message_at or r.created_at,
                          r.needs_reply, r.number) for r in rows]
    return CustomerCard(
        customer_id=customer.id, name=customer.name, ref=customer.ref,
        language=customer.language, verified=customer.verified, identities=identities,
        policies=[CardPolicy(p.number, p.product, p.status, p.start_date, p.end_date)
                  for p in policies],
        claims=claims, threads=threads, thread_count=rows[0].total if rows else 0,
    )


def _identity_order(identity: CustomerIdentity) -> tuple[int, int]:
    kind = IDENTITY_ORDER.index(identity.kind) if identity.kind in IDENTITY_ORDER else 99
    return kind, identity.id
