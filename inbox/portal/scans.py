"""Reading the scans a customer uploads in the portal (photos of an invoice,
a scanned PDF), as letters are read: tesseract through the letters' OCR
engine, a PDF's text layer where it has one. The text is kept with the
message (``extras["scans"]``, one entry per file) and shown to reps under
the file; the files themselves are unchanged.

Runs as a job on the ``ocr`` queue after the message is filed (so the
customer never waits for OCR). Safe to run twice: a message already read
is left alone. A file that cannot be read is recorded with the reason.
"""

from __future__ import annotations

import logging
from typing import Any

from channels.letters.pages import ScanError, inspect
from channels.portal.submission import SCANNABLE, sniff
from config import Settings
from inbox.database import Database
from inbox.intake.core import CONFIG_KEY
from inbox.models import Message

log = logging.getLogger(__name__)
MAX_PAGES = 20  # of one file; more are left unread (and said so)


def read_scans(db: Database, settings: Settings, message_id: int) -> dict[str, Any]:
    from inbox.letters.intake import ocr_options
    from inbox.letters.pool import PageJob, read_page

    with db.transaction() as session:
        message = session.get(Message, message_id)
        if message is None or message.channel != "portal":
            return {"outcome": "no such portal message"}
        if "scans" in (message.extras or {}):
            return {"outcome": "read before"}
        blobs = session.info[CONFIG_KEY].blobs
        files = [(a.id, a.sha256, a.filename) for a in message.attachments]
    options = ocr_options(settings)
    scans: list[dict[str, Any]] = []
    for attachment_id, sha, filename in files:
        path = blobs.path(sha)
        entry: dict[str, Any] = {"attachment_id": attachment_id, "filename": filename}
        try:
            with path.open("rb") as handle:
                found = sniff(handle.read(1024))
            if found is None or found[0] not in SCANNABLE:
                continue
            scan = inspect(path)
        except (OSError, ScanError) as exc:
            scans.append({**entry, "error": str(exc)})
            continue
        texts, methods, confidences = [], set(), []
        for index in range(min(scan.pages, MAX_PAGES)):
            result = read_page(PageJob(str(path), scan.kind, index, options))
            if result.error:
                entry.setdefault("errors", []).append(f"page {index + 1}: {result.error}")
            elif result.page is not None:
                methods.add(result.page.method)
                if result.page.text:
                    texts.append(result.page.text)
                    confidences.append(result.page.confidence)
        entry.update({
            "pages": scan.pages, "pages_read": min(scan.pages, MAX_PAGES),
            "method": "text-layer" if methods == {"text-layer"} else "ocr",
            "text": "\n\n".join(texts)[:100_000],
            "confidence": round(sum(confidences) / len(confidences), 1) if confidences else 0,
        })
        scans.append(entry)
    with db.transaction() as session:
        message = session.get(Message, message_id)
        if message is not None and "scans" not in (message.extras or {}):
            message.extras = {**(message.extras or {}), "scans": scans}
    log.info("portal message %s: %d file(s) read", message_id, len(scans))
    return {"outcome": "read", "files": len(scans)}
