"""Normalising identities and finding book identifiers in free text.

Every identity is stored normalized so that one lookup by ``(kind, value)``
finds a customer whatever form the number or address was written in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import phonenumbers

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(value: str) -> str | None:
    """Lower-cased address, or None when it is not an address at all."""
    value = value.strip().strip("<>").strip()
    if not _EMAIL_RE.match(value):
        return None
    local, _, domain = value.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        domain = domain.lower()
    return f"{local.lower()}@{domain.lower()}"


def normalize_phone(value: str, default_region: str) -> str | None:
    """E.164 (``+4930123456``), or None when the text is not a possible number."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_address(value: str) -> str | None:
    """A postal address reduced to case-folded words, so layout and punctuation
    differences between a letter and the book do not matter."""
    text = unicodedata.normalize("NFKC", value).casefold()
    words = re.findall(r"\w+", text)
    return " ".join(words) if len(words) >= 3 else None


def normalize_identity(kind: str, value: str, default_region: str) -> str | None:
    if kind == "email":
        return normalize_email(value)
    if kind == "phone":
        return normalize_phone(value, default_region)
    if kind == "address":
        return normalize_address(value)
    if kind == "customer_ref":
        return value.strip() or None
    return None


def find_identifiers(pattern: re.Pattern[str], texts: Iterable[str]) -> list[str]:
    """Every distinct match of ``pattern`` in ``texts``, in order of appearance.

    Matches are whole tokens: ``XCLM-2024-000001`` is not ``CLM-2024-000001``.
    """
    inner, bounded = _compiled(pattern.pattern, pattern.flags)
    seen: dict[str, None] = {}
    for given in texts:
        if not given:
            continue
        text = unicodedata.normalize("NFKC", given)
        # The token boundaries hide the pattern's leading literal from the
        # engine, which then tries every position (3x slower): the pattern
        # alone finds where the first match can start, most texts have none.
        first = inner.search(text)
        if first is None:
            continue
        for match in bounded.finditer(text, first.start()):
            seen.setdefault(match.group(0).upper())
    return list(seen)


@lru_cache(maxsize=16)
def _compiled(source: str, flags: int) -> tuple[re.Pattern[str], re.Pattern[str]]:
    flags |= re.IGNORECASE
    return (re.compile(f"(?:{source})", flags),
            re.compile(rf"(?<![\w-])(?:{source})(?![\w-])", flags))
