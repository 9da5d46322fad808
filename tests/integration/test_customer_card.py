"""The customer card beside a thread (inbox.workspace.card): what it holds,
and that it costs the same few queries whatever the customer has."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.models import Customer
from inbox import ingest
from inbox.workspace.card import customer_card
from inbox.workspace.thread_ops import merge_threads
from tests import factories as f

pytestmark = pytest.mark.integration


@contextmanager
def counting(session: Session) -> Iterator[list[str]]:
    """The SQL statements the session runs inside the block."""
    statements: list[str] = []
    connection = session.connection()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(connection, "before_cursor_execute", count)


def _customer_with(session: Session, now: datetime, n: int, email: str) -> tuple[int, int]:
    """A customer with ``n`` policies, two claims on each and ``n + 1``
    threads; returns (customer id, the first thread's id)."""
    owner = f.customer(session, email=email, phone=f"+4477009001{n:02d}",
                       address=f"{n} High Street, Leeds", name=f"Owner {n}")
    for i in range(n):
        policy = f.policy(session, owner, product=f"home-{i}",
                          start_date=date(2025, 1, 1) + timedelta(days=i))
        f.claim(session, policy)
        f.claim(session, policy)
    first = None
    for i in range(n + 1):
        result = ingest(session, f.email(sender=email, subject=f"Matter {i}",
                                         received_at=now + timedelta(hours=i)), now)
        first = first or result.thread_id
    assert first is not None
    return owner.id, first


def test_the_card_shows_the_customer_their_book_and_other_threads(
        session: Session, now: datetime) -> None:
    owner = f.customer(session, email="Card@Example.com", phone="+447700900555",
                       address="7 Card Lane, York", name="Cora Card")
    policy = f.policy(session, owner, product="motor", status="active",
                      start_date=date(2025, 5, 1), end_date=date(2026, 4, 30))
    claim = f.claim(session, policy, status="in_review")
    here = ingest(session, f.email(sender="card@example.com", subject="Here",
                                   received_at=now), now).thread_id
    other = ingest(session, f.email(sender="card@example.com",
                                    subject=f"About {claim.number}",
                                    received_at=now + timedelta(hours=1)), now).thread_id
    gone = ingest(session, f.email(sender="card@example.com", subject="Gone",
                                   received_at=now + timedelta(hours=2)), now).thread_id
    assert here
    assert other
    assert gone
    merge_threads(session, gone, other, now)
    session.expire_all()

    card = customer_card(session, owner.id, exclude_thread_id=here)

    assert card is not None
    assert (card.name, card.customer_id, card.verified) == ("Cora Card", owner.id, True)
    assert card.identities == {"email": ["card@example.com"], "phone": ["+447700900555"],
                               "address": [card.identities["address"][0]]}
    assert "card lane" in card.identities["address"][0].lower()
    assert [(p.number, p.product, p.status, p.start_date, p.end_date)
            for p in card.policies] == [
        (policy.number, "motor", "active", date(2025, 5, 1), date(2026, 4, 30))]
    assert [(c.number, c.status, c.policy_number) for c in card.claims] == [
        (claim.number, "in_review", policy.number)]
    # The current thread and the merged one are not listed.
    assert [(t.id, t.claim_number) for t in card.threads] == [(other, claim.number)]
    assert card.thread_count == 1
    assert customer_card(session, 10**9) is None


def test_the_card_costs_a_fixed_number_of_queries(session: Session, now: datetime) -> None:
    small, small_thread = _customer_with(session, now, 1, "small@example.com")
    big, big_thread = _customer_with(session, now, 6, "big@example.com")

    counts = []
    for customer_id, thread_id, threads in ((small, small_thread, 1), (big, big_thread, 6)):
        session.expire_all()
        session.expunge_all()  # nothing cached: every row comes from the database
        with counting(session) as statements:
            card = customer_card(session, customer_id, exclude_thread_id=thread_id)
        assert card is not None
        assert len(card.threads) == threads
        assert len(card.claims) == 2 * (threads if customer_id == big else 1)
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 5, counts

    # Beyond the page of threads the card says how many there are.
    session.expire_all()
    card = customer_card(session, big, limit=3)
    assert card is not None
    assert (len(card.threads), card.thread_count) == (3, 7)
    assert session.get(Customer, big) is not None
