"""``/api/v1/claims``: claims, their history, and the workflow's actions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.orm import selectinload

from claims.account_issues import IllegalStep
from claims.info_requests import BadInfoRequest
from claims.models import Claim, ClaimEvent, Policy
from claims.workflow import IllegalTransition
from inbox.api import ApiBlueprint, fail, out
from inbox.api.schemas import (
    ROW_ID,
    ClaimActionIn,
    ClaimActionOut,
    ClaimArgs,
    ClaimDetail,
    ClaimPage,
    paged,
)
from inbox.casework.actors import actor_for
from inbox.casework.claim_threads import NoThread
from inbox.casework.escalations import NoSupervisor
from inbox.models import Thread, User
from inbox.outbound import ReplyError
from inbox.web import db_session, settings
from inbox.web.permissions import requires

blp = ApiBlueprint("api_claims", __name__, description="Claims and their workflow.")
REFUSED = (ReplyError, IllegalTransition, IllegalStep, BadInfoRequest, NoThread, NoSupervisor)
CLAIM_LOADS = (selectinload(Claim.policy).selectinload(Policy.customer),)


@blp.route("/claims")
@requires("thread.view")
@blp.arguments(ClaimArgs, location="query")
@blp.response(200, ClaimPage)
def claims(args: dict[str, Any]) -> dict[str, Any]:
    """Claims, newest first; filter by number (exact), status or customer."""
    session = db_session()
    query = sa.select(Claim)
    if args.get("number"):
        query = query.where(Claim.number == args["number"].strip())
    if args.get("status"):
        query = query.where(Claim.status == args["status"])
    if args.get("customer_id") is not None:
        query = query.where(Claim.policy_id.in_(sa.select(Policy.id).where(
            Policy.customer_id == args["customer_id"])))
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(*CLAIM_LOADS).order_by(Claim.created_at.desc(), Claim.id.desc())
        .limit(args["per_page"]).offset((args["page"] - 1) * args["per_page"])).all()
    return paged([out.claim(c) for c in rows], total, args)


@blp.route(f"/claims/<{ROW_ID}:claim_id>")
@requires("thread.view")
@blp.response(200, ClaimDetail)
def claim(claim_id: int) -> dict[str, Any]:
    """A claim with every step taken on it (who, when, why) and its threads."""
    session = db_session()
    row = _claim(claim_id)
    events = session.scalars(sa.select(ClaimEvent).where(ClaimEvent.claim_id == claim_id)
                             .order_by(ClaimEvent.created_at, ClaimEvent.id)).all()
    actor_ids = {e.actor_id for e in events if e.actor_id}
    actors = {u.id: u for u in session.scalars(
        sa.select(User).where(User.id.in_(actor_ids)))} if actor_ids else {}
    thread_ids = session.scalars(sa.select(Thread.id).where(
        Thread.claim_id == claim_id, Thread.merged_into_id.is_(None))
        .order_by(Thread.id)).all()
    return {**out.claim(row), "thread_ids": list(thread_ids), "events": [{
        "action": e.action, "from_status": e.from_status, "to_status": e.to_status,
        "reason": e.reason, "reason_code": e.reason_code, "created_at": e.created_at,
        "actor": out.user_ref(actors.get(e.actor_id)) if e.actor_id else None,
    } for e in events]}


@blp.route(f"/claims/<{ROW_ID}:claim_id>/actions", methods=["POST"])
@requires("claim.act")
@blp.arguments(ClaimActionIn)
@blp.response(200, ClaimActionOut)
def act(body: dict[str, Any], claim_id: int) -> dict[str, Any]:
    """Take a workflow step (review, approve, deny, escalate, pay, close…) or
    ``request_info``. An approval above the caller's authority becomes an
    escalation; a refused step is a 422 that says which steps are possible.
    The customer's notice is sent after the step is stored."""
    from inbox.casework.decisions import claim_action
    from inbox.casework.info_requests import request_information
    from inbox.jobs.replies import send_after_commit

    session = db_session()
    row = _claim(claim_id)
    now = datetime.now(UTC)
    before = row.status
    try:
        actor = actor_for(session, settings(), current_user.id)
        if body["action"] == "request_info":
            _, sent = request_information(
                session, settings(), row, actor, now, items=body["items"],
                note=body["note"], channel=body.get("channel"),
                thread_id=body.get("thread_id"))
            outbounds, escalated = [sent.outbound], False
        else:
            decision = claim_action(
                session, settings(), row, body["action"], actor, now,
                amount=body.get("amount"), reason=body["reason"],
                reason_code=body["reason_code"], thread_id=body.get("thread_id"))
            outbounds = [n.outbound for n in decision.notices]
            escalated = decision.escalation is not None
    except REFUSED as exc:
        fail(422, str(exc))
    send_after_commit(session, outbounds)
    return {"claim": out.claim_ref(row), "from_status": before, "to_status": row.status,
            "escalated": escalated, "notices": [out.outbound(o) for o in outbounds]}


def _claim(claim_id: int) -> Claim:
    row = db_session().get(Claim, claim_id, options=CLAIM_LOADS)
    if row is None:
        fail(404, f"no claim {claim_id}")
    return row
