"""Finding a customer by what staff know of them; merging two customers (and
undoing it), audited.

A merge moves everything of ``source`` to ``target``: identities, policies,
account issues, threads and messages; ``source`` stays as a tombstone pointing
at ``target`` so old references still resolve. What moved is recorded on the
:class:`CustomerMerge`, so an undo moves exactly those rows back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.identifiers import normalize_identity
from claims.models import (
    AccountIssue,
    Claim,
    Customer,
    CustomerIdentity,
    CustomerMerge,
    Policy,
)
from inbox import audit
from inbox.models import Message, Thread

_MOVABLE: dict[str, Any] = {
    "identities": CustomerIdentity,
    "policies": Policy,
    "account_issues": AccountIssue,
    "threads": Thread,
    "messages": Message,
}


class MergeError(ValueError):
    """A merge or undo that cannot be done; the message says why."""


def surviving(session: Session, customer: Customer) -> tuple[Customer, list[int]]:
    """The customer ``customer`` was merged into (through any chain of
    merges; itself when not merged), and the ids of the tombstones passed."""
    passed: list[int] = []
    while customer.merged_into_id is not None and customer.id not in passed:
        passed.append(customer.id)
        customer = session.get(Customer, customer.merged_into_id) or customer
    return customer, passed


def find_customer(session: Session, given: str, region: str) -> Customer | None:
    """The customer ``given`` names, as support staff would name them: the id
    (digits, no leading zero, up to 8 of them), or an email address, a phone
    number (international or as dialled in ``region``), a customer reference,
    or a policy or claim number they hold. Identities are normalised as ingest
    stores them (claims.identifiers); a merged customer gives its survivor."""
    given = given.strip()
    if not given:
        return None
    found: Customer | None = None
    if given.isdigit() and not given.startswith("0") and len(given) <= 8:
        found = session.get(Customer, int(given))
    for kind in ("email", "phone", "customer_ref") if found is None else ():
        value = normalize_identity(kind, given, region)
        if value is None:
            continue
        found = session.scalars(sa.select(Customer).join(CustomerIdentity).where(
            CustomerIdentity.kind == kind, CustomerIdentity.value == value)).first()
        if found is not None:
            break
    if found is None:
        found = session.scalars(sa.select(Customer).where(Customer.ref == given)).first()
    if found is None:
        number = given.upper()
        owner = session.scalar(sa.select(Policy.customer_id).where(
            sa.func.upper(Policy.number) == number))
        if owner is None:
            owner = session.scalar(sa.select(Policy.customer_id).join(
                Claim, Claim.policy_id == Policy.id).where(sa.func.upper(Claim.number) == number))
        found = session.get(Customer, owner) if owner is not None else None
    return surviving(session, found)[0] if found is not None else None


def merge_customers(
    session: Session, source_id: int, target_id: int, now: datetime,
    *, actor_id: int | None = None, reason: str = "",
) -> CustomerMerge:
    if source_id == target_id:
        raise MergeError("a customer cannot be merged into itself")
    source, target = session.get(Customer, source_id), session.get(Customer, target_id)
    if source is None or target is None:
        raise MergeError("both customers must exist")
    if source.merged_into_id is not None:
        raise MergeError(f"customer {source_id} is already merged into {source.merged_into_id}")
    if target.merged_into_id is not None:
        raise MergeError(
            f"customer {target_id} is merged into {target.merged_into_id}; merge into that one"
        )

    moved: dict[str, list[int]] = {}
    for name, model in _MOVABLE.items():
        ids = list(session.scalars(sa.select(model.id).where(model.customer_id == source_id)))
        if ids:
            session.execute(
                sa.update(model).where(model.id.in_(ids)).values(customer_id=target_id)
                .execution_options(synchronize_session=False)
            )
        moved[name] = ids
    source.merged_into_id = target_id
    merge = CustomerMerge(source_id=source_id, target_id=target_id, moved=moved, merged_at=now)
    session.add(merge)
    session.flush()
    session.expire_all()
    audit.record(session, target, "customer.merged", now, actor_id=actor_id, reason=reason,
                 source_id=source_id, merge_id=merge.id,
                 moved={k: len(v) for k, v in moved.items()})
    return merge


def undo_merge(
    session: Session, merge_id: int, now: datetime,
    *, actor_id: int | None = None, reason: str = "",
) -> CustomerMerge:
    merge = session.get(CustomerMerge, merge_id)
    if merge is None:
        raise MergeError(f"no merge {merge_id}")
    if merge.undone_at is not None:
        raise MergeError(f"merge {merge_id} was already undone")
    later = session.scalar(
        sa.select(CustomerMerge.id).where(
            CustomerMerge.source_id == merge.target_id, CustomerMerge.undone_at.is_(None)
        )
    )
    if later is not None:
        raise MergeError(f"undo merge {later} first: the survivor was merged again since")
    for name, model in _MOVABLE.items():
        ids = merge.moved.get(name) or []
        if ids:
            session.execute(
                sa.update(model).where(model.id.in_(ids), model.customer_id == merge.target_id)
                .values(customer_id=merge.source_id).execution_options(synchronize_session=False)
            )
    source = session.get(Customer, merge.source_id)
    assert source is not None
    source.merged_into_id = None
    merge.undone_at = now
    session.flush()
    session.expire_all()
    audit.record(session, source, "customer.merge_undone", now, actor_id=actor_id, reason=reason,
                 target_id=merge.target_id, merge_id=merge.id)
    return merge
