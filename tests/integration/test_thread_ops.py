"""Merging and splitting threads and moving a message between them
(inbox.workspace.thread_ops) on PostgreSQL and SQLite: what moves, the
derived fields of both threads, the audit, and what is refused."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.models import InfoRequest
from db import Base
from inbox import ingest
from inbox.models import (
    AuditEvent,
    Escalation,
    Message,
    Notification,
    OutboundMessage,
    Thread,
)
from inbox.notes import add_note
from inbox.outbound import mark_answered
from inbox.workspace.thread_ops import (
    KEPT_WITH_THREAD,
    THREAD_REFERENCES,
    ThreadOpError,
    merge_threads,
    move_message,
    resolve,
    split_thread,
)
from tests import factories as f

pytestmark = pytest.mark.integration
H = timedelta(hours=1)
DAY = timedelta(hours=24)  # the default first-response time


def _email(session: Session, subject: str, at: datetime, sender: str = "tom@example.com",
           **kw: object) -> tuple[int, int]:
    """(thread id, message id) of a customer email filed at ``at``."""
    result = ingest(session, f.email(sender=sender, subject=subject, text=subject,
                                     received_at=at, **kw), at)  # type: ignore[arg-type]
    assert result.thread_id is not None
    assert result.message_id is not None
    return result.thread_id, result.message_id


def _answer(session: Session, thread_id: int, at: datetime) -> int:
    """Our reply on the thread at ``at``, as a sent reply is recorded."""
    thread = session.get(Thread, thread_id)
    assert thread is not None
    message = Message(thread_id=thread_id, customer_id=thread.customer_id, channel="email",
                      direction="outbound", external_id=f"out-{uuid.uuid4().hex}@insurer.test",
                      received_at=at, text="We are on it.", created_at=at)
    session.add(message)
    session.flush()
    mark_answered(thread, at)
    session.flush()
    return message.id


def _thread(session: Session, thread_id: int) -> Thread:
    session.expire_all()
    thread = session.get(Thread, thread_id)
    assert thread is not None
    return thread


def _audit(session: Session, thread_id: int) -> list[str]:
    return list(session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.entity_type == "threads", AuditEvent.entity_id == thread_id)
        .order_by(AuditEvent.id)))


def test_every_reference_to_a_thread_is_moved_by_a_merge() -> None:
    referencing = {
        table.name for table in Base.metadata.sorted_tables if table.name != "threads"
        for fk in table.foreign_keys if fk.column.table.name == "threads"
    }
    assert referencing == {model.__tablename__
                           for model in (*THREAD_REFERENCES, *KEPT_WITH_THREAD)}


def test_merge_moves_everything_and_recomputes_the_target(session: Session,
                                                          now: datetime) -> None:
    owner = f.customer(session, email="tom@example.com", name="Tom Thumb")
    claim = f.claim(session, f.policy(session, owner))
    rep = f.user(session)
    t0 = now
    a, a_msg = _email(session, f"Broken window {claim.number}", t0)
    b, b_msg = _email(session, "Car scratch", t0 + H)
    b_answer = _answer(session, b, t0 + 2 * H)
    note = add_note(session, _thread(session, a), "called the glazier", t0 + 3 * H,
                    author_id=rep.id)
    pending = OutboundMessage(thread_id=a, channel="email", external_id="p@insurer.test",
                              recipient="tom@example.com", text="draft", created_at=t0)
    escalation = Escalation(thread_id=a, claim_id=claim.id, reason="big", created_at=t0)
    notice = Notification(user_id=rep.id, kind="mention", text="look", thread_id=a,
                          created_at=t0)
    request = InfoRequest(claim_id=claim.id, thread_id=a, channel="email", language="en",
                          created_at=t0, due_at=t0 + 7 * DAY)
    session.add_all([pending, escalation, notice, request])
    session.flush()
    assert _thread(session, a).claim_id == claim.id
    assert _thread(session, b).claim_id is None

    held = merge_threads(session, a, b, t0 + 4 * H, actor_id=rep.id, reason="same matter")

    assert held.id == b
    source, target = _thread(session, a), _thread(session, b)
    assert (source.status, source.merged_into_id, source.needs_reply) == ("closed", b, False)
    assert sorted(m.id for m in target.messages) == sorted([a_msg, b_msg, b_answer, note.id])
    for row in (pending, escalation, notice, request):
        session.refresh(row)
        assert row.thread_id == b
    # A's customer still waits (a merge answers nobody): A's due time holds.
    assert target.needs_reply is True
    assert target.due_at == t0 + DAY
    assert target.last_message_at == t0 + 2 * H
    assert target.last_inbound_at == t0 + H
    assert target.first_response_at == t0 + 2 * H
    assert target.claim_id == claim.id  # B had no claim: it takes A's
    assert target.status == "open"
    assert _audit(session, a)[-1] == "thread.merged"
    assert _audit(session, b)[-1] == "thread.merged_from"
    event = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "thread.merged", AuditEvent.entity_id == a)).one()
    assert (event.actor_id, event.reason, event.data["into_thread_id"]) == (
        rep.id, "same matter", b)
    assert event.data["moved"]["messages"] == 2


def test_earliest_due_wins_and_a_chase_flag_is_carried(session: Session,
                                                      now: datetime) -> None:
    f.customer(session, email="tom@example.com")
    a, _ = _email(session, "First", now)
    b, _ = _email(session, "Second", now + H)
    # B's due time was brought forward (an SLA rule): it stays the earliest.
    _thread(session, b).due_at = now + 2 * H
    session.flush()
    merge_threads(session, a, b, now + 3 * H)
    assert _thread(session, b).due_at == now + 2 * H

    # A thread asking for action without a waiting message (an overdue
    # information request was chased) hands that on too.
    c, _ = _email(session, "Third", now + 4 * H)
    _answer(session, c, now + 5 * H)
    chased = _thread(session, c)
    chased.needs_reply, chased.due_at, chased.status = True, now + 6 * H, "open"
    d, _ = _email(session, "Fourth", now + 7 * H)
    _answer(session, d, now + 8 * H)
    _thread(session, d).status = "closed"
    session.flush()
    merge_threads(session, c, d, now + 9 * H)
    target = _thread(session, d)
    assert (target.needs_reply, target.due_at, target.status) == (True, now + 6 * H, "open")


def test_a_merge_answers_nobody_and_wakes_nobody(session: Session, now: datetime) -> None:
    f.customer(session, email="tom@example.com")
    # A was closed by a rep although its last message is the customer's ("thanks").
    a, _ = _email(session, "Thanks", now)
    closed = _thread(session, a)
    closed.status, closed.needs_reply, closed.due_at = "closed", False, None
    b, _ = _email(session, "Other", now - H)
    _answer(session, b, now - H / 2)
    session.flush()
    merge_threads(session, a, b, now + H)
    target = _thread(session, b)
    assert (target.needs_reply, target.due_at) == (False, None)
    assert target.last_message_at == now


def test_merging_another_customers_thread_is_refused(session: Session, now: datetime) -> None:
    f.customer(session, email="tom@example.com")
    f.customer(session, email="ann@example.com")
    mine, _ = _email(session, "Mine", now)
    theirs, _ = _email(session, "Theirs", now, sender="ann@example.com")
    with pytest.raises(ThreadOpError, match="different customers"):
        merge_threads(session, mine, theirs, now)
    with pytest.raises(ThreadOpError, match="another customer"):
        move_message(session, _thread(session, mine).messages[0].id, theirs, now)
    assert _thread(session, mine).merged_into_id is None
    assert len(_thread(session, theirs).messages) == 1
    with pytest.raises(ThreadOpError, match="does not exist"):
        merge_threads(session, mine, 10**9, now)


def test_merge_chains_are_followed_and_cannot_loop(session: Session, now: datetime) -> None:
    f.customer(session, email="tom@example.com")
    a, _ = _email(session, "One", now)
    b, _ = _email(session, "Two", now + H)
    c, _ = _email(session, "Three", now + 2 * H)
    merge_threads(session, a, b, now + 3 * H)
    # Into A means into the thread A went to.
    assert merge_threads(session, c, a, now + 4 * H).id == b
    assert _thread(session, c).merged_into_id == b
    assert resolve(session, _thread(session, a)).id == b
    with pytest.raises(ThreadOpError, match="into itself"):
        merge_threads(session, b, a, now + 5 * H)
    d, _ = _email(session, "Four", now + 6 * H)
    with pytest.raises(ThreadOpError, match="already merged"):
        merge_threads(session, a, d, now + 7 * H)
    # Merged again into the same thread: nothing to move, nothing recorded.
    events = len(_audit(session, b))
    assert merge_threads(session, a, b, now + 8 * H).id == b
    assert len(_audit(session, b)) == events


def test_a_message_that_reached_a_merged_thread_is_swept_by_merging_again(
        session: Session, now: datetime) -> None:
    f.customer(session, email="tom@example.com")
    a, _ = _email(session, "One", now)
    b, _ = _email(session, "Two", now + H)
    merge_threads(session, a, b, now + 2 * H)
    late = Message(thread_id=a, customer_id=_thread(session, a).customer_id, channel="sms",
                   direction="inbound", external_id="SMlate", received_at=now + 3 * H,
                   text="and another thing", created_at=now + 3 * H)
    session.add(late)
    session.flush()
    merge_threads(session, a, b, now + 4 * H)
    assert late.id in {m.id for m in _thread(session, b).messages}
    assert _thread(session, b).last_message_at == now + 3 * H
    assert _audit(session, b)[-1] == "thread.merged_from"


def test_later_mail_threads_into_the_merge_target(session: Session, now: datetime) -> None:
    f.customer(session, email="tom@example.com")
    a, _a_msg = _email(session, "Window", now, message_id="window-1@mail.test")
    b, _ = _email(session, "Roof", now + H)
    merge_threads(session, a, b, now + 2 * H)
    # A reply to A's message follows its message to B; A is never chosen again.
    reply, _ = _email(session, "Re: Window", now + 3 * H, in_reply_to="window-1@mail.test")
    assert reply == b
    # Without references, A's subject no longer finds A (closed, but recent).
    fresh, _ = _email(session, "Window", now + 4 * H)
    assert fresh != a
    assert _thread(session, a).messages == []
    assert _thread(session, a).status == "closed"


def test_split_moves_the_chosen_messages_to_a_new_thread(session: Session,
                                                         now: datetime) -> None:
    f.customer(session, email="tom@example.com")
    t, first = _email(session, "Claim for the window", now)
    answer = _answer(session, t, now + H)
    _, second = _email(session, "Re: Claim for the window", now + 2 * H)
    assert _thread(session, t).due_at == now + 2 * H + DAY

    new = split_thread(session, t, [second], "Re: New car insurance", now + 3 * H,
                       actor_id=None)

    source, made = _thread(session, t), _thread(session, new.id)
    assert [m.id for m in made.messages] == [second]
    assert [m.id for m in source.messages] == [first, answer]
    assert (made.subject, made.subject_key) == ("New car insurance", "new car insurance")
    assert made.customer_id == source.customer_id
    assert (made.needs_reply, made.due_at, made.status) == (True, now + 2 * H + DAY, "open")
    assert (made.last_message_at, made.last_inbound_at, made.first_response_at) == (
        now + 2 * H, now + 2 * H, None)
    assert (source.needs_reply, source.due_at) == (False, None)
    assert (source.last_message_at, source.last_inbound_at) == (now + H, now)
    assert source.first_response_at == now + H
    assert _audit(session, t)[-1] == "thread.split"
    assert _audit(session, new.id)[-1] == "thread.split_from"


def test_split_refuses_what_makes_no_sense(session: Session, now: datetime) -> None:
    f.customer(session, email="tom@example.com")
    t, first = _email(session, "One", now)
    other, stranger = _email(session, "Two", now)
    with pytest.raises(ThreadOpError, match="merge the thread instead"):
        split_thread(session, t, [first], "All of it", now)
    with pytest.raises(ThreadOpError, match="not in thread"):
        split_thread(session, t, [stranger], "Not mine", now)
    with pytest.raises(ThreadOpError, match="needs a subject"):
        split_thread(session, t, [first], "  Re:  ", now)
    with pytest.raises(ThreadOpError, match="choose the messages"):
        split_thread(session, t, [], "Nothing", now)
    assert [m.id for m in _thread(session, t).messages] == [first]
    assert [m.id for m in _thread(session, other).messages] == [stranger]


def test_move_a_call_that_landed_in_the_wrong_thread(session: Session, now: datetime) -> None:
    f.customer(session, email="tom@example.com", phone="+447700900123")
    x, x_first = _email(session, "Window", now)
    _answer(session, x, now + H)
    y, _ = _email(session, "Roof", now + 2 * H)
    # A call without subject joins the latest open thread (Roof)...
    call = ingest(session, f.call(caller="+447700900123", received_at=now + 3 * H,
                                  text="Call about the window."), now + 3 * H)
    assert call.thread_id == y
    assert call.message_id is not None
    assert _thread(session, y).due_at == now + 2 * H + DAY

    # ... but it is about the window.
    held = move_message(session, call.message_id, x, now + 4 * H, actor_id=None)

    assert held.id == x
    target, source = _thread(session, x), _thread(session, y)
    assert call.message_id in {m.id for m in target.messages}
    assert call.message_id not in {m.id for m in source.messages}
    # The caller waits for an answer in X now; Roof's own wait is unchanged.
    assert (target.needs_reply, target.due_at) == (True, now + 3 * H + DAY)
    assert (target.last_message_at, target.last_inbound_at) == (now + 3 * H, now + 3 * H)
    assert (source.needs_reply, source.due_at) == (True, now + 2 * H + DAY)
    assert (source.last_message_at, source.last_inbound_at) == (now + 2 * H, now + 2 * H)
    assert _audit(session, y)[-1] == "thread.message_moved_out"
    assert _audit(session, x)[-1] == "thread.message_moved_in"

    with pytest.raises(ThreadOpError, match="already"):
        move_message(session, call.message_id, x, now)
    _, lone = _email(session, "Lonely", now + 5 * H)
    with pytest.raises(ThreadOpError, match="merge the thread instead"):
        move_message(session, lone, x, now)
    assert x_first in {m.id for m in _thread(session, x).messages}


def test_moving_the_waiting_message_moves_the_due_time(session: Session,
                                                       now: datetime) -> None:
    f.customer(session, email="tom@example.com")
    x, _ = _email(session, "Window", now)
    _answer(session, x, now + H)
    y, y_first = _email(session, "Roof", now + 2 * H)
    _answer(session, y, now + 3 * H)
    _, waiting = _email(session, "Re: Roof", now + 4 * H)
    _thread(session, y).due_at = now + 5 * H  # tightened
    session.flush()
    move_message(session, waiting, x, now + 6 * H)
    assert (_thread(session, x).needs_reply, _thread(session, x).due_at) == (True, now + 5 * H)
    assert (_thread(session, y).needs_reply, _thread(session, y).due_at) == (False, None)
    assert y_first in {m.id for m in _thread(session, y).messages}
