"""From a read scan to the letters in it, as :class:`~channels.base.Inbound`.

One file may hold several letters (a batch scan with separator sheets); each
becomes one message whose external id is the file's sha256 (plus the page
range when the file was split), so scanning or dropping the same file twice
files it once. The letter's own pages travel as its attachment; the whole
file is the raw input.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from channels.base import Inbound, InboundAttachment, SenderIdentity
from channels.letters.ocr import PageText
from channels.letters.pages import ScanFile
from channels.letters.reading import Reading, read_letter


@dataclass(frozen=True)
class LetterOptions:
    patterns: dict[str, re.Pattern[str]]
    # Words that name the insurer (its address block is not the sender's).
    own_words: tuple[str, ...] = ()
    split_on_blank: bool = False
    separator_barcode: str = "PATCHT"


@dataclass
class PageResult:
    index: int
    kind: str  # text | blank | separator
    page: PageText | None = None
    error: str = ""


@dataclass
class Letter:
    pages: list[PageResult]
    reading: Reading
    inbound: Inbound
    extras: dict[str, Any] = field(default_factory=dict)


def letter_external_id(sha256: str, pages: list[int], total: int) -> str:
    if len(pages) == total or not pages:
        return f"scan:{sha256}"
    return f"scan:{sha256}#p{pages[0] + 1}-{pages[-1] + 1}"


def build_letter(
    *,
    path: Path,
    scan: ScanFile,
    sha256: str,
    results: list[PageResult],
    page_indexes: list[int],
    received_at: datetime,
    options: LetterOptions,
    pages_file: tuple[bytes, str, str] | None,
    size: int = 0,
) -> Letter:
    """One letter from its pages. ``pages_file`` is (bytes, content type,
    extension) of the letter's own pages when the scan was split, else None:
    the whole file (``size`` bytes, in the blob store as ``sha256``) is the
    letter."""
    pages = [results[i] for i in page_indexes]
    texts = [p.page for p in pages if p.page is not None]
    text = "\n\n".join(t.text for t in texts if t.text)
    languages = Counter(t.language for t in texts if t.language)
    language = languages.most_common(1)[0][0] if languages else None
    first = texts[0] if texts else None
    reading = read_letter(
        text, first.lines if first else None, language=language,
        patterns=options.patterns, own_words=options.own_words,
    )
    sender: list[SenderIdentity] = []
    if reading.address_lines:
        sender.append(SenderIdentity("address", ", ".join(reading.address_lines)))
    sender += [SenderIdentity("email", e) for e in reading.emails]
    sender += [SenderIdentity("phone", p) for p in reading.phones]
    if reading.sender_name:
        sender.append(SenderIdentity("name", reading.sender_name))

    ocr_pages = [{"page": p.index + 1, **(p.page.summary() if p.page else {})} for p in pages]
    confidences = [t.confidence for t in texts if t.method != "blank"]
    extras: dict[str, Any] = {
        "letter": {
            "file": path.name,
            "file_sha256": sha256,
            "kind": scan.kind,
            "pages": [i + 1 for i in page_indexes],
            "file_pages": scan.pages,
            "date": reading.date.isoformat() if reading.date else None,
            "date_text": reading.date_text,
            "sender_name": reading.sender_name,
            "address": reading.address_lines,
            "numbers_exact": [n.number for n in reading.numbers if n.exact],
            "numbers_fuzzy": [n.number for n in reading.numbers if not n.exact],
        },
        "ocr": {
            "pages": ocr_pages,
            "confidence": round(min(confidences), 1) if confidences else None,
            "mean_confidence": (round(sum(confidences) / len(confidences), 1)
                                if confidences else None),
        },
    }
    stem = re.sub(r"[^\w.-]+", "_", path.stem)[:80] or "letter"
    if pages_file is None:
        # The whole file is the letter: it is in the blob store already.
        attachment = InboundAttachment(f"{stem}.{scan.kind}", scan.content_type,
                                       sha256=sha256, size=size)
    else:
        data, content_type, ext = pages_file
        suffix = f"-p{page_indexes[0] + 1}-{page_indexes[-1] + 1}"
        attachment = InboundAttachment(f"{stem}{suffix}.{ext}", content_type, data=data)
    inbound = Inbound(
        channel="letter",
        external_id=letter_external_id(sha256, page_indexes, scan.pages),
        received_at=received_at,
        sender=sender,
        subject=reading.subject,
        text=text,
        sender_name=reading.sender_name,
        attachments=[attachment],
        language=language,
        extras=extras,
    )
    return Letter(pages, reading, inbound, extras)


def pages_subset(path: Path, kind: str, indexes: list[int]) -> tuple[bytes, str, str]:
    """The given pages of a scan as a file of their own: PDF pages stay PDF
    (copied, not re-rendered); image pages become a multi-page TIFF."""
    if kind == "pdf":
        import pypdfium2 as pdfium

        src = pdfium.PdfDocument(str(path))
        out = pdfium.PdfDocument.new()
        try:
            out.import_pages(src, indexes)
            buffer = io.BytesIO()
            out.save(buffer)
        finally:
            out.close()
            src.close()
        return buffer.getvalue(), "application/pdf", "pdf"
    from PIL import Image

    frames = []
    with Image.open(path) as img:
        for i in indexes:
            img.seek(i)
            frames.append(img.copy())
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:],
                   compression="tiff_deflate", dpi=(300, 300))
    return buffer.getvalue(), "image/tiff", "tiff"
