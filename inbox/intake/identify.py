"""Who sent it: match the sender to a customer of the book.

Order: the sender's email address, phone number, customer ref or postal
address; else a claim number found in subject or text (a claim in the book wins
over a policy number); else the policy number. A new address that names a known
claim or policy is added to that customer as an unverified identity (audited).
Automatic mail (a bounce from mailer-daemon, an out-of-office note from a
shared mailbox) whose sender is unknown belongs to the customer of the message
it answers (In-Reply-To / References); its sender is not added as an identity.
Anyone else becomes a new, unverified customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from channels.base import Inbound
from claims.identifiers import find_identifiers, normalize_identity
from claims.models import Claim, Customer, CustomerIdentity, Policy
from inbox import audit
from inbox.intake.config import IngestConfig
from inbox.models import Message

# Which identity decides when a message carries several that point to
# different customers.
_KIND_PRIORITY = ("email", "phone", "customer_ref", "address")
MAX_SCAN_CHARS = 20_000


class IdentityRace(Exception):  # noqa: N818 - a signal to retry, not an error
    """A new customer's identity was taken by another worker meanwhile: retry,
    and the retry finds that worker's customer."""


@dataclass
class Identification:
    customer: Customer
    how: str  # email | phone | customer_ref | address | claim | policy | new
    # Claims and policies named in the message that belong to this customer.
    claims: list[Claim] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    # Named, found in the book, but belonging to somebody else: never linked.
    foreign_numbers: list[str] = field(default_factory=list)


def sender_identities(inbound: Inbound, cfg: IngestConfig) -> list[tuple[str, str]]:
    """The sender's identities normalized, in priority order, without duplicates."""
    found: dict[tuple[str, str], None] = {}
    for kind in _KIND_PRIORITY:
        for identity in inbound.sender:
            if identity.kind != kind:
                continue
            value = normalize_identity(kind, identity.value, cfg.default_region)
            if value:
                found.setdefault((kind, value))
    return list(found)


def resolve_merged(session: Session, customer: Customer) -> Customer:
    seen = set()
    while customer.merged_into_id is not None and customer.id not in seen:
        seen.add(customer.id)
        customer = session.get(Customer, customer.merged_into_id) or customer
    return customer


def identify(
    session: Session, inbound: Inbound, cfg: IngestConfig, now: datetime, *, auto: bool = False
) -> Identification:
    identities = sender_identities(inbound, cfg)
    texts = (inbound.subject, inbound.text[:MAX_SCAN_CHARS])
    claim_numbers = find_identifiers(cfg.claim_re, texts)
    policy_numbers = find_identifiers(cfg.policy_re, texts)
    claims = (
        list(session.scalars(sa.select(Claim).where(Claim.number.in_(claim_numbers))))
        if claim_numbers else []
    )
    claims.sort(key=lambda c: claim_numbers.index(c.number))
    policies = (
        list(session.scalars(sa.select(Policy).where(Policy.number.in_(policy_numbers))))
        if policy_numbers else []
    )
    policies.sort(key=lambda p: policy_numbers.index(p.number))

    customer, how = _match_identity(session, identities)
    if customer is None and claims:
        customer, how = resolve_merged(session, claims[0].policy.customer), "claim"
    if customer is None and policies:
        customer, how = resolve_merged(session, policies[0].customer), "policy"
    if customer is None and auto:
        customer = _customer_of_referenced_message(session, inbound)
        if customer is not None:
            return Identification(customer, "references")
    if customer is None:
        customer = Customer(name=inbound.sender_name[:200], verified=False, created_at=now)
        session.add(customer)
        session.flush()
        audit.record(session, customer, "customer.created", now,
                     reason=f"unknown sender on {inbound.channel}")
        how = "new"

    _add_new_identities(session, customer, identities, inbound.channel, now, how)

    own_claims = [c for c in claims if resolve_merged(session, c.policy.customer).id == customer.id]
    own_policies = [p for p in policies if resolve_merged(session, p.customer).id == customer.id]
    foreign = [c.number for c in claims if c not in own_claims]
    foreign += [p.number for p in policies if p not in own_policies]
    return Identification(customer, how, own_claims, own_policies, foreign)


def _customer_of_referenced_message(session: Session, inbound: Inbound) -> Customer | None:
    refs = inbound.reference_ids()
    if not refs:
        return None
    rows = session.execute(
        sa.select(Message.external_id, Message.customer_id).where(Message.external_id.in_(refs))
    ).all()
    by_ref = {row[0]: row[1] for row in rows}
    for ref in refs:
        if ref in by_ref:
            found = session.get(Customer, by_ref[ref])
            return resolve_merged(session, found) if found is not None else None
    return None


def _match_identity(
    session: Session, identities: list[tuple[str, str]]
) -> tuple[Customer | None, str]:
    if not identities:
        return None, ""
    conditions = [
        sa.and_(CustomerIdentity.kind == kind, CustomerIdentity.value == value)
        for kind, value in identities
    ]
    rows = session.scalars(sa.select(CustomerIdentity).where(sa.or_(*conditions))).all()
    by_key = {(row.kind, row.value): row for row in rows}
    for key in identities:
        row = by_key.get(key)
        if row is not None:
            return resolve_merged(session, row.customer), key[0]
    return None, ""


def _add_new_identities(
    session: Session,
    customer: Customer,
    identities: list[tuple[str, str]],
    channel: str,
    now: datetime,
    how: str,
) -> None:
    """Attach identities nobody holds yet; ones held by another customer stay there."""
    if not identities:
        return
    conditions = [
        sa.and_(CustomerIdentity.kind == kind, CustomerIdentity.value == value)
        for kind, value in identities
    ]
    taken = {
        (row.kind, row.value)
        for row in session.scalars(sa.select(CustomerIdentity).where(sa.or_(*conditions)))
    }
    for kind, value in identities:
        if (kind, value) in taken:
            if how == "new":
                raise IdentityRace(f"{kind} identity was created concurrently")
            continue
        identity = CustomerIdentity(
            customer_id=customer.id, kind=kind, value=value, verified=False,
            source=f"ingest:{channel}", created_at=now,
        )
        session.add(identity)
        session.flush()
        if how != "new":
            audit.record(session, customer, "identity.added", now,
                         reason=f"sender named a {how} of this customer",
                         identity_kind=kind, identity_id=identity.id)
