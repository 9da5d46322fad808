"""Filing scanned letters: a file in, its letters in the customers' threads.

For each file: read it whole and keep it in the blob store first (nothing is
lost, whatever happens next); a file filed before (same sha256) is a
duplicate and is not read again; otherwise its pages are read on every core,
split into letters at separator sheets, each letter read for sender, date,
subject and numbers, and filed through the core. Numbers read only with OCR
corrections count when the book has them. A letter the scan cannot place with
confidence is filed and put on the "needs a human" list.

A file that cannot be read (corrupt, encrypted, no pages, OCR timed out) is a
failed intake with the reason, its bytes kept for a retry.
"""

from __future__ import annotations

import logging
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from channels.letters.letter import Letter, LetterOptions, PageResult, build_letter, pages_subset
from channels.letters.ocr import OcrOptions
from channels.letters.pages import ScanError, ScanFile, inspect
from channels.letters.separators import split_pages
from claims.models import Claim, Policy
from config import Settings
from inbox.blobs import BlobStore
from inbox.database import Database
from inbox.intake.analysis import KEY as ANALYSIS_KEY
from inbox.intake.analysis import Analysis, analyze
from inbox.intake.core import CONFIG_KEY, IngestResult, ingest_batch
from inbox.letters.pool import PageJob, read_page
from inbox.letters.review import open_review_if_needed
from inbox.models import FailedIntake, Message

log = logging.getLogger(__name__)


@dataclass
class FileOutcome:
    path: Path
    sha256: str
    outcome: str  # filed | duplicate | failed
    letters: int = 0
    message_ids: list[int] = field(default_factory=list)
    review_ids: list[int] = field(default_factory=list)
    pages: int = 0
    error: str = ""
    failed_id: int | None = None


def ocr_options(settings: Settings) -> OcrOptions:
    cfg = settings.letters
    return OcrOptions(
        languages=settings.languages, tessdata=cfg.tessdata,
        timeout_seconds=cfg.ocr_timeout_seconds, deskew_min_degrees=cfg.deskew_min_degrees,
    )


@dataclass
class _Pending:
    """A file whose pages are being read."""

    path: Path
    sha256: str
    scan: ScanFile
    futures: list[Future[PageResult]]


class LetterIntake:
    """Files scans with one OCR pool; use as a context manager or call close()."""

    def __init__(self, db: Database, settings: Settings, pool: Executor) -> None:
        self.db = db
        self.settings = settings
        self.pool = pool
        cfg = settings.letters
        self.ocr_options = ocr_options(settings)
        head = cfg.letterhead
        self.letter_options = LetterOptions(
            patterns={"policy": settings.policy_re, "claim": settings.claim_re},
            own_words=tuple(w for w in (head.company, *head.address_lines[:1]) if w),
            split_on_blank=cfg.split_on_blank_pages,
            separator_barcode=cfg.separator_barcode,
        )

    # -- files ----------------------------------------------------------

    def ingest_file(self, path: Path, now: datetime) -> FileOutcome:
        return next(iter(self.ingest_files([path], lambda: now)))

    def ingest_files(self, paths: Iterable[Path],
                     now: Callable[[], datetime]) -> Iterator[FileOutcome]:
        """File ``paths`` in order, one outcome each as it is done. The pages
        of the next few files are read while one is being filed, so every
        core has work even when each file is a single page."""
        lookahead = max(2, 2 * getattr(self.pool, "_max_workers", 1))
        window: deque[FileOutcome | _Pending] = deque()
        for path in paths:
            window.append(self._start(Path(path), now()))
            while len(window) > lookahead:
                yield self._finish(window.popleft(), now())
        while window:
            yield self._finish(window.popleft(), now())

    def _start(self, path: Path, now: datetime) -> FileOutcome | _Pending:
        """Keep the file, and hand its pages to the OCR pool."""
        limit = int(self.settings.letters.max_file_mb * 1024 * 1024)
        try:
            size = path.stat().st_size
            if size > limit:
                # Too big to keep: recorded, not stored.
                return self._fail(path, "", None, now,
                                  f"the file is {size / 1048576:.1f} MB; the limit is "
                                  f"{self.settings.letters.max_file_mb:g} MB")
            blobs = self._blobs()
            sha = blobs.put_file(path)  # durable before anything else happens
        except OSError as exc:
            return self._fail(path, "", None, now, f"cannot read the file: {exc}")
        duplicate = self._duplicate(path, sha)
        if duplicate is not None:
            return duplicate
        stored = blobs.path(sha)  # immutable, unlike the dropped file
        try:
            scan = inspect(stored)
        except ScanError as exc:
            return self._fail(path, sha, sha, now, str(exc))
        jobs = [PageJob(str(stored), scan.kind, i, self.ocr_options,
                        self.letter_options.separator_barcode) for i in range(scan.pages)]
        return _Pending(path, sha, scan, [self.pool.submit(read_page, job) for job in jobs])

    def _duplicate(self, path: Path, sha: str) -> FileOutcome | None:
        with self.db.transaction() as session:
            filed = _filed_messages(session, sha)
        if filed:
            return FileOutcome(path, sha, "duplicate", letters=len(filed), message_ids=filed)
        return None

    def _finish(self, item: FileOutcome | _Pending, now: datetime) -> FileOutcome:
        if isinstance(item, FileOutcome):
            return item
        path, sha, scan = item.path, item.sha256, item.scan
        try:
            results = [f.result() for f in item.futures]
            errors = [r for r in results if r.kind == "error"]
            if errors:
                raise ScanError(f"page {errors[0].index + 1}: {errors[0].error}")
            # The same bytes may have been in the window twice.
            duplicate = self._duplicate(path, sha)
            if duplicate is not None:
                return duplicate
            letters = self._letters(path, scan, sha, results, now)
        except ScanError as exc:
            return self._fail(path, sha, sha, now, str(exc))
        except Exception as exc:
            log.exception("letter %s could not be read", path)
            return self._fail(path, sha, sha, now, f"{type(exc).__name__}: {exc}",
                              detail=traceback.format_exc())
        if not letters:
            return self._fail(path, sha, sha, now, "no text found: every page is blank")
        return self._file(path, sha, scan, letters, now)

    def _letters(self, path: Path, scan: ScanFile, sha: str, results: list[PageResult],
                 now: datetime) -> list[Letter]:
        groups = split_pages([r.kind for r in results],
                             split_on_blank=self.letter_options.split_on_blank)
        stored = self._blobs().path(sha)
        letters = []
        for indexes in groups:
            subset = None if len(groups) == 1 and len(indexes) == scan.pages else (
                pages_subset(stored, scan.kind, indexes))
            letters.append(build_letter(
                path=path, scan=scan, sha256=sha, results=results, page_indexes=indexes,
                received_at=now, options=self.letter_options, pages_file=subset,
                size=stored.stat().st_size,
            ))
        return letters

    def _file(self, path: Path, sha: str, scan: ScanFile, letters: list[Letter],
              now: datetime) -> FileOutcome:
        outcome = FileOutcome(path, sha, "filed", letters=len(letters), pages=scan.pages)
        with self.db.transaction() as session:
            cfg = session.info[CONFIG_KEY]
            inbounds = []
            for letter in letters:
                inbound = letter.inbound
                inbound.raw_ref = sha
                confirmed = _in_book(session, letter.reading.fuzzy("claim"),
                                     letter.reading.fuzzy("policy"))
                inbound.extras["letter"]["numbers_confirmed"] = confirmed
                exact = _in_book(session, letter.reading.exact("claim"),
                                 letter.reading.exact("policy"))
                inbound.extras["letter"]["numbers_exact_in_book"] = (
                    exact["claim"] + exact["policy"])
                found = analyze(inbound, cfg)
                inbound.extras[ANALYSIS_KEY] = _with_numbers(
                    found, letter.reading.exact("claim") + confirmed["claim"],
                    letter.reading.exact("policy") + confirmed["policy"]).to_json()
                inbounds.append(inbound)
            results = ingest_batch(session, inbounds, now)
            for letter, result in zip(letters, results, strict=True):
                self._after_filing(session, letter, result, now, outcome)
            if all(r.failed is None for r in results):
                # An earlier failure of this file (fixed since, or filed again by hand).
                session.execute(
                    sa.update(FailedIntake)
                    .where(FailedIntake.channel == "letter",
                           FailedIntake.external_id == f"scan:{sha}",
                           FailedIntake.status == "failed")
                    .values(status="retried", updated_at=now))
        if any(r.failed is not None for r in results):
            outcome.outcome = "failed"
            outcome.error = "; ".join(r.failed.error for r in results if r.failed is not None)
        return outcome

    def _after_filing(self, session: Session, letter: Letter, result: IngestResult,
                      now: datetime, outcome: FileOutcome) -> None:
        if result.failed is not None:
            outcome.failed_id = result.failed.id
            return
        if result.message_id is None:
            return
        outcome.message_ids.append(result.message_id)
        if not result.created:
            return
        review = open_review_if_needed(
            session, result.message_id, now,
            min_confidence=self.settings.letters.review_min_confidence,
        )
        if review is not None:
            outcome.review_ids.append(review.id)

    # -- failures ---------------------------------------------------------

    def _fail(self, path: Path, sha: str, raw_ref: str | None, now: datetime, reason: str,
              detail: str = "") -> FileOutcome:
        external_id = f"scan:{sha}" if sha else f"file:{path.name}"
        with self.db.transaction() as session:
            failed = session.scalars(
                sa.select(FailedIntake).where(FailedIntake.channel == "letter",
                                              FailedIntake.external_id == external_id,
                                              FailedIntake.status == "failed")
            ).first()
            if failed is None:
                failed = FailedIntake(
                    channel="letter", external_id=external_id, raw_ref=raw_ref, inbound=None,
                    error=f"{path.name}: {reason}"[:2000], detail=detail, status="failed",
                    attempts=1, created_at=now, updated_at=now,
                )
                session.add(failed)
            else:
                failed.attempts += 1
                failed.error, failed.detail, failed.updated_at = (
                    f"{path.name}: {reason}"[:2000], detail, now)
            session.flush()
            failed_id = failed.id
        return FileOutcome(path, sha, "failed", error=reason, failed_id=failed_id)

    def _blobs(self) -> BlobStore:
        blobs: BlobStore = self.db.info[CONFIG_KEY].blobs
        return blobs



def _filed_messages(session: Session, sha: str) -> list[int]:
    """Messages already filed from the file with this sha256."""
    return list(session.scalars(
        sa.select(Message.id).where(
            Message.channel == "letter",
            sa.or_(Message.external_id == f"scan:{sha}",
                   Message.external_id.like(f"scan:{sha}#%")),
        ).order_by(Message.id)
    ))


def _in_book(session: Session, claims: Sequence[str],
             policies: Sequence[str]) -> dict[str, list[str]]:
    """Those of the numbers that the book has."""
    found_claims = list(session.scalars(sa.select(Claim.number).where(
        Claim.number.in_(list(claims))))) if claims else []
    found_policies = list(session.scalars(sa.select(Policy.number).where(
        Policy.number.in_(list(policies))))) if policies else []
    return {"claim": sorted(found_claims), "policy": sorted(found_policies)}


def _with_numbers(found: Analysis, claims: list[str], policies: list[str]) -> Analysis:
    def merged(first: tuple[str, ...], more: list[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*first, *more]))

    return Analysis(
        language=found.language, subject_key=found.subject_key,
        claim_numbers=merged(found.claim_numbers, claims),
        policy_numbers=merged(found.policy_numbers, policies),
        account_issue=found.account_issue,
    )

