"""``inbox canned import FILE``: canned responses from a TOML or CSV file,
upserted by key and language.

TOML (``.toml``), one table per response::

    [[canned]]
    key = "acknowledgement"
    language = "en"
    title = "Thank you for your message"
    body = \"\"\"
    Dear {name},
    ...\"\"\"

CSV (any other name), UTF-8 with a header row ``key,language,title,body``
(a body spans lines inside quotes).

A bad row (unknown language, unknown placeholder, empty body, the same key
and language twice in the file) is reported as ``FILE:LINE: reason`` and
skipped; the good rows are kept. A file that cannot be read at all (TOML
syntax, a missing column) is an :class:`UnusableFile`.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from inbox.workspace.canned import BadCanned, Entry, check_entry, find, save

COLUMNS = ("key", "language", "title", "body")
OUTCOMES = ("created", "updated", "unchanged", "bad")
_TABLE = re.compile(r"^\s*\[\[\s*canned\s*\]\]")


class UnusableFile(ValueError):  # noqa: N818 - reads as what happened
    """Nothing in the file can be imported; the message says why."""


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str


@dataclass(frozen=True)
class Result:
    line: int
    outcome: str  # one of OUTCOMES
    reason: str = ""


def read(path: Path) -> tuple[list[Entry], list[Problem]]:
    """The file's entries (checked) and its bad rows."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnusableFile(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    if path.suffix.lower() == ".toml":
        return parse_toml(text)
    return parse_csv(text)


def parse_toml(text: str) -> tuple[list[Entry], list[Problem]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UnusableFile(f"not TOML: {exc}") from exc
    tables = data.get("canned")
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise UnusableFile("no [[canned]] tables (each has key, language, title, body)")
    # tomllib keeps no positions: the n-th [[canned]] header is the n-th table.
    lines = [n for n, line in enumerate(text.splitlines(), 1) if _TABLE.match(line)]
    raw = []
    for n, table in enumerate(tables):
        line = lines[n] if n < len(lines) else 0
        extra = sorted(set(table) - set(COLUMNS))
        raw.append((line, [table.get(c) for c in COLUMNS], extra))
    return _check(raw)


def parse_csv(text: str) -> tuple[list[Entry], list[Problem]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise UnusableFile(f"unreadable CSV header: {exc}") from exc
    if not header:
        raise UnusableFile("the file is empty")
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise UnusableFile(f"missing column {', '.join(missing)} "
                           f"(the header is {','.join(COLUMNS)})")
    where = {c: names.index(c) for c in COLUMNS}
    raw: list[tuple[int, list[object], list[str]]] = []
    problems: list[Problem] = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(line, f"unreadable CSV: {exc}"))
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(names):
            problems.append(Problem(line, f"{len(cells)} cells, the header has {len(names)}"))
            continue
        raw.append((line, [cells[where[c]] for c in COLUMNS], []))
    entries, bad = _check(raw)
    return entries, sorted([*problems, *bad], key=lambda p: p.line)


def _check(raw: Iterable[tuple[int, list[object], list[str]]]
           ) -> tuple[list[Entry], list[Problem]]:
    entries: list[Entry] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    for line, (key, language, title, body), extra in raw:
        if extra:
            problems.append(Problem(line, f"unknown field {', '.join(extra)} "
                                          f"(fields are {', '.join(COLUMNS)})"))
            continue
        missing = [c for c, v in zip(COLUMNS, (key, language, title, body), strict=True)
                   if v is None]
        if missing:
            problems.append(Problem(line, f"missing {', '.join(missing)}"))
            continue
        try:
            entry = check_entry(key, language, title, body, line=line)
        except BadCanned as exc:
            problems.append(Problem(line, str(exc)))
            continue
        first = seen.setdefault((entry.key, entry.language), line)
        if first != line:
            problems.append(Problem(line, f"{entry.key} ({entry.language}) is also on "
                                          f"line {first}"))
            continue
        entries.append(entry)
    return entries, problems


def import_entries(session: Session, entries: Iterable[Entry], now: datetime, *,
                   actor_id: int | None = None, overwrite: bool = True) -> list[Result]:
    """Upsert ``entries`` by key and language (only flushes). With
    ``overwrite=False`` existing rows are left as they are (the demo seeds
    only what is missing)."""
    results = []
    for entry in entries:
        if not overwrite and find(session, entry.key, entry.language) is not None:
            results.append(Result(entry.line, "unchanged"))
            continue
        _, outcome = save(session, entry, now, actor_id=actor_id)
        results.append(Result(entry.line, outcome))
    return results
