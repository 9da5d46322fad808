from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.models import Customer, CustomerIdentity
from inbox import ingest
from inbox.customers import MergeError, merge_customers, undo_merge
from inbox.models import AuditEvent, Message, Thread
from tests import factories as f


def test_merge_moves_everything_and_undo_restores(session: Session, now: datetime) -> None:
    real = f.customer(session, email="anna@example.se", name="Anna")
    pol = f.policy(session, real)
    stray = ingest(session, f.email(sender="anna.work@example.com", subject="Skada",
                                    received_at=now), now)
    assert stray.message is not None
    dup_id = stray.message.customer_id
    assert dup_id != real.id

    merge = merge_customers(session, dup_id, real.id, now, reason="same person")
    assert session.get(Customer, dup_id).merged_into_id == real.id  # type: ignore[union-attr]
    thread = session.get(Thread, stray.message.thread_id)
    assert thread is not None
    assert thread.customer_id == real.id
    assert session.get(Message, stray.message.id).customer_id == real.id  # type: ignore[union-attr]
    owned = set(session.scalars(
        sa.select(CustomerIdentity.value).where(CustomerIdentity.customer_id == real.id)))
    assert owned == {"anna@example.se", "anna.work@example.com"}

    # mail from the merged address now files under the survivor
    later = ingest(session, f.email(sender="anna.work@example.com", subject="Re: Skada",
                                    received_at=now), now)
    assert later.message is not None
    assert later.message.customer_id == real.id

    undo_merge(session, merge.id, now, reason="not the same person after all")
    assert session.get(Customer, dup_id).merged_into_id is None  # type: ignore[union-attr]
    assert session.get(Thread, stray.message.thread_id).customer_id == dup_id  # type: ignore[union-attr]
    assert pol.customer_id == real.id
    actions = session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.action.like("customer.merge%"))).all()
    assert sorted(actions) == ["customer.merge_undone", "customer.merged"]
    with pytest.raises(MergeError, match="already undone"):
        undo_merge(session, merge.id, now)


def test_merge_refuses_nonsense(session: Session, now: datetime) -> None:
    a = f.customer(session, email="a@example.com")
    b = f.customer(session, email="b@example.com")
    with pytest.raises(MergeError):
        merge_customers(session, a.id, a.id, now)
    merge_customers(session, a.id, b.id, now)
    with pytest.raises(MergeError, match="already merged"):
        merge_customers(session, a.id, b.id, now)
    c = f.customer(session, email="c@example.com")
    with pytest.raises(MergeError, match="merge into that one"):
        merge_customers(session, c.id, a.id, now)
