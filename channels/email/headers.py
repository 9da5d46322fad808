"""Header values as found in real mail: RFC 2047 encoded words (also malformed),
raw 8-bit bytes, addresses, Message-ID lists and dates.

Works on compat32 raw header values, where undeclared 8-bit bytes arrive as
surrogate escapes (``str.encode("utf-8", "surrogateescape")`` gives them back).
"""

from __future__ import annotations

import binascii
import re
import unicodedata
from datetime import UTC, datetime
from email.message import Message
from email.utils import getaddresses, parsedate_tz

from channels.email.charsets import decode_8bit, decode_bytes

# Tolerant: spaces inside the encoded text, a missing "?=" at the very end,
# an RFC 2231 language suffix ("utf-8*de").
_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?]*)?\?([bBqQ])\?([^?]*?)(?:\?=|$)")
_FOLD = re.compile(r"\r?\n[ \t]+")
_LINE_BREAKS = re.compile(r"[\r\n]+")
_BRACKETED = re.compile(r"<([^<>]*)>")
_BARE_ID = re.compile(r"[^\s<>,;()\"]+@[^\s<>,;()\"]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Dates before the first mail on the Internet or far in the future are broken.
_MIN_YEAR, _MAX_YEAR = 1971, 2100


def raw_header(msg: Message, name: str) -> str:
    """The first ``name`` header as stored (8-bit bytes as surrogate escapes;
    compat32's ``msg[name]`` would turn them into U+FFFD)."""
    for key, value in msg.raw_items():
        if key.lower() == name:
            return str(value)
    return ""


def unfold(value: str) -> str:
    if "\n" not in value and "\r" not in value:
        return value.strip()
    return _LINE_BREAKS.sub(" ", _FOLD.sub(" ", value)).strip()


def decode_header(value: str, defects: list[str], hint: str | None = None) -> str:
    """A header value as Unicode: encoded words decoded (adjacent words of one
    charset joined first, so a character split between two words survives),
    raw 8-bit bytes decoded as UTF-8 or guessed (``hint`` first)."""
    value = unfold(value).replace("\x00", "")  # PostgreSQL text cannot hold NUL
    if "=?" not in value:
        return _raw(value, defects, hint)
    out: list[str] = []
    pending: tuple[str, bytearray] | None = None
    pos = 0
    for match in _ENCODED_WORD.finditer(value):
        between = value[pos : match.start()]
        if pending is None or between.strip(" \t"):
            if pending is not None:
                out.append(decode_bytes(bytes(pending[1]), pending[0], defects))
                pending = None
            out.append(_raw(between, defects, hint))
        charset, encoding, text = match.groups()
        data = _decode_word(encoding, text, defects)
        if data is None:  # undecodable: keep the word as it came
            if pending is not None:
                out.append(decode_bytes(bytes(pending[1]), pending[0], defects))
                pending = None
            out.append(_raw(match.group(0), defects, hint))
        elif pending is not None and pending[0] == charset.lower():
            pending[1].extend(data)
        else:
            if pending is not None:
                out.append(decode_bytes(bytes(pending[1]), pending[0], defects))
            pending = (charset.lower(), bytearray(data))
        pos = match.end()
    if pending is not None:
        out.append(decode_bytes(bytes(pending[1]), pending[0], defects))
    out.append(_raw(value[pos:], defects, hint))
    return "".join(out).replace("\x00", "")


def _decode_word(encoding: str, text: str, defects: list[str]) -> bytes | None:
    raw = text.encode("ascii", "surrogateescape")
    if encoding in "qQ":
        return binascii.a2b_qp(raw, header=True)
    raw = b"".join(raw.split())
    raw += b"=" * (-len(raw) % 4)
    try:
        return binascii.a2b_base64(raw)
    except binascii.Error:
        defects.append("bad base64 in encoded word")
        return None


def _raw(value: str, defects: list[str], hint: str | None) -> str:
    if value.isascii():
        return value
    return decode_8bit(value.encode("utf-8", "surrogateescape"), defects, hint)


def addresses(
    value: str | None, defects: list[str], hint: str | None = None
) -> list[tuple[str, str]]:
    """(display name, address) pairs; names decoded, only entries with an "@"."""
    if not value:
        return []
    found = []
    for name, raw_addr in _split_addresses(unfold(value).replace("\x00", "")):
        addr = _raw(raw_addr, defects, hint).strip()
        if "@" in addr:
            found.append((decode_header(name, defects, hint).strip(), addr))
    return found


_SIMPLE_MAILBOX = re.compile(
    r'\s*(?:"((?:[^"\\]|\\.)*)"|([^"<>,;:@()\\]*?))\s*<([^<>\s",;:()\\]+@[^<>\s",;:()\\]+)>\s*\Z'
)
_BARE_ADDRESS = re.compile(r'\s*([^\s<>",;:()\\]+@[^\s<>",;:()\\]+)\s*\Z')


def _split_addresses(value: str) -> list[tuple[str, str]]:
    """Fast path for the common shapes ("Name" <a@b>, Name <a@b>, a@b, comma
    lists of them); anything else goes to email.utils.getaddresses."""
    pieces = [value] if '"' in value or "(" in value else value.split(",")
    simple = []
    for piece in pieces:
        if not piece.strip():
            continue
        match = _SIMPLE_MAILBOX.match(piece)
        if match:
            quoted, plain, addr = match.groups()
            name = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else plain
            simple.append((name, addr))
            continue
        match = _BARE_ADDRESS.match(piece)
        if not match:
            return getaddresses([value])
        simple.append(("", match.group(1)))
    return simple


def message_ids(value: str | None) -> list[str]:
    """Message-IDs in order, without brackets and duplicates. Tolerates missing
    brackets, commas, line breaks and phrases around the ids."""
    if not value:
        return []
    text = unfold(value).replace("\x00", "")
    ids: dict[str, None] = {}
    bracketed = _BRACKETED.findall(text)
    if bracketed:
        # Mixed forms ("<a@x> b@y"): keep bare ids outside the brackets too.
        for piece in re.split(r"(<[^<>]*>)", text):
            if piece.startswith("<") and piece.endswith(">"):
                candidate = "".join(piece[1:-1].split())
                if candidate:
                    ids.setdefault(candidate)
            else:
                for bare in _BARE_ID.findall(piece):
                    ids.setdefault(bare)
    else:
        for bare in _BARE_ID.findall(text):
            ids.setdefault(bare)
    return [_raw(i, [], None) for i in ids]


def parse_date(value: str | None, defects: list[str]) -> datetime | None:
    """A header date as aware UTC, or None (with a defect) when unusable."""
    if not value:
        return None
    text = unfold(value)
    when = _rfc5322_date(text)
    if when is None:
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            defects.append("unparseable date")
            return None
    if when.tzinfo is None:
        defects.append("date without time zone; UTC assumed")
        when = when.replace(tzinfo=UTC)
    if not _MIN_YEAR <= when.year <= _MAX_YEAR:
        defects.append(f"implausible date year {when.year}")
        return None
    return when.astimezone(UTC)


def _rfc5322_date(text: str) -> datetime | None:
    parts = parsedate_tz(text)
    if parts is None:
        return None
    try:
        when = datetime(*parts[:6])  # noqa: DTZ001 - the offset is applied below
    except (ValueError, OverflowError):
        return None
    offset = parts[9]
    if offset is None:  # "-0000": time zone unknown
        return when
    try:
        return datetime.fromtimestamp(when.replace(tzinfo=UTC).timestamp() - offset, UTC)
    except (ValueError, OverflowError, OSError):
        return None


def clean_filename(name: str) -> str:
    """No paths, no control characters, NFC (macOS sends NFD), at most 255 chars."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _CONTROL.sub("", unicodedata.normalize("NFC", name)).strip().strip(".")
    return name[:255]
