"""Reading a letter's text: who wrote it (name, postal address, phone and
email in the sender block), when (the letter's date), about what (the subject
line) and which policy and claim numbers it names.

Numbers are read twice: exactly (the configured patterns, after Unicode
normalisation and mapping Greek look-alike capitals to Latin, since tesseract
reads "POL" as Greek "ΡΟL" on Greek pages), and tolerant of OCR confusions
(O/0, I/1, S/5, B/8...). Tolerant readings are only candidates: the caller
keeps those that exist in the book.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import pairwise, product

from channels.letters.ocr import Line

SUBJECT_LABELS = (
    "subject", "re", "regarding", "ref", "reference",
    "betreff", "betr", "θέμα", "θεμα", "věc", "vec", "předmět", "predmet",
    "ärende", "arende", "angående", "angaende", "ang", "perihal", "hal",
)
_SUBJECT_RE = re.compile(
    r"^\s*(?:" + "|".join(re.escape(w) for w in SUBJECT_LABELS) + r")\s*[.:]\s*(?P<s>\S.*)$",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_RE = re.compile(r"(?:\+|00)?\d[\d ()/.-]{6,}\d")
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−﹣－"), "-")
# Greek capitals that look like Latin ones (tesseract with ell+eng mixes them).
_GREEK_LOOKALIKES = str.maketrans("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX")
# What OCR confuses, both ways: a character and what it may really be.
_CONFUSIONS: dict[str, str] = {
    "O": "0", "o": "0", "D": "0", "Q": "0", "I": "1L", "l": "1I", "L": "I1", "|": "1I",
    "i": "1", "!": "1", "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "G": "6", "b": "6",
    "T": "7", "g": "9", "q": "9",
    "0": "O", "1": "IL", "2": "Z", "5": "S", "8": "B", "6": "G",
}
_TOKEN_RE = re.compile(r"[0-9A-Za-z|!\-]+")
MAX_VARIANTS = 8192


@dataclass(frozen=True)
class FoundNumber:
    kind: str  # policy | claim
    number: str
    exact: bool
    as_read: str


@dataclass
class Reading:
    sender_name: str = ""
    address_lines: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    date: date | None = None
    date_text: str = ""
    subject: str = ""
    numbers: list[FoundNumber] = field(default_factory=list)

    def exact(self, kind: str) -> list[str]:
        return [n.number for n in self.numbers if n.kind == kind and n.exact]

    def fuzzy(self, kind: str) -> list[str]:
        return [n.number for n in self.numbers if n.kind == kind and not n.exact]


def normalize_text(text: str) -> str:
    """NFKC, one kind of dash, and Greek look-alikes turned Latin inside tokens
    that hold a digit (identifiers), never in Greek words."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return re.sub(r"\S*\d\S*", lambda m: m.group(0).translate(_GREEK_LOOKALIKES), text)


def read_letter(
    text: str,
    lines: list[Line] | None = None,
    *,
    language: str | None = None,
    patterns: dict[str, re.Pattern[str]],
    own_words: tuple[str, ...] = (),
) -> Reading:
    """Everything we read from a letter's text; ``lines`` (with boxes) let the
    sender block be found by layout. ``own_words`` name the insurer, so its
    address block (in the envelope window) is not taken for the sender's."""
    clean = normalize_text(text)
    reading = Reading()
    reading.numbers = find_numbers(clean, patterns)
    plain_lines = [ln.strip() for ln in clean.splitlines() if ln.strip()]
    reading.subject = _subject(plain_lines)
    reading.date, reading.date_text = find_date(plain_lines, language)
    block = _sender_block(lines, plain_lines, own_words)
    _read_sender(block, reading)
    return reading


# -- numbers --------------------------------------------------------------


def find_numbers(text: str, patterns: dict[str, re.Pattern[str]]) -> list[FoundNumber]:
    # Greek look-alikes everywhere, for matching only: "ΡΟΙ -845206" on a Greek page.
    text = text.translate(_GREEK_LOOKALIKES)
    found: dict[tuple[str, str], FoundNumber] = {}
    for kind, pattern in patterns.items():
        bounded = re.compile(rf"(?<![\w-])(?:{pattern.pattern})(?![\w-])",
                             pattern.flags | re.IGNORECASE)
        for match in bounded.finditer(text):
            number = match.group(0).upper()
            found.setdefault((kind, number), FoundNumber(kind, number, True, match.group(0)))
    # Tokens, and neighbours joined (OCR puts a space into "CLM-2026- 004512").
    tokens = _TOKEN_RE.findall(text)
    candidates = tokens + [a + b for a, b in pairwise(tokens)
                           if a.endswith("-") or b.startswith("-")]
    for token in candidates:
        if len(token) < 4 or not any(ch.isdigit() for ch in token):
            continue
        for kind, pattern in patterns.items():
            for number in _variants_matching(token, pattern):
                if (kind, number) not in found:
                    found[(kind, number)] = FoundNumber(kind, number, False, token)
    return list(found.values())


def _variants_matching(token: str, pattern: re.Pattern[str]) -> list[str]:
    full = re.compile(pattern.pattern, pattern.flags | re.IGNORECASE)
    token = token.strip("-")
    if len(token) > 40:
        return []
    if full.fullmatch(token):
        return [token.upper()]  # whole only once joined (a space after a dash)
    options = [(ch, *_CONFUSIONS.get(ch, "")) for ch in token]
    count = 1
    for opt in options:
        count *= len(opt)
        if count > MAX_VARIANTS:
            return []
    hits: set[str] = set()
    for variant in product(*options):
        joined = "".join(variant)
        if full.fullmatch(joined):
            hits.add(joined.upper())
    return sorted(hits)


# -- date -----------------------------------------------------------------


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _month_names(language: str) -> dict[str, int]:
    from babel import Locale, UnknownLocaleError

    names: dict[str, int] = {}
    for code in dict.fromkeys((language, "en")):
        try:
            locale = Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            continue
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    key = _fold(name).rstrip(".")
                    if len(key) >= 3:
                        names.setdefault(key, number)
    return names


_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})\s?[./-]\s?(\d{1,2})\s?[./-]\s?(\d{4}|\d{2})(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_WORD_DATE = re.compile(r"(?<!\d)(\d{1,2})\.?\s+([^\W\d_]{3,}\.?)\s+(\d{4})(?!\d)")
_WORD_DATE_US = re.compile(r"([^\W\d_]{3,})\.?\s+(\d{1,2}),?\s+(\d{4})(?!\d)")


def find_date(lines: list[str], language: str | None) -> tuple[date | None, str]:
    """The letter's date: the first date in the top part of the letter (before
    the salutation, where dates of the incident usually are)."""
    months = _month_names(language or "en")
    for line in lines[:15]:
        for found, text in _dates_in(line, months):
            return found, text
    return None, ""


def _dates_in(line: str, months: dict[str, int]) -> list[tuple[date, str]]:
    found: list[tuple[date, str]] = []
    for m in _WORD_DATE.finditer(line):
        month = months.get(_fold(m.group(2)).rstrip("."))
        if month:
            found += _valid(int(m.group(3)), month, int(m.group(1)), m.group(0))
    for m in _WORD_DATE_US.finditer(line):
        month = months.get(_fold(m.group(1)).rstrip("."))
        if month:
            found += _valid(int(m.group(3)), month, int(m.group(2)), m.group(0))
    for m in _ISO_DATE.finditer(line):
        found += _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(0))
    for m in _NUMERIC_DATE.finditer(line):
        year = int(m.group(3))
        year += 2000 if year < 100 else 0
        found += _valid(year, int(m.group(2)), int(m.group(1)), m.group(0))
    return found


def _valid(year: int, month: int, day: int, text: str) -> list[tuple[date, str]]:
    if not 1990 <= year <= 2100:
        return []
    try:
        return [(date(year, month, day), text)]
    except ValueError:
        return []


# -- subject and sender ---------------------------------------------------


def _subject(lines: list[str]) -> str:
    for line in lines[:25]:
        m = _SUBJECT_RE.match(line)
        if m:
            return m.group("s").strip()[:300]
    return ""


def _sender_block(lines: list[Line] | None, plain: list[str],
                  own_words: tuple[str, ...]) -> list[str]:
    """The first block of lines at the top that is not the insurer's own
    address and ends before the date, subject or salutation."""
    blocks = _blocks_by_layout(lines) if lines else [_until_body(plain)]
    own = [_fold(w) for w in own_words if w.strip()]
    for candidate in blocks[:3]:
        block = _until_body(candidate)
        if not block:
            break
        if own and any(w in _fold(" ".join(block)) for w in own):
            continue
        return block[:7]
    return []


def _until_body(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if _SUBJECT_RE.match(line) or (_dates_in(line, _month_names("en")) and out):
            break
        if line.rstrip().endswith(",") and len(line) < 60 and out:
            break  # "Dear Sir or Madam,"
        out.append(line)
        if len(out) >= 7:
            break
    return out


def _blocks_by_layout(lines: list[Line]) -> list[list[str]]:
    """Lines grouped by the vertical gaps between them (a gap wider than the
    usual line step starts a block)."""
    ordered = sorted(lines, key=lambda ln: ln.box[1])
    if not ordered:
        return []
    steps = sorted(b.box[1] - a.box[1] for a, b in pairwise(ordered))
    usual = steps[len(steps) // 2] if steps else 0
    blocks: list[list[str]] = [[normalize_text(ordered[0].text)]]
    for prev, line in pairwise(ordered):
        if usual and line.box[1] - prev.box[1] > usual * 1.5:
            blocks.append([])
        blocks[-1].append(normalize_text(line.text))
    return blocks


def _read_sender(block: list[str], reading: Reading) -> None:
    address: list[str] = []
    for i, line in enumerate(block):
        emails = _EMAIL_RE.findall(line)
        if emails:
            reading.emails += emails
            continue
        phones = [p for p in _PHONE_RE.findall(line) if sum(c.isdigit() for c in p) >= 7]
        label = _fold(line.split(":")[0]) if ":" in line else ""
        if phones and (label.startswith(("tel", "phone", "mobil", "τηλ", "hp", "handy"))
                       or line.strip().startswith(("+", "00"))):
            reading.phones += phones
            continue
        if i == 0:
            reading.sender_name = line.strip()[:200]
        else:
            address.append(line.strip())
    # An address has a number somewhere (house number or postcode).
    if address and any(ch.isdigit() for ch in " ".join(address)):
        reading.address_lines = address[:5]
