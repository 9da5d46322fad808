"""Replies by letter: queued, rendered to a printable PDF in the customer's
language with the letterhead, filed in the thread, marked printed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from config import Settings
from inbox.database import Database
from inbox.intake.core import CONFIG_KEY
from inbox.letters.intake import LetterIntake
from inbox.letters.replies import (
    mark_printed,
    print_queue,
    print_queued_letter,
    queue_letter_reply,
)
from inbox.models import Message, OutboundMessage, Thread
from inbox.outbound import ReplyError
from tests import factories
from tests.letters.scans import LETTERS_BY_KEY

from .conftest import Scans

pytestmark = pytest.mark.integration
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def _pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    try:
        return "\n".join(doc[i].get_textpage().get_text_bounded() for i in range(len(doc)))
    finally:
        doc.close()


def test_a_reply_to_a_letter_is_printed_to_the_address_it_came_from(
    intake: LetterIntake, committed_db: Database, letter_scans: Scans, book: dict[str, int],
    letter_settings: Settings, tmp_path: Path,
) -> None:
    import dataclasses

    settings = dataclasses.replace(letter_settings, letters=dataclasses.replace(
        letter_settings.letters, print_dir=str(tmp_path / "print")))
    outcome = intake.ingest_file(letter_scans.letters["de-claim"], NOW)
    with committed_db.transaction() as session:
        thread_id = session.get(Message, outcome.message_ids[0]).thread_id
        rep = factories.user(session, name="Jonas Weber")
        row = queue_letter_reply(
            session, thread_id, "Sehr geehrte Frau Schneider,\n\nwir haben Ihre "
            "Schadensmeldung erhalten <und> prüfen sie.", NOW, author_id=rep.id)
        outbound_id = row.id

    assert print_queued_letter(committed_db, settings, outbound_id, lambda: NOW) == "sent"
    assert print_queued_letter(committed_db, settings, outbound_id, lambda: NOW) == "sent"

    spec = LETTERS_BY_KEY["de-claim"]
    with committed_db.transaction() as session:
        row = session.get(OutboundMessage, outbound_id)
        message = session.get(Message, row.message_id)
        thread = session.get(Thread, thread_id)
        assert message.channel == "letter"
        assert message.direction == "outbound"
        assert thread.needs_reply is False
        assert [m.id for m in print_queue(session)] == [message.id]
        pdf = session.info[CONFIG_KEY].blobs.get(message.attachments[0].sha256)
        text = _pdf_text(pdf)
        for line in spec.address_lines:
            assert line in text
        assert "Nordlicht Versicherung AG" in text          # letterhead from config
        assert "20. März 2026" in text                       # German date
        assert "<und>" in text                               # plain text, escaped
        assert spec.claim_number in text                     # our reference
        assert "Jonas Weber" in text
        mark_printed(session, message.id, NOW)
        assert print_queue(session) == []
    copies = list((tmp_path / "print").glob("*.pdf"))
    assert len(copies) == 1
    assert copies[0].read_bytes() == pdf


def test_no_address_no_letter(committed_db: Database) -> None:
    with committed_db.transaction() as session:
        customer = factories.customer(session, email="nobody@example.com")
        thread = Thread(customer_id=customer.id, subject="x", created_at=NOW)
        session.add(thread)
        session.flush()
        with pytest.raises(ReplyError, match="no postal address"):
            queue_letter_reply(session, thread.id, "Hello", NOW)


def test_an_address_too_long_for_the_window_fails_without_retry(
    committed_db: Database, letter_settings: Settings,
) -> None:
    with committed_db.transaction() as session:
        customer = factories.customer(session)
        customer.address = ", ".join(f"Line {i} of a long address" for i in range(14))
        thread = Thread(customer_id=customer.id, subject="x", created_at=NOW, language="en")
        session.add(thread)
        session.flush()
        outbound_id = queue_letter_reply(session, thread.id, "Dear Sir,", NOW).id
    assert print_queued_letter(committed_db, letter_settings, outbound_id, lambda: NOW) == "failed"
    with committed_db.transaction() as session:
        row = session.get(OutboundMessage, outbound_id)
        assert row.status == "failed"
        assert "window" in row.last_error
