"""Everything held about one customer, as SQL conditions: their rows (the
customer and the tombstones merged into them), their threads and every message
in those threads (staff replies and notes too: they quote and name the
customer), their policies, claims and account issues. Conditions are
subqueries, not id lists, so a customer with thousands of messages costs no
memory and no bind-parameter limit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.models import AccountIssue, Claim, Customer, CustomerIdentity, Policy
from inbox.models import (
    AuditEvent,
    ChannelEvent,
    Escalation,
    FailedIntake,
    LetterReview,
    Message,
    OutboundMessage,
    Thread,
)

CHUNK = 500


@dataclass(frozen=True)
class Scope:
    customer_id: int
    # The customer and every customer merged into them (tombstones).
    customer_ids: tuple[int, ...]

    def threads(self) -> sa.Select[tuple[int]]:
        return sa.select(Thread.id).where(Thread.customer_id.in_(self.customer_ids))

    def messages_where(self) -> sa.ColumnElement[bool]:
        return sa.or_(Message.customer_id.in_(self.customer_ids),
                      Message.thread_id.in_(self.threads()))

    def messages(self) -> sa.Select[tuple[int]]:
        return sa.select(Message.id).where(self.messages_where())

    def policies(self) -> sa.Select[tuple[int]]:
        return sa.select(Policy.id).where(Policy.customer_id.in_(self.customer_ids))

    def claims(self) -> sa.Select[tuple[int]]:
        return sa.select(Claim.id).where(Claim.policy_id.in_(self.policies()))

    def account_issues(self) -> sa.Select[tuple[int]]:
        return sa.select(AccountIssue.id).where(AccountIssue.customer_id.in_(self.customer_ids))

    def escalations_where(self) -> sa.ColumnElement[bool]:
        return sa.or_(Escalation.claim_id.in_(self.claims()),
                      Escalation.account_issue_id.in_(self.account_issues()),
                      Escalation.thread_id.in_(self.threads()))

    def outbound_where(self) -> sa.ColumnElement[bool]:
        return OutboundMessage.thread_id.in_(self.threads())

    def letter_reviews_where(self) -> sa.ColumnElement[bool]:
        return sa.or_(LetterReview.message_id.in_(self.messages()),
                      LetterReview.filed_customer_id.in_(self.customer_ids),
                      LetterReview.chosen_customer_id.in_(self.customer_ids))

    def audit_where(self) -> sa.ColumnElement[bool]:
        """Audit entries about the customer's rows."""
        subjects: list[tuple[str, Any]] = [
            ("customers", list(self.customer_ids)),
            ("threads", self.threads()),
            ("messages", self.messages()),
            ("claims", self.claims()),
            ("account_issues", self.account_issues()),
            ("escalations", sa.select(Escalation.id).where(self.escalations_where())),
            ("letter_reviews", sa.select(LetterReview.id).where(self.letter_reviews_where())),
        ]
        return sa.or_(*(sa.and_(AuditEvent.entity_type == name, AuditEvent.entity_id.in_(ids))
                        for name, ids in subjects))


def scope_of(session: Session, customer_id: int) -> Scope:
    """The customer and everyone merged into them, through any chain of merges."""
    ids = [customer_id]
    frontier = [customer_id]
    while frontier:
        frontier = [i for i in session.scalars(sa.select(Customer.id).where(
            Customer.merged_into_id.in_(frontier))) if i not in ids]
        ids.extend(frontier)
    return Scope(customer_id, tuple(ids))


def identity_values(session: Session, scope: Scope) -> list[str]:
    """The customer's email addresses and phone numbers (normalised)."""
    return list(session.scalars(sa.select(CustomerIdentity.value).where(
        CustomerIdentity.customer_id.in_(scope.customer_ids),
        CustomerIdentity.kind.in_(("email", "phone")))))


def call_and_sms_sids(session: Session, scope: Scope) -> set[str]:
    """Twilio's ids of the customer's calls and texts (a call's child legs
    carry the parent's as ``parent_sid``)."""
    sids: set[str] = set()
    for external_id, extras in session.execute(
            sa.select(Message.external_id, Message.extras).where(
                scope.messages_where(), Message.channel.in_(("call", "sms")))):
        sids.add(external_id)
        if isinstance(extras, dict) and extras.get("call_sid"):
            sids.add(str(extras["call_sid"]))
    return sids


def channel_events_where(sids: set[str]) -> sa.ColumnElement[bool]:
    listed = sorted(sids)
    return sa.or_(ChannelEvent.sid.in_(listed), ChannelEvent.parent_sid.in_(listed))


def failed_intakes_naming(session: Session, values: list[str]) -> Iterator[FailedIntake]:
    """Failed intake (no customer yet) whose input names one of ``values``
    (the customer's addresses and numbers): read in chunks, matched in Python,
    as the input is JSON whose shape depends on the channel."""
    needles = [v.casefold() for v in values if v]
    if not needles:
        return
    last = 0
    while True:
        rows = session.scalars(sa.select(FailedIntake).where(FailedIntake.id > last)
                               .order_by(FailedIntake.id).limit(CHUNK)).all()
        for row in rows:
            text = " ".join((json.dumps(row.inbound or {}, ensure_ascii=False), row.external_id,
                             row.error)).casefold()
            if any(n in text for n in needles):
                yield row
        if len(rows) < CHUNK:
            return
        last = rows[-1].id
