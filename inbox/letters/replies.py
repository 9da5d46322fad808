"""Answering by letter: a rep's reply rendered as a printable PDF.

Like email and SMS replies (:mod:`inbox.outbound`), a letter reply is queued
as an :class:`OutboundMessage` in the thread's transaction; a job renders it
after commit (A4, window-envelope address, the customer's language, the
letterhead from ``[letters.letterhead]``), keeps the PDF in the blob store
(and, with ``letters.print_dir``, writes a copy there for the print room),
and files it in the thread as an outbound letter with the PDF attached. The
print room marks it printed (``mark_printed``).

The address is the one the customer's latest letter came from (what they
wrote is what they read), else their postal address on file.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.models import Customer
from config import Settings
from inbox import audit
from inbox.database import Database
from inbox.intake.core import CONFIG_KEY
from inbox.models import Attachment, Message, OutboundMessage, Thread, User
from inbox.outbound import (
    Accepted,
    ReplyError,
    file_sent,
    queue_reply,
    reply_thread,
    send_queued_reply,
)

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
MAX_BODY = 20_000


def queue_letter_reply(
    session: Session, thread_id: int, body: str, now: datetime, *,
    subject: str = "", author_id: int | None = None,
) -> OutboundMessage:
    """Queue a reply by letter (printed by the job
    :func:`inbox.jobs.letters.print_letter_reply` after commit)."""
    thread, text = reply_thread(session, thread_id, body)
    if len(text) > MAX_BODY:
        raise ReplyError(f"a letter holds at most {MAX_BODY} characters")
    customer = session.get(Customer, thread.customer_id)
    assert customer is not None
    name, address = _address(session, thread, customer)
    if not address:
        raise ReplyError("this customer has no postal address to write to")
    claim = thread.claim.number if thread.claim is not None else None
    return queue_reply(
        session, thread, now, channel="letter", external_id=f"letter-{uuid.uuid4().hex}",
        recipient=", ".join([name, *address])[:320], text=text,
        subject=(subject or thread.subject or "").strip()[:500],
        language=thread.language or customer.language,
        extras={"recipient_name": name, "address_lines": address, "our_reference": claim},
        author_id=author_id,
    )


def _address(session: Session, thread: Thread, customer: Customer) -> tuple[str, list[str]]:
    last = session.scalars(
        sa.select(Message).where(Message.thread_id == thread.id, Message.channel == "letter",
                                 Message.direction == "inbound")
        .order_by(Message.received_at.desc(), Message.id.desc()).limit(1)
    ).first()
    letter = (last.extras or {}).get("letter") if last is not None else None
    if letter and letter.get("address"):
        return (customer.name or letter.get("sender_name") or "", list(letter["address"]))
    lines = [part.strip() for part in (customer.address or "").replace("\n", ",").split(",")
             if part.strip()]
    return customer.name or "", lines


def print_queued_letter(db: Database, settings: Settings, outbound_id: int,
                        now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> str:
    """Render one queued letter reply and file it; returns its status. Safe
    to run twice. A letter that cannot be laid out (an address too long for
    the window) is marked failed; a print folder that cannot be written is
    retried by the job."""
    from channels.letters.printing import LetterLayoutError

    def deliver(row: OutboundMessage) -> Callable[[], Accepted]:
        session = _session_of(row)
        blobs = session.info[CONFIG_KEY].blobs
        author = session.get(User, row.author_id) if row.author_id else None
        letter = _printable(row, author, now())

        def render() -> Accepted:
            from channels.letters.printing import render_letter_pdf

            pdf = render_letter_pdf(letter, _letterhead(settings), template_dir=TEMPLATES)
            sha = blobs.put(pdf)
            row_extras["pdf"] = {"sha256": sha, "size": len(pdf)}
            if settings.letters.print_dir:
                _write_print_copy(Path(settings.letters.print_dir),
                                  f"{row_id:08d}-{row.external_id}.pdf", pdf)
            return Accepted(row.external_id, now())

        row_id = row.id
        return render

    row_extras: dict[str, Any] = {}

    def file(session: Session, row: OutboundMessage, accepted: Accepted) -> Message:
        pdf = row_extras["pdf"]
        message = file_sent(session, row, accepted, sender="", html="",
                            extras={"outbound_id": row.id,
                                    "print": {"status": "ready", "pdf_sha256": pdf["sha256"]}})
        session.add(Attachment(message_id=message.id, sha256=pdf["sha256"],
                               filename=f"letter-{row.id}.pdf", content_type="application/pdf",
                               size=pdf["size"]))
        session.flush()
        return message

    return send_queued_reply(db, outbound_id, channel="letter", deliver=deliver, file=file,
                             permanent=(LetterLayoutError, ReplyError), temporary=(OSError,),
                             now=now())


def _session_of(row: OutboundMessage) -> Session:
    session = sa.inspect(row).session
    assert session is not None
    return session


def _printable(row: OutboundMessage, author: User | None, when: datetime) -> Any:
    from channels.letters.printing import PrintableLetter

    extras = row.extras or {}
    return PrintableLetter(
        recipient_name=extras.get("recipient_name", ""),
        recipient_address=tuple(extras.get("address_lines") or ()),
        language=row.language or "en", subject=row.subject, body=row.text,
        date=when.date(), signature_name=(author.name if author is not None else ""),
        our_reference=extras.get("our_reference"),
    )


def _letterhead(settings: Settings) -> Any:
    from channels.letters.printing import Letterhead

    head = settings.letters.letterhead
    return Letterhead(company=head.company, address_lines=head.address_lines, phone=head.phone,
                      email=head.email, website=head.website, footer=head.footer,
                      logo_path=head.logo_path or None)


def _write_print_copy(directory: Path, name: str, pdf: bytes) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".incoming-", suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pdf)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, directory / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def mark_printed(session: Session, message_id: int, now: datetime, *,
                 actor_id: int | None = None) -> Message:
    """The print room printed and posted the letter."""
    message = session.get(Message, message_id)
    if message is None or message.channel != "letter" or message.direction != "outbound":
        raise ReplyError(f"message {message_id} is not a letter we wrote")
    printing = dict((message.extras or {}).get("print") or {})
    if printing.get("status") == "printed":
        return message
    printing.update(status="printed", printed_at=now.isoformat())
    message.extras = {**message.extras, "print": printing}
    session.flush()
    audit.record(session, message, "letter.printed", now, actor_id=actor_id)
    return message


def print_queue(session: Session, limit: int = 200) -> list[Message]:
    """Letters rendered and waiting for the print room, oldest first."""
    return list(session.scalars(
        sa.select(Message).where(
            Message.channel == "letter", Message.direction == "outbound",
            Message.extras["print"]["status"].as_string() == "ready")
        .order_by(Message.received_at, Message.id).limit(limit)
    ))
