"""``/api/v1/customers``: who writes in, with their policies, claims and
threads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from claims.identifiers import normalize_identity
from claims.models import Claim, Customer, CustomerIdentity, Policy
from inbox.api import ApiBlueprint, fail, out
from inbox.api.schemas import ROW_ID, CustomerArgs, CustomerDetail, CustomerPage, paged
from inbox.models import Thread
from inbox.web import db_session, settings
from inbox.web.permissions import requires
from inbox.workspace.queue import channels_of

blp = ApiBlueprint("api_customers", __name__, description="Customers and their records.")
THREADS_SHOWN = 50


@blp.route("/customers")
@requires("thread.view")
@blp.arguments(CustomerArgs, location="query")
@blp.response(200, CustomerPage)
def customers(args: dict[str, Any]) -> dict[str, Any]:
    """Customers, by name (contains), email address or phone number (exact,
    normalised) or reference. Merged customers are left out."""
    session = db_session()
    query = sa.select(Customer).where(Customer.merged_into_id.is_(None))
    q = (args.get("q") or "").strip()
    if q:
        region = settings().default_region
        values = {q.lower()} | {v for kind in ("email", "phone")
                                if (v := normalize_identity(kind, q, region))}
        by_identity = sa.select(CustomerIdentity.customer_id).where(
            sa.func.lower(CustomerIdentity.value).in_(values))
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(Customer.id.in_(by_identity), Customer.ref == q,
                                   Customer.name.ilike(pattern, escape="\\")))
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(selectinload(Customer.identities)).order_by(Customer.name, Customer.id)
        .limit(args["per_page"]).offset((args["page"] - 1) * args["per_page"])).all()
    return paged([out.customer(c) for c in rows], total, args)


@blp.route(f"/customers/<{ROW_ID}:customer_id>")
@requires("thread.view")
@blp.response(200, CustomerDetail)
def customer(customer_id: int) -> dict[str, Any]:
    """A customer: identities, policies, claims and their most recent threads."""
    session = db_session()
    row = session.get(Customer, customer_id, options=[
        selectinload(Customer.identities), selectinload(Customer.policies)])
    if row is None:
        fail(404, f"no customer {customer_id}")
    claims = session.scalars(sa.select(Claim).join(Policy).where(
        Policy.customer_id == customer_id).order_by(Claim.created_at.desc())).all()
    threads = session.scalars(
        sa.select(Thread).where(Thread.customer_id == customer_id,
                                Thread.merged_into_id.is_(None))
        .options(selectinload(Thread.customer), selectinload(Thread.claim),
                 selectinload(Thread.assignee), selectinload(Thread.account_issue))
        .order_by(Thread.last_message_at.desc().nulls_last(), Thread.id.desc())
        .limit(THREADS_SHOWN)).all()
    channels = channels_of(session, [t.id for t in threads])
    now = datetime.now(UTC)
    return {
        **out.customer(row),
        "policies": [out.policy(p) for p in row.policies],
        "claims": [out.claim_ref(c) for c in claims],
        "threads": [out.thread_summary(t, channels[t.id], t.due_at is not None and t.due_at < now)
                    for t in threads],
    }
