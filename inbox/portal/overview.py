"""What a signed-in customer may see: their own threads (only what was
written to or by them: never internal notes, never a rep's call notes or a
message's channel data) and their claims in plain words, with what is still
missing and the next step's date.

Everything is looked up by the customer's id: a thread, message or file of
another customer is "not found", the same answer as one that does not exist.
Texts are keys of the portal's catalogs (:mod:`inbox.portal.i18n`); the
templates translate them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from claims.info_requests import DOCUMENTS
from claims.models import Claim, InfoRequest, Policy
from inbox.models import Attachment, Message, Thread
from inbox.portal.i18n import N_

VISIBLE_DIRECTIONS = ("inbound", "outbound")
# Claim status -> what it means for the customer (catalog keys).
STATUS_TEXT = {
    "received": N_("We have received your claim."),
    "in_review": N_("We are checking your claim."),
    "info_requested": N_("We need something from you to go on with your claim."),
    "approved": N_("Your claim has been approved."),
    "denied": N_("Your claim has been declined."),
    "escalated": N_("A senior colleague is reviewing your claim."),
    "paid": N_("Your claim has been paid."),
    "closed": N_("Your claim is closed."),
}
STATUS_LABEL = {
    "received": N_("Received"), "in_review": N_("Being checked"),
    "info_requested": N_("Waiting for you"), "approved": N_("Approved"),
    "denied": N_("Declined"), "escalated": N_("With a senior colleague"),
    "paid": N_("Paid"), "closed": N_("Closed"),
}
# Claim status -> the next step (catalog keys; %(date)s is the due date).
NEXT_STEP = {
    "received": N_("We will decide on your claim by %(date)s."),
    "in_review": N_("We will decide on your claim by %(date)s."),
    "escalated": N_("We will decide on your claim by %(date)s."),
    "info_requested": N_("Please send us what is missing by %(date)s."),
    "approved": N_("We will pay the approved amount to you."),
    "denied": N_("Our letter explains why. If you disagree, write to us here."),
}
NEXT_STEP_UNDATED = N_("We will be in touch with you.")


CHANNEL_NAMES = {"email": N_("Email"), "call": N_("Phone call"), "sms": N_("SMS"),
                 "letter": N_("Letter"), "portal": N_("Customer portal")}


@dataclass
class Missing:
    code: str  # a DOCUMENTS code, or "" for the rep's note alone
    description: str  # catalog key (DOCUMENTS' English text)
    due_at: datetime


@dataclass
class ClaimView:
    id: int
    number: str
    status: str
    label: str
    explanation: str
    policy_number: str
    product: str
    loss_date: object
    amount_claimed: Decimal | None
    amount_approved: Decimal | None
    next_step: str | None
    next_due: datetime | None
    missing: list[Missing] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what else the rep asked for
    thread_id: int | None = None


@dataclass
class ThreadRow:
    id: int
    subject: str
    status: str
    claim_number: str | None
    last_at: datetime | None
    channels: list[str]


@dataclass
class FileView:
    id: int
    filename: str
    size: int
    content_type: str


@dataclass
class MessageView:
    id: int
    ours: bool  # written by us (the company); else by the customer
    channel: str
    at: datetime
    subject: str
    text: str
    files: list[FileView]


def claims_of(session: Session, customer_id: int) -> list[ClaimView]:
    claims = session.scalars(
        sa.select(Claim).join(Policy).where(Policy.customer_id == customer_id)
        .options(selectinload(Claim.policy)).order_by(Claim.created_at.desc(), Claim.id.desc())
    ).all()
    if not claims:
        return []
    ids = [c.id for c in claims]
    requests = session.scalars(
        sa.select(InfoRequest).where(InfoRequest.claim_id.in_(ids),
                                     InfoRequest.status == "open")
        .order_by(InfoRequest.due_at)).all()
    threads = dict(session.execute(
        sa.select(Thread.claim_id, sa.func.max(Thread.id))
        .where(Thread.claim_id.in_(ids), Thread.customer_id == customer_id,
               Thread.merged_into_id.is_(None))
        .group_by(Thread.claim_id)).all())
    views = []
    for claim in claims:
        open_requests = [r for r in requests if r.claim_id == claim.id]
        missing = [Missing(code, DOCUMENTS[code], r.due_at)
                   for r in open_requests for code in r.items if code in DOCUMENTS]
        notes = [r.note for r in open_requests if r.note]
        status = claim.status
        if status == "info_requested" and open_requests:
            due: datetime | None = open_requests[0].due_at
        elif status in ("received", "in_review", "escalated"):
            due = claim.due_at
        else:
            due = None
        step = NEXT_STEP.get(status)
        if step is not None and "%(date)s" in step and due is None:
            step = NEXT_STEP_UNDATED
        views.append(ClaimView(
            id=claim.id, number=claim.number, status=status,
            label=STATUS_LABEL.get(status, status),
            explanation=STATUS_TEXT.get(status, ""), policy_number=claim.policy.number,
            product=claim.policy.product, loss_date=claim.loss_date,
            amount_claimed=claim.amount_claimed, amount_approved=claim.amount_approved,
            next_step=step, next_due=due, missing=missing, notes=notes,
            thread_id=threads.get(claim.id)))
    return views


def threads_of(session: Session, customer_id: int) -> list[ThreadRow]:
    rows = session.execute(
        sa.select(Thread, Claim.number)
        .outerjoin(Claim, Thread.claim_id == Claim.id)
        .where(Thread.customer_id == customer_id, Thread.merged_into_id.is_(None),
               sa.exists().where(Message.thread_id == Thread.id,
                                 Message.direction.in_(VISIBLE_DIRECTIONS)))
        .order_by(Thread.last_message_at.desc().nulls_last(), Thread.id.desc())
        .limit(200)).all()
    channels: dict[int, list[str]] = {}
    if rows:
        for thread_id, channel in session.execute(
                sa.select(Message.thread_id, Message.channel).distinct()
                .where(Message.thread_id.in_([t.id for t, _ in rows]),
                       Message.direction.in_(VISIBLE_DIRECTIONS))):
            channels.setdefault(thread_id, []).append(channel)
    return [ThreadRow(t.id, t.subject, "closed" if t.status == "closed" else "open", number,
                      t.last_message_at, sorted(channels.get(t.id, [])))
            for t, number in rows]


def own_thread(session: Session, customer_id: int, thread_id: int) -> Thread | None:
    thread = session.get(Thread, thread_id)
    if thread is None or thread.customer_id != customer_id or thread.merged_into_id is not None:
        return None
    return thread


def messages_of(session: Session, thread: Thread) -> list[MessageView]:
    messages = session.scalars(
        sa.select(Message).where(Message.thread_id == thread.id,
                                 Message.direction.in_(VISIBLE_DIRECTIONS),
                                 Message.channel != "note")
        .options(selectinload(Message.attachments))
        .order_by(Message.received_at, Message.id)).all()
    return [MessageView(
        id=m.id, ours=m.direction == "outbound", channel=m.channel, at=m.received_at,
        subject=m.subject,
        # A call's text is the rep's summary or a transcript: not shown.
        text="" if m.channel == "call" else m.text,
        files=[FileView(a.id, a.filename, a.size, a.content_type)
               for a in m.attachments if not a.inline and a.removed_at is None])
        for m in messages]


def own_attachment(session: Session, customer_id: int, attachment_id: int) -> Attachment | None:
    """A file of a message the customer may see, or None."""
    return session.scalars(
        sa.select(Attachment).join(Message, Attachment.message_id == Message.id)
        .join(Thread, Message.thread_id == Thread.id)
        .where(Attachment.id == attachment_id, Thread.customer_id == customer_id,
               Attachment.removed_at.is_(None),
               Thread.merged_into_id.is_(None),
               Message.direction.in_(VISIBLE_DIRECTIONS), Message.channel != "note")
    ).first()


def latest_reference(session: Session, thread: Thread) -> str | None:
    """The external id of the thread's latest message: a portal answer names it,
    so threading files the answer in this thread."""
    return session.scalar(
        sa.select(Message.external_id).where(Message.thread_id == thread.id,
                                             Message.direction.in_(VISIBLE_DIRECTIONS))
        .order_by(Message.received_at.desc(), Message.id.desc()).limit(1))


def claim_of_customer(session: Session, customer_id: int, number: str) -> Claim | None:
    return session.scalars(sa.select(Claim).join(Policy).where(
        Claim.number == number, Policy.customer_id == customer_id)).first()
