"""Demo data: a few hundred customers in six languages with their policies,
claims and a few weeks of email, calls, SMS and letters, so that a fresh
installation shows a living inbox.

``create_demo_data(session, now, seed, customers)`` plans everything from the
seed (:mod:`inbox.demo.plan`), writes the book of business and files every
message through the real intake core (``inbox.ingest``), so identification,
threading and linking run as they would in production. It only flushes.

Running it again is safe. Demo customers carry the ref ``DEMO-<seed>-<n>``;
a customer already in the database is skipped with everything it owns (book
and messages are written in the same transaction), so a second run adds
nothing, an interrupted run is completed, and a larger count adds only the
missing customers. Demo data made with another seed is refused
(:class:`DemoSeedError`): the two would share numbers and names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.identifiers import normalize_identity
from claims.models import Claim, Customer, CustomerIdentity, Policy
from inbox import ingest
from inbox.demo.plan import REF_PREFIX, plan_demo, seed_of_ref
from inbox.demo.writer import Customer as PlannedCustomer
from inbox.models import User

DEFAULT_SEED = 2026
DEFAULT_CUSTOMERS = 300
# (email, name, role, team, authority limit)
# Every demo user signs in with this (printed by `inbox demo-data`).
DEMO_PASSWORD = "demo-inbox-2026"  # noqa: S105 - demo data only, documented in the README
USERS: tuple[tuple[str, str, str, str, int | None], ...] = (
    ("rep1@insurer.example", "Emma Clarke", "rep", "en", 2500),
    ("rep2@insurer.example", "Jonas Becker", "rep", "de", 2500),
    ("rep3@insurer.example", "Ελένη Γεωργίου", "rep", "el", 2500),
    ("rep4@insurer.example", "Tereza Horáková", "rep", "cs", 2500),
    ("rep5@insurer.example", "Linnea Berg", "rep", "sv", 2500),
    ("rep6@insurer.example", "Putri Wulandari", "rep", "id", 2500),
    ("supervisor1@insurer.example", "Daniel Hughes", "supervisor", "", 10_000),
    ("lead1@insurer.example", "Katharina Wolf", "lead", "", 50_000),
    ("admin@insurer.example", "Sam Okafor", "admin", "", None),
)


class DemoSeedError(ValueError):
    """The database holds demo data made with another seed."""

    def __init__(self, found: int, wanted: int) -> None:
        super().__init__(
            f"the database already holds demo data made with seed {found}; run with "
            f"--seed {found} to complete it, or use an empty database for seed {wanted}"
        )
        self.found = found


@dataclass
class DemoReport:
    users_created: int = 0
    canned_created: int = 0
    customers_created: int = 0
    customers_present: int = 0  # already in the database: skipped
    customers_conflicting: int = 0  # a number or identity taken by non-demo data
    policies: int = 0
    claims: int = 0
    messages_filed: int = 0
    messages_present: int = 0
    messages_failed: int = 0

    def __iadd__(self, other: DemoReport) -> DemoReport:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self


def create_demo_data(
    session: Session, now: datetime, seed: int = DEFAULT_SEED,
    customers: int = DEFAULT_CUSTOMERS,
) -> DemoReport:
    """Plan and write the whole demo (users included) in the caller's transaction."""
    report = create_users(session, now)
    report += create_canned(session, now)
    report += write_customers(session, plan_demo(seed, now, customers), now, seed)
    return report


def demo_seed(session: Session) -> int | None:
    """The seed of the demo data in the database, or None when there is none."""
    ref = session.scalar(
        sa.select(Customer.ref).where(Customer.ref.like(f"{REF_PREFIX}%")).limit(1)
    )
    return seed_of_ref(ref) if ref else None


def create_users(session: Session, now: datetime) -> DemoReport:
    """The demo workspace's users, all with the password :data:`DEMO_PASSWORD`
    (demo data only: real users get theirs from ``inbox user add``)."""
    from werkzeug.security import generate_password_hash

    hashed = generate_password_hash(DEMO_PASSWORD)
    emails = [email for email, *_ in USERS]
    present = set(session.scalars(sa.select(User.email).where(User.email.in_(emails))))
    report = DemoReport()
    for email, name, role, team, limit in USERS:
        if email in present:
            continue
        session.add(User(
            email=email, name=name, role=role, team=team, password_hash=hashed,
            authority_limit=None if limit is None else Decimal(limit), created_at=now,
        ))
        report.users_created += 1
    session.flush()
    return report


def create_canned(session: Session, now: datetime) -> DemoReport:
    """The demo canned responses (``inbox/demo/canned.toml``: acknowledgement,
    request for documents, claim received, payment delay in the six
    languages); only the missing ones, so a team's edits are kept."""
    from pathlib import Path

    from inbox.workspace.canned_files import import_entries, read

    entries, problems = read(Path(__file__).with_name("canned.toml"))
    if problems:
        raise ValueError(f"inbox/demo/canned.toml: {problems[0].line}: {problems[0].reason}")
    results = import_entries(session, entries, now, overwrite=False)
    return DemoReport(canned_created=sum(r.outcome == "created" for r in results))


def write_customers(
    session: Session, planned: Iterable[PlannedCustomer], now: datetime, seed: int
) -> DemoReport:
    """Write the planned customers not yet in the database and file their messages."""
    found = demo_seed(session)
    if found is not None and found != seed:
        raise DemoSeedError(found, seed)
    planned = list(planned)
    present = set(session.scalars(
        sa.select(Customer.ref).where(Customer.ref.in_([c.ref for c in planned]))
    ))
    report = DemoReport()
    for customer in planned:
        if customer.ref in present:
            report.customers_present += 1
            continue
        if _conflicts(session, customer):
            report.customers_conflicting += 1
            continue
        _write_book(session, customer)
        report.customers_created += 1
        report.policies += len(customer.book.policies)
        report.claims += len(customer.book.claims)
        for message in customer.messages:
            outcome = ingest(session, message.inbound, min(message.filed_at, now)).outcome
            report.messages_failed += outcome == "failed"
            report.messages_filed += outcome == "filed"
            report.messages_present += outcome == "duplicate"
    return report


def _identities(customer: PlannedCustomer) -> list[tuple[str, str]]:
    region = customer.country.region
    raw = [("customer_ref", customer.ref), ("email", customer.email),
           ("phone", customer.phone), ("address", customer.address.text)]
    out = []
    for kind, value in raw:
        normalized = normalize_identity(kind, value, region)
        if normalized is None:
            raise ValueError(f"demo {kind} {value!r} does not normalize")
        out.append((kind, normalized))
    return out


def _conflicts(session: Session, customer: PlannedCustomer) -> bool:
    """Does non-demo data already hold one of this customer's numbers or identities?"""
    policies = [p.number for p in customer.book.policies]
    claims = [c.number for c in customer.book.claims]
    identities = _identities(customer)
    queries = [
        sa.select(Policy.id).where(Policy.number.in_(policies)),
        sa.select(Claim.id).where(Claim.number.in_(claims)),
        sa.select(CustomerIdentity.id).where(sa.or_(*(
            sa.and_(CustomerIdentity.kind == kind, CustomerIdentity.value == value)
            for kind, value in identities
        ))),
    ]
    return any(session.scalar(query.limit(1)) is not None for query in queries)


def _write_book(session: Session, planned: PlannedCustomer) -> Customer:
    customer = Customer(
        ref=planned.ref, name=planned.person.name, language=planned.person.language,
        address=planned.address.text, verified=True, created_at=planned.created_at,
    )
    session.add(customer)
    session.flush()
    for kind, value in _identities(planned):
        session.add(CustomerIdentity(
            customer_id=customer.id, kind=kind, value=value, verified=True, source="demo",
            created_at=planned.created_at,
        ))
    by_number: dict[str, Policy] = {}
    for p in planned.book.policies:
        policy = Policy(
            number=p.number, customer_id=customer.id, product=p.product, status=p.status,
            start_date=p.start_date, end_date=p.end_date, renewal_date=p.renewal_date,
            coverage_limit=p.coverage_limit, deductible=p.deductible, exclusions=p.exclusions,
        )
        session.add(policy)
        by_number[p.number] = policy
    session.flush()
    for c in planned.book.claims:
        session.add(Claim(
            number=c.number, policy_id=by_number[c.policy_number].id, status=c.status,
            loss_date=c.loss_date, amount_claimed=c.amount_claimed, description=c.description,
            created_at=c.created_at,
        ))
    session.flush()
    return customer


__all__ = [
    "DEFAULT_CUSTOMERS", "DEFAULT_SEED", "DemoReport", "DemoSeedError", "create_canned",
    "create_demo_data", "create_users", "demo_seed", "plan_demo", "write_customers",
]

