"""The unified queue: due-first order across channels, filters and saved
views, take-next that never hands one thread to two reps, and the page."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from inbox import ingest
from inbox.database import Database
from inbox.models import Escalation, Thread
from inbox.web import views
from inbox.workspace.queue import QueueFilter, queue_page, take_next, total_is_capped
from tests import factories
from tests.conftest import NOW
from tests.web import signed_in_as

pytestmark = pytest.mark.integration


def threads(session: Session) -> dict[str, int]:
    """Four customers writing on four channels, due one hour apart."""
    made = {}
    for n, (name, inbound) in enumerate([
        ("email", factories.email(sender="a@example.com", subject="Roof", text="Roof gone",
                                  received_at=NOW)),
        ("sms", factories.sms(sender="+447700900001", text="Where is my money?",
                              received_at=NOW + timedelta(hours=1))),
        ("call", factories.call(caller="+447700900002", received_at=NOW + timedelta(hours=2))),
        ("letter", factories.letter(received_at=NOW + timedelta(hours=3), name="Jiří Novák",
                                    text="Dobrý den, posílám fakturu.")),
    ]):
        if name == "email":
            factories.customer(session, email="a@example.com", language="en")
        made[name] = ingest(session, inbound, NOW + timedelta(hours=n)).thread_id
    return made


def test_queue_orders_by_due_time_with_every_channel(session: Session) -> None:
    made = threads(session)
    rows, total = queue_page(session, QueueFilter(), 0, NOW + timedelta(days=2))
    order = [r.thread.id for r in rows if r.thread.id in made.values()]
    assert order == [made[c] for c in ("email", "sms", "call", "letter")]
    by_id = {r.thread.id: r for r in rows}
    assert by_id[made["sms"]].channels == ("sms",)
    assert by_id[made["email"]].overdue
    assert total >= 4
    only_letters, _ = queue_page(session, QueueFilter(channel="letter"), 0, NOW)
    assert [r.thread.id for r in only_letters if r.thread.id in made.values()] == [
        made["letter"]]


def test_saved_views(session: Session) -> None:
    made = threads(session)
    me = factories.user(session, role="supervisor")
    session.get(Thread, made["sms"]).assignee_id = me.id  # type: ignore[union-attr]
    session.add(Escalation(thread_id=made["call"], supervisor_id=me.id, status="open",
                           created_at=NOW, reason="angry caller"))
    session.flush()

    def ids(view: str, now=NOW) -> set[int]:  # type: ignore[no-untyped-def]
        rows, _ = queue_page(session, QueueFilter(view=view), me.id, now)
        return {r.thread.id for r in rows} & set(made.values())

    assert ids("mine") == {made["sms"]}
    assert made["sms"] not in ids("unassigned")
    assert ids("escalated") == {made["call"]}
    assert ids("overdue", NOW) == set()
    assert ids("overdue", NOW + timedelta(days=10)) == set(made.values())
    assert QueueFilter.parse({"view": "bogus", "channel": "fax", "assignee": "x"}) == QueueFilter()


def test_the_total_is_counted_up_to_a_limit_past_the_page(session: Session) -> None:
    made = threads(session)
    session.execute(sa.update(Thread).where(Thread.id.not_in(made.values()))
                    .values(status="closed"))
    assert queue_page(session, QueueFilter(), 0, NOW)[1] == 4
    rows, total = queue_page(session, QueueFilter(), 0, NOW, limit=1, count_limit=2)
    assert [r.thread.id for r in rows] == [made["email"]]
    assert total == 3
    assert total_is_capped(total, 0, 2)
    # From the second page on, the limit counts past the offset.
    _, total = queue_page(session, QueueFilter(), 0, NOW, limit=1, offset=1, count_limit=3)
    assert total == 4
    assert not total_is_capped(total, 1, 3)
    # A filter over messages is counted the same way.
    _, total = queue_page(session, QueueFilter(channel="sms"), 0, NOW, count_limit=2)
    assert total == 1
    assert not total_is_capped(total, 0, 2)


def test_take_next_gives_the_most_urgent_unassigned_thread(session: Session) -> None:
    made = threads(session)
    rep = factories.user(session)
    session.execute(sa.update(Thread).where(Thread.id.not_in(made.values()))
                    .values(assignee_id=rep.id))
    first = take_next(session, rep.id, NOW)
    second = take_next(session, rep.id, NOW)
    assert first is not None
    assert second is not None
    assert (first.id, second.id) == (made["email"], made["sms"])
    assert first.assignee_id == rep.id


def test_two_reps_taking_at_once_never_get_the_same_thread(
        committed_db: Database, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent writers are a PostgreSQL concern; SQLite serialises them")
    with committed_db.transaction() as s:
        s.execute(sa.update(Thread).where(Thread.assignee_id.is_(None))
                  .values(status="closed"))
        for n in range(20):
            factories.customer(s, email=f"c{n}@example.com")
            ingest(s, factories.email(sender=f"c{n}@example.com", subject=f"Q{n}",
                                      received_at=NOW + timedelta(minutes=n)), NOW)
        reps = [factories.user(s).id for _ in range(4)]
    got: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(reps))

    def work(rep: int) -> None:
        barrier.wait()
        for _ in range(5):
            with committed_db.transaction() as s:
                thread = take_next(s, rep, NOW)
                if thread is not None:
                    with lock:
                        got.append(thread.id)

    workers = [threading.Thread(target=work, args=(r,)) for r in reps]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(got) == 20
    assert len(set(got)) == 20


def test_the_queue_page_filters_takes_next_and_polls(app: Flask, committed_db: Database) -> None:
    with committed_db.transaction() as s:
        s.execute(sa.update(Thread).where(Thread.status == "open").values(status="closed"))
        factories.customer(s, email="page@example.com", name="Paula Page")
        made = ingest(s, factories.email(sender="page@example.com", subject="Hail damage",
                                         received_at=NOW), NOW).thread_id
    client = app.test_client()
    signed_in_as(client, committed_db, "rep")
    page = client.get("/?view=unassigned").get_data(as_text=True)
    assert "Hail damage" in page
    assert "Paula Page" in page
    assert 'aria-current="page">Unassigned' in page
    assert "Hail damage" not in client.get("/?channel=letter").get_data(as_text=True)
    rows = client.get("/queue/rows?view=unassigned").get_data(as_text=True)
    assert "<tr data-thread=" in rows
    assert "<html" not in rows
    taken = client.post("/queue/next")
    assert taken.status_code == 303
    assert taken.headers["Location"].endswith(f"/threads/{made}")
    again = client.post("/queue/next", follow_redirects=True)
    assert "the queue is empty" in again.get_data(as_text=True)
    lead = app.test_client()
    signed_in_as(lead, committed_db, "lead")
    assert lead.post("/queue/next").status_code == 403


def test_the_page_shows_a_total_past_the_count_limit_as_a_lower_bound(
        app: Flask, committed_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    with committed_db.transaction() as s:
        s.execute(sa.update(Thread).where(Thread.status == "open").values(status="closed"))
        for n in range(3):
            factories.customer(s, email=f"many{n}@example.com")
            ingest(s, factories.email(sender=f"many{n}@example.com", subject=f"Leak {n}",
                                      received_at=NOW + timedelta(minutes=n)), NOW)
    client = app.test_client()
    signed_in_as(client, committed_db, "rep")
    monkeypatch.setattr(views, "COUNT_LIMIT", 2)
    assert 'id="queue-total">2+ open<' in client.get("/").get_data(as_text=True)
    monkeypatch.setattr(views, "COUNT_LIMIT", 3)
    assert 'id="queue-total">3 open<' in client.get("/").get_data(as_text=True)
