"""Erasing a customer's personal data on request, by anonymisation.

Rows are kept and emptied rather than deleted, so nothing that points at them
breaks (threads in the dashboard's facts, claims in the SLA history, the audit
log). What goes:

* the customer's name and address (replaced by :data:`ERASED_NAME` and ""),
  their identities (deleted: the email addresses, numbers and postal addresses
  ingest would recognise them by), their portal sign-ins and sessions;
* every message of their threads, staff replies and notes included: subject,
  text, HTML, sender and recipient, threading headers, channel extras (call
  numbers, transcripts, OCR'd letter blocks); the external id becomes
  ``erased:<message id>``; attachments rows are deleted; replies still waiting
  to be sent are emptied the same way;
* free text about them: thread subjects, claim descriptions and the reasons
  written on claim steps, requests for information and escalations, account
  issue summaries, notes and recorded changes, letter review reasons,
  notifications about their threads, the free text and text values of audit
  entries about their rows;
* raw input that names them: Twilio webhook events of their calls and texts,
  failed intake naming one of their addresses or numbers;
* blob files (raw mail, attachments, recordings, scans, letters sent to them)
  that no other row refers to, deleted after commit.

What stays, because an insurer must keep it (claims and contract records,
typically 6-10 years): policies, claims with their numbers, dates, amounts,
status, cause codes and every step (who, when, which decision, which reason
code, which amount); the customer's reference, language and segment (the key
those records are filed under); ids, times and channels of messages (the SLA
and dashboard history). None of that is personal text.

An open claim (not paid, denied or closed) or an open account issue refuses
the erasure unless forced: the claim is still being handled, and the law
(GDPR Art. 17(3)(b) and (e)) lets the insurer keep what it needs for it.
Running it again is harmless: everything is already empty, so the counts are
zero and no second audit entry is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.models import (
    AccountIssue,
    AccountIssueEvent,
    Claim,
    ClaimEvent,
    Customer,
    CustomerIdentity,
    InfoRequest,
)
from inbox import audit
from inbox.customers import surviving
from inbox.models import (
    Attachment,
    AuditEvent,
    ChannelEvent,
    Escalation,
    LetterReview,
    Message,
    Notification,
    OutboundMessage,
    PortalSession,
    PortalSignIn,
    Thread,
)
from inbox.privacy.blobrefs import delete_unreferenced_after_commit
from inbox.privacy.scope import (
    Scope,
    call_and_sms_sids,
    channel_events_where,
    failed_intakes_naming,
    identity_values,
    scope_of,
)

ERASED_NAME = "[erased]"
ERASED_PREFIX = "erased:"
SETTLED_CLAIMS = ("paid", "denied", "closed")
SETTLED_ISSUES = ("resolved", "closed")
# Audit entries this module and the export write: no personal data, kept as written.
OWN_ACTIONS = ("customer.erased", "customer.exported")


class ErasureRefused(ValueError):  # noqa: N818 - reads as what happened
    """The erasure cannot be done as asked; the message says why."""


@dataclass
class Erasure:
    customer_id: int
    already_erased: bool
    # What was emptied or deleted, by kind: the audit entry's figures.
    counts: dict[str, int] = field(default_factory=dict)
    # Blob files deleted after commit (no other row refers to them).
    blobs: list[str] = field(default_factory=list)
    # Open claims and issues an erasure with force went past.
    forced_past: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(self.counts.values())


def open_matters(session: Session, scope: Scope) -> list[str]:
    """Claims not settled and account issues not resolved, as "claim CLM-..."."""
    claims = session.scalars(sa.select(Claim.number).where(
        Claim.id.in_(scope.claims()), Claim.status.not_in(SETTLED_CLAIMS))
        .order_by(Claim.number))
    issues = session.execute(sa.select(AccountIssue.id, AccountIssue.kind).where(
        AccountIssue.id.in_(scope.account_issues()), AccountIssue.status.not_in(SETTLED_ISSUES))
        .order_by(AccountIssue.id))
    return [f"claim {n}" for n in claims] + [f"{kind} issue #{i}" for i, kind in issues]


def erase_customer(
    session: Session, customer_id: int, now: datetime, *, reason: str,
    actor_id: int | None = None, actor: str = "", force: bool = False,
) -> Erasure:
    """Anonymise customer ``customer_id`` (a merged customer: their survivor,
    with everyone merged into them) in the session's transaction; only flushes.
    Blob files are deleted after commit. See the module docstring."""
    reason = reason.strip()
    if not reason:
        raise ErasureRefused("give a reason (the request's reference, not the person's name)")
    found = session.get(Customer, customer_id)
    if found is None:
        raise ErasureRefused(f"no customer {customer_id}")
    customer = surviving(session, found)[0]
    scope = scope_of(session, customer.id)
    _check_reason(session, scope, reason)
    matters = open_matters(session, scope)
    if matters and not force:
        raise ErasureRefused(
            f"customer {customer.id} has open matters ({', '.join(matters)}): settle or close "
            "them first, or erase with --force when the request overrides the claim handling")
    result = Erasure(customer.id, already_erased=customer.erased_at is not None,
                     forced_past=matters)
    counts = result.counts
    values = identity_values(session, scope)
    sids = call_and_sms_sids(session, scope)
    blobs = _blobs_of(session, scope)

    counts["customers"] = _run(session, sa.update(Customer).where(
        Customer.id.in_(scope.customer_ids),
        sa.or_(Customer.name != ERASED_NAME, Customer.address != "",
               Customer.erased_at.is_(None), Customer.preferred_channel.is_not(None)))
        .values(name=ERASED_NAME, address="", preferred_channel=None))
    _run(session, sa.update(Customer).where(Customer.id.in_(scope.customer_ids),
                                            Customer.erased_at.is_(None)).values(erased_at=now))
    counts["identities"] = _run(session, sa.delete(CustomerIdentity).where(
        CustomerIdentity.customer_id.in_(scope.customer_ids)))
    counts["portal_sessions"] = _run(session, sa.delete(PortalSession).where(
        PortalSession.customer_id.in_(scope.customer_ids)))
    # Sign-ins of theirs, and requests with the same contact that matched nobody.
    hashes = list(session.scalars(sa.select(PortalSignIn.contact_hash).where(
        PortalSignIn.customer_id.in_(scope.customer_ids)).distinct()))
    counts["portal_sign_ins"] = _run(session, sa.delete(PortalSignIn).where(
        sa.or_(PortalSignIn.customer_id.in_(scope.customer_ids),
               sa.and_(PortalSignIn.customer_id.is_(None),
                       PortalSignIn.contact_hash.in_(hashes)))))

    counts["attachments"] = _run(session, sa.delete(Attachment).where(
        Attachment.message_id.in_(scope.messages())))
    counts["messages"] = _run(session, sa.update(Message).where(
        scope.messages_where(), sa.not_(Message.external_id.startswith(ERASED_PREFIX)))
        .values(external_id=sa.literal(ERASED_PREFIX) + sa.cast(Message.id, sa.String),
                sender="", sender_name="", recipient="", subject="", text="", html="",
                raw_ref=None, in_reply_to=None, references=[], extras={"erased": True})
        )
    counts["threads"] = _run(session, sa.update(Thread).where(
        Thread.customer_id.in_(scope.customer_ids),
        sa.or_(Thread.subject != "", Thread.subject_key != "")).values(subject="", subject_key=""))
    counts["outbound_messages"] = _run(session, sa.update(OutboundMessage).where(
        scope.outbound_where(), OutboundMessage.recipient != "")
        .values(recipient="", subject="", text="", html="", in_reply_to=None, references=[],
                attachments=[], extras={}, last_error="")
        )

    counts["claims"] = _run(session, sa.update(Claim).where(
        Claim.id.in_(scope.claims()), Claim.description != "").values(description=""))
    counts["claim_events"] = _run(session, sa.update(ClaimEvent).where(
        ClaimEvent.claim_id.in_(scope.claims()), ClaimEvent.reason != "").values(reason=""))
    counts["info_requests"] = _run(session, sa.update(InfoRequest).where(
        InfoRequest.claim_id.in_(scope.claims()), InfoRequest.note != "").values(note=""))
    counts["account_issues"] = _run(session, sa.update(AccountIssue).where(
        AccountIssue.id.in_(scope.account_issues()),
        sa.or_(AccountIssue.summary != "", _json_not_empty(AccountIssue.details, "{}")))
        .values(summary="", details={}))
    counts["account_issue_events"] = _run(session, sa.update(AccountIssueEvent).where(
        AccountIssueEvent.issue_id.in_(scope.account_issues()),
        sa.or_(AccountIssueEvent.note != "", _json_not_empty(AccountIssueEvent.changes, "{}")))
        .values(note="", changes={}))
    counts["escalations"] = _run(session, sa.update(Escalation).where(
        scope.escalations_where(), sa.or_(Escalation.reason != "", Escalation.decision_note != ""))
        .values(reason="", decision_note=""))
    counts["letter_reviews"] = _run(session, sa.update(LetterReview).where(
        scope.letter_reviews_where(), _json_not_empty(LetterReview.reasons, "[]"))
        .values(reasons=[]))
    counts["notifications"] = _run(session, sa.delete(Notification).where(
        sa.or_(Notification.thread_id.in_(scope.threads()),
               Notification.claim_id.in_(scope.claims())))
        )
    counts["channel_events"] = _run(session, sa.delete(ChannelEvent).where(
        channel_events_where(sids))) if sids else 0
    failed = list(failed_intakes_naming(session, values))
    blobs.update(f.raw_ref for f in failed if f.raw_ref)
    for row in failed:
        session.delete(row)
    counts["failed_intakes"] = len(failed)
    counts["audit_events"] = _scrub_audit(session, scope)

    result.blobs = delete_unreferenced_after_commit(session, blobs)
    counts["blobs"] = len(result.blobs)
    session.expire_all()
    if result.changed:
        audit.record(session, customer, "customer.erased", now, actor_id=actor_id,
                     reason=reason, actor=actor, forced_past=len(matters),
                     merged_customers=len(scope.customer_ids) - 1,
                     **{k: v for k, v in counts.items() if v})
        session.flush()
    return result


def _blobs_of(session: Session, scope: Scope) -> set[str]:
    """Blob files the customer's rows refer to (before they are emptied)."""
    shas: set[str] = set(session.scalars(sa.select(Message.raw_ref).where(
        scope.messages_where(), Message.raw_ref.is_not(None))))
    shas.update(session.scalars(sa.select(Attachment.sha256).where(
        Attachment.message_id.in_(scope.messages()))))
    for items in session.scalars(sa.select(OutboundMessage.attachments).where(
            scope.outbound_where())):
        shas.update(str(i["sha256"]) for i in items or [] if isinstance(i, dict)
                    and i.get("sha256"))
    return shas


def _check_reason(session: Session, scope: Scope, reason: str) -> None:
    """The reason is kept in the audit log: it must not name the person."""
    customer = session.get(Customer, scope.customer_id)
    assert customer is not None
    names = [customer.name] if customer.name and customer.name != ERASED_NAME else []
    folded = reason.casefold()
    for value in [*names, *identity_values(session, scope)]:
        if len(value) >= 4 and value.casefold() in folded:
            raise ErasureRefused("the reason names the person (it is kept in the audit log): "
                                 "give the request's reference instead")


def _run(session: Session, statement: Any) -> int:
    """A bulk UPDATE or DELETE; how many rows it changed. The session is
    expired afterwards (:func:`erase_customer`), not synchronised row by row."""
    result = session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def _json_not_empty(column: Any, empty: str) -> sa.ColumnElement[bool]:
    """A JSON column that holds more than ``{}`` / ``[]`` (as text, either database)."""
    text = sa.func.replace(sa.cast(column, sa.Text), " ", "")
    return sa.and_(column.is_not(None), text != empty, text != "null")


def _scrub_audit(session: Session, scope: Scope) -> int:
    """Audit entries about the customer's rows keep who, when, what and the
    ids and figures; their free-text reason and text values go."""
    changed = 0
    for event in _chunks(session, sa.select(AuditEvent).where(
            scope.audit_where(), AuditEvent.action.not_in(OWN_ACTIONS))):
        data = _scalars_only(event.data or {})
        if event.reason or data != (event.data or {}):
            event.reason, event.data = "", data
            changed += 1
    return changed


def _scalars_only(data: dict[str, Any]) -> dict[str, Any]:
    def keep(value: Any) -> bool:
        if isinstance(value, list):
            return all(keep(v) for v in value)
        if isinstance(value, dict):
            return all(keep(v) for v in value.values())
        return value is None or isinstance(value, bool | int | float)

    return {k: v for k, v in data.items() if keep(v)}


def _chunks(session: Session, query: sa.Select[tuple[AuditEvent]],
            size: int = 500) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = session.scalars(query.where(AuditEvent.id > last)
                               .order_by(AuditEvent.id).limit(size)).all()
        yield from rows
        if len(rows) < size:
            return
        session.flush()
        last = rows[-1].id
