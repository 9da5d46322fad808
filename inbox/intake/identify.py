"""Who sent it: match the sender to a customer of the book.

Order: the sender's email address, phone number, customer ref or postal
address; else a claim number found in subject or text (a claim in the book wins
over a policy number); else the policy number. A new address that names a known
claim or policy is added to that customer as an unverified identity (audited).
Automatic mail (a bounce from mailer-daemon, an out-of-office note from a
shared mailbox) whose sender is unknown belongs to the customer of the message
it answers (In-Reply-To / References); its sender is not added as an identity.
Anyone else becomes a new, unverified customer.

All look-ups go through the batch's :class:`~inbox.intake.lookup.Lookup`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from channels.base import Inbound
from claims.models import Claim, Customer, CustomerIdentity, Policy
from inbox.intake.context import Filing
from inbox.intake.lookup import sender_identities


class IdentityRace(Exception):  # noqa: N818 - a signal to retry, not an error
    """A new customer's identity was taken by another worker meanwhile: retry,
    and the retry finds that worker's customer."""


@dataclass
class Identification:
    customer: Customer
    how: str  # portal | email | phone | customer_ref | address | claim | policy | references | new
    # Claims and policies named in the message that belong to this customer.
    claims: list[Claim] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    # Named, found in the book, but belonging to somebody else: never linked.
    foreign_numbers: list[str] = field(default_factory=list)


def resolve_merged(filing: Filing, customer: Customer) -> Customer:
    seen = set()
    while customer.merged_into_id is not None and customer.id not in seen:
        seen.add(customer.id)
        customer = filing.session.get(Customer, customer.merged_into_id) or customer
    return customer


def identify(filing: Filing, inbound: Inbound, *, auto: bool = False) -> Identification:
    lookup = filing.lookup
    identities = sender_identities(inbound, filing.cfg)
    found = filing.analysis(inbound)
    claims = [lookup.claims[n] for n in found.claim_numbers if n in lookup.claims]
    policies = [lookup.policies[n] for n in found.policy_numbers if n in lookup.policies]

    customer, how = None, ""
    signed_in = inbound.extras.get("customer_id") if inbound.channel == "portal" else None
    if isinstance(signed_in, int):
        # The portal signed the customer in: that, not what they typed, decides.
        found_customer = filing.session.get(Customer, signed_in)
        if found_customer is not None:
            customer, how = resolve_merged(filing, found_customer), "portal"
    for key in identities:
        if customer is not None:
            break
        if key in lookup.identities:
            customer, how = resolve_merged(filing, lookup.identities[key]), key[0]
            break
    if customer is None and claims:
        customer, how = resolve_merged(filing, claims[0].policy.customer), "claim"
    if customer is None and policies:
        customer, how = resolve_merged(filing, policies[0].customer), "policy"
    if customer is None and auto:
        for ref in inbound.reference_ids():
            if ref in lookup.by_ref:
                return Identification(resolve_merged(filing, lookup.by_ref[ref][1]), "references")
    if customer is None:
        customer = Customer(name=inbound.sender_name[:200], verified=False,
                            created_at=filing.now)
        filing.session.add(customer)
        filing.audit(customer, "customer.created",
                     reason=f"unknown sender on {inbound.channel}")
        how = "new"

    _add_new_identities(filing, customer, identities, inbound.channel, how)

    def owner(item: Claim | Policy) -> Customer:
        return resolve_merged(filing, item.policy.customer if isinstance(item, Claim)
                              else item.customer)

    own_claims = [c for c in claims if owner(c) is customer]
    own_policies = [p for p in policies if owner(p) is customer]
    foreign = [c.number for c in claims if c not in own_claims]
    foreign += [p.number for p in policies if p not in own_policies]
    return Identification(customer, how, own_claims, own_policies, foreign)


def _add_new_identities(
    filing: Filing, customer: Customer, identities: list[tuple[str, str]], channel: str, how: str,
) -> None:
    """Attach identities nobody holds yet; ones held by another customer stay there."""
    for kind, value in identities:
        holder = filing.lookup.identities.get((kind, value))
        if holder is not None:
            if how == "new" and holder is not customer:
                raise IdentityRace(f"{kind} identity was created concurrently")
            continue
        identity = CustomerIdentity(
            customer=customer, kind=kind, value=value, verified=False,
            source=f"ingest:{channel}", created_at=filing.now,
        )
        filing.session.add(identity)
        filing.lookup.add_identity(kind, value, customer)
        if how != "new":
            filing.audit(customer, "identity.added",
                         reason=f"sender named a {how} of this customer",
                         identity_kind=kind, identity_id=identity)
