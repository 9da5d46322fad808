"""A message from the portal into the inbox, through the one ingest path.

The customer writes a new message (optionally about one of their claims) or
answers one of their threads, with files. Files are checked by content and
size (:mod:`channels.portal.submission`); the message is filed by
:func:`inbox.intake.core.ingest` as channel ``portal``, exactly once per
form (its ``submission_id``). Files that may be scans are read afterwards by
the ``ocr`` queue (:mod:`inbox.portal.scans`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from channels.base import InboundAttachment, SenderIdentity
from channels.portal.submission import (
    SCANNABLE,
    Limits,
    UploadRefused,
    check_file,
    sniff,
    submission_inbound,
    valid_submission_id,
)
from claims.models import Customer
from config import Settings
from inbox.intake.core import IngestResult, ingest
from inbox.outbound import customer_contact
from inbox.portal.i18n import N_
from inbox.portal.overview import claim_of_customer, latest_reference, own_thread


class SubmitError(ValueError):
    """The message cannot be taken as written. ``reason`` is a catalog key
    the portal shows; ``filename`` names the file it is about, if any."""

    def __init__(self, reason: str, filename: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.filename = filename


class NotFound(LookupError):  # noqa: N818 - reads as what the web layer answers
    """A thread or claim that is not this customer's (or does not exist)."""


@dataclass
class Submission:
    submission_id: str
    text: str
    subject: str = ""
    claim_number: str = ""
    thread_id: int | None = None
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (name, bytes)


UPLOAD_REASONS = {
    "type": N_("%(file)s: this kind of file is not accepted. Send a PDF, JPEG or PNG."),
    "heic": N_("%(file)s: photos in HEIC format are not accepted. Choose \"Most compatible\" "
               "(JPEG) in your camera settings, or send a PDF."),
    "size": N_("%(file)s is larger than %(mb)s MB."),
    "empty": N_("%(file)s is empty."),
}


def limits_of(settings: Settings) -> Limits:
    cfg = settings.portal
    return Limits(cfg.max_file_bytes, cfg.max_files, cfg.max_message_chars)


def submit(session: Session, settings: Settings, customer_id: int, sub: Submission,
           now: datetime, *, language: str) -> IngestResult:
    """File the submission (the caller commits); :class:`SubmitError` for
    what the customer can fix, :class:`NotFound` for another's thread or claim.
    A message the core cannot file is a failed intake (``result.failed``)."""
    from inbox.jobs.base import enqueue_after_commit
    from inbox.jobs.portal import read_portal_scans

    attachments = _checked(sub, limits_of(settings))
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("customer")
    in_reply_to, subject = None, sub.subject.strip()
    if sub.thread_id is not None:
        thread = own_thread(session, customer_id, sub.thread_id)
        if thread is None:
            raise NotFound("thread")
        in_reply_to, subject = latest_reference(session, thread), thread.subject
    elif sub.claim_number:
        claim = claim_of_customer(session, customer_id, sub.claim_number.strip())
        if claim is None:
            raise NotFound("claim")
        # The claim's number in the subject links the thread to it (threading rule 2).
        if claim.number not in subject:
            subject = f"{subject} ({claim.number})" if subject else claim.number
    sender = [SenderIdentity(kind, value) for kind in ("email", "phone")
              if (value := customer_contact(session, customer_id, kind))]
    inbound = submission_inbound(
        customer_id=customer_id, submission_id=sub.submission_id, received_at=now,
        subject=subject, text=sub.text, attachments=attachments, sender=sender,
        sender_name=customer.name, in_reply_to=in_reply_to, language=language)
    scans = any(_scannable(a.data or b"") for a in attachments)  # (ingest stores the bytes)
    result = ingest(session, inbound, now)
    # Failed (result.failed): kept as a failed intake with the files, for an
    # admin's retry; the customer is told it arrived, which it did.
    if result.created and scans:
        enqueue_after_commit(session, read_portal_scans, result.message_id)
    return result


def _checked(sub: Submission, limits: Limits) -> list[InboundAttachment]:
    """The form's text and files checked; its files as attachments."""
    if not valid_submission_id(sub.submission_id):
        raise SubmitError(N_("The form has expired. Please write your message again."))
    files = [(name, data) for name, data in sub.files if name or data]
    if not sub.text.strip() and not files:
        raise SubmitError(N_("Write a message or attach a file."))
    if len(sub.text.strip()) > limits.max_chars:
        raise SubmitError(N_("The message is too long."))
    if len(files) > limits.max_files:
        raise SubmitError(N_("Attach at most %(count)s files to one message."))
    attachments = []
    for name, data in files:
        try:
            attachments.append(check_file(name, data, limits))
        except UploadRefused as exc:
            raise SubmitError(UPLOAD_REASONS[exc.reason], exc.filename) from exc
    return attachments


def _scannable(data: bytes) -> bool:
    found = sniff(data)
    return found is not None and found[0] in SCANNABLE
