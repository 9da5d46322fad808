"""A portal submission as an :class:`Inbound` (channel ``portal``).

The portal's web layer has already signed the customer in, so the submission
names its customer (``extras["customer_id"]``, trusted by the core for this
channel only). Files are checked by their content, not their name: PDF,
JPEG, PNG, TIFF, GIF and WebP, each at most ``max_file_bytes``. iPhone
photos in HEIC are refused with a message saying how to send them instead.

Exactly once: the form carries a random ``submission_id`` made when the form
was shown; the message's external id is built from it and the customer, so
a double click or a resubmitted form files one message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from channels.base import Inbound, InboundAttachment, SenderIdentity

# Magic bytes -> (kind, content type). "%PDF" may follow a few junk bytes.
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"\xff\xd8\xff", "jpeg", "image/jpeg"),
    (b"II*\x00", "tiff", "image/tiff"),
    (b"MM\x00*", "tiff", "image/tiff"),
    (b"GIF87a", "gif", "image/gif"),
    (b"GIF89a", "gif", "image/gif"),
)
EXTENSIONS = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg", "tiff": ".tif", "gif": ".gif",
              "webp": ".webp"}
# Pages worth reading as a scan: images a camera or scanner makes, and PDFs.
SCANNABLE = frozenset({"pdf", "png", "jpeg", "tiff"})
_SUBMISSION = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class UploadRefused(ValueError):  # noqa: N818 - reads as what happened
    """The file is not taken. ``reason`` is a code the portal shows in the
    customer's language: ``type``, ``heic``, ``size``, ``empty``, ``count``."""

    def __init__(self, reason: str, filename: str) -> None:
        super().__init__(f"{filename}: {reason}")
        self.reason = reason
        self.filename = filename


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_files: int
    max_chars: int


def sniff(data: bytes) -> tuple[str, str] | None:
    """(kind, content type) from the first bytes, or None for anything else."""
    head = data[:16]
    if b"%PDF-" in data[:1024]:
        return "pdf", "application/pdf"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", "image/webp"
    for magic, kind, content_type in _MAGIC:
        if head.startswith(magic):
            return kind, content_type
    return None


def _is_heic(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc")


def clean_filename(name: str, kind: str) -> str:
    """The base name, printable, at most 120 characters, with the ending of
    what the file really is."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base)
                   if unicodedata.category(ch)[0] not in ("C",)).strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem[:110] or "upload"
    return stem + EXTENSIONS[kind]


def check_file(filename: str, data: bytes, limits: Limits) -> InboundAttachment:
    """The file as an attachment, or :class:`UploadRefused`."""
    if not data:
        raise UploadRefused("empty", filename)
    if len(data) > limits.max_file_bytes:
        raise UploadRefused("size", filename)
    found = sniff(data)
    if found is None:
        raise UploadRefused("heic" if _is_heic(data) else "type", filename)
    kind, content_type = found
    return InboundAttachment(filename=clean_filename(filename, kind),
                             content_type=content_type, data=data, size=len(data))


def valid_submission_id(value: str) -> bool:
    return bool(_SUBMISSION.match(value or ""))


def submission_inbound(*, customer_id: int, submission_id: str, received_at: datetime,
                       subject: str, text: str, attachments: list[InboundAttachment],
                       sender: list[SenderIdentity], sender_name: str,
                       in_reply_to: str | None = None, language: str | None = None,
                       ) -> Inbound:
    """One portal message. ``sender`` is what identifies the customer to a
    rep (their verified email or number); ``customer_id`` decides.
    ``in_reply_to`` names a message of the thread answered (threading rule 1)."""
    if not valid_submission_id(submission_id):
        raise ValueError("submission_id: 16-64 letters, digits, - or _")
    return Inbound(
        channel="portal", external_id=f"portal:{customer_id}:{submission_id}",
        received_at=received_at, sender=sender, sender_name=sender_name,
        subject=subject.strip()[:300], text=text.strip(), attachments=attachments,
        in_reply_to=in_reply_to, language=language, auto=False,
        extras={"customer_id": customer_id},
    )
