"""Small builders for raw test mails (bytes exactly as a server would send)."""

from __future__ import annotations

import base64

HEAD = (
    "From: Jane Doe <jane@example.net>\n"
    "To: claims@example.com\n"
    "Date: Mon, 02 Mar 2026 10:00:00 +0100\n"
    "Message-ID: <test-1@example.net>\n"
)


def eml(head: str, body: bytes | str = b"", *, crlf: bool = False) -> bytes:
    """Header lines (ASCII str, or bytes for raw 8-bit) + blank line + body."""
    raw = (head if isinstance(head, bytes) else head.encode("ascii")).rstrip(b"\n") + b"\n\n"
    raw += body.encode("utf-8") if isinstance(body, str) else body
    return raw.replace(b"\n", b"\r\n") if crlf else raw


def encoded_word(text: str, charset: str, codec: str | None = None, *, q: bool = False) -> str:
    """An RFC 2047 encoded word for ``text``."""
    data = text.encode(codec or charset)
    if q:
        body = "".join(
            chr(b) if chr(b).isascii() and chr(b).isalnum() else f"={b:02X}" for b in data
        )
        return f"=?{charset}?Q?{body}?="
    return f"=?{charset}?B?{base64.b64encode(data).decode()}?="


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii")
