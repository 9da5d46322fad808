"""Splitting a reply into the new text, the quoted earlier conversation and
the signature, in English, German, Greek, Czech, Swedish and Indonesian.

Table-driven: attribution lines ("On … wrote:", "Am … schrieb …:", "Στις …
έγραψε:", "Dne … napsal(a):", "Den … skrev …:", "Pada … menulis:"), also
wrapped over two lines; Outlook header blocks with localised labels and
separators; ``>`` quote blocks (top-posted, bottom-posted; an interleaved
reply is left whole); signatures after a "-- " line or a mobile client's
line ("Sent from my iPhone", "Odesláno z iPhonu" …). Closings such as "Best
regards" are part of the new text, not a signature.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class ReplyParts(NamedTuple):
    new: str
    quoted: str
    signature: str


_WROTE = r"(?:wrote|schrieb|έγραψε|napsal\(a\)|napsala|napsal|skrev|menulis)"
# Each: the whole attribution (one line, or two joined with a space).
_ATTRIBUTIONS = tuple(re.compile(p, re.I) for p in (
    r"^On\b.{3,250}\bwrote\s*:$",  # en
    r"^Am\b.{3,250}\bschrieb\b.{0,250}:$",  # de
    r"^Στις\b.{3,250}\bέγραψε\s*:$",  # el
    r"^Dne\b.{3,250}\bnapsal(?:\(a\)|a)?\s*:$",  # cs
    r"^Den\b.{3,250}\bskrev\b.{0,250}:$",  # sv
    r"^Pada\b.{3,250}\bmenulis\s*:$",  # id
    r"^.{0,250}<[^<>\s@]+@[^<>\s]+>\s*" + _WROTE + r"\s*:$",  # "Name <a@b> wrote:"
))
_ATTRIBUTION_START = re.compile(r"^(?:On|Am|Στις|Dne|Den|Pada)\b|<[^<>\s@]+@", re.I)
_EVIDENCE = re.compile(r"\d|@")  # a date or an address: "On Monday I wrote:" is text

_SEPARATOR = re.compile(
    r"^-{2,}\s*(?:original message|forwarded message|ursprüngliche nachricht"
    r"|weitergeleitete nachricht|původní zpráva|přeposlaná zpráva|αρχικό μήνυμα"
    r"|προωθημένο μήνυμα|ursprungligt meddelande|vidarebefordrat meddelande|pesan asli"
    r"|pesan awal|pesan terusan|pesan yang diteruskan)\s*-{2,}$"
    r"|^(?:begin forwarded message|anfang der weitergeleiteten nachricht"
    r"|början på vidarebefordrat meddelande|začátek přeposlané zprávy"
    r"|αρχή προωθημένου μηνύματος|awal pesan yang diteruskan)\s*:$",
    re.I,
)
_RULE = re.compile(r"^(?:_{16,}|-{3,})$")  # Outlook's rule, or <hr> as text
_LABEL = re.compile(r"^\*?([^\W\d_][^:*<>]{0,24}?)\*?\s*:(?:\s|\*|$)")
_FROM_LABELS = frozenset({"from", "von", "από", "od", "från", "dari"})
_HEADER_LABELS = frozenset({
    "sent", "date", "to", "cc", "subject",  # en
    "gesendet", "datum", "an", "betreff",  # de
    "στάλθηκε", "ημερομηνία", "προς", "κοιν.", "κοιν", "θέμα",  # el
    "odesláno", "komu", "kopie", "předmět",  # cs
    "skickat", "till", "kopia", "ämne",  # sv
    "dikirim", "tanggal", "kepada", "tembusan", "subjek", "perihal",  # id
})

_SIG_DASHES = re.compile(r"^--\s?$")
_MAX_LOOSE_SIG_LINES = 10  # a bare "--" only starts a signature this short
_MOBILE = re.compile(
    r"^(?:sent from my (?:iphone|ipad|android|samsung|galaxy|blackberry|mobile|phone"
    r"|smartphone|huawei|pixel|xiaomi|tablet)\b.*"
    r"|sent from (?:mail|outlook) for (?:windows|ios|android).*|get outlook for (?:ios|android).*"
    r"|sent from (?:outlook|yahoo mail|proton mail|aol).*"
    r"|von meinem (?:iphone|ipad|samsung|android|smartphone|handy|mobiltelefon|galaxy)\b"
    r".*gesendet\.?"
    r"|gesendet von meinem (?:iphone|ipad|samsung|android|smartphone|handy|mobiltelefon)\b.*"
    r"|outlook für (?:ios|android) herunterladen.*"
    r"|odesláno z (?:mého )?(?:iphonu|ipadu|telefonu|mobilu|androidu|samsungu|tabletu)\b.*"
    r"|skickat från min (?:iphone|ipad|mobil|android|samsung|telefon|smartphone)\b.*"
    r"|hämta outlook för (?:ios|android).*"
    r"|(?:στάλθηκε|εστάλη) από (?:το|τη|την) (?:iphone|ipad|κινητό|android|samsung|συσκευή)\b.*"
    r"|dikirim dari (?:iphone|ipad|android|ponsel|perangkat|samsung|yahoo|outlook)\b.*)$",
    re.I,
)


def split_reply(text: str) -> ReplyParts:
    """The new text, the quoted conversation and the signature of ``text``
    (each stripped of surrounding blank lines; "" when absent)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start, end = _quote_span(lines)
    rest = lines[:start] + lines[end:]
    sig = _signature_start(rest)
    return ReplyParts(
        new=_join(rest[:sig]),
        quoted=_join(lines[start:end]),
        signature=_join(rest[sig:]),
    )


def _join(lines: list[str]) -> str:
    """The lines as they were, without blank lines around them."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def _quote_span(lines: list[str]) -> tuple[int, int]:
    """[start, end) of the quoted part; (len, len) when there is none."""
    count = len(lines)
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith(">"):
            continue
        if _is_attribution(lines, i):
            block_end = _quote_block_end(lines, _skip_attribution(lines, i))
            if _blank(lines[block_end:]) or not _blank(lines[:i]):
                return i, count
            return i, block_end  # bottom-posted: quote first, the answer below
        if _SEPARATOR.match(stripped) or _is_header_block(lines, i):
            return _include_rule(lines, i), count
    return _quote_marks_span(lines)


def _is_attribution(lines: list[str], i: int) -> bool:
    line = lines[i].strip()
    candidates = [line] if line.endswith(":") else []
    following = lines[i + 1].rstrip() if i + 1 < len(lines) else ""
    if following.endswith(":") and _ATTRIBUTION_START.search(line):
        candidates.append(f"{line} {following.strip()}")
    return any(
        len(candidate) <= 400 and _EVIDENCE.search(candidate)
        and any(p.match(candidate) for p in _ATTRIBUTIONS)
        for candidate in candidates
    )


def _skip_attribution(lines: list[str], i: int) -> int:
    """Index after the attribution (one or two lines)."""
    if any(p.match(lines[i].strip()) for p in _ATTRIBUTIONS):
        return i + 1
    return i + 2


def _quote_block_end(lines: list[str], i: int) -> int:
    """End of the ">" block starting at or after ``i`` (blank lines inside kept)."""
    end = i
    for j in range(i, len(lines)):
        stripped = lines[j].strip()
        if stripped.startswith(">"):
            end = j + 1
        elif stripped:
            break
    return end


def _label(line: str) -> str | None:
    match = _LABEL.match(line.strip())
    return match.group(1).strip().lower() if match else None


def _is_header_block(lines: list[str], i: int) -> bool:
    """A "From:" line followed by at least two more header lines (any language)."""
    if _label(lines[i]) not in _FROM_LABELS:
        return False
    following = [_label(line) for line in lines[i + 1 : i + 8]]
    return sum(label in _HEADER_LABELS for label in following) >= 2


def _include_rule(lines: list[str], i: int) -> int:
    """Start the quote at an Outlook rule or separator just above the block."""
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    if j >= 0 and (_RULE.match(lines[j].strip()) or _SEPARATOR.match(lines[j].strip())):
        return j
    return i


def _quote_marks_span(lines: list[str]) -> tuple[int, int]:
    quoted = [i for i, line in enumerate(lines) if line.strip().startswith(">")]
    count = len(lines)
    if not quoted:
        return count, count
    first, last = quoted[0], quoted[-1]
    inside = set(quoted)
    plain_between = any(lines[j].strip() for j in range(first, last + 1) if j not in inside)
    if plain_between:
        return count, count  # interleaved answers: keep the whole text as new
    if _blank(lines[last + 1 :]):
        start = first
        before = first - 1
        if before >= 0 and lines[before].rstrip().endswith(":") and _EVIDENCE.search(lines[before]):
            start = before  # an attribution in a language we do not know
        return start, count
    if _blank(lines[:first]):
        return first, last + 1
    return count, count


def _signature_start(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        stripped = line.strip()
        if line.rstrip("\n") == "-- " or _MOBILE.match(stripped):
            return i
        if _SIG_DASHES.match(stripped) and len(lines) - i - 1 <= _MAX_LOOSE_SIG_LINES:
            return i
    return len(lines)


def _blank(lines: list[str]) -> bool:
    return not any(line.strip() for line in lines)
