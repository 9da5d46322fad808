"""Linking threads to claims and account issues; automatic mail."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.models import AccountIssue
from inbox import ingest
from tests import factories as f
from tests.unit.test_classify import CASES


def test_thread_is_linked_to_the_named_claim(session: Session, now: datetime) -> None:
    c = f.customer(session, email="a@example.com")
    pol = f.policy(session, c)
    claim = f.claim(session, pol)
    result = ingest(
        session,
        f.email(sender="a@example.com", subject=f"Claim {claim.number}", received_at=now),
        now,
    )
    assert result.thread is not None
    assert result.thread.claim_id == claim.id
    assert result.thread.policy_id == pol.id
    assert result.thread.issue_type == "claim"


def test_claim_named_later_links_existing_thread(session: Session, now: datetime) -> None:
    c = f.customer(session, email="a@example.com")
    claim = f.claim(session, f.policy(session, c))
    first = ingest(
        session, f.email(sender="a@example.com", subject="Storm damage", received_at=now), now
    )
    assert first.thread is not None
    assert first.thread.claim_id is None
    ingest(
        session,
        f.email(
            sender="a@example.com",
            subject="Re: Storm damage",
            text=f"The number is {claim.number}",
            received_at=now,
        ),
        now,
    )
    assert first.thread.claim_id == claim.id


@pytest.mark.parametrize(
    ("kind", "lang", "text"),
    [(kind, lang, text) for kind, by_lang in CASES.items() for lang, text in by_lang.items()],
)
def test_account_issue_opened_in_each_language(
    session: Session, now: datetime, kind: str, lang: str, text: str
) -> None:
    c = f.customer(session, email="a@example.com")
    result = ingest(
        session, f.email(sender="a@example.com", subject="", text=text, received_at=now), now
    )
    assert result.thread is not None
    assert result.thread.issue_type == kind
    issue = session.get(AccountIssue, result.thread.account_issue_id)
    assert issue is not None
    assert (issue.kind, issue.customer_id, issue.status) == (kind, c.id, "open")
    assert result.message is not None
    assert result.message.language == lang


def test_plain_message_is_not_classified(session: Session, now: datetime) -> None:
    f.customer(session, email="a@example.com")
    result = ingest(
        session,
        f.email(
            sender="a@example.com",
            subject="Photos",
            text="Here are the photos you asked for.",
            received_at=now,
        ),
        now,
    )
    assert result.thread is not None
    assert result.thread.issue_type is None
    assert session.scalar(sa.select(sa.func.count()).select_from(AccountIssue)) == 0


def test_auto_reply_never_opens_a_thread_asking_for_reply(session: Session, now: datetime) -> None:
    f.customer(session, email="a@example.com")
    result = ingest(
        session,
        f.email(
            sender="a@example.com",
            subject="Automatic reply: Claim",
            headers={"auto-submitted": "auto-replied"},
            text="I am out of the office until Monday.",
            received_at=now,
        ),
        now,
    )
    assert result.message is not None
    assert result.message.auto
    assert result.thread is not None
    assert result.thread.status == "closed"
    assert not result.thread.needs_reply
    assert result.thread.due_at is None


def test_bounce_in_existing_thread_does_not_ask_for_reply(session: Session, now: datetime) -> None:
    f.customer(session, email="a@example.com")
    first = ingest(
        session,
        f.email(sender="a@example.com", subject="Question", message_id="q@a", received_at=now),
        now,
    )
    assert first.thread is not None
    first.thread.needs_reply = False
    first.thread.due_at = None
    session.flush()
    bounce = ingest(
        session,
        f.email(
            sender="a@example.com",
            subject="Undeliverable: Re: Question",
            in_reply_to="q@a",
            headers={"content-type": "multipart/report; report-type=delivery-status"},
            received_at=now + timedelta(hours=1),
        ),
        now,
    )
    assert bounce.message is not None
    assert bounce.message.auto
    assert bounce.message.thread_id == first.thread.id
    assert not first.thread.needs_reply
    assert first.thread.due_at is None


def test_customer_reply_reopens_a_closed_thread(session: Session, now: datetime) -> None:
    f.customer(session, email="a@example.com")
    first = ingest(
        session,
        f.email(sender="a@example.com", subject="Question", message_id="q@a", received_at=now),
        now,
    )
    assert first.thread is not None
    first.thread.status, first.thread.needs_reply = "closed", False
    session.flush()
    ingest(
        session,
        f.email(
            sender="a@example.com",
            subject="Re: Question",
            in_reply_to="q@a",
            received_at=now + timedelta(days=2),
        ),
        now,
    )
    assert first.thread.status == "open"
    assert first.thread.needs_reply
    assert first.thread.due_at == now + timedelta(days=2, hours=24)


def test_complaint_about_a_claim_opens_a_complaint_too(session: Session, now: datetime) -> None:
    c = f.customer(session, email="a@example.com")
    claim = f.claim(session, f.policy(session, c))
    result = ingest(session, f.email(
        sender="a@example.com", subject=f"Your decision on {claim.number}",
        text="I want to complain about your decision. This is unacceptable.", received_at=now,
    ), now)
    thread = result.thread
    assert thread is not None
    assert thread.claim_id == claim.id
    assert thread.issue_type == "complaint"
    issue = session.get(AccountIssue, thread.account_issue_id)
    assert issue is not None
    assert issue.kind == "complaint"
    assert issue.details == {"claim_id": claim.id}


def test_late_claim_payment_stays_with_the_claim(session: Session, now: datetime) -> None:
    c = f.customer(session, email="a@example.com")
    claim = f.claim(session, f.policy(session, c))
    result = ingest(session, f.email(
        sender="a@example.com", subject=claim.number,
        text="The payment has not been received yet.", received_at=now,
    ), now)
    assert result.thread is not None
    assert result.thread.issue_type == "claim"
    assert result.thread.account_issue_id is None
