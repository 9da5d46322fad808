"""Who sent it: each identity rule, and the cases where it must not match."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.models import Customer, CustomerIdentity
from inbox import ingest
from inbox.models import AuditEvent
from tests import factories as f


def identities_of(session: Session, customer_id: int) -> set[tuple[str, str]]:
    return {
        (i.kind, i.value)
        for i in session.scalars(
            sa.select(CustomerIdentity).where(CustomerIdentity.customer_id == customer_id)
        )
    }


def test_matched_by_email_case_insensitively(session: Session, now: datetime) -> None:
    jane = f.customer(session, email="jane@example.com")
    result = ingest(session, f.email(sender="JANE@EXAMPLE.COM", subject="Hi", received_at=now), now)
    assert result.message is not None
    assert result.message.customer_id == jane.id
    assert result.message.extras["identified_by"] == "email"


def test_matched_by_phone_in_any_format(session: Session, now: datetime) -> None:
    jan = f.customer(session, name="Jan Novák", phone="+420 602 123 456")
    result = ingest(session, f.call(caller="+420602123456", received_at=now), now)
    assert result.message is not None
    assert result.message.customer_id == jan.id
    result = ingest(
        session, f.sms(sender="00420 602 123 456", received_at=now, text="Dobrý den"), now
    )
    assert result.message is not None
    assert result.message.customer_id == jan.id


def test_matched_by_postal_address(session: Session, now: datetime) -> None:
    anna = f.customer(session, name="Anna Svensson", address="Storgatan 12, 111 22 Stockholm")
    letter = f.letter(
        received_at=now,
        name="Anna Svensson",
        address="STORGATAN 12\n111 22 STOCKHOLM",
        text="Hej, jag skriver angående...",
    )
    result = ingest(session, letter, now)
    assert result.message is not None
    assert result.message.customer_id == anna.id


def test_claim_number_identifies_unknown_address_and_adds_it(
    session: Session, now: datetime
) -> None:
    owner = f.customer(session, email="owner@example.com")
    claim = f.claim(session, f.policy(session, owner))
    result = ingest(
        session,
        f.email(sender="spouse@example.org", subject=f"About {claim.number}", received_at=now),
        now,
    )
    assert result.message is not None
    assert result.message.customer_id == owner.id
    assert result.message.extras["identified_by"] == "claim"
    assert ("email", "spouse@example.org") in identities_of(session, owner.id)
    added = session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "identity.added")
    ).all()
    assert [e.entity_id for e in added] == [owner.id]
    new_identity = session.scalars(
        sa.select(CustomerIdentity).where(CustomerIdentity.value == "spouse@example.org")
    ).one()
    assert not new_identity.verified
    assert new_identity.source == "ingest:email"


def test_claim_in_book_wins_over_policy_number(session: Session, now: datetime) -> None:
    a = f.customer(session, email="a@example.com")
    b = f.customer(session, email="b@example.com")
    pol_a = f.policy(session, a)
    claim_b = f.claim(session, f.policy(session, b))
    text = f"Policy {pol_a.number}, claim {claim_b.number}"
    result = ingest(
        session, f.email(sender="new@example.net", subject="x", text=text, received_at=now), now
    )
    assert result.message is not None
    assert result.message.customer_id == b.id


def test_policy_number_identifies_when_no_claim_matches(session: Session, now: datetime) -> None:
    a = f.customer(session, email="a@example.com")
    pol = f.policy(session, a)
    text = f"My policy is {pol.number} and claim CLM-1999-999999 (not in the book)"
    result = ingest(session, f.email(sender="other@example.net", text=text, received_at=now), now)
    assert result.message is not None
    assert result.message.customer_id == a.id
    assert result.message.extras["identified_by"] == "policy"


def test_sender_match_wins_over_numbers_of_another_customer(
    session: Session, now: datetime
) -> None:
    a = f.customer(session, email="a@example.com")
    b = f.customer(session, email="b@example.com")
    claim_b = f.claim(session, f.policy(session, b))
    result = ingest(
        session,
        f.email(sender="a@example.com", subject=f"Re {claim_b.number}", received_at=now),
        now,
    )
    assert result.message is not None
    assert result.message.customer_id == a.id
    assert result.thread is not None
    assert result.thread.claim_id is None  # somebody else's claim is never linked
    assert result.message.extras["foreign_numbers"] == [claim_b.number]


def test_unknown_sender_becomes_unverified_customer(session: Session, now: datetime) -> None:
    before = session.scalar(sa.select(sa.func.count()).select_from(Customer))
    result = ingest(
        session,
        f.email(
            sender="stranger@example.com", name="Max Mustermann", subject="Frage", received_at=now
        ),
        now,
    )
    assert result.message is not None
    customer = session.get(Customer, result.message.customer_id)
    assert customer is not None
    assert not customer.verified
    assert customer.name == "Max Mustermann"
    assert identities_of(session, customer.id) == {("email", "stranger@example.com")}
    assert session.scalar(sa.select(sa.func.count()).select_from(Customer)) == before + 1
    # the same stranger again is the same customer
    again = ingest(
        session,
        f.email(sender="stranger@example.com", subject="Noch eine Frage", received_at=now),
        now,
    )
    assert again.message is not None
    assert again.message.customer_id == customer.id


def test_name_alone_never_identifies(session: Session, now: datetime) -> None:
    f.customer(session, name="Maria Papadopoulou", email="maria@example.gr")
    letter = f.letter(received_at=now, name="Maria Papadopoulou", text="Καλημέρα")
    result = ingest(session, letter, now)
    assert result.message is not None
    customer = session.get(Customer, result.message.customer_id)
    assert customer is not None
    assert not customer.verified
