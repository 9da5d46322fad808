"""Text handling for search, apart from the queries: snippets made safe to
render, and the SQLite fallback's matching.

* PostgreSQL's ``ts_headline`` marks matches with two private-use characters
  (:data:`START`, :data:`STOP`), removed from the message text before, so
  every marker is ours; :func:`mark_headline` escapes the rest and turns the
  markers into ``<mark>``.
* SQLite has no text search: :func:`fold` (casefold, combining marks
  dropped) is registered on the connection as ``inbox_fold`` and every term
  must be a substring of the folded text (:func:`like_conditions`);
  :func:`highlight` makes the snippet in Python.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

START, STOP = "\ue000", "\ue001"  # private-use: stripped from the text first
HEADLINE_OPTIONS = (f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, "
                    'ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "')
SNIPPET_CHARS = 180
MAX_TERMS = 12
TRIM = "\"'.,;:!?()[]{}<>"


def mark_headline(headline: str | None) -> Markup:
    """ts_headline's output, escaped, its private-use markers turned to <mark>."""
    parts = " ".join((headline or "").split()).split(START)
    out = [escape(parts[0].replace(STOP, ""))]
    for part in parts[1:]:
        marked, _, rest = part.partition(STOP)
        out.append(Markup("<mark>%s</mark>") % marked)
        out.append(escape(rest.replace(STOP, "")))
    return Markup("").join(out)


def fold(text: str) -> str:
    """Case- and accent-insensitive form: casefold, then drop combining marks."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _fold_mapped(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and, for each of its characters, the index in ``text``."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        piece = fold(ch)
        out.append(piece)
        where.extend([i] * len(piece))
    return "".join(out), where


_PHRASE_RE = re.compile(r'(-?)"([^"]*)"|(\S+)')


def parse_terms(text: str) -> tuple[list[str], list[str]]:
    """Words and "phrases" to find, and ``-words`` to exclude, folded."""
    wanted: list[str] = []
    excluded: list[str] = []
    for minus, phrase, word in _PHRASE_RE.findall(text):
        negated = bool(minus) or (word.startswith("-") and len(word) > 1)
        term = fold(phrase if phrase else word.lstrip("-")).strip(TRIM)
        if not term or term == "or":
            continue
        (excluded if negated else wanted).append(term)
    return wanted[:MAX_TERMS], excluded[:MAX_TERMS]


def wanted_terms(text: str) -> list[str]:
    return parse_terms(text)[0]


def like_conditions(text: str, document: Any) -> sa.ColumnElement[bool]:
    """Every wanted word in ``document`` (folded), no excluded one (SQLite)."""
    wanted, excluded = parse_terms(text)
    document = sa.func.inbox_fold(document)
    conditions = [sa.func.instr(document, w) > 0 for w in wanted]
    conditions += [sa.func.instr(document, w) == 0 for w in excluded]
    return sa.and_(*conditions) if wanted else sa.false()


def register_fold(session: Session) -> None:
    """``inbox_fold(text)`` on this SQLite connection (idempotent)."""
    connection = session.connection().connection.driver_connection
    connection.create_function(  # type: ignore[union-attr]
        "inbox_fold", 1, lambda v: fold(v) if isinstance(v, str) else v, deterministic=True)


def highlight(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> Markup:
    """A window of ``text`` around the first of ``terms`` (folded), escaped, every
    occurrence in the window in <mark>."""
    text = " ".join(text.replace(START, "").replace(STOP, "").split())
    folded, where = _fold_mapped(text)
    spans: list[tuple[int, int]] = []
    for term in terms:
        start = folded.find(term)
        while start >= 0 and term:
            end = start + len(term)
            spans.append((where[start], where[end - 1] + 1))
            start = folded.find(term, end)
    spans.sort()
    first = spans[0][0] if spans else 0
    lo = max(0, first - width // 3)
    if lo:
        space = text.rfind(" ", 0, lo)
        lo = space + 1 if space >= 0 and lo - space < 20 else lo
    hi = min(len(text), lo + width)
    out = [Markup("… ") if lo else Markup("")]
    pos = lo
    for start, end in spans:
        if start < pos or end > hi:
            continue
        out.append(escape(text[pos:start]))
        out.append(Markup("<mark>%s</mark>") % text[start:end])
        pos = end
    out.append(escape(text[pos:hi]))
    if hi < len(text):
        out.append(Markup(" …"))
    return Markup("").join(out)
