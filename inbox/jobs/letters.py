"""Letters jobs: the periodic pass over the configured drop folders."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from rq import Retry

from inbox import queueing
from inbox.database import Database
from inbox.jobs.base import job
from inbox.jobs.locks import renewed_lock

log = logging.getLogger(__name__)


@job("ocr", timeout=55 * 60, retry=Retry(max=2, interval=[10, 60]), transaction=False)
def ingest_drop_folders(db: Database) -> dict[str, int]:
    """Periodic: file every complete scan in each ``letters.drop_folders``
    directory and move it to processed/ or failed/. One pass at a time (a
    renewed lock in Redis, see inbox.jobs.locks); OCR runs in this job's own process pool."""
    from inbox.letters.folders import process_folder
    from inbox.letters.intake import LetterIntake
    from inbox.letters.pool import ocr_pool

    settings = current_app.config["SETTINGS"]
    folders = settings.letters.drop_folders
    if not folders:
        return {}
    with renewed_lock(queueing.app_connection(current_app), "inbox:letters:drop-folders") as taken:
        if not taken:
            log.info("drop folders: the last pass is still running, skipped")
            return {}
        counts: dict[str, int] = {}
        pool = ocr_pool(settings.letters.ocr_workers)
        try:
            intake = LetterIntake(db, settings, pool)
            for folder in folders:
                directory = Path(folder)
                if not directory.is_dir():
                    log.error("drop folder %s does not exist", folder)
                    counts[folder] = -1
                    continue
                outcomes = process_folder(intake, directory, lambda: datetime.now(UTC),
                                          settle_seconds=settings.letters.settle_seconds)
                counts[folder] = len(outcomes)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return counts


@job("outbound", timeout=300, retry=Retry(max=5, interval=[30, 120, 600, 1800, 3600]),
     transaction=False)
def print_letter_reply(db: Database, outbound_id: int) -> str:
    """Render one queued letter reply for the print room (see
    :func:`inbox.letters.replies.print_queued_letter`)."""
    from inbox.letters.replies import print_queued_letter

    return print_queued_letter(db, current_app.config["SETTINGS"], outbound_id)
