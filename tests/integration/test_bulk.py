"""inbox.bulk: ids from the sequences and COPY on PostgreSQL, the
ordinary inserts elsewhere; either way the same rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.models import Customer
from inbox.bulk import allocate_ids, assign_ids, copy_rows, insert_rows, table_of
from inbox.models import AuditEvent


def test_assign_ids_follows_the_order_objects_were_added(session: Session) -> None:
    customers = [Customer(name=f"C{i}", verified=False) for i in range(5)]
    for customer in customers:
        session.add(customer)
    assign_ids(session)
    ids = [c.id for c in customers]
    if session.get_bind().dialect.name == "postgresql":
        assert ids == sorted(ids)
        assert len(set(ids)) == 5
    else:
        assert ids == [None] * 5  # SQLite: the insert makes them
    session.flush()
    stored = session.scalars(sa.select(Customer.name).order_by(Customer.id)
                             .where(Customer.id.in_([c.id for c in customers]))).all()
    assert stored == [f"C{i}" for i in range(5)]


def test_copy_rows_stores_what_an_insert_would(session: Session) -> None:
    at = datetime(2026, 5, 1, 10, 30, tzinfo=timezone(timedelta(hours=2)))
    rows = [
        {"at": at, "actor_id": None, "entity_type": "thread", "entity_id": 7,
         "action": "thread.opened", "reason": "tab\there, new\nline, back\\slash",
         "data": {"ids": [1, 2], "text": "Στις \u00e9 \"quoted\"", "none": None}},
        # Keys left out take the column default ("reason" "", "data" {}).
        {"at": at, "actor_id": None, "entity_type": "thread", "entity_id": 8,
         "action": "thread.reopened"},
    ]
    table = table_of(AuditEvent)
    if not copy_rows(session, table, rows):
        assert session.get_bind().dialect.name == "sqlite"
        return
    stored = session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_id.in_([7, 8]))
                             .order_by(AuditEvent.entity_id)).all()
    assert [e.at for e in stored] == [at.astimezone(UTC)] * 2
    assert stored[0].reason == rows[0]["reason"]
    assert stored[0].data == rows[0]["data"]
    assert (stored[1].reason, stored[1].data) == ("", {})
    assert all(e.id is not None for e in stored)  # the server's serial


def test_insert_rows_on_either_database(session: Session) -> None:
    at = datetime(2026, 5, 1, 10, 30, tzinfo=UTC)
    rows = [{"at": at, "actor_id": None, "entity_type": "thread", "entity_id": 900 + i,
             "action": "thread.opened", "reason": f"r{i}", "data": {"i": i}} for i in range(3)]
    insert_rows(session, table_of(AuditEvent), rows)
    insert_rows(session, table_of(AuditEvent), [])  # nothing: no statement
    stored = session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_id >= 900)
                             .order_by(AuditEvent.entity_id)).all()
    assert [(e.entity_id, e.reason, e.data) for e in stored] == [
        (900 + i, f"r{i}", {"i": i}) for i in range(3)]


def test_allocate_ids_only_on_postgresql(session: Session) -> None:
    ids = allocate_ids(session, table_of(AuditEvent), 3)
    if session.get_bind().dialect.name == "postgresql":
        assert ids is not None
        assert len(ids) == 3
        assert ids == sorted(ids)
        assert allocate_ids(session, table_of(AuditEvent), 0) == []
    else:
        assert ids is None


def test_a_duplicate_key_raises_what_an_insert_would(session: Session) -> None:
    at = datetime(2026, 5, 1, tzinfo=UTC)
    row = {"at": at, "entity_type": "thread", "entity_id": 9, "action": "x"}
    table = table_of(AuditEvent)
    ids = allocate_ids(session, table, 1)
    if ids is None:
        return  # SQLite: copy_rows is not used
    copy_rows(session, table, [{**row, "id": ids[0]}])
    with pytest.raises(sa.exc.IntegrityError), session.begin_nested():
        copy_rows(session, table, [{**row, "id": ids[0]}])
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                          .where(AuditEvent.id == ids[0])) == 1
