"""Customers, identities, policies, claims and account issues."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db import Base, IdMixin, utcnow

IDENTITY_KINDS = ("email", "phone", "address", "customer_ref")
ACCOUNT_ISSUE_KINDS = ("renewal", "account_change", "complaint", "payment_delay", "other")
CLAIM_STATUSES = (
    "received", "in_review", "info_requested", "approved", "denied",
    "escalated", "paid", "closed",
)
POLICY_STATUSES = ("active", "lapsed", "cancelled", "expired", "pending")
# Channels a customer can be written to on their own initiative.
CONTACT_CHANNELS = ("email", "sms", "letter")
ACCOUNT_ISSUE_STATUSES = ("open", "in_progress", "resolved", "closed")
INFO_REQUEST_STATUSES = ("open", "answered", "cancelled")
MONEY = sa.Numeric(12, 2)


class Customer(IdMixin, Base):
    __tablename__ = "customers"

    ref: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    language: Mapped[str | None] = mapped_column(sa.String(8))
    address: Mapped[str] = mapped_column(sa.Text, default="")
    # How the customer wants to be written to (CONTACT_CHANNELS); None: the
    # channel they last wrote on.
    preferred_channel: Mapped[str | None] = mapped_column(sa.String(16))
    # False for customers created from an unknown sender until a rep confirms them.
    verified: Mapped[bool] = mapped_column(default=False)
    # A service segment (e.g. "vip", "commercial"): an SLA policy condition.
    segment: Mapped[str | None] = mapped_column(sa.String(32))
    # Set when this customer was merged into another; the survivor is the target.
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the customer's personal data was erased on request
    # (inbox.privacy.erase): the row stays, anonymised, for the records kept by law.
    erased_at: Mapped[datetime | None]

    identities: Mapped[list[CustomerIdentity]] = relationship(
        back_populates="customer", order_by="CustomerIdentity.id"
    )
    policies: Mapped[list[Policy]] = relationship(back_populates="customer")

    def __repr__(self) -> str:
        return f"<Customer {self.id} {self.ref or '-'}>"


class CustomerIdentity(IdMixin, Base):
    """One way to recognise a customer. ``value`` is normalized (see identifiers)."""

    __tablename__ = "customer_identities"
    __table_args__ = (
        sa.UniqueConstraint("kind", "value"),
        sa.CheckConstraint(
            "kind IN ('email', 'phone', 'address', 'customer_ref')", name="identity_kind"
        ),
    )

    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    value: Mapped[str] = mapped_column(sa.String(320))
    verified: Mapped[bool] = mapped_column(default=False)
    # Where it came from: "import", "ingest:<channel>", "rep".
    source: Mapped[str] = mapped_column(sa.String(32), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="identities")


class CustomerMerge(IdMixin, Base):
    """A merge of ``source`` into ``target``, with what moved, so it can be undone."""

    __tablename__ = "customer_merges"

    source_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"))
    target_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"))
    moved: Mapped[dict[str, Any]] = mapped_column(default=dict)
    merged_at: Mapped[datetime]
    undone_at: Mapped[datetime | None]


class Policy(IdMixin, Base):
    __tablename__ = "policies"

    number: Mapped[str] = mapped_column(sa.String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    product: Mapped[str] = mapped_column(sa.String(100), default="")
    status: Mapped[str] = mapped_column(sa.String(16), default="active")
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    renewal_date: Mapped[date | None]
    coverage_limit: Mapped[Decimal | None] = mapped_column(MONEY)
    deductible: Mapped[Decimal | None] = mapped_column(MONEY)
    exclusions: Mapped[list[str]] = mapped_column(default=list)

    customer: Mapped[Customer] = relationship(back_populates="policies")
    claims: Mapped[list[Claim]] = relationship(back_populates="policy")


class Claim(IdMixin, Base):
    __tablename__ = "claims"

    number: Mapped[str] = mapped_column(sa.String(64), unique=True)
    policy_id: Mapped[int] = mapped_column(sa.ForeignKey("policies.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="received")
    loss_date: Mapped[date | None]
    amount_claimed: Mapped[Decimal | None] = mapped_column(MONEY)
    # The coded cause of the loss (storm, theft, flood...), checked against
    # the policy's exclusions; None until known.
    cause: Mapped[str | None] = mapped_column(sa.String(64))
    # What was approved for payment; counts against the coverage limit.
    amount_approved: Mapped[Decimal | None] = mapped_column(MONEY)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Claim-level SLA (regulation; computed by inbox.sla): the earliest open
    # target's due time, the policy, when the sweep looks next, and the state.
    due_at: Mapped[datetime | None]
    sla_policy_key: Mapped[str | None] = mapped_column(sa.String(64))
    sla_next_at: Mapped[datetime | None] = mapped_column(index=True)
    sla_state: Mapped[str] = mapped_column(sa.String(16), default="none")

    policy: Mapped[Policy] = relationship(back_populates="claims")

    @property
    def customer_id(self) -> int:
        return self.policy.customer_id


class ClaimEvent(IdMixin, Base):
    """One step of a claim's life (claims.workflow): who did what, when, why,
    and the coverage result it relied on. Never changed afterwards."""

    __tablename__ = "claim_events"
    __table_args__ = (sa.Index("ix_claim_events_claim", "claim_id", "created_at"),)

    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("claims.id"))
    # What happened, and what was asked (an approval above the authority
    # limit is asked as "approve" and happens as "escalate").
    action: Mapped[str] = mapped_column(sa.String(32))
    requested: Mapped[str] = mapped_column(sa.String(32))
    from_status: Mapped[str] = mapped_column(sa.String(16))
    to_status: Mapped[str] = mapped_column(sa.String(16))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    # The policy provision or reason code a denial cites.
    reason_code: Mapped[str] = mapped_column(sa.String(64), default="")
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    coverage: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime]


class AccountIssue(IdMixin, Base):
    __tablename__ = "account_issues"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('renewal', 'account_change', 'complaint', 'payment_delay', 'other')",
            name="account_issue_kind",
        ),
    )

    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    policy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("policies.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The next deadline on it (a complaint's regulatory acknowledgement, then
    # its final response; a payment delay's next chase).
    due_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship()
    policy: Mapped[Policy | None] = relationship()


class AccountIssueEvent(IdMixin, Base):
    """One step of an account issue (claims.account_issues): who, what, when,
    why, and what changed. Never changed afterwards."""

    __tablename__ = "account_issue_events"
    __table_args__ = (sa.Index("ix_account_issue_events_issue", "issue_id", "created_at"),)

    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("account_issues.id"))
    action: Mapped[str] = mapped_column(sa.String(32))
    from_status: Mapped[str] = mapped_column(sa.String(16))
    to_status: Mapped[str] = mapped_column(sa.String(16))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # The fields this step set, as recorded (bank details masked).
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]


class InfoRequest(IdMixin, Base):
    """What a claim is waiting for from the customer (claims.info_requests):
    the items asked for, on which channel, and until when."""

    __tablename__ = "info_requests"
    __table_args__ = (
        sa.Index("ix_info_requests_open", "status", "due_at"),
        sa.CheckConstraint("status IN ('open', 'answered', 'cancelled')",
                           name="info_request_status"),
    )

    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("claims.id"), index=True)
    thread_id: Mapped[int | None] = mapped_column(sa.ForeignKey("threads.id"))
    # Codes from claims.info_requests.DOCUMENTS; free text in ``note``.
    items: Mapped[list[str]] = mapped_column(default=list)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    channel: Mapped[str] = mapped_column(sa.String(16))
    language: Mapped[str] = mapped_column(sa.String(8))
    # The request as sent (an outbound reply on ``channel``).
    outbound_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbound_messages.id"))
    requested_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    created_at: Mapped[datetime]
    # Follow up if nothing came by then.
    due_at: Mapped[datetime]
    chased_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    # The customer's message that answered it.
    answer_message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("messages.id"))
