"""Turning demo texts into what the channel adapters would hand the core:
``Inbound`` objects with the raw input they would have stored (an .eml, a
Twilio webhook form), sender identities, threading headers and extras."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from channels.base import Inbound, InboundAttachment, SenderIdentity

INSURER_DOMAIN = "insurer.example"
CLAIMS_ADDRESS = f"claims@{INSURER_DOMAIN}"
SERVICE_ADDRESS = f"service@{INSURER_DOMAIN}"
ACCOUNT_SID = "AC" + "de" * 16  # a made-up Twilio account


@dataclass
class PlannedMessage:
    inbound: Inbound
    # When the adapter hands it to the core (the ``now`` of ``ingest``).
    filed_at: datetime
    # Which story of the plan it belongs to ("<customer index>.<n>:<kind>"):
    # messages of one story should end up in one thread.
    story: str = ""


def hex_token(rng: random.Random, length: int) -> str:
    return f"{rng.getrandbits(length * 4):0{length}x}"


def message_id(rng: random.Random, address: str) -> str:
    return f"{hex_token(rng, 16)}.{hex_token(rng, 6)}@{address.rpartition('@')[2]}"


def email(
    rng: random.Random, at: datetime, *, sender: str, name: str, subject: str, text: str,
    recipient: str, in_reply_to: str | None = None, references: tuple[str, ...] = (),
    headers: dict[str, str] | None = None, attachments: tuple[tuple[str, str, bytes], ...] = (),
) -> PlannedMessage:
    mid = message_id(rng, sender)
    headers = dict(headers or {})
    msg = EmailMessage(policy=SMTP)
    msg["From"] = formataddr((name, sender))
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = f"<{mid}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        msg["References"] = " ".join(f"<{ref}>" for ref in references)
    for key, value in headers.items():
        msg[key.title()] = value
    msg.set_content(text)
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    if attachments:
        # A fixed boundary keeps the raw mail (and its blob) the same for a seed.
        msg.set_boundary(f"=_demo_{hex_token(rng, 20)}")
    inbound = Inbound(
        channel="email", external_id=mid, received_at=at,
        sender=[SenderIdentity("email", sender)], sender_name=name, subject=subject, text=text,
        recipient=recipient, in_reply_to=in_reply_to, references=list(references),
        headers=headers,
        attachments=[InboundAttachment(filename, content_type, data)
                     for filename, content_type, data in attachments],
        raw=msg.as_bytes(),
    )
    return PlannedMessage(inbound, at + timedelta(seconds=rng.randint(20, 240)))


def sms(rng: random.Random, at: datetime, *, sender: str, text: str, recipient: str,
        name: str = "") -> PlannedMessage:
    sid = "SM" + hex_token(rng, 32)
    segments = 1 + len(text) // 153 if len(text) > 160 else 1
    form = {"AccountSid": ACCOUNT_SID, "Body": text, "From": sender, "MessageSid": sid,
            "NumMedia": "0", "NumSegments": str(segments), "To": recipient}
    inbound = Inbound(
        channel="sms", external_id=sid, received_at=at, sender=[SenderIdentity("phone", sender)],
        sender_name=name, text=text, recipient=recipient, extras={"segments": segments},
        raw=json.dumps(form, sort_keys=True, ensure_ascii=False).encode(),
    )
    return PlannedMessage(inbound, at + timedelta(seconds=rng.randint(1, 5)))


def call(rng: random.Random, at: datetime, *, sender: str, text: str, recipient: str,
         status: str, duration: int, voicemail: int | None = None) -> PlannedMessage:
    """A call as the Twilio adapter reports it once it has ended: ``text`` is the
    transcript (of the conversation, or of the voicemail)."""
    sid = "CA" + hex_token(rng, 32)
    extras: dict[str, object] = {"status": status, "duration": duration, "direction": "inbound"}
    form = {"AccountSid": ACCOUNT_SID, "CallSid": sid, "CallStatus": status,
            "CallDuration": str(duration), "Direction": "inbound", "From": sender,
            "To": recipient}
    if voicemail is not None:
        extras |= {"voicemail": True, "recording_duration": voicemail}
        form |= {"RecordingDuration": str(voicemail), "TranscriptionText": text}
    inbound = Inbound(
        channel="call", external_id=sid, received_at=at, sender=[SenderIdentity("phone", sender)],
        text=text, recipient=recipient, extras=extras,
        raw=json.dumps(form, sort_keys=True, ensure_ascii=False).encode(),
    )
    return PlannedMessage(inbound, at + timedelta(seconds=duration + rng.randint(5, 60)))


def letter(rng: random.Random, at: datetime, *, address: str, name: str,
           text: str) -> PlannedMessage:
    """A scanned letter after OCR: the sender is the address printed on it."""
    inbound = Inbound(
        channel="letter", external_id=hex_token(rng, 64), received_at=at,
        sender=[SenderIdentity("address", address)], sender_name=name, text=text,
        extras={"pages": 1, "ocr_confidence": round(rng.uniform(0.86, 0.97), 2)},
    )
    return PlannedMessage(inbound, at + timedelta(seconds=rng.randint(60, 900)))


def tiny_pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing ``lines`` (ASCII): an invoice or a receipt."""
    def escape(line: str) -> str:
        line = line.encode("ascii", "replace").decode("ascii")
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = "BT /F1 12 Tf 72 770 Td 18 TL " + " ".join(f"({escape(x)}) '" for x in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode("ascii")
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            .encode("ascii"))
    return bytes(out)
