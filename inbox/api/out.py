"""ORM rows to the plain dicts the API's schemas dump (no lazy loads: the
callers load what these read)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from claims.models import AccountIssue, Claim, Customer, Policy
from inbox.models import Message, OutboundMessage, Thread, User


def user_ref(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.id, "name": user.name or user.email, "email": user.email}


def customer_ref(customer: Customer) -> dict[str, Any]:
    return {"id": customer.id, "name": customer.name, "language": customer.language}


def claim_ref(claim: Claim | None) -> dict[str, Any] | None:
    if claim is None:
        return None
    return {"id": claim.id, "number": claim.number, "status": claim.status}


def issue_ref(issue: AccountIssue | None) -> dict[str, Any] | None:
    if issue is None:
        return None
    return {"id": issue.id, "kind": issue.kind, "status": issue.status,
            "summary": issue.summary}


def thread_summary(thread: Thread, channels: tuple[str, ...] | list[str],
                   overdue: bool) -> dict[str, Any]:
    return {
        "id": thread.id, "subject": thread.subject, "status": thread.status,
        "priority": thread.priority, "issue_type": thread.issue_type,
        "language": thread.language, "channels": list(channels),
        "customer": customer_ref(thread.customer), "claim": claim_ref(thread.claim),
        "account_issue": issue_ref(thread.account_issue),
        "assignee": user_ref(thread.assignee), "needs_reply": thread.needs_reply,
        "due_at": thread.due_at, "overdue": overdue, "follow_up_at": thread.follow_up_at,
        "last_message_at": thread.last_message_at, "last_inbound_at": thread.last_inbound_at,
        "created_at": thread.created_at, "merged_into_id": thread.merged_into_id,
    }


CALL_FIELDS = ("direction", "status", "from", "to", "started_at", "ended_at", "duration",
               "recording_url", "missed", "voicemail")


def message(row: Message, authors: dict[int, User]) -> dict[str, Any]:
    call = None
    if row.channel == "call":
        call = {key: row.extras.get(key) for key in CALL_FIELDS}
        call["transcript"] = (row.extras.get("body_parts") or {}).get("new", "")
    return {
        "id": row.id, "thread_id": row.thread_id, "channel": row.channel,
        "direction": row.direction, "sender": row.sender, "sender_name": row.sender_name,
        "recipient": row.recipient, "subject": row.subject, "text": row.text,
        "html": row.html, "language": row.language, "received_at": row.received_at,
        "auto": row.auto, "call": call,
        "author": user_ref(authors.get(row.author_id)) if row.author_id else None,
        "attachments": [{
            "id": a.id, "filename": a.filename, "content_type": a.content_type,
            "size": a.size, "sha256": a.sha256, "inline": a.inline,
            "url": url_for("letters.attachment", sha256=a.sha256, _external=True),
        } for a in row.attachments],
    }


def outbound(row: OutboundMessage) -> dict[str, Any]:
    return {"id": row.id, "thread_id": row.thread_id, "channel": row.channel,
            "recipient": row.recipient, "status": row.status, "attempts": row.attempts,
            "last_error": row.last_error, "created_at": row.created_at,
            "send_at": row.send_at, "sent_at": row.sent_at, "message_id": row.message_id}


def policy(row: Policy) -> dict[str, Any]:
    return {"id": row.id, "number": row.number, "product": row.product, "status": row.status,
            "start_date": row.start_date, "end_date": row.end_date,
            "renewal_date": row.renewal_date, "coverage_limit": row.coverage_limit,
            "deductible": row.deductible, "exclusions": list(row.exclusions or [])}


def customer(row: Customer) -> dict[str, Any]:
    return {**customer_ref(row), "ref": row.ref, "address": row.address,
            "preferred_channel": row.preferred_channel,
            "identities": [{"kind": i.kind, "value": i.value, "verified": i.verified}
                           for i in row.identities]}


def claim(row: Claim) -> dict[str, Any]:
    return {**(claim_ref(row) or {}), "policy": policy(row.policy),
            "customer": customer_ref(row.policy.customer), "loss_date": row.loss_date,
            "cause": row.cause, "amount_claimed": row.amount_claimed,
            "amount_approved": row.amount_approved, "description": row.description,
            "created_at": row.created_at}
