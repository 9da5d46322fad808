"""Drop folders and the command line: complete files are taken, filed and
moved to processed/ or failed/ (with the reason beside it); files still
being written are left alone."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from inbox.letters.folders import FolderState, process_folder, ready_files
from inbox.letters.intake import LetterIntake
from tests.conftest import Invoke
from tests.letters import scans

from .conftest import Scans

pytestmark = pytest.mark.integration
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def _age(path: Path, seconds: float) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_only_complete_files_are_taken(tmp_path: Path) -> None:
    done = tmp_path / "done.pdf"
    done.write_bytes(b"%PDF-1.4 old")
    _age(done, 60)
    fresh = tmp_path / "fresh.pdf"
    fresh.write_bytes(b"%PDF-1.4 being written")
    partial = tmp_path / "upload.pdf.part"
    partial.write_bytes(b"%PDF")
    _age(partial, 60)
    hidden = tmp_path / ".scanner-lock"
    hidden.write_bytes(b"")
    (tmp_path / "processed").mkdir()
    assert ready_files(tmp_path, settle_seconds=5) == [done]

    # The watcher also wants the same size and time on two looks in a row.
    state = FolderState()
    assert ready_files(tmp_path, 5, state=state) == []
    assert ready_files(tmp_path, 5, state=state) == [done]
    with done.open("ab") as fh:
        fh.write(b"more")
    _age(done, 60)
    assert ready_files(tmp_path, 5, state=state) == []


def test_a_drop_folder_is_emptied_into_processed_and_failed(
    intake: LetterIntake, letter_scans: Scans, book: dict[str, int], tmp_path: Path,
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    good = letter_scans.copy("sv-claim", drop)
    broken = scans.corrupt_file(drop / "broken.pdf", "truncated-pdf")
    for path in (good, broken):
        _age(path, 60)
    outcomes = process_folder(intake, drop, lambda: NOW, settle_seconds=5)
    assert sorted(o.outcome for o in outcomes) == ["failed", "filed"]
    assert (drop / "processed" / good.name).exists()
    assert (drop / "failed" / "broken.pdf").exists()
    reason = (drop / "failed" / "broken.pdf.reason.txt").read_text()
    assert "damaged" in reason
    assert "failed intake #" in reason
    assert sorted(p.name for p in drop.iterdir()) == ["failed", "processed"]

    # The same scan dropped again is a duplicate: moved away, not filed twice.
    again = letter_scans.copy("sv-claim", drop)
    _age(again, 60)
    (outcome,) = process_folder(intake, drop, lambda: NOW, settle_seconds=5)
    assert outcome.outcome == "duplicate"
    assert (drop / "processed" / f"{good.stem}-1{good.suffix}").exists()


def test_the_command_line(invoke: Invoke, letter_scans: Scans, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    good = letter_scans.copy("id-claim", drop)
    result = invoke("letters", "ingest", "--workers", "1", str(good))
    assert result.exit_code == 0, result.output
    assert "id-claim.tiff: filed: 1 letter(s)" in result.output
    again = invoke("letters", "ingest", "--workers", "1", str(good))
    assert "already filed" in again.output

    bad = drop / "notes.pdf"
    bad.write_text("not really a PDF")
    result = invoke("letters", "ingest", "--workers", "1", "--move", str(bad))
    assert result.exit_code == 1
    assert "notes.pdf: failed: not a PDF, TIFF, PNG or JPEG file" in result.output
    assert (drop / "failed" / "notes.pdf.reason.txt").exists()

    other = letter_scans.copy("cs-claim", drop)
    result = invoke("letters", "watch", "--once", "--workers", "1", str(drop))
    assert result.exit_code == 0, result.output
    assert f"{other.name}: filed" in result.output
    assert (drop / "processed" / other.name).exists()
    assert (drop / "processed" / good.name).exists()  # a duplicate by now

    review = invoke("letters", "review")
    assert review.exit_code == 0
