"""Canned responses on a real database: the row in the customer's language
(falling back to English, then any), placeholders filled from the thread
(missing documents named in the customer's language), `inbox canned import`
with bad rows, the demo's seed, the management pages and their permissions,
and the composer's picker (JSON, and the page without JavaScript)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from claims.models import InfoRequest
from inbox.database import Database
from inbox.models import AuditEvent, CannedResponse, Thread
from inbox.workspace.canned import CannedNotFound, Entry, render_for_thread, save
from tests import factories
from tests.conftest import Invoke
from tests.web import signed_in_as

pytestmark = pytest.mark.integration

TEXTS = {
    ("ack", "en"): ("Thanks", "Dear {name}, I am {agent_name}. Claim {claim_number}, "
                              "policy {policy_number}."),
    ("ack", "de"): ("Danke", "Guten Tag {name}, ich bin {agent_name}. Schaden {claim_number}."),
    ("ack", "sv"): ("Tack", "Hej {name}! /{agent_name}"),
    ("docs", "de"): ("Unterlagen", "Wir brauchen:\n{missing_documents}"),
    ("docs", "el"): ("Έγγραφα", "Χρειαζόμαστε:\n{missing_documents}"),
    ("docs", "en"): ("Documents", "We need:\n{missing_documents}"),
    ("czech_only", "cs"): ("Jen česky", "Dobrý den, {name}."),
}


def add_texts(session: Session, now: datetime) -> None:
    for (key, language), (title, body) in TEXTS.items():
        save(session, Entry(key, language, title, body), now, actor_id=None)


def make_thread(session: Session, *, customer_language: str | None, thread_language=None,
                with_claim: bool = True, name: str = "Anna Berg") -> Thread:
    owner = factories.customer(session, name=name, language=customer_language,
                               email=f"c{uuid.uuid4().hex[:12]}@example.com")
    policy = factories.policy(session, owner)
    claim = factories.claim(session, policy) if with_claim else None
    thread = Thread(customer_id=owner.id, subject="Storm", status="open",
                    language=thread_language, claim_id=claim.id if claim else None,
                    policy_id=policy.id)
    session.add(thread)
    session.flush()
    return thread


def test_the_customers_language_then_english_then_any(session: Session, now: datetime) -> None:
    add_texts(session, now)
    german = make_thread(session, customer_language="de")
    out = render_for_thread(session, german, "ack", agent_name="Jonas Becker")
    assert (out.language, out.title) == ("de", "Danke")
    assert out.text == f"Guten Tag Anna Berg, ich bin Jonas Becker. Schaden {german.claim.number}."
    assert (out.unknown, out.empty, out.wanted_language) == ((), (), "de")

    # The thread's own language (detected from the messages) comes first.
    swedish = make_thread(session, customer_language="de", thread_language="sv")
    assert render_for_thread(session, swedish, "ack", agent_name="L").text == "Hej Anna Berg! /L"

    greek = make_thread(session, customer_language="el")
    fallback = render_for_thread(session, greek, "ack", agent_name="Emma")
    assert (fallback.language, fallback.wanted_language) == ("en", "el")
    assert fallback.text == (f"Dear Anna Berg, I am Emma. Claim {greek.claim.number}, "
                             f"policy {greek.policy.number}.")

    anything = render_for_thread(session, greek, "czech_only", agent_name="Emma")
    assert (anything.language, anything.text) == ("cs", "Dobrý den, Anna Berg.")
    with pytest.raises(CannedNotFound):
        render_for_thread(session, greek, "nope", agent_name="Emma")


def test_missing_documents_in_the_customers_language(session: Session, now: datetime) -> None:
    add_texts(session, now)
    thread = make_thread(session, customer_language="de")
    empty = render_for_thread(session, thread, "docs", agent_name="x")
    assert (empty.text, empty.empty) == ("Wir brauchen:\n", ("missing_documents",))
    assert thread.claim_id is not None
    session.add_all([
        InfoRequest(claim_id=thread.claim_id, thread_id=thread.id, items=["photos", "invoice"],
                    note="die Seriennummer des Fernsehers", channel="email", language="de",
                    status="open", created_at=now, due_at=now + timedelta(days=14)),
        InfoRequest(claim_id=thread.claim_id, thread_id=thread.id, items=["bank_details"],
                    note="", channel="email", language="de", status="answered",
                    created_at=now - timedelta(days=30), due_at=now),
    ])
    session.flush()
    out = render_for_thread(session, thread, "docs", agent_name="x")
    assert out.text == ("Wir brauchen:\n- Fotos des Schadens\n"
                        "- die Rechnung oder den Beleg über die geltend gemachten Kosten\n"
                        "- die Seriennummer des Fernsehers")
    assert out.empty == ()
    thread.language = "el"
    greek = render_for_thread(session, thread, "docs", agent_name="x")
    assert greek.text.startswith("Χρειαζόμαστε:\n- φωτογραφίες της ζημιάς\n")
    thread.language = "id"  # no Indonesian row: the customer's German one
    assert render_for_thread(session, thread, "docs", agent_name="x").language == "de"
    thread.customer.language = "id"  # nor a customer's language: English, English names
    english = render_for_thread(session, thread, "docs", agent_name="x")
    assert english.language == "en"
    assert "- photos of the damage" in english.text


def test_empty_and_unknown_placeholders_are_reported_not_fatal(
        session: Session, now: datetime) -> None:
    add_texts(session, now)
    thread = make_thread(session, customer_language="en", with_claim=False, name="")
    out = render_for_thread(session, thread, "ack", agent_name="Emma")
    assert out.text == f"Dear , I am Emma. Claim , policy {thread.policy.number}."
    assert out.empty == ("name", "claim_number")
    # A row written straight into the database, past the checks.
    session.add(CannedResponse(key="odd", language="en", title="Odd",
                               body="Hi {name.__class__} {colour} {", updated_at=now))
    session.flush()
    odd = render_for_thread(session, thread, "odd", agent_name="Emma")
    assert odd.text == "Hi {name.__class__} {colour} {"
    assert odd.unknown == ("{name.__class__}", "{colour}", "unmatched brace")


# -- import ------------------------------------------------------------------------

GOOD_AND_BAD = '''\
[[canned]]
key = "ack"
language = "en"
title = "Thanks"
body = "Dear {name}, thanks."

[[canned]]
key = "ack"
language = "de"
title = "Danke"
body = "Guten Tag {nmae}"

[[canned]]
key = "ack"
language = "sv"
title = "Tack"
body = "Hej {name}!"
'''


def test_import_upserts_by_key_and_language_and_reports_bad_rows(
        invoke: Invoke, engine: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "canned.toml"
    path.write_text(GOOD_AND_BAD)
    result = invoke("canned", "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:7: unknown placeholder {{nmae}};")
    assert result.stdout == f"{path}: 2 created, 0 updated, 0 unchanged, 1 bad\n"

    path.write_text(GOOD_AND_BAD.replace("{nmae}", "{name}").replace("Hej", "Hejsan"))
    again = invoke("canned", "import", str(path))
    assert (again.exit_code, again.stderr) == (0, "")
    assert again.stdout == f"{path}: 1 created, 1 updated, 1 unchanged, 0 bad\n"
    with engine.connect() as conn:
        rows = conn.execute(sa.select(CannedResponse.key, CannedResponse.language,
                                      CannedResponse.body).order_by(CannedResponse.language)
                            ).all()
    assert [tuple(r) for r in rows] == [("ack", "de", "Guten Tag {name}"),
                                        ("ack", "en", "Dear {name}, thanks."),
                                        ("ack", "sv", "Hejsan {name}!")]
    listed = invoke("canned", "list")
    assert listed.exit_code == 0
    assert [line.split()[:2] for line in listed.stdout.splitlines()] == [
        ["ack", "de"], ["ack", "en"], ["ack", "sv"]]

    csv_path = tmp_path / "canned.csv"
    csv_path.write_text('key,language,title,body\npay,en,Payment,"Claim {claim_number}\n'
                        'is paid."\npay,xx,Bad,Hi\n')
    from_csv = invoke("canned", "import", str(csv_path))
    assert from_csv.exit_code == 1
    assert from_csv.stderr == (f"{csv_path}:4: language 'xx': languages are "
                               f"en, de, el, cs, sv, id\n")
    broken = tmp_path / "broken.toml"
    broken.write_text("[[canned]\n")
    unusable = invoke("canned", "import", str(broken))
    assert unusable.exit_code == 2
    assert unusable.stderr.startswith(f"{broken}: error: not TOML:")


def test_demo_seeds_four_responses_in_six_languages_once(session: Session, now: datetime
                                                         ) -> None:
    from inbox.demo import create_canned

    assert create_canned(session, now).canned_created == 24
    edited = session.scalars(sa.select(CannedResponse).where(
        CannedResponse.key == "acknowledgement", CannedResponse.language == "de")).one()
    edited.title = "Unser eigener Titel"
    assert create_canned(session, now).canned_created == 0
    assert edited.title == "Unser eigener Titel"
    thread = make_thread(session, customer_language="cs", name="Jana Nováková")
    out = render_for_thread(session, thread, "claim_received", agent_name="Tereza Horáková")
    assert out.language == "cs"
    assert thread.claim.number in out.text
    assert thread.policy.number in out.text
    assert out.unknown == ()


# -- pages -------------------------------------------------------------------------


def test_leads_supervisors_and_admins_manage_canned_responses(
        app: Flask, committed_db: Database) -> None:
    lead = app.test_client()
    signed_in_as(lead, committed_db, "lead")
    assert "Canned responses" in lead.get("/canned").get_data(as_text=True)
    created = lead.post("/canned/new", data={
        "key": "ack", "language": "de", "title": "Danke", "body": "Guten Tag {name}"})
    assert created.status_code == 303
    duplicate = lead.post("/canned/new", data={
        "key": "ack", "language": "de", "title": "Nochmal", "body": "Hallo"})
    assert duplicate.status_code == 422
    assert "ack (de) exists already" in duplicate.get_data(as_text=True)
    typo = lead.post("/canned/new", data={
        "key": "ack", "language": "en", "title": "Thanks", "body": "Dear {nmae}"})
    assert typo.status_code == 422
    assert "unknown placeholder {nmae}" in typo.get_data(as_text=True)
    assert "Dear {nmae}</textarea>" in typo.get_data(as_text=True)  # the draft is kept

    with committed_db.transaction() as s:
        row_id = s.scalars(sa.select(CannedResponse.id).where(CannedResponse.key == "ack")).one()
    page = lead.get("/canned").get_data(as_text=True)
    assert 'data-key="ack" data-language="de"' in page
    assert "/canned/new?key=ack&amp;language=en" in page  # the languages still missing
    assert "Guten Tag {name}</textarea>" in lead.get(f"/canned/{row_id}/edit").get_data(
        as_text=True)
    edited = lead.post(f"/canned/{row_id}/edit", data={
        "key": "ack", "language": "de", "title": "Vielen Dank", "body": "Guten Tag {name}!"})
    assert edited.status_code == 303
    with committed_db.transaction() as s:
        row = s.get(CannedResponse, row_id)
        assert row is not None
        assert (row.title, row.body) == ("Vielen Dank", "Guten Tag {name}!")
    assert lead.post(f"/canned/{row_id}/delete").status_code == 303
    assert lead.get(f"/canned/{row_id}/edit").status_code == 404
    with committed_db.transaction() as s:
        assert s.get(CannedResponse, row_id) is None
        actions = s.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.entity_type == "canned_responses", AuditEvent.entity_id == row_id)
            .order_by(AuditEvent.id)).all()
    assert actions == ["canned.created", "canned.updated", "canned.deleted"]

    for role in ("supervisor", "admin"):
        other = app.test_client()
        signed_in_as(other, committed_db, role)
        assert other.get("/canned").status_code == 200
    rep = app.test_client()
    signed_in_as(rep, committed_db, "rep")
    assert rep.get("/canned").status_code == 403
    assert rep.post("/canned/new", data={"key": "x", "language": "en", "title": "t",
                                         "body": "b"}).status_code == 403
    assert "Canned responses</a>" not in rep.get("/").get_data(as_text=True)


def test_the_composer_inserts_a_canned_response(app: Flask, committed_db: Database,
                                                now: datetime) -> None:
    with committed_db.transaction() as s:
        add_texts(s, now)
        thread = make_thread(s, customer_language="de", name="Jonas Weber")
        thread_id, claim_number = thread.id, thread.claim.number
    rep = app.test_client()
    rep_id = signed_in_as(rep, committed_db, "rep")
    with committed_db.transaction() as s:
        from inbox.models import User

        rep_name = s.get(User, rep_id).name  # type: ignore[union-attr]

    got = rep.get(f"/threads/{thread_id}/canned/ack")
    assert got.status_code == 200
    assert json.loads(got.data) == {
        "key": "ack", "language": "de", "title": "Danke", "wanted_language": "de",
        "text": f"Guten Tag Jonas Weber, ich bin {rep_name}. Schaden {claim_number}.",
        "unknown": [], "empty": []}
    missing = rep.get(f"/threads/{thread_id}/canned/nope")
    assert missing.status_code == 404
    assert json.loads(missing.data)["error"]["message"] == "no canned response 'nope'"
    assert rep.get("/threads/999999/canned/ack").status_code == 404

    page = rep.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert 'class="canned-picker"' in page
    assert '<option value="ack">Danke (ack)</option>' in page  # the title in German
    assert "/static/composer.js" in page
    with rep.get("/static/composer.js") as script:
        assert script.status_code == 200
        assert b"cannedUrl" in script.data
    # Without JavaScript: the picker's GET fills the draft (after what was typed).
    prefilled = rep.get(f"/threads/{thread_id}?canned=docs&draft=Hallo").get_data(as_text=True)
    assert "Hallo\n\nWir brauchen:\n</textarea>" in prefilled
    assert "Nothing to fill in for this thread: {missing_documents}" in prefilled

    lead = app.test_client()
    signed_in_as(lead, committed_db, "lead")  # leads do not reply
    assert lead.get(f"/threads/{thread_id}/canned/ack").status_code == 403
