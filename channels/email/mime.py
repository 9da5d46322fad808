"""Walking a parsed (compat32) MIME tree: text and HTML bodies, attachments,
inline images, forwarded mail, delivery reports, broken structure."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.parser import HeaderParser
from email.utils import collapse_rfc2231_value
from typing import Any

from channels.base import InboundAttachment
from channels.email.charsets import decode_bytes
from channels.email.headers import (
    clean_filename,
    decode_header,
    message_ids,
    raw_header,
    unfold,
)
from channels.email.lift import raw_payload, restore, restore_tree

MAX_DEPTH = 20
_BODY_TYPES = ("text/plain", "text/html")
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I
)
_BOUNDARY_LINE = re.compile(r"^--([^\s]{1,70})[ \t]*\r?\n[A-Za-z][A-Za-z0-9-]*:", re.M)
_PARAM = r"""(?:^|;)\s*{}\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)"""
_STATUS_FIELDS = ("final-recipient", "original-recipient", "action", "status", "diagnostic-code")


@dataclass
class Collected:
    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    attachments: list[InboundAttachment] = field(default_factory=list)
    held_back: list[dict[str, Any]] = field(default_factory=list)
    returned_ids: list[str] = field(default_factory=list)
    delivery_status: list[dict[str, str]] = field(default_factory=list)
    forwarded: list[dict[str, str]] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    charset: str | None = None  # first body charset: a hint for 8-bit headers
    lifted: list[bytes] = field(default_factory=list)  # see channels.email.lift


def collect(msg: Message, *, hold_back: bool, lifted: list[bytes] | None = None) -> Collected:
    """Everything the Inbound needs from the body of ``msg`` (parsed from the
    skeleton that :func:`channels.email.lift.lift` returned with ``lifted``)."""
    found = Collected(lifted=lifted or [])
    _walk(msg, found, hold_back=hold_back, depth=0, in_report=False)
    return found


def _walk(part: Message, found: Collected, *, hold_back: bool, depth: int, in_report: bool) -> None:
    if depth > MAX_DEPTH:
        found.defects.append("MIME nesting too deep; rest ignored")
        return
    ctype = part.get_content_type()
    if ctype == "message/rfc822" and part.is_multipart():
        _attach_message(part, found, hold_back=hold_back, in_report=in_report)
    elif ctype == "message/delivery-status" and part.is_multipart():
        _delivery_status(part, found)
    elif part.is_multipart():
        report = ctype == "multipart/report"
        for child in _children(part):
            _walk(child, found, hold_back=hold_back, depth=depth + 1, in_report=report)
    elif ctype.startswith("multipart/"):
        restore(part, found.lifted)
        recovered = _recover_boundary(part, ctype)
        if recovered is not None:
            found.defects.append(f"{ctype} without usable boundary; recovered from the body")
            _walk(recovered, found, hold_back=hold_back, depth=depth + 1, in_report=in_report)
        else:
            found.defects.append(f"{ctype} without usable boundary; read as text")
            _body(part, "text/plain", found)
    else:
        restore(part, found.lifted)
        _leaf(part, ctype, found, hold_back=hold_back, in_report=in_report)
    found.defects += [_defect_name(d) for d in part.defects]


def _leaf(part: Message, ctype: str, found: Collected, *, hold_back: bool, in_report: bool) -> None:
    if ctype == "text/rfc822-headers" and in_report:
        returned = HeaderParser().parsestr(_decoded(part).decode("utf-8", "replace"))
        found.returned_ids += message_ids(raw_header(returned, "message-id"))
    named = part.get_param("filename", None, "content-disposition") or part.get_param("name")
    if ctype in _BODY_TYPES and part.get_content_disposition() != "attachment" and not named:
        _body(part, ctype, found)
    else:
        name = _filename(part, ctype, found)
        _store(part, ctype, _decoded(part), name, found, hold_back=hold_back)


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _decoded(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _param(part: Message, name: str) -> str:
    return collapse_rfc2231_value(part.get_param(name) or "").lower()


def _body(part: Message, ctype: str, found: Collected) -> None:
    data = _decoded(part)
    label = part.get_content_charset()
    if label is None and ctype == "text/html":
        meta = _META_CHARSET.search(data[:2048])
        label = meta.group(1).decode("ascii") if meta else None
    if label and found.charset is None:
        found.charset = label
    text = decode_bytes(data, label, found.defects)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if ctype == "text/html":
        found.htmls.append(text)
        return
    if _param(part, "format") == "flowed":
        text = _unflow(text, delsp=_param(part, "delsp") == "yes")
    found.texts.append(text)


def _store(
    part: Message, ctype: str, data: bytes, filename: str, found: Collected, *, hold_back: bool
) -> None:
    if hold_back:
        found.held_back.append({"filename": filename, "content_type": ctype, "size": len(data)})
        return
    cid = "".join(decode_header(raw_header(part, "content-id"), []).split()).strip("<>") or None
    found.attachments.append(InboundAttachment(
        filename=filename, content_type=ctype, data=data, size=len(data), content_id=cid,
        inline=False,  # set by the caller once it knows which cid: images the HTML shows
    ))


def _attach_message(part: Message, found: Collected, *, hold_back: bool, in_report: bool) -> None:
    """A forwarded (or returned) mail: kept whole as a .eml attachment."""
    children = _children(part)
    if not children:
        return
    inner = children[0]
    ids = message_ids(raw_header(inner, "message-id"))
    subject = decode_header(raw_header(inner, "subject"), found.defects)
    if in_report:
        found.returned_ids += ids[:1]
    else:
        found.forwarded.append({
            "subject": subject,
            "from": decode_header(raw_header(inner, "from"), found.defects),
            "date": decode_header(raw_header(inner, "date"), found.defects),
            "message_id": ids[0] if ids else "",
        })
    name = _filename(part, "message/rfc822", found, default=f"{subject or 'message'}.eml")
    if not name.lower().endswith(".eml"):
        name += ".eml"
    restore_tree(inner, found.lifted)
    try:
        data = inner.as_bytes()
    except (ValueError, TypeError, LookupError, UnicodeError) as exc:
        found.defects.append(f"attached message not re-serialisable: {type(exc).__name__}")
        data = b""
    _store(part, "message/rfc822", data, name, found, hold_back=hold_back)
    found.defects += [_defect_name(d) for d in inner.defects]


def _delivery_status(part: Message, found: Collected) -> None:
    for block in _children(part)[1:]:  # the first block is per-message
        entry = {k: decode_header(raw_header(block, k), found.defects) for k in _STATUS_FIELDS}
        entry = {k: v for k, v in entry.items() if v}
        if entry:
            found.delivery_status.append(entry)


def _recover_boundary(part: Message, ctype: str) -> Message | None:
    """A multipart whose boundary is missing or wrong: take the first "--x"
    line followed by a header line as the boundary and parse again."""
    body = raw_payload(part)
    if not isinstance(body, str):
        return None
    match = _BOUNDARY_LINE.search(body)
    if match is None:
        return None
    boundary = match.group(1)
    if not boundary.isascii():  # 8-bit boundaries are invalid: swap in a clean one
        body = body.replace(f"--{boundary}", "--recovered-boundary")
        boundary = "recovered-boundary"
    rebuilt = message_from_bytes(
        b"Content-Type: " + ctype.encode() + b'; boundary="' + boundary.encode() + b'"\n\n'
        + body.encode("ascii", "surrogateescape")
    )
    return rebuilt if rebuilt.is_multipart() and rebuilt.get_payload() else None


def _filename(part: Message, ctype: str, found: Collected, default: str = "") -> str:
    value = part.get_param("filename", None, "content-disposition") or part.get_param("name")
    name = ""
    if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded latin-1 text)
        data = value[2].encode("latin-1", "surrogateescape")
        name = decode_header(decode_bytes(data, value[0] or None, found.defects), found.defects)
    elif value and "\ufffd" not in value:
        name = decode_header(value, found.defects, found.charset)
    elif value:  # raw 8-bit in a parameter: compat32 replaced it, read it ourselves
        name = _raw_param(part, found)
    name = clean_filename(name)
    if name:
        return name
    if default:
        return clean_filename(default) or "message.eml"
    ext = mimetypes.guess_extension(ctype, strict=False) or ".bin"
    number = len(found.attachments) + len(found.held_back) + 1
    return f"{ctype.partition('/')[0]}-{number}{ext}"


def _raw_param(part: Message, found: Collected) -> str:
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        for key, raw in part.raw_items():
            if key.lower() != header:
                continue
            match = re.search(_PARAM.format(param), unfold(raw), re.I)
            if match:
                value = match.group(1).strip()
                if value.startswith('"') and value.endswith('"'):
                    value = re.sub(r"\\(.)", r"\1", value[1:-1])
                return decode_header(value, found.defects, found.charset)
    return ""


def _unflow(text: str, *, delsp: bool) -> str:
    """RFC 3676 format=flowed: join soft-broken lines (ending in a space)."""
    out: list[tuple[str, int]] = []
    joining = False
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        content = content.removeprefix(" ")  # space-stuffing
        if joining and content and depth == out[-1][1]:
            out[-1] = (out[-1][0] + content, depth)
        else:
            out.append((content, depth))
        joining = content.endswith(" ") and content != "-- "
        if joining and delsp:
            out[-1] = (out[-1][0][:-1], depth)
    return "\n".join(">" * d + " " + c if d else c for c, d in out)


def _defect_name(defect: Exception) -> str:
    name = type(defect).__name__.removesuffix("Defect")
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()
