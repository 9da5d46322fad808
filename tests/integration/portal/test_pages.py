"""What a signed-in customer sees and sends: only their own threads, claims
and files (URL guessing finds nothing of another customer's), no internal
notes, claim status in their language, messages filed once through ingest,
uploads checked, scans read by OCR."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import EnvironBuilder, FlaskClient

from channels.base import InboundAttachment
from claims.models import Claim, InfoRequest
from inbox.database import Database
from inbox.intake.core import ingest
from inbox.models import Attachment, Message, Thread
from inbox.notes import add_note
from tests import factories
from tests.integration.portal.conftest import Person, person, run_jobs, signed_in
from tests.letters import scans
from tests.web import csrf_token

pytestmark = pytest.mark.integration
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_HEAD = b"\x89PNG\r\n\x1a\n"


def story(db: Database, who: Person, *, note: str = "Internal: customer sounds annoyed",
          attachment: bytes = PDF) -> dict[str, int]:
    """An email about the claim (with a file), a note and our answer."""
    now = datetime.now(UTC) - timedelta(hours=2)
    with db.transaction() as session:
        result = ingest(session, factories.email(
            sender=who.email, subject=f"Storm damage {who.claim}",
            text="The storm took part of the roof.", received_at=now,
            attachments=[InboundAttachment("roof.pdf", "application/pdf", data=attachment)]),
            now)
        thread = session.get(Thread, result.thread_id)
        assert thread is not None
        add_note(session, thread, note, now, author_id=None)
        session.add(Message(thread_id=thread.id, customer_id=who.customer_id, channel="email",
                            direction="outbound", external_id=f"answer-{thread.id}@insurer.test",
                            received_at=now + timedelta(minutes=30),
                            text="Thank you, we are looking at it.", sender="claims@insurer.test"))
        session.flush()
        attachment_id = session.scalar(sa.select(Attachment.id).where(
            Attachment.message_id == result.message_id))
        assert attachment_id is not None
        return {"thread": thread.id, "message": result.message_id, "file": attachment_id}


def post_message(client: FlaskClient, url: str, form_page: str, *,
                 files: list[tuple[bytes, str]] = (), **fields: str) -> Any:  # type: ignore[assignment]
    page = client.get(form_page).get_data(as_text=True)
    found = re.search(r'name="submission_id" value="([^"]+)"', page)
    data: dict[str, Any] = {"csrf_token": csrf_token(page),
                            "submission_id": found.group(1) if found else "", **fields}
    data["files"] = [(io.BytesIO(body), name) for body, name in files]
    environ = EnvironBuilder(client.application, url, method="POST",
                             content_type="multipart/form-data", data=data).get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()


def test_another_customers_things_cannot_be_reached_by_guessing(
        portal_app: Flask, client: FlaskClient, committed_db: Database) -> None:
    anna = person(committed_db, "Anna Berg", email="anna@example.se", phone="+46 70 123 45 67")
    bo = person(committed_db, "Bo Lind", email="bo@example.se", phone="+46 70 765 43 21")
    hers = story(committed_db, anna)
    signed_in(client, portal_app, committed_db, bo)

    home = client.get("/portal/").get_data(as_text=True)
    assert anna.claim not in home
    assert "roof" not in home
    assert bo.claim in home
    for url in (f"/portal/threads/{hers['thread']}", f"/portal/files/{hers['file']}",
                f"/portal/threads/{hers['thread'] + 1000}", "/portal/files/999999"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "roof" not in response.get_data(as_text=True)
    # Writing into her thread or about her claim: refused, nothing filed.
    with committed_db.transaction() as session:
        before = session.scalar(sa.select(sa.func.count()).select_from(Message))
    assert post_message(client, f"/portal/threads/{hers['thread']}/messages",
                        "/portal/messages/new", text="Let me in").status_code == 404
    assert post_message(client, "/portal/messages", "/portal/messages/new", text="Mine now",
                        claim=anna.claim).status_code == 404
    with committed_db.transaction() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Message)) == before
    # Signed out, nothing at all.
    if anonymous := portal_app.test_client():
        for url in ("/portal/", f"/portal/threads/{hers['thread']}",
                    f"/portal/files/{hers['file']}", "/portal/messages/new"):
            response = anonymous.get(url)
            assert response.status_code == 302
            assert "/portal/sign-in" in response.location


def test_the_thread_shows_what_was_written_to_and_by_the_customer_never_notes(
        portal_app: Flask, client: FlaskClient, committed_db: Database) -> None:
    anna = person(committed_db, "Anna Berg", email="anna@example.se", phone="+46 70 123 45 67")
    hers = story(committed_db, anna, note="Internal: check for fraud")
    signed_in(client, portal_app, committed_db, anna)
    page = client.get(f"/portal/threads/{hers['thread']}").get_data(as_text=True)
    assert "The storm took part of the roof." in page
    assert "Thank you, we are looking at it." in page
    assert "fraud" not in page
    assert "Internal" not in page
    download = client.get(f"/portal/files/{hers['file']}")
    assert download.status_code == 200
    assert download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "no-store"
    download.close()


def test_claim_status_missing_documents_and_next_step_in_greek(
        portal_app: Flask, client: FlaskClient, committed_db: Database) -> None:
    eleni = person(committed_db, loss_date=date(2026, 10, 3))
    due = datetime(2026, 12, 15, 12, tzinfo=UTC)
    with committed_db.transaction() as session:
        claim = session.get(Claim, eleni.claim_id)
        assert claim is not None
        claim.status = "info_requested"
        session.add(InfoRequest(claim_id=claim.id, items=["invoice", "photos"],
                                note="The repair estimate too, please.", channel="email",
                                language="el", status="open", created_at=due - timedelta(days=14),
                                due_at=due))
    signed_in(client, portal_app, committed_db, eleni, language="el")
    page = client.get("/portal/").get_data(as_text=True)
    assert '<html lang="el">' in page
    assert "Χρειαζόμαστε" in page or "χρειαζόμαστε" in page  # "we need" (status explained)
    assert "15 Δεκεμβρίου 2026" in page  # the due date, written the Greek way
    assert "The repair estimate too, please." in page
    assert "Invoice" not in page
    assert "the invoice or receipt" not in page
    # Switching the language.
    token = csrf_token(page)
    client.post("/portal/language", data={"language": "de", "next": "/portal/",
                                          "csrf_token": token})
    german = client.get("/portal/").get_data(as_text=True)
    assert '<html lang="de">' in german
    assert "15. Dezember 2026" in german
    english = client.get("/portal/?lang=en").get_data(as_text=True)
    assert "We need something from you" in english
    assert "December 15, 2026" in english


def test_a_message_with_files_is_filed_once_in_the_customers_claim_thread(
        portal_app: Flask, client: FlaskClient, committed_db: Database) -> None:
    anna = person(committed_db, "Anna Berg", email="anna@example.se", phone="+46 70 123 45 67")
    signed_in(client, portal_app, committed_db, anna)
    form = f"/portal/messages/new?claim={anna.claim}"
    page = client.get(form).get_data(as_text=True)
    submission = re.search(r'name="submission_id" value="([^"]+)"', page)
    assert submission is not None
    responses = []
    for _ in range(2):  # a double click sends the same form twice
        environ = EnvironBuilder(portal_app, "/portal/messages", method="POST",
                                 content_type="multipart/form-data", data={
                                     "csrf_token": csrf_token(page),
                                     "submission_id": submission.group(1),
                                     "claim": anna.claim, "subject": "Invoice",
                                     "text": "Here is the invoice.",
                                     "files": [(io.BytesIO(PDF), "faktura.PDF")]}).get_environ()
        responses.append(client.open(environ))
        environ["wsgi.input"].close()
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0].location == responses[1].location
    with committed_db.transaction() as session:
        (message,) = session.scalars(sa.select(Message).where(Message.channel == "portal")).all()
        assert message.customer_id == anna.customer_id
        assert message.text == "Here is the invoice."
        assert message.thread.claim_id == anna.claim_id
        assert [a.filename for a in message.attachments] == ["faktura.pdf"]
        thread_id = message.thread_id
    shown = client.get(responses[0].location).get_data(as_text=True)
    assert "Here is the invoice." in shown
    assert "faktura.pdf" in shown

    # An answer in that thread lands in it.
    response = post_message(client, f"/portal/threads/{thread_id}/messages",
                            f"/portal/threads/{thread_id}", text="And a photo.",
                            files=[(PNG_HEAD + b"\x00" * 64, "photo.png")])
    assert response.status_code == 302
    with committed_db.transaction() as session:
        texts = session.scalars(sa.select(Message.text).where(
            Message.thread_id == thread_id, Message.channel == "portal")
            .order_by(Message.id)).all()
        assert texts == ["Here is the invoice.", "And a photo."]


@pytest.mark.parametrize(("name", "body", "says"), [
    ("big.pdf", PDF + b"0" * (1024 * 1024 + 1), "larger than 1 MB"),
    ("tool.exe", b"MZ\x90\x00" + b"\x00" * 100, "this kind of file is not accepted"),
    ("IMG_0001.HEIC", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100, "HEIC"),
    ("empty.pdf", b"", "is empty"),
])
def test_refused_uploads_say_why(portal_app: Flask, committed_db: Database, redis_url: str,
                                 name: str, body: bytes, says: str) -> None:
    from dataclasses import replace

    from inbox import create_app

    settings = portal_app.config["SETTINGS"]
    app = create_app(replace(settings, portal=replace(settings.portal, max_file_mb=1)))
    app.config["TESTING"] = True
    client = app.test_client()
    anna = person(committed_db, "Anna Berg", email="anna@example.se", phone="+46 70 123 45 67")
    signed_in(client, app, committed_db, anna)
    response = post_message(client, "/portal/messages", "/portal/messages/new",
                            text="See the file", files=[(body, name)])
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert says in page
    assert name.rsplit(".", 1)[0] in page
    assert "See the file" in page  # what they wrote is kept
    with committed_db.transaction() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Message)
                              .where(Message.channel == "portal")) == 0
    app.extensions["inbox.db"].engine.dispose()


def test_too_many_files_and_too_big_a_request_are_refused(
        portal_app: Flask, client: FlaskClient, committed_db: Database) -> None:
    anna = person(committed_db, "Anna Berg", email="anna@example.se", phone="+46 70 123 45 67")
    signed_in(client, portal_app, committed_db, anna)
    cfg = portal_app.config["SETTINGS"].portal
    response = post_message(client, "/portal/messages", "/portal/messages/new", text="Many",
                            files=[(PDF, f"f{i}.pdf") for i in range(cfg.max_files + 1)])
    assert response.status_code == 400
    assert f"at most {cfg.max_files} files" in response.get_data(as_text=True)
    huge = PDF + b"0" * (cfg.max_files * cfg.max_file_bytes + 2 * 1024 * 1024)
    response = post_message(client, "/portal/messages", "/portal/messages/new", text="Huge",
                            files=[(huge, "huge.pdf")])
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_a_photographed_invoice_is_read_by_ocr(
        portal_app: Flask, client: FlaskClient, committed_db: Database, conn: redis.Redis,
        tmp_path: Path) -> None:
    anna = person(committed_db, "Anna Berg", email="anna@example.se", phone="+46 70 123 45 67")
    spec = scans.LETTERS_BY_KEY["en-claim"]
    photo = scans.save_jpeg(scans.render_pages(spec, seed=3)[0], tmp_path / "invoice.jpg")
    signed_in(client, portal_app, committed_db, anna)
    response = post_message(client, "/portal/messages", "/portal/messages/new",
                            text="The invoice", files=[(photo.read_bytes(), "invoice.jpg"),
                                                       (PDF, "notes.pdf")])
    assert response.status_code == 302
    (result,) = run_jobs(portal_app, conn, "ocr")
    assert result == {"outcome": "read", "files": 2}
    with committed_db.transaction() as session:
        message = session.scalars(sa.select(Message).where(Message.channel == "portal")).one()
        read = {s["filename"]: s for s in message.extras["scans"]}
    assert read["invoice.jpg"]["method"] == "ocr"
    words = spec.subject.split()[-3:]
    assert all(w.lower() in read["invoice.jpg"]["text"].lower() for w in words), read
    assert read["invoice.jpg"]["confidence"] > 50
    # Read once: a second run changes nothing.
    from inbox.jobs.portal import read_portal_scans
    with portal_app.app_context():
        assert read_portal_scans(message.id) == {"outcome": "read before"}
