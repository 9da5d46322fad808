"""Letters uploaded through the web form: one job per file.

The form (:mod:`inbox.web.letters`) has already checked the file and saved it
under ``<instance_dir>/letters/uploads/<sha256>/<name>``; this job files it
with :class:`~inbox.letters.intake.LetterIntake`, as the drop-folder pass
does. The intake keeps the bytes in the blob store before anything else, so
the upload is removed once the letter is filed (or was filed before); a file
that failed stays, beside its failed-intake row, for a person to look at.

Safe to run twice: the second run finds the file filed (a duplicate) or gone.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from rq import Retry

from inbox.database import Database
from inbox.jobs.base import job

log = logging.getLogger(__name__)


# The "ocr" queue, not "scheduled": a mail room uploading a pile of scans must
# not hold up the periodic jobs (mailbox syncs) behind it (see inbox.jobs.QUEUES).
@job("ocr", timeout=30 * 60, retry=Retry(max=3, interval=[30, 120, 600]),
     transaction=False)
def ingest_uploaded_letter(db: Database, path: str, original_name: str) -> dict[str, Any]:
    """File one uploaded scan; returns what happened (kept as the job's result)."""
    from inbox.letters.intake import LetterIntake
    from inbox.letters.pool import ocr_pool

    settings = current_app.config["SETTINGS"]
    upload = Path(path)
    if not upload.is_file():
        # Filed by an earlier run of this job, which then removed it.
        log.info("uploaded letter %s (%s) is gone: filed before", upload, original_name)
        return {"file": original_name, "outcome": "gone"}
    pool = ocr_pool(settings.letters.ocr_workers)
    try:
        outcome = LetterIntake(db, settings, pool).ingest_file(upload, datetime.now(UTC))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if outcome.outcome in ("filed", "duplicate"):
        remove_upload(upload)
    else:
        log.warning("uploaded letter %s (%s) failed: %s", upload, original_name, outcome.error)
    return {
        "file": original_name,
        "outcome": outcome.outcome,
        "sha256": outcome.sha256,
        "letters": outcome.letters,
        "message_ids": outcome.message_ids,
        "review_ids": outcome.review_ids,
        "error": outcome.error,
        "failed_id": outcome.failed_id,
    }


def remove_upload(upload: Path) -> None:
    """The uploaded file and its ``<sha256>/`` folder."""
    upload.unlink(missing_ok=True)
    # Another upload of the same bytes under another name may still be there.
    with contextlib.suppress(OSError):
        upload.parent.rmdir()
