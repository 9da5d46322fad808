"""Message-IDs, threading headers, synthetic ids and dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from channels.email.headers import message_ids
from channels.email.parse import FALLBACK_RECEIVED_AT, parse_email
from tests.unit.email.builders import eml

ABC = ["a@x.example", "b@y.example", "c@z.example"]
BASE = "From: Jane <jane@example.net>\nTo: claims@example.com\nSubject: Claim 42\n"
DATE = "Date: Mon, 02 Mar 2026 10:00:00 +0100\n"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("<abc@example.net>", "abc@example.net"),
        ("<  abc@example.net  >", "abc@example.net"),
        ("abc@example.net", "abc@example.net"),
        ("<abc@example.net> <second@example.net>", "abc@example.net"),
        ("\n <folded@example.net>", "folded@example.net"),
    ],
)
def test_message_id_normalised(header: str, expected: str) -> None:
    inbound = parse_email(eml(BASE + DATE + f"Message-ID: {header}\n", "x"))
    assert inbound.external_id == expected


def test_missing_message_id_gives_a_stable_synthetic_id() -> None:
    raw = eml(BASE + DATE, "Please find my claim.\n")
    first = parse_email(raw)
    assert first.external_id.endswith("@synthetic.invalid")
    assert "no Message-ID; synthetic id" in first.extras["defects"]
    # Same bytes, or the same mail re-delivered with other transport headers
    # and CRLF line endings: the same id.
    assert parse_email(raw).external_id == first.external_id
    redelivered = eml(
        "Received: from mx2.example.com by imap.example.com; Tue, 3 Mar 2026 08:00:00 +0000\n"
        "Delivered-To: claims@example.com\n" + BASE + DATE, "Please find my claim.\n", crlf=True,
    )
    assert parse_email(redelivered).external_id == first.external_id
    # Another body, subject, date or sender: another id.
    others = [
        eml(BASE + DATE, "Please find my other claim.\n"),
        eml(BASE.replace("Claim 42", "Claim 43") + DATE, "Please find my claim.\n"),
        eml(BASE + DATE.replace("10:00:00", "10:00:01"), "Please find my claim.\n"),
        eml(BASE.replace("jane@", "john@") + DATE, "Please find my claim.\n"),
    ]
    ids = {parse_email(raw).external_id for raw in others}
    assert len(ids) == 4
    assert first.external_id not in ids


@pytest.mark.parametrize("header", ["", "<>", "< >"])
def test_empty_message_id_is_synthetic(header: str) -> None:
    inbound = parse_email(eml(BASE + DATE + f"Message-ID: {header}\n", "x"))
    assert inbound.external_id.endswith("@synthetic.invalid")


@pytest.mark.parametrize(
    ("references", "expected"),
    [
        ("<a@x.example> <b@y.example> <c@z.example>", ABC),
        ("<a@x.example>,<b@y.example>, <c@z.example>", ABC),
        ("<a@x.example><b@y.example>", ["a@x.example", "b@y.example"]),
        ("a@x.example b@y.example", ["a@x.example", "b@y.example"]),
        ("a@x.example, <b@y.example> c@z.example", ABC),
        ("<a@x.example>\n\t<b@y.example>\n <c@z.example>", ABC),
        ("<a@x.example> <a@x.example> <b@y.example>", ["a@x.example", "b@y.example"]),
        ("<a@x.\n example>", ["a@x.example"]),
        ("(comment) <a@x.example>", ["a@x.example"]),
        ("", []),
        ("garbage without ids", []),
    ],
)
def test_broken_references(references: str, expected: list[str]) -> None:
    inbound = parse_email(eml(BASE + DATE + f"References: {references}\n", "x"))
    assert inbound.references == expected


@pytest.mark.parametrize(
    ("in_reply_to", "expected"),
    [
        ("<out-1@claims.example.com>", "out-1@claims.example.com"),
        ("out-1@claims.example.com", "out-1@claims.example.com"),
        ("<out-1@claims.example.com> (Claims Team's message of Mon, 2 Mar 2026)",
         "out-1@claims.example.com"),
        ("Your message of Mon, 2 Mar 2026\n <out-1@claims.example.com>",
         "out-1@claims.example.com"),
        ("<out-1@claims.example.com>, <out-0@claims.example.com>", "out-1@claims.example.com"),
        ("", None),
    ],
)
def test_broken_in_reply_to(in_reply_to: str, expected: str | None) -> None:
    inbound = parse_email(eml(BASE + DATE + f"In-Reply-To: {in_reply_to}\n", "x"))
    assert inbound.in_reply_to == expected


def test_threading_order_for_the_core() -> None:
    head = BASE + DATE + "Message-ID: <me@example.net>\nIn-Reply-To: <c@x>\n"
    head += "References: <a@x> <b@x> <c@x> <me@example.net>\n"
    inbound = parse_email(eml(head, "x"))
    assert inbound.references == ["a@x", "b@x", "c@x", "me@example.net"]
    assert inbound.reference_ids() == ["c@x", "b@x", "a@x"]


def test_message_ids_helper_keeps_order() -> None:
    assert message_ids("<3@x> <1@x>, 2@x") == ["3@x", "1@x", "2@x"]
    assert message_ids(None) == []


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("Mon, 02 Mar 2026 10:00:00 +0100", datetime(2026, 3, 2, 9, 0, tzinfo=UTC)),
        ("Mon, 2 Mar 2026 10:00:00 +0100 (CET)", datetime(2026, 3, 2, 9, 0, tzinfo=UTC)),
        ("2 Mar 2026 10:00 GMT", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),
        ("Mon, 02 Mar 26 10:00:00 EST", datetime(2026, 3, 2, 15, 0, tzinfo=UTC)),
        ("Mon,  2 Mar 2026 10:00:00 -0000", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),
        ("Mon, 2 Mar 2026 10:00:00", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),
        ("2026-03-02T10:00:00+01:00", datetime(2026, 3, 2, 9, 0, tzinfo=UTC)),
        ("2026-03-02 10:00:00", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),
    ],
)
def test_dates(date: str, expected: datetime) -> None:
    inbound = parse_email(eml(BASE + f"Date: {date}\n", "x"))
    assert inbound.received_at == expected
    assert inbound.received_at.tzinfo is UTC


@pytest.mark.parametrize(
    "date",
    ["garbage", "Mon, 31 Feb 2026 10:00:00 +0000", "Mon, 02 Mar 1601 10:00:00 +0000",
     "Mon, 02 Mar 2026 25:61:00 +0000", ""],
)
def test_broken_date_falls_back_to_received_then_to_the_fixed_date(date: str) -> None:
    received = "Received: from a by b; Tue, 3 Mar 2026 08:00:00 +0000 (UTC)\n"
    with_received = parse_email(eml(received + BASE + f"Date: {date}\n", "x"))
    assert with_received.received_at == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    bare = parse_email(eml(BASE + f"Date: {date}\n", "x"))
    assert bare.received_at == FALLBACK_RECEIVED_AT
    assert "no usable date; received_at set to 1970-01-01" in bare.extras["defects"]


def test_received_at_argument_wins_and_is_utc() -> None:
    internal = datetime(2026, 3, 2, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    inbound = parse_email(eml(BASE + DATE, "x"), received_at=internal)
    assert inbound.received_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert inbound.received_at.tzinfo is UTC


def test_naive_received_at_argument_is_taken_as_utc() -> None:
    naive = datetime(2026, 3, 2, 12, 0)  # noqa: DTZ001 - the case under test
    inbound = parse_email(eml(BASE + DATE, "x"), received_at=naive)
    assert inbound.received_at == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert "received_at without time zone; UTC assumed" in inbound.extras["defects"]
