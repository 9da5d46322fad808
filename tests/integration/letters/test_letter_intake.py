"""Scanned letters through real tesseract into the real database: letters in
six languages filed in the right customer's thread with every number read,
duplicates, batch scans split at separators, and bad files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from inbox.database import Database
from inbox.intake.core import CONFIG_KEY
from inbox.letters.intake import LetterIntake
from inbox.models import FailedIntake, LetterReview, Message
from tests import factories
from tests.letters import scans
from tests.letters.scans import LETTERS, LETTERS_BY_KEY, char_accuracy

from .conftest import Scans, add_to_book

pytestmark = pytest.mark.integration
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def _message(db: Database, message_id: int) -> Message:
    with db.transaction() as session:
        message = session.get(Message, message_id)
        assert message is not None
        _ = message.thread.claim, message.thread.policy_id, message.attachments
        session.expunge_all()
        return message


def test_letters_in_six_languages_land_in_the_right_threads(
    intake: LetterIntake, committed_db: Database, letter_scans: Scans, book: dict[str, int],
) -> None:
    accuracy: dict[str, float] = {}
    for spec in LETTERS:
        outcome = intake.ingest_file(letter_scans.letters[spec.key], NOW)
        assert outcome.outcome == "filed", (spec.key, outcome.error)
        assert outcome.letters == 1
        message = _message(committed_db, outcome.message_ids[0])
        letter = message.extras["letter"]
        found = set(letter["numbers_exact"]) | set(letter["numbers_confirmed"]["claim"]) | set(
            letter["numbers_confirmed"]["policy"])
        for number in (spec.policy_number, spec.claim_number):
            if number:
                assert number in found, (spec.key, number, found)
        assert message.customer_id == book[spec.key], spec.key
        if spec.claim_number:
            assert message.thread.claim is not None
            assert message.thread.claim.number == spec.claim_number
        assert message.language == spec.language, spec.key
        assert letter["date"] == spec.date.isoformat(), spec.key
        # (OCR may get a capital wrong: "jiří" once.)
        assert letter["sender_name"].casefold() == spec.sender_name.casefold(), spec.key
        assert message.extras["ocr"]["confidence"] > 70
        assert outcome.review_ids == [], (spec.key, outcome.review_ids)
        assert message.attachments[0].sha256 == outcome.sha256
        accuracy[spec.key] = char_accuracy(spec.text(), message.text, form="NFKC")
    per_language: dict[str, list[float]] = {}
    for key, value in accuracy.items():
        per_language.setdefault(LETTERS_BY_KEY[key].language, []).append(value)
    assert set(per_language) == {"en", "de", "el", "cs", "sv", "id"}
    for language, values in per_language.items():
        assert min(values) >= 0.97, (language, values)


def test_the_same_scan_twice_is_filed_once(
    intake: LetterIntake, committed_db: Database, letter_scans: Scans, book: dict[str, int],
    tmp_path: Path,
) -> None:
    first = intake.ingest_file(letter_scans.letters["de-claim"], NOW)
    renamed = tmp_path / "rescanned-under-another-name.tiff"
    renamed.write_bytes(letter_scans.letters["de-claim"].read_bytes())
    again = intake.ingest_file(renamed, NOW)
    assert first.outcome == "filed"
    assert again.outcome == "duplicate"
    assert again.message_ids == first.message_ids
    with committed_db.transaction() as session:
        count = session.scalar(sa.select(sa.func.count()).select_from(Message).where(
            Message.channel == "letter"))
    assert count == 1


def test_a_batch_scan_is_split_at_separator_sheets(
    intake: LetterIntake, committed_db: Database, book: dict[str, int], tmp_path: Path,
) -> None:
    a, b = LETTERS_BY_KEY["en-claim"], LETTERS_BY_KEY["sv-claim"]
    pages = [*scans.render_pages(a, seed=3), scans.separator_page(seed=4),
             *scans.render_pages(b, seed=5)]
    path = tmp_path / "batch.pdf"
    scans.save_pdf(pages, path)
    outcome = intake.ingest_file(path, NOW)
    assert outcome.outcome == "filed", outcome.error
    assert outcome.letters == 2
    first, second = (_message(committed_db, i) for i in outcome.message_ids)
    assert first.customer_id == book["en-claim"]
    assert second.customer_id == book["sv-claim"]
    assert first.extras["letter"]["pages"] == [1]
    assert second.extras["letter"]["pages"] == [3]
    assert first.external_id.endswith("#p1-1")
    assert second.external_id.endswith("#p3-3")
    # Each letter carries its own pages as a PDF of its own.
    assert first.attachments[0].content_type == "application/pdf"
    assert first.attachments[0].sha256 != second.attachments[0].sha256


def test_blank_pages_split_only_when_configured(
    committed_db: Database, letter_settings, pool, book: dict[str, int], tmp_path: Path,
) -> None:
    import dataclasses

    a, b = LETTERS_BY_KEY["cs-claim"], LETTERS_BY_KEY["id-claim"]
    pages = [*scans.render_pages(a, seed=6), scans.blank_page(seed=7),
             *scans.render_pages(b, seed=8)]
    path = tmp_path / "duplex.tiff"
    scans.save_tiff(pages, path)

    joined = LetterIntake(committed_db, letter_settings, pool).ingest_file(path, NOW)
    assert joined.outcome == "filed", joined.error
    assert joined.letters == 1
    message = _message(committed_db, joined.message_ids[0])
    assert message.extras["letter"]["pages"] == [1, 3]  # the blank page is dropped

    split_settings = dataclasses.replace(
        letter_settings,
        letters=dataclasses.replace(letter_settings.letters, split_on_blank_pages=True))
    other = tmp_path / "simplex.tiff"
    scans.save_tiff([*pages, scans.blank_page(seed=9)], other)
    split = LetterIntake(committed_db, split_settings, pool).ingest_file(other, NOW)
    assert split.outcome == "filed", split.error
    assert split.letters == 2
    customers = [_message(committed_db, i).customer_id for i in split.message_ids]
    assert customers == [book["cs-claim"], book["id-claim"]]


def test_a_letter_of_several_pages_is_one_message(
    intake: LetterIntake, committed_db: Database, book: dict[str, int], tmp_path: Path,
) -> None:
    import dataclasses

    spec = LETTERS_BY_KEY["de-address"]
    continued = dataclasses.replace(
        spec, subject="Anlage", policy_number=None, claim_number=None,
        body=["Anbei sende ich Ihnen eine Kopie des neuen Mietvertrags und der "
              "Meldebescheinigung für meine neue Wohnung."])
    second = scans.render_pages(continued, seed=11)
    path = tmp_path / "two-pages.pdf"
    scans.save_pdf([*scans.render_pages(spec, seed=10), *second], path)
    outcome = intake.ingest_file(path, NOW)
    assert outcome.letters == 1
    message = _message(committed_db, outcome.message_ids[0])
    assert message.extras["letter"]["pages"] == [1, 2]
    assert len(message.extras["ocr"]["pages"]) == 2
    assert message.customer_id == book["de-address"]
    assert "Meldebescheinigung" in message.text


def test_a_pdf_with_a_text_layer_is_not_ocred(
    intake: LetterIntake, committed_db: Database, book: dict[str, int], tmp_path: Path,
) -> None:
    spec = LETTERS_BY_KEY["el-claim"]
    path = scans.save_text_pdf(spec, tmp_path / "born-digital.pdf")
    outcome = intake.ingest_file(path, NOW)
    assert outcome.outcome == "filed", outcome.error
    message = _message(committed_db, outcome.message_ids[0])
    assert message.extras["ocr"]["pages"][0]["method"] == "text-layer"
    assert message.customer_id == book["el-claim"]
    assert message.language == "el"
    assert char_accuracy(spec.text(), message.text, form="NFKC") > 0.99


@pytest.mark.parametrize(("name", "make", "reason"), [
    ("truncated.pdf", lambda p: scans.corrupt_file(p, "truncated-pdf"), "damaged"),
    ("garbage.png", lambda p: scans.corrupt_file(p, "garbage-png"), "not a PDF"),
    ("cut-off.png", lambda p: p.write_bytes(
        scans.save_png(scans.blank_page(seed=3), p).read_bytes()[:5000]), "cannot be"),
    ("empty.pdf", lambda p: scans.corrupt_file(p, "empty"), "empty"),
    ("notes.txt", lambda p: p.write_text("not a scan"), "not a PDF, TIFF, PNG or JPEG"),
    ("locked.pdf", lambda p: scans.save_encrypted_pdf(
        scans.render_pages(LETTERS[0], seed=1), p), "password-protected"),
    ("blank.png", lambda p: scans.save_png(scans.blank_page(seed=2), p), "blank"),
])
def test_bad_files_fail_with_a_reason_and_are_kept(
    intake: LetterIntake, committed_db: Database, tmp_path: Path, name: str, make, reason: str,
) -> None:
    path = tmp_path / name
    make(path)
    outcome = intake.ingest_file(path, NOW)
    assert outcome.outcome == "failed"
    assert reason in outcome.error
    with committed_db.transaction() as session:
        failed = session.get(FailedIntake, outcome.failed_id)
        assert failed is not None
        assert failed.channel == "letter"
        assert reason in failed.error
        if path.stat().st_size:
            # The file itself is kept for a retry once the cause is fixed.
            assert failed.raw_ref == outcome.sha256
            assert session.info[CONFIG_KEY].blobs.path(outcome.sha256).exists()
    # Failing again does not pile up records.
    again = intake.ingest_file(path, NOW)
    assert again.failed_id == outcome.failed_id


def test_a_failed_scan_filed_later_closes_its_failed_intake(
    intake: LetterIntake, committed_db: Database, letter_scans: Scans, book: dict[str, int],
    tmp_path: Path,
) -> None:
    path = tmp_path / "scan.png"
    path.write_bytes(letter_scans.letters["en-claim"].read_bytes())
    with committed_db.transaction() as session:
        sha = session.info[CONFIG_KEY].blobs.put_file(path)
        session.add(FailedIntake(channel="letter", external_id=f"scan:{sha}", raw_ref=sha,
                                 error="scan.png: OCR took longer than 120 s", status="failed",
                                 attempts=1, created_at=NOW, updated_at=NOW))
    outcome = intake.ingest_file(path, NOW)
    assert outcome.outcome == "filed"
    with committed_db.transaction() as session:
        statuses = session.scalars(sa.select(FailedIntake.status).where(
            FailedIntake.external_id == f"scan:{sha}")).all()
    assert statuses == ["retried"]


def test_a_fuzzy_number_counts_only_when_the_book_has_it(
    intake: LetterIntake, committed_db: Database, tmp_path: Path,
) -> None:
    spec = LETTERS_BY_KEY["en-payment"]
    with committed_db.transaction() as session:
        owner = add_to_book(session, spec, with_address=False)
    misread = scans.LetterSpec(**{
        **spec.__dict__,
        "sender_name": "D. Hartley",  # not quite the name on file
        "subject": "Re: Late premium payment for policy P0L-2O4517",
        "body": ["Dear Sir or Madam,", "My reference is POL-99999I, which you do not have."],
    })
    path = scans.save_text_pdf(misread, tmp_path / "misread.pdf")
    outcome = intake.ingest_file(path, NOW)
    message = _message(committed_db, outcome.message_ids[0])
    letter = message.extras["letter"]
    assert letter["numbers_confirmed"]["policy"] == ["POL-204517"]
    assert "POL-999991" in letter["numbers_fuzzy"]  # read, but not in the book: ignored
    assert message.customer_id == owner
    assert message.thread.policy_id is not None
    # Found only through a corrected number, and the name differs: a person confirms.
    assert len(outcome.review_ids) == 1
    with committed_db.transaction() as session:
        review = session.get(LetterReview, outcome.review_ids[0])
        assert review is not None
        assert "OCR corrections" in review.reasons[0]


def test_a_reps_choice_is_remembered_for_the_next_letter(
    intake: LetterIntake, committed_db: Database, tmp_path: Path,
) -> None:
    import dataclasses

    from inbox.letters.review import resolve_review

    spec = LETTERS_BY_KEY["sv-renewal"]
    with committed_db.transaction() as session:
        # On file under another address and without the policy: nothing matches.
        owner = factories.customer(session, name="Karin Lindqvist", language="sv")
        owner_id = owner.id
    anonymous = dataclasses.replace(spec, policy_number=None, claim_number=None,
                                    subject="Ärende: Fråga om min försäkring")
    first = scans.save_text_pdf(anonymous, tmp_path / "first.pdf")
    outcome = intake.ingest_file(first, NOW)
    assert len(outcome.review_ids) == 1
    with committed_db.transaction() as session:
        review = session.get(LetterReview, outcome.review_ids[0])
        assert review.reasons == ["no customer in the book matches the sender"]
        resolve_review(session, review.id, owner_id, NOW)
        message = session.get(Message, outcome.message_ids[0])
        assert message.customer_id == owner_id

    later = dataclasses.replace(anonymous, body=[*anonymous.body, "PS. Tack på förhand."])
    second = intake.ingest_file(scans.save_text_pdf(later, tmp_path / "second.pdf"), NOW)
    assert second.review_ids == []
    with committed_db.transaction() as session:
        message = session.get(Message, second.message_ids[0])
        assert message.customer_id == owner_id
        assert message.extras["identified_by"] == "address"
