"""Stock names for a mail's MIME boundaries while it is parsed.

The stdlib parser compiles a regular expression for every boundary it meets
(``email.feedparser``), 0.25 ms each here, and boundaries are random strings,
so ``re``'s cache never serves one: about a tenth of parsing an ordinary mail.
A boundary whose every occurrence in the mail is its one declaration or the
start of a delimiter line is renamed to a stock name ("=_inbox_boundary_0_=",
...) that the cache then serves; anything else stays as sent. The stock names
do not occur in the mail (checked), so :func:`restore` gives the sent names
back exactly wherever the parse carries them into the result: the
Content-Type header, an attached message serialised again, a text that
quotes a raw mail.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from channels.base import Inbound

_DECLARED = re.compile(rb'boundary\s*=\s*(?:"([^"\r\n]*)"|([^\s;"]+))', re.IGNORECASE)
_STOCK = "=_inbox_boundary_{}_="
MIN_LENGTH = 8  # a short boundary could be part of ordinary words


def rename(skeleton: bytes) -> tuple[bytes, dict[str, str]]:
    """(the mail with its safe boundaries renamed, stock name -> sent name)."""
    declared = Counter(m.group(1) if m.group(1) is not None else m.group(2)
                       for m in _DECLARED.finditer(skeleton))
    renames: dict[bytes, bytes] = {}
    for boundary, times in declared.items():
        if times != 1 or len(boundary) < MIN_LENGTH or not boundary.isascii():
            continue
        stock = _STOCK.format(len(renames)).encode()
        if stock in skeleton:
            continue
        delimiters = (skeleton.count(b"\n--" + boundary)
                      + skeleton.startswith(b"--" + boundary))
        # Anywhere else (a subject, a text that mentions it, another
        # boundary that contains it) and it stays as sent.
        if delimiters < 2 or skeleton.count(boundary) != delimiters + 1:
            continue
        renames[boundary] = stock
    for boundary, stock in renames.items():
        skeleton = skeleton.replace(boundary, stock)
    return skeleton, {stock.decode(): boundary.decode() for boundary, stock in renames.items()}


def restore(inbound: Inbound, names: dict[str, str]) -> None:
    """Put the sent boundary names back into everything parsed (in place)."""
    if not names:
        return
    inbound.subject = _text(inbound.subject, names)
    inbound.text = _text(inbound.text, names)
    inbound.html = _text(inbound.html, names)
    inbound.sender_name = _text(inbound.sender_name, names)
    inbound.headers = {k: _text(v, names) for k, v in inbound.headers.items()}
    inbound.extras = _deep(inbound.extras, names)
    for att in inbound.attachments:
        att.filename = _text(att.filename, names)
        if att.data is not None:
            before = len(att.data)
            for stock, sent in names.items():
                if stock.encode() in att.data:
                    att.data = att.data.replace(stock.encode(), sent.encode())
            if att.size is not None:
                att.size += len(att.data) - before


def _text(value: str, names: dict[str, str]) -> str:
    for stock, sent in names.items():
        if stock in value:
            value = value.replace(stock, sent)
    return value


def _deep(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return _text(value, names)
    if isinstance(value, dict):
        return {k: _deep(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep(v, names) for v in value]
    return value
