"""Threading: each rule, and the cases where it must not join."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from inbox import ingest
from tests import factories as f


def filed(session: Session, inbound, now: datetime):  # type: ignore[no-untyped-def]
    result = ingest(session, inbound, now)
    assert result.message is not None, result.failed and result.failed.error
    return result


def test_references_join_even_when_in_reply_to_is_unknown(session: Session, now: datetime) -> None:
    f.customer(session, email="jane@example.com")
    first = filed(session, f.email(sender="jane@example.com", subject="Water damage",
                                   message_id="m1@jane", received_at=now), now)
    reply = filed(session, f.email(
        sender="jane@example.com", subject="Something else entirely", message_id="m3@jane",
        in_reply_to="unknown@elsewhere", references=["m1@jane", "unknown@elsewhere"],
        received_at=now + timedelta(hours=1)), now)
    assert reply.rule == "references"
    assert reply.message.thread_id == first.message.thread_id


def test_in_reply_to_preferred_over_older_references(session: Session, now: datetime) -> None:
    f.customer(session, email="jane@example.com")
    a = filed(session, f.email(sender="jane@example.com", subject="A", message_id="a@x",
                               received_at=now), now)
    b = filed(session, f.email(sender="jane@example.com", subject="B", message_id="b@x",
                               received_at=now), now)
    assert a.message.thread_id != b.message.thread_id
    reply = filed(session, f.email(sender="jane@example.com", subject="Re: A",
                                   in_reply_to="b@x", references=["a@x"], received_at=now), now)
    assert reply.message.thread_id == b.message.thread_id


def test_references_never_join_another_customers_thread(session: Session, now: datetime) -> None:
    f.customer(session, email="a@example.com")
    f.customer(session, email="b@example.com")
    a = filed(session, f.email(sender="a@example.com", subject="Mine", message_id="a1@x",
                               received_at=now), now)
    b = filed(session, f.email(sender="b@example.com", subject="Re: Mine", in_reply_to="a1@x",
                               references=["a1@x"], received_at=now), now)
    assert b.message.thread_id != a.message.thread_id
    assert b.message.customer_id != a.message.customer_id


def test_claim_number_joins_the_open_claim_thread_across_channels(
    session: Session, now: datetime
) -> None:
    c = f.customer(session, email="jan@example.cz", phone="+420602123456",
                   address="Národní 10, 110 00 Praha 1")
    claim = f.claim(session, f.policy(session, c))
    mail = filed(session, f.email(sender="jan@example.cz", subject=f"Škoda {claim.number}",
                                  received_at=now), now)
    call = filed(session, f.call(caller="+420602123456", received_at=now + timedelta(days=3),
                                 text=f"Volám kvůli pojistné události {claim.number}."), now)
    letter = filed(session, f.letter(received_at=now + timedelta(days=5),
                                     address="Národní 10\n110 00 Praha 1",
                                     text=f"Věc: {claim.number}\nPosílám fakturu."), now)
    assert call.rule == "claim"
    assert letter.rule == "claim"
    assert {call.message.thread_id, letter.message.thread_id} == {mail.message.thread_id}
    assert mail.thread.claim_id == claim.id


def test_closed_claim_thread_is_not_joined_by_claim_rule(session: Session, now: datetime) -> None:
    c = f.customer(session, email="jan@example.cz")
    claim = f.claim(session, f.policy(session, c))
    first = filed(session, f.email(sender="jan@example.cz", subject="Škoda",
                                   text=claim.number, received_at=now), now)
    first.thread.status = "closed"
    session.flush()
    second = filed(session, f.email(sender="jan@example.cz", subject="Jiná věc",
                                    text=claim.number, received_at=now + timedelta(days=1)), now)
    assert second.message.thread_id != first.message.thread_id


def test_same_subject_within_window_joins(session: Session, now: datetime) -> None:
    f.customer(session, email="hans@example.de")
    first = filed(session, f.email(sender="hans@example.de", subject="Wasserschaden Küche",
                                   received_at=now), now)
    second = filed(session, f.email(sender="hans@example.de", subject="AW: WG: Wasserschaden Küche",
                                    received_at=now + timedelta(days=29)), now)
    assert second.rule == "subject"
    assert second.message.thread_id == first.message.thread_id


def test_same_subject_after_window_opens_new_thread(session: Session, now: datetime) -> None:
    f.customer(session, email="hans@example.de")
    first = filed(session, f.email(sender="hans@example.de", subject="Frage",
                                   received_at=now), now)
    later = filed(session, f.email(sender="hans@example.de", subject="Re: Frage",
                                   received_at=now + timedelta(days=31)), now)
    assert later.rule == "new"
    assert later.message.thread_id != first.message.thread_id


def test_same_subject_from_other_customer_never_joins(session: Session, now: datetime) -> None:
    f.customer(session, email="a@example.com")
    f.customer(session, email="b@example.com")
    a = filed(session, f.email(sender="a@example.com", subject="Claim", received_at=now), now)
    b = filed(session, f.email(sender="b@example.com", subject="Claim", received_at=now), now)
    assert a.message.thread_id != b.message.thread_id


def test_same_subject_about_different_claims_does_not_join(session: Session, now: datetime) -> None:
    c = f.customer(session, email="a@example.com")
    pol = f.policy(session, c)
    c1, c2 = f.claim(session, pol), f.claim(session, pol)
    one = filed(session, f.email(sender="a@example.com", subject="My claim", text=c1.number,
                                 received_at=now), now)
    two = filed(session, f.email(sender="a@example.com", subject="My claim", text=c2.number,
                                 received_at=now), now)
    assert one.message.thread_id != two.message.thread_id


def test_subjectless_sms_joins_recent_open_thread(session: Session, now: datetime) -> None:
    f.customer(session, email="s@example.se", phone="+46701234567")
    mail = filed(session, f.email(sender="s@example.se", subject="Skada", received_at=now), now)
    sms = filed(session, f.sms(sender="+46701234567", text="Har ni fått mina bilder?",
                               received_at=now + timedelta(days=2)), now)
    assert sms.rule == "recent"
    assert sms.message.thread_id == mail.message.thread_id
    old = filed(session, f.sms(sender="+46701234567", text="Hej igen, en ny fråga",
                               received_at=now + timedelta(days=20)), now)
    assert old.rule == "new"


def test_unknown_senders_with_same_subject_stay_apart(session: Session, now: datetime) -> None:
    a = filed(session, f.email(sender="x@example.com", subject="Help", received_at=now), now)
    b = filed(session, f.email(sender="y@example.com", subject="Help", received_at=now), now)
    assert a.message.thread_id != b.message.thread_id
