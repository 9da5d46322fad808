"""The one normalized message type that crosses from channels into the core.

Adapters (email, Twilio, letters, portal) produce :class:`Inbound`; the core
(:func:`inbox.ingest.ingest`) consumes it. Replies cross the other way as
:class:`Outbound`. Both are plain data, serialisable to JSON so a failed intake
can be stored and retried later.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

Channel = Literal["email", "call", "sms", "letter", "portal"]
CHANNELS: tuple[str, ...] = ("email", "call", "sms", "letter", "portal")
IdentityKind = Literal["email", "phone", "address", "name", "customer_ref"]


@dataclass(frozen=True)
class SenderIdentity:
    """Something that says who sent a message: an address, a number, a name."""

    kind: IdentityKind
    value: str


@dataclass
class InboundAttachment:
    filename: str
    content_type: str
    data: bytes | None = None
    # Set instead of ``data`` once the bytes are in the blob store.
    sha256: str | None = None
    size: int | None = None
    content_id: str | None = None  # for inline (cid:) images
    inline: bool = False


@dataclass
class Inbound:
    channel: Channel
    external_id: str
    received_at: datetime
    sender: list[SenderIdentity]
    subject: str = ""
    text: str = ""
    html: str = ""  # already sanitized by the adapter
    sender_name: str = ""
    attachments: list[InboundAttachment] = field(default_factory=list)
    # The raw input (.eml bytes, webhook form as JSON, scan file) or, once stored,
    # its sha256 in the blob store.
    raw: bytes | None = None
    raw_ref: str | None = None
    # Threading hints (email): Message-IDs without angle brackets.
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    # Header names lower-cased; used to recognise automatic mail.
    headers: dict[str, str] = field(default_factory=dict)
    # Channel-specific data kept with the message (call status, OCR confidence...).
    extras: dict[str, Any] = field(default_factory=dict)
    # The adapter may already know (mailbox for email, our number for Twilio).
    recipient: str = ""
    language: str | None = None
    # Set by an adapter that knows the message is automatic (e.g. a bounce).
    auto: bool | None = None
    # "outbound" for what we did that a channel reports back (a call a rep
    # made through Twilio): filed in the thread, answering rather than asking.
    direction: Literal["inbound", "outbound"] = "inbound"

    def __post_init__(self) -> None:
        if self.received_at.tzinfo is None:
            raise ValueError("Inbound.received_at must be timezone-aware")
        if not self.external_id:
            raise ValueError("Inbound.external_id must not be empty")
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")
        if self.direction not in ("inbound", "outbound"):
            raise ValueError(f"unknown direction {self.direction!r}")

    def reference_ids(self) -> list[str]:
        """Message-IDs this answers: In-Reply-To first, then References newest
        first; angle brackets stripped, duplicates and itself dropped."""
        ordered: dict[str, None] = {}
        for candidate in [self.in_reply_to or "", *reversed(self.references)]:
            ref = candidate.strip().strip("<>").strip()
            if ref and ref != self.external_id:
                ordered.setdefault(ref)
        return list(ordered)

    def to_json(self) -> dict[str, Any]:
        """JSON-safe form for a failed-intake record (bytes as base64)."""
        data = asdict(self)
        data["received_at"] = self.received_at.isoformat()
        data["raw"] = _b64(self.raw)
        for att in data["attachments"]:
            att["data"] = _b64(att["data"])
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Inbound:
        data = dict(data)
        data["received_at"] = datetime.fromisoformat(data["received_at"])
        data["raw"] = _unb64(data.get("raw"))
        data["sender"] = [SenderIdentity(**s) for s in data.get("sender", [])]
        data["attachments"] = [
            InboundAttachment(**{**a, "data": _unb64(a.get("data"))})
            for a in data.get("attachments", [])
        ]
        return cls(**data)


@dataclass
class Outbound:
    """A reply leaving the system on one channel."""

    channel: Channel
    to: str
    subject: str = ""
    text: str = ""
    html: str = ""
    from_address: str = ""
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    message_id: str | None = None
    attachments: list[InboundAttachment] = field(default_factory=list)
    language: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)


def stable_id(*parts: str | bytes | None) -> str:
    """A stable synthetic id from the parts of a message (for mail without a
    Message-ID): the same input always gives the same id, so redelivery is
    still recognised."""
    digest = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else (part or "").encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return f"{digest.hexdigest()[:40]}@synthetic.invalid"


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def _unb64(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text)
