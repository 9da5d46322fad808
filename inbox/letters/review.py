"""The "needs a human" list for letters, and what a rep's choice does.

A letter goes on the list when the scan could not say with confidence who
wrote it:

* nobody in the book matched (a new, unverified customer was made);
* the customer was found only through a number read with OCR corrections;
* a number on it belongs to another customer;
* the OCR confidence of a page is below ``review_min_confidence``.

The rep picks the customer. The letter's thread moves to that customer (a
customer made only for this letter is merged into the chosen one, which can
be undone), and the letter's sender identities (postal address, email, phone)
become verified identities of the chosen customer, so the next letter from
that address is filed without asking. Everything is audited.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from channels.base import SenderIdentity
from claims.identifiers import normalize_identity
from claims.models import Customer, CustomerIdentity, Policy
from inbox import audit
from inbox.customers import merge_customers, surviving
from inbox.intake.lookup import KIND_PRIORITY
from inbox.models import LetterReview, Message, Thread
from inbox.sla.track import record_pending, track


class ReviewError(ValueError):
    """The choice cannot be applied; the message says why."""


def review_reasons(message: Message, *, min_confidence: float) -> list[str]:
    extras = message.extras or {}
    letter = extras.get("letter") or {}
    reasons: list[str] = []
    how = extras.get("identified_by")
    if how == "new":
        reasons.append("no customer in the book matches the sender")
    confirmed = letter.get("numbers_confirmed") or {}
    fuzzy = set(confirmed.get("claim", [])) | set(confirmed.get("policy", []))
    exact_in_book = letter.get("numbers_exact_in_book") or []
    if (how in ("claim", "policy") and fuzzy and not exact_in_book
            and not _same_name(letter.get("sender_name", ""), message.customer_id, message)):
        reasons.append("found only through a number read with OCR corrections: "
                       + ", ".join(sorted(fuzzy)))
    if extras.get("foreign_numbers"):
        reasons.append("names a number of another customer: "
                       + ", ".join(extras["foreign_numbers"]))
    confidence = (extras.get("ocr") or {}).get("confidence")
    if confidence is not None and confidence < min_confidence:
        reasons.append(f"poor scan: OCR confidence {confidence:g}%")
    return reasons


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def _same_name(read: str, customer_id: int | None, message: Message) -> bool:
    """The name on the letter is the customer's: a corrected number plus the
    right name is as good as an exact number."""
    customer = message.customer if customer_id is not None else None
    return bool(read and customer is not None and _fold(read) == _fold(customer.name or ""))


def open_review_if_needed(session: Session, message_id: int, now: datetime, *,
                          min_confidence: float) -> LetterReview | None:
    message = session.get(Message, message_id)
    if message is None:
        return None
    reasons = review_reasons(message, min_confidence=min_confidence)
    if not reasons:
        return None
    review = LetterReview(message_id=message.id, reasons=reasons, status="open",
                          filed_customer_id=message.customer_id, created_at=now)
    session.add(review)
    session.flush()
    audit.record(session, review, "letter.review_opened", now, reason="; ".join(reasons),
                 message_id=message.id)
    return review


def open_reviews(session: Session, limit: int = 100) -> list[LetterReview]:
    return list(session.scalars(
        sa.select(LetterReview).where(LetterReview.status == "open")
        .options(selectinload(LetterReview.message))
        .order_by(LetterReview.created_at, LetterReview.id).limit(limit)
    ))


def resolve_review(session: Session, review_id: int, customer_id: int, now: datetime, *,
                   actor_id: int | None = None) -> LetterReview:
    review = session.get(LetterReview, review_id)
    if review is None:
        raise ReviewError(f"no letter review {review_id}")
    if review.status != "open":
        raise ReviewError(f"letter review {review_id} is already {review.status}")
    chosen = session.get(Customer, customer_id)
    if chosen is None:
        raise ReviewError(f"no customer {customer_id}")
    chosen, _ = surviving(session, chosen)
    message = review.message
    filed = session.get(Customer, message.customer_id)
    if filed is not None and filed.id != chosen.id:
        if _made_for(session, filed, message):
            merge_customers(session, filed.id, chosen.id, now, actor_id=actor_id,
                            reason=f"letter review {review.id}: the rep chose this customer")
        else:
            _move_thread(session, message, chosen, now, actor_id)
    session.refresh(message)
    _remember(session, message, chosen, now, actor_id)
    review.status = "resolved"
    review.chosen_customer_id = chosen.id
    review.resolved_by_id = actor_id
    review.resolved_at = now
    session.flush()
    audit.record(session, review, "letter.review_resolved", now, actor_id=actor_id,
                 customer_id=chosen.id, filed_customer_id=review.filed_customer_id)
    return review


def _made_for(session: Session, customer: Customer, message: Message) -> bool:
    """The customer is an unverified one with nothing but this letter's thread."""
    if customer.verified:
        return False
    others = session.scalar(sa.select(sa.func.count()).select_from(Message).where(
        Message.customer_id == customer.id, Message.id != message.id))
    policies = session.scalar(sa.select(sa.func.count()).select_from(Policy).where(
        Policy.customer_id == customer.id))
    return not others and not policies


def _move_thread(session: Session, message: Message, chosen: Customer, now: datetime,
                 actor_id: int | None) -> None:
    thread = session.get(Thread, message.thread_id)
    assert thread is not None
    alone = session.scalar(sa.select(sa.func.count()).select_from(Message).where(
        Message.thread_id == thread.id, Message.id != message.id)) == 0
    if not alone:
        # The letter leaves the other customer's thread for one of its own.
        thread = Thread(customer_id=chosen.id, subject=thread.subject,
                        subject_key=thread.subject_key, status="open", priority="normal",
                        needs_reply=message.direction == "inbound", language=message.language,
                        last_message_at=message.received_at,
                        last_inbound_at=message.received_at, due_at=thread.due_at,
                        created_at=now, origin_channel=message.channel,
                        sla_started_at=message.received_at,
                        sla_waiting_since=message.received_at)
        session.add(thread)
        track(thread, now)  # its own SLA clocks, from the letter (inbox.sla)
        session.flush()
        record_pending(session)
        message.thread_id = thread.id
    old_customer = message.customer_id
    thread.customer_id = chosen.id
    message.customer_id = chosen.id
    session.flush()
    audit.record(session, thread, "thread.customer_changed", now, actor_id=actor_id,
                 reason="letter review", from_customer_id=old_customer, to_customer_id=chosen.id,
                 message_id=message.id)


def _remember(session: Session, message: Message, chosen: Customer, now: datetime,
              actor_id: int | None) -> None:
    """The letter's sender identities become verified identities of ``chosen``
    (moved from whoever held them: the rep said whose they are)."""
    letter = (message.extras or {}).get("letter") or {}
    identities: list[SenderIdentity] = []
    if letter.get("address"):
        identities.append(SenderIdentity("address", ", ".join(letter["address"])))
    region = "GB"
    from inbox.intake.core import CONFIG_KEY

    cfg = session.info.get(CONFIG_KEY)
    if cfg is not None:
        region = cfg.default_region
    for identity in identities:
        if identity.kind not in KIND_PRIORITY:
            continue
        value = normalize_identity(identity.kind, identity.value, region)
        if not value:
            continue
        held = session.scalars(sa.select(CustomerIdentity).where(
            CustomerIdentity.kind == identity.kind, CustomerIdentity.value == value)).first()
        if held is None:
            held = CustomerIdentity(customer_id=chosen.id, kind=identity.kind, value=value,
                                    verified=True, source="letter-review", created_at=now)
            session.add(held)
            session.flush()
            audit.record(session, chosen, "identity.added", now, actor_id=actor_id,
                         reason="chosen in a letter review", identity_kind=identity.kind,
                         identity_id=held.id)
        elif held.customer_id != chosen.id or not held.verified:
            previous = held.customer_id
            held.customer_id, held.verified = chosen.id, True
            session.flush()
            audit.record(session, chosen, "identity.confirmed", now, actor_id=actor_id,
                         reason="chosen in a letter review", identity_kind=identity.kind,
                         identity_id=held.id, from_customer_id=previous)
