"""Data for the browser tests, made the way production makes it: the book of
business with the factories, the demo workspace's users, mail as raw .eml
bytes through the email adapter's parser and ``inbox.ingest``, a call as
signed Twilio webhooks the worker files (and whose recording it fetches), a
scanned letter through the letter intake and tesseract."""

from __future__ import annotations

import itertools
import uuid
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

import sqlalchemy as sa

from channels.email.parse import parse_email
from claims.models import Claim
from inbox import ingest
from inbox.demo import create_users
from inbox.demo.channels import tiny_pdf
from inbox.models import Attachment, Message
from tests import factories
from tests.e2e.server import MAILBOX, Product
from tests.servers.twilio import ACCOUNT_SID, OUR_NUMBER

_seq = itertools.count(1)
# A short stand-in for an MP3 (the fake Twilio serves it, the worker stores it).
DPI = 200  # enough for tesseract, and half the pixels of 300
AUDIO = b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 16


def now() -> datetime:
    return datetime.now(UTC)


def warm_language_detector() -> None:
    from config import load_settings
    from inbox.intake.language import detect_language

    detect_language("The storm tore the tiles off our roof last night.",
                    load_settings(env={}).languages)


def demo_users(product: Product) -> None:
    """rep1@…, supervisor1@… of the demo workspace (password DEMO_PASSWORD)."""
    with product.db.transaction() as session:
        create_users(session, now())


def raw_email(*, sender: str, name: str, subject: str, text: str, html: str = "",
              attachments: tuple[tuple[str, str, bytes], ...] = (),
              at: datetime | None = None) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = formataddr((name, sender))
    msg["To"] = MAILBOX
    msg["Subject"] = subject
    msg["Date"] = format_datetime(at or now())
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def file_email(product: Product, raw: bytes, at: datetime | None = None) -> int:
    """Parse and file one mail as the IMAP sync does; returns its thread id."""
    at = at or now()
    inbound = parse_email(raw, received_at=at, mailbox=MAILBOX)
    inbound.raw = raw
    with product.db.transaction() as session:
        result = ingest(session, inbound, at)
        assert result.thread_id is not None, result.failed
        return result.thread_id


def customer_with_claim(product: Product, name: str, *, status: str = "received",
                        amount: str = "1200", phone: str | None = None,
                        address: str | None = None, claim_number: str | None = None,
                        policy_number: str | None = None) -> tuple[str, str]:
    """A customer with an active home policy and a claim; (email, claim number)."""
    n = next(_seq)
    email = f"{name.lower().replace(' ', '.')}.{n}@example.net"
    with product.db.transaction() as session:
        owner = factories.customer(session, name=name, email=email, phone=phone,
                                   address=address)
        policy = factories.policy(session, owner, number=policy_number)
        claim = factories.claim(session, policy, number=claim_number, status=status,
                                amount_claimed=Decimal(amount), cause="storm")
        return email, claim.number


# -- the customer whose thread has every channel -------------------------------------

@dataclass(frozen=True)
class Story:
    thread_id: int
    claim_number: str
    email_subject: str
    attachment_name: str
    attachment_bytes: bytes
    transcript: str
    letter_phrase: str  # a phrase of the letter's OCR text


def margaret(product: Product, pool: Executor, scan_dir: Path) -> Story:
    """Margaret Ellison (the sender of the English test letter): an email with
    a PDF attachment, then a recorded call, then her scanned letter, all about
    claim CLM-2026-004518."""
    from inbox.letters.intake import LetterIntake
    from tests.letters import scans
    from tests.letters.scans import LETTERS

    spec = next(s for s in LETTERS if s.key == "en-claim")
    phone = "+447700900518"
    email, claim_number = customer_with_claim(
        product, spec.sender_name, amount="1800", phone=phone,
        address=", ".join(spec.address_lines), claim_number=spec.claim_number,
        policy_number=spec.policy_number)

    quote = tiny_pdf(["Roofer's quote", "12 tiles, labour and scaffold: 1,640.00 GBP"])
    subject = f"Storm damage to our roof, claim {claim_number}"
    started = now() - timedelta(hours=3)
    thread_id = file_email(product, raw_email(
        sender=email, name=spec.sender_name, subject=subject,
        text="Dear claims team,\n\nthe storm tore tiles off our roof. The roofer's quote "
             "is attached.\n\nMargaret Ellison",
        html="<p>Dear claims team,</p><p>the storm tore tiles off our roof. "
             "<b>The roofer's quote is attached.</b></p><p>Margaret Ellison</p>",
        attachments=(("roofer-quote.pdf", "application/pdf", quote),), at=started),
        at=started)

    transcript = "Hello, this is Margaret Ellison about the roof, please call me back."
    call_recorded(product, phone, transcript)
    if product.sqlite:
        # One writer at a time: a transaction here while the worker writes
        # may be refused ("database is locked") rather than wait.
        _wait_for_call(product, thread_id, transcript)
    # Otherwise the worker files the call while the letter is read here.
    page = scans.render_pages(spec, seed=7, dpi=DPI)[0]
    path = scans.save_png(page, scan_dir / "letter-en.png")
    outcome = LetterIntake(product.db, product.settings, pool).ingest_file(path, now())
    assert outcome.outcome == "filed", outcome.error
    _wait_for_call(product, thread_id, transcript)
    return Story(thread_id, claim_number, subject, "roofer-quote.pdf", quote, transcript,
                 "several tiles were torn from the roof")


def call_recorded(product: Product, caller: str, transcript: str) -> str:
    """A 1:35 call with a recording and Twilio's transcript, as webhooks."""
    call_sid = "CA" + uuid.uuid4().hex
    recording_sid = "RE" + uuid.uuid4().hex
    path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording_sid}"
    product.twilio.add_media(path + ".mp3", AUDIO, "audio/mpeg")
    url = product.twilio.url + path
    at = format_datetime(now())
    common = {"AccountSid": ACCOUNT_SID, "CallSid": call_sid}
    assert product.post_twilio("/webhooks/twilio/voice/status", {
        **common, "CallStatus": "completed", "Direction": "inbound", "From": caller,
        "To": OUR_NUMBER, "SequenceNumber": "3", "Timestamp": at, "CallDuration": "95",
        "ApiVersion": "2010-04-01"}) == 200
    assert product.post_twilio("/webhooks/twilio/voice/recording", {
        **common, "RecordingSid": recording_sid, "RecordingUrl": url,
        "RecordingStatus": "completed", "RecordingDuration": "90",
        "RecordingSource": "DialVerb", "RecordingChannels": "1"}) == 200
    assert product.post_twilio("/webhooks/twilio/voice/transcription", {
        **common, "TranscriptionSid": "TR" + uuid.uuid4().hex,
        "TranscriptionStatus": "completed", "TranscriptionText": transcript,
        "RecordingSid": recording_sid, "RecordingUrl": url}) == 200
    return call_sid


def _wait_for_call(product: Product, thread_id: int, transcript: str) -> None:
    """The worker files the call into the thread and fetches its recording."""
    def filed() -> int | None:
        return product.scalar(
            sa.select(Attachment.id).join(Message).where(
                Message.thread_id == thread_id, Message.channel == "call",
                Message.text.contains(transcript), Attachment.content_type == "audio/mpeg"))

    product.wait_for("the call with its recording", filed)


def claim_status(product: Product, number: str) -> str:
    return str(product.scalar(sa.select(Claim.status).where(Claim.number == number)))
