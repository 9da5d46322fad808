"""Drop folders: the mail room's scanner writes files into a directory; we
take each once it is complete, file it, and move it out of the way:

* ``DIR/processed/`` when it was filed (or had been filed before: a duplicate);
* ``DIR/failed/`` when it could not be read, with ``NAME.reason.txt`` beside
  it (and a failed-intake record, with the file kept in the blob store).

A file that is still being written is left alone: it must have kept the same
size and modification time for ``settle_seconds``. Hidden files and the usual
partial-download names (``.part``, ``.tmp``, ``.crdownload``, ``~``) are
never taken.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from inbox.letters.intake import FileOutcome, LetterIntake

log = logging.getLogger(__name__)

PROCESSED, FAILED = "processed", "failed"
PARTIAL_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".download", "~")
SCAN_SUFFIXES = (".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg")


@dataclass
class FolderState:
    """What the watcher saw of each file last time: (size, mtime)."""

    seen: dict[str, tuple[int, float]] = field(default_factory=dict)


def ready_files(directory: Path, settle_seconds: float, *, state: FolderState | None = None,
                clock: Callable[[], float] = time.time) -> list[Path]:
    """Files in ``directory`` that are complete, oldest first."""
    ready: list[tuple[float, Path]] = []
    now = clock()
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return []
    current: dict[str, tuple[int, float]] = {}
    for entry in entries:
        name = entry.name
        if (name.startswith(".") or not entry.is_file(follow_symlinks=False)
                or name.lower().endswith(PARTIAL_SUFFIXES) or name.endswith(".reason.txt")):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue
        current[name] = (st.st_size, st.st_mtime)
        if now - st.st_mtime < settle_seconds or (st.st_size == 0 and settle_seconds):
            continue
        if state is not None and settle_seconds and state.seen.get(name) != current[name]:
            continue  # first sight, or changed since: look again next time
        ready.append((st.st_mtime, Path(entry.path)))
    if state is not None:
        state.seen = current
    return [p for _, p in sorted(ready)]


def place(outcome: FileOutcome, directory: Path) -> Path:
    """Move the file to processed/ or failed/ (with its reason); returns where."""
    target = directory / (FAILED if outcome.outcome == "failed" else PROCESSED)
    target.mkdir(exist_ok=True)
    dest = _free_name(target, outcome.path.name)
    os.replace(outcome.path, dest)
    if outcome.outcome == "failed":
        reason = dest.with_name(dest.name + ".reason.txt")
        reason.write_text(
            f"{outcome.path.name}: {outcome.error}\n"
            + (f"failed intake #{outcome.failed_id} (inbox intake list)\n"
               if outcome.failed_id else "")
            + (f"sha256 {outcome.sha256}\n" if outcome.sha256 else ""),
            encoding="utf-8",
        )
    return dest


def _free_name(directory: Path, name: str) -> Path:
    candidate = directory / name
    stem, dot, suffix = name.partition(".")
    n = 1
    while candidate.exists():
        candidate = directory / f"{stem}-{n}{dot}{suffix}"
        n += 1
    return candidate


def process_folder(intake: LetterIntake, directory: Path, now: Callable[[], datetime], *,
                   settle_seconds: float, state: FolderState | None = None,
                   ) -> list[FileOutcome]:
    """File every complete scan in ``directory`` and move it out of the way."""
    outcomes = []
    for outcome in intake.ingest_files(ready_files(directory, settle_seconds, state=state),
                                       now):
        try:
            place(outcome, directory)
        except OSError as exc:  # filed; only the move failed: say so, file stays
            log.error("could not move %s after filing: %s", outcome.path, exc)
        outcomes.append(outcome)
    return outcomes
