"""``inbox export customer``: everything about one customer, from every
channel, and nothing about anyone else; files copied out; the export audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from inbox.database import Database
from inbox.models import AuditEvent, User
from tests.conftest import Invoke
from tests.integration.privacy import world as w

pytestmark = pytest.mark.integration


def _lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_export_holds_every_channel_and_nobody_else(
        committed_db: Database, invoke: Invoke, tmp_path: Path) -> None:
    world = w.build(committed_db, datetime.now(UTC))
    with committed_db.transaction() as s:
        s.add(User(email="dpo@insurer.test", name="Data Protection", role="admin"))
    files = tmp_path / "files"
    result = invoke("export", "customer", w.EMAIL.upper(), "--files", str(files),
                    "--actor", "dpo@insurer.test")
    assert result.exit_code == 0, result.output
    records = _lines(result.stdout)
    kinds = [r["record"] for r in records]
    assert kinds[0] == "export"
    assert kinds[-1] == "summary"
    assert records[0]["customer_id"] == world.customer
    for kind in ("customer", "identity", "policy", "claim", "account_issue", "thread",
                 "message", "outbound", "portal_sign_in", "portal_session", "channel_event",
                 "failed_intake", "audit"):
        assert kind in kinds, kind
    assert records[-1]["counts"]["message"] == kinds.count("message")

    messages = {m["id"]: m for m in records if m["record"] == "message"}
    assert {m["channel"] for m in messages.values()} >= {
        "email", "sms", "call", "letter", "portal", "note"}
    texts = " ".join(m["text"] for m in messages.values())
    for body in (w.EMAIL_BODY, w.SMS_BODY, w.CALL_TEXT, w.LETTER_TEXT, w.PORTAL_TEXT,
                 w.NOTE_TEXT, w.REPLY_TEXT):
        assert body in texts, body
    note = messages[world.messages["note"]]
    assert (note["note"], note["by_staff"], note["author"]) == (True, True, "Rita Rep")
    assert messages[world.messages["sms"]]["by_staff"] is False
    mail = messages[world.messages["mail"]]
    assert ["X-Mailer", "Aubusson-Mail 3.1"] in mail["headers"]
    assert mail["raw_file"] == world.shas["raw"]
    assert {a["filename"]: a["file"] for a in mail["attachments"]} == {
        "claim-form.pdf": world.shas["shared"], "invoice.pdf": world.shas["hers"]}
    call = messages[world.messages["call"]]
    assert call["call"]["duration"] == "1:05"
    assert call["attachments"][0]["content_type"] == "audio/mpeg"
    assert (files / world.shas["audio"]).read_bytes() == w.AUDIO
    assert (files / world.shas["hers"]).read_bytes() == w.HER_FILE
    assert (files / world.shas["raw"]).read_bytes().startswith(b"From: " + w.EMAIL.encode())

    claim = next(r for r in records if r["record"] == "claim")
    assert (claim["number"], claim["description"]) == (world.claim_number, w.CLAIM_TEXT)
    assert claim["decisions"][0]["reason"] == w.DECISION_TEXT
    assert claim["amount_approved"] == "900.00"
    assert claim["info_requests"][0]["items"] == ["invoice"]
    sign_in = next(r for r in records if r["record"] == "portal_sign_in")
    assert "contact_hash" not in sign_in
    assert "salt" not in sign_in

    everything = result.stdout
    assert "Bob Roe" not in everything
    assert w.BOB_TEXT not in everything
    assert "bob.roe@example.net" not in everything
    assert str(world.threads["bob"]) not in {str(r.get("thread_id")) for r in records}

    with committed_db.transaction() as s:
        event = s.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "customer.exported",
            AuditEvent.entity_id == world.customer)).one()
        user_id = s.scalar(sa.select(User.id).where(User.email == "dpo@insurer.test"))
        assert event.actor_id == user_id
        assert event.data["complete"] is True
        assert event.data["records"] == len(records) - 1  # the summary is not counted
        assert event.data["files"] == records[-1]["files"] >= 4
        assert w.NAME not in json.dumps(event.data)


def test_the_customer_is_found_by_claim_phone_or_id(committed_db: Database,
                                                    invoke: Invoke) -> None:
    world = w.build(committed_db, datetime.now(UTC))
    for given in (world.claim_number.lower(), "07700 900555", str(world.customer)):
        result = invoke("export", "customer", given)
        assert result.exit_code == 0, (given, result.output)
        assert _lines(result.stdout)[0]["customer_id"] == world.customer, given
    missing = invoke("export", "customer", "nobody@example.org")
    assert missing.exit_code == 1
    assert "no customer matches 'nobody@example.org'" in missing.output
    with committed_db.transaction() as s:
        actors = s.scalars(sa.select(AuditEvent.data).where(
            AuditEvent.action == "customer.exported",
            AuditEvent.entity_id == world.customer)).all()
    assert len(actors) == 3
    assert all(a["actor"].startswith("os:") for a in actors)  # no --actor: the OS user
