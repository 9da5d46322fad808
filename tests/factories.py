"""Factories for test data: the book of business and inbound messages."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from channels.base import Inbound, InboundAttachment, SenderIdentity
from claims.identifiers import normalize_identity
from claims.models import Claim, Customer, CustomerIdentity, Policy
from inbox.models import User

_seq = itertools.count(1)


def customer(
    session: Session,
    *,
    name: str = "Jane Doe",
    email: str | None = None,
    phone: str | None = None,
    address: str | None = None,
    ref: str | None = None,
    language: str | None = "en",
    region: str = "GB",
) -> Customer:
    n = next(_seq)
    found = Customer(
        ref=ref or f"C{n:06d}", name=name, language=language, address=address or "",
        verified=True,
    )
    session.add(found)
    session.flush()
    for kind, value in (("email", email), ("phone", phone), ("address", address)):
        if value:
            normalized = normalize_identity(kind, value, region)
            assert normalized, f"bad test {kind}: {value}"
            session.add(CustomerIdentity(
                customer_id=found.id, kind=kind, value=normalized, verified=True, source="test",
            ))
    session.flush()
    return found


def policy(session: Session, owner: Customer, number: str | None = None, **kw: Any) -> Policy:
    n = next(_seq)
    found = Policy(
        number=number or f"POL-{n:06d}", customer_id=owner.id, product=kw.pop("product", "home"),
        status=kw.pop("status", "active"), start_date=kw.pop("start_date", date(2025, 1, 1)),
        end_date=kw.pop("end_date", date(2026, 12, 31)),
        coverage_limit=kw.pop("coverage_limit", Decimal("50000")),
        deductible=kw.pop("deductible", Decimal("250")), **kw,
    )
    session.add(found)
    session.flush()
    return found


def claim(session: Session, on: Policy, number: str | None = None, **kw: Any) -> Claim:
    n = next(_seq)
    found = Claim(
        number=number or f"CLM-2026-{n:06d}", policy_id=on.id,
        status=kw.pop("status", "received"), loss_date=kw.pop("loss_date", date(2026, 2, 1)),
        amount_claimed=kw.pop("amount_claimed", Decimal("1200")), **kw,
    )
    session.add(found)
    session.flush()
    return found


def user(session: Session, *, role: str = "rep", email: str | None = None, **kw: Any) -> User:
    n = next(_seq)
    found = User(email=email or f"user{n}@insurer.test", name=kw.pop("name", f"User {n}"),
                 role=role, **kw)
    session.add(found)
    session.flush()
    return found


def email(
    *,
    sender: str,
    subject: str = "",
    text: str = "",
    received_at: datetime,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    headers: dict[str, str] | None = None,
    name: str = "",
    attachments: list[InboundAttachment] | None = None,
    raw: bytes | None = None,
) -> Inbound:
    return Inbound(
        channel="email",
        external_id=message_id or f"msg{next(_seq)}@mail.test",
        received_at=received_at,
        sender=[SenderIdentity("email", sender)],
        sender_name=name,
        subject=subject,
        text=text,
        in_reply_to=in_reply_to,
        references=references or [],
        headers=headers or {},
        attachments=attachments or [],
        raw=raw,
    )


def call(*, caller: str, received_at: datetime, text: str = "", sid: str | None = None,
         **extras: Any) -> Inbound:
    return Inbound(
        channel="call", external_id=sid or f"CA{next(_seq):032d}", received_at=received_at,
        sender=[SenderIdentity("phone", caller)], text=text, extras=extras,
    )


def sms(*, sender: str, received_at: datetime, text: str, sid: str | None = None) -> Inbound:
    return Inbound(
        channel="sms", external_id=sid or f"SM{next(_seq):032d}", received_at=received_at,
        sender=[SenderIdentity("phone", sender)], text=text,
    )


def letter(*, received_at: datetime, text: str, name: str = "", address: str = "",
           subject: str = "", scan_id: str | None = None) -> Inbound:
    sender = [SenderIdentity("address", address)] if address else []
    return Inbound(
        channel="letter", external_id=scan_id or f"{next(_seq):064x}", received_at=received_at,
        sender=sender, sender_name=name, subject=subject, text=text,
    )


def later(base: datetime, **delta: float) -> datetime:
    return base + timedelta(**delta)
