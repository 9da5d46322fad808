"""Thread export: :mod:`inbox.export` against the rolled-back ``session``, and
``inbox export threads`` through its own engine (committed, cleaned up after)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from inbox import export, ingest
from inbox.intake.config import IngestConfig
from inbox.intake.core import CONFIG_KEY
from inbox.models import Message, Thread
from tests import factories as f
from tests.conftest import Invoke

THREAD_KEYS = ["id", "customer", "status", "claim", "issue_type", "messages"]
CUSTOMER_KEYS = ["id", "ref", "name"]
MESSAGE_KEYS = [
    "id", "channel", "direction", "external_id", "received_at", "subject", "text", "language",
    "auto",
]


def make_threads(session: Session, now: datetime) -> tuple[Thread, Thread]:
    """Jane writes about her claim (two messages and our reply); Bob about nothing."""
    jane = f.customer(session, name="Jane Doe", email="jane@example.com", ref="K1")
    claim = f.claim(session, f.policy(session, jane, number="POL-000001"),
                    number="CLM-2026-000001")
    first = ingest(session, f.email(
        sender="jane@example.com", subject="My claim CLM-2026-000001", message_id="m1@mail.test",
        text="The water damage is getting worse, please send someone soon.",
        received_at=now - timedelta(hours=2)), now)
    assert first.thread is not None
    assert first.thread.claim_id == claim.id
    # Filed after the customer's follow-up, but sent before it.
    session.add(Message(
        thread_id=first.thread.id, customer_id=jane.id, channel="email", direction="outbound",
        external_id="reply1@insurer.test", subject="Re: My claim CLM-2026-000001",
        text="We are on it.", received_at=now - timedelta(hours=1), created_at=now,
    ))
    second = ingest(session, f.email(
        sender="jane@example.com", subject="Re: My claim CLM-2026-000001",
        message_id="m2@mail.test", in_reply_to="m1@mail.test",
        text="Thank you, the plumber can come on Tuesday morning.", received_at=now), now)
    assert second.thread is first.thread
    bob = f.customer(session, name="Bob Roe", email="bob@example.com", ref="K2")
    other = ingest(session, f.sms(sender="+442079460018", received_at=now - timedelta(days=3),
                                  text="Hello, who is this?"), now)
    assert other.thread is not None
    assert other.thread.customer_id != bob.id  # an unknown sender: a new customer
    session.flush()
    return first.thread, other.thread


def test_thread_format_is_exactly_as_documented(session: Session, now: datetime) -> None:
    jane_thread, sms_thread = make_threads(session, now)
    items = {item["id"]: item for item in export.threads(session)}

    jane = items[jane_thread.id]
    assert list(jane) == THREAD_KEYS
    assert list(jane["customer"]) == CUSTOMER_KEYS
    assert jane["customer"] == {"id": jane_thread.customer_id, "ref": "K1", "name": "Jane Doe"}
    assert (jane["status"], jane["claim"], jane["issue_type"]) == (
        "open", "CLM-2026-000001", "claim")
    assert [list(m) for m in jane["messages"]] == [MESSAGE_KEYS] * 3
    assert [(m["external_id"], m["direction"]) for m in jane["messages"]] == [
        ("m1@mail.test", "inbound"), ("reply1@insurer.test", "outbound"),
        ("m2@mail.test", "inbound"),
    ]
    first = jane["messages"][0]
    assert first["channel"] == "email"
    assert first["received_at"] == "2026-03-02T07:00:00Z"
    assert datetime.fromisoformat(first["received_at"]) == now - timedelta(hours=2)
    assert first["subject"] == "My claim CLM-2026-000001"
    assert first["text"].startswith("The water damage")
    assert first["language"] == "en"
    assert first["auto"] is False
    assert isinstance(first["id"], int)

    sms = items[sms_thread.id]
    assert sms["claim"] is None
    assert sms["issue_type"] is None
    assert sms["customer"]["ref"] is None
    assert [m["channel"] for m in sms["messages"]] == ["sms"]
    # Every value survives JSON as it is.
    assert json.loads(json.dumps(list(items.values()))) == list(items.values())


def test_threads_come_in_id_order_across_chunks(session: Session, now: datetime) -> None:
    made = [*make_threads(session, now)]
    for n in range(3):
        result = ingest(session, f.email(sender=f"person{n}@example.com", subject=f"Hello {n}",
                                         received_at=now + timedelta(minutes=n)), now)
        assert result.thread is not None
        made.append(result.thread)
    everything = list(export.threads(session))
    ids = [item["id"] for item in everything]
    assert ids == sorted(ids)
    assert {t.id for t in made} <= set(ids)
    for size in (1, 2, len(ids)):
        assert list(export.threads(session, chunk_size=size)) == everything


def test_filters_by_status_and_time(session: Session, now: datetime) -> None:
    jane_thread, sms_thread = make_threads(session, now)
    sms_thread.status = "closed"
    session.flush()
    assert [t["id"] for t in export.threads(session, statuses=["closed"])] == [sms_thread.id]
    assert sms_thread.id not in {t["id"] for t in export.threads(session, statuses=["open"])}
    recent = [t["id"] for t in export.threads(session, since=now - timedelta(days=1))]
    assert recent == [jane_thread.id]
    with pytest.raises(ValueError, match="timezone-aware"):
        next(export.threads(session, since=datetime(2026, 1, 1)))  # noqa: DTZ001


def test_one_chunk_loads_messages_with_one_query(session: Session, now: datetime) -> None:
    make_threads(session, now)
    session.expire_all()
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    connection = session.connection()
    sa.event.listen(connection, "before_cursor_execute", count)
    try:
        items = list(export.threads(session))
    finally:
        sa.event.remove(connection, "before_cursor_execute", count)
    assert len(items) >= 2
    # threads (with customer and claim joined) + their messages; a short
    # chunk ends the stream without another query.
    assert len(statements) == 2, statements


# The command: inbox export threads


def test_cli_writes_one_json_object_a_line(
    invoke: Invoke, engine: sa.Engine, ingest_config: IngestConfig, now: datetime
) -> None:
    with Session(engine, info={CONFIG_KEY: ingest_config}, expire_on_commit=False) as setup:
        jane_thread, sms_thread = make_threads(setup, now)
        setup.commit()

    result = invoke("export", "threads")
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert result.stdout_bytes.endswith(b"\n")
    lines = result.stdout_bytes.decode("utf-8").splitlines()
    items = [json.loads(line) for line in lines]
    assert [item["id"] for item in items] == [jane_thread.id, sms_thread.id]
    for item in items:
        assert list(item) == THREAD_KEYS
        assert list(item["customer"]) == CUSTOMER_KEYS
        assert all(list(m) == MESSAGE_KEYS for m in item["messages"])
    assert items[0]["claim"] == "CLM-2026-000001"
    assert items[1]["claim"] is None
    assert [m["received_at"] for m in items[0]["messages"]] == [
        "2026-03-02T07:00:00Z", "2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z"]

    result = invoke("export", "threads", "--status", "closed", "--status", "pending")
    assert (result.exit_code, result.stdout) == (0, "")
    result = invoke("export", "threads", "--since", "2026-03-01")
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [jane_thread.id]
    result = invoke("export", "threads", "--since", "2026-03-02T07:30:00+01:00")
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [jane_thread.id]
    result = invoke("export", "threads", "--since", "yesterday")
    assert result.exit_code == 2
    assert "'yesterday' is not a date" in result.stderr


def test_cli_export_is_a_group(invoke: Invoke) -> None:
    result = invoke("export", "--help")
    assert result.exit_code == 0
    assert "threads" in result.stdout


def test_export_text_is_utf8_not_escaped(
    invoke: Invoke, engine: sa.Engine, ingest_config: IngestConfig, now: datetime
) -> None:
    with Session(engine, info={CONFIG_KEY: ingest_config}) as setup:
        f.customer(setup, name="Ελένη Παπαδοπούλου", email="eleni@example.gr", ref="K3")
        ingest(setup, f.email(sender="eleni@example.gr", subject="Ζημιά από νερό",
                              text="Καλημέρα σας, έχω ζημιά από νερό στην κουζίνα.",
                              received_at=now.astimezone(UTC)), now)
        setup.commit()
    result = invoke("export", "threads")
    assert result.exit_code == 0
    assert "Ελένη Παπαδοπούλου".encode() in result.stdout_bytes
    (item,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert item["customer"]["name"] == "Ελένη Παπαδοπούλου"
    assert item["messages"][0]["subject"] == "Ζημιά από νερό"
