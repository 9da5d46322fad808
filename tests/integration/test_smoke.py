from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from inbox import ingest
from tests import factories as f


def test_first_mail_from_known_customer_opens_a_thread(session: Session, now: datetime) -> None:
    jane = f.customer(session, email="jane@example.com")
    result = ingest(session, f.email(sender="Jane@Example.com", subject="Water damage",
                                     text="Our kitchen flooded last night.", received_at=now), now)
    assert result.created
    assert result.message is not None
    assert result.message.customer_id == jane.id
    assert result.thread is not None
    assert result.thread.needs_reply
    assert result.thread.due_at is not None
