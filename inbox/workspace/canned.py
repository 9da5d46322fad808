"""Canned responses: reply texts the team reuses, one row per language of a
``key``, filled in for a thread.

A body names placeholders in braces: ``{name}``, ``{claim_number}``,
``{policy_number}``, ``{missing_documents}``, ``{agent_name}``. Filling is
plain substitution of those names (no ``str.format``: no attribute or index
lookups, no format specs, nothing a body can use to reach objects). ``{{`` and
``}}`` stand for literal braces; anything else in braces, and a stray brace,
is left in the text as written and reported, so a typo shows up in the draft
instead of breaking the page. A placeholder with no value for this thread (no
claim linked, no open request for documents) becomes empty and is reported
too, so the rep sees what to fill in by hand.

The row for a thread is the one in the thread's language, else the
customer's, else English, else any (alphabetically, so the choice is stable).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from jinja2 import Environment, FileSystemLoader, TemplateNotFound
from sqlalchemy.orm import Session

from claims.info_requests import DOCUMENTS
from claims.models import Customer, InfoRequest, Policy
from config import SUPPORTED_LANGUAGES
from inbox import audit
from inbox.models import CannedResponse, Thread

PLACEHOLDERS = ("name", "claim_number", "policy_number", "missing_documents", "agent_name")
KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
MAX_TITLE = 200
MAX_BODY = 20_000
UNMATCHED = "unmatched brace"  # reported among the unknown placeholders
# ``{{``, ``}}``, or one ``{...}`` without braces inside.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


class BadCanned(ValueError):  # noqa: N818 - reads as what happened
    """A canned response that cannot be saved as given; the message says why."""


class CannedNotFound(LookupError):  # noqa: N818 - reads as what happened
    """No canned response has this key."""


@dataclass(frozen=True)
class Filled:
    text: str
    unknown: tuple[str, ...] = ()  # placeholders left as written (not ours, or malformed)
    empty: tuple[str, ...] = ()  # ours, but nothing to put there for this thread


@dataclass(frozen=True)
class Rendered:
    key: str
    language: str
    title: str
    text: str
    unknown: tuple[str, ...] = ()
    empty: tuple[str, ...] = ()
    wanted_language: str = ""  # the customer's; differs from ``language`` on a fallback

    def as_json(self) -> dict[str, object]:
        return {"key": self.key, "language": self.language, "title": self.title,
                "text": self.text, "unknown": list(self.unknown), "empty": list(self.empty),
                "wanted_language": self.wanted_language}


def placeholders_in(body: str) -> tuple[list[str], list[str]]:
    """(ours, others) named in ``body``, each once, in order; ``others`` as
    written (``{colour}``), plus ``unmatched brace`` for a stray one."""
    filled = fill(body, dict.fromkeys(PLACEHOLDERS, "x"))
    ours = [m.group(1) for m in _TOKEN.finditer(body) if m.group(1) in PLACEHOLDERS]
    return list(dict.fromkeys(ours)), list(filled.unknown)


def fill(body: str, values: Mapping[str, str]) -> Filled:
    """``body`` with our placeholders replaced by ``values`` (missing or empty
    values: empty text, reported). Never raises, whatever the body."""
    unknown: list[str] = []
    empty: list[str] = []

    def replace(match: re.Match[str]) -> str:
        token, inner = match.group(0), match.group(1)
        if inner is None:
            return token[0]  # {{ -> {, }} -> }
        if inner not in PLACEHOLDERS:
            if token not in unknown:
                unknown.append(token)
            return token
        value = values.get(inner) or ""
        if not value.strip() and inner not in empty:
            empty.append(inner)
        return value

    text = _TOKEN.sub(replace, body)
    rest = _TOKEN.sub("", body)
    if "{" in rest or "}" in rest:
        unknown.append(UNMATCHED)
    return Filled(text, tuple(unknown), tuple(empty))


# -- choosing the row ----------------------------------------------------------


def choose(session: Session, key: str, languages: Sequence[str | None]) -> CannedResponse | None:
    """The row of ``key`` in the first of ``languages`` that has one, else
    English, else any."""
    rows = session.scalars(sa.select(CannedResponse).where(CannedResponse.key == key)
                           .order_by(CannedResponse.language)).all()
    by_language = {row.language: row for row in rows}
    for lang in [*languages, "en"]:
        if lang and lang in by_language:
            return by_language[lang]
    return rows[0] if rows else None


def thread_languages(thread: Thread, customer: Customer | None) -> list[str]:
    wanted = [thread.language, customer.language if customer is not None else None]
    return list(dict.fromkeys(lang for lang in wanted if lang))


def choices(session: Session, languages: Sequence[str | None]) -> list[tuple[str, str]]:
    """(key, title) of every canned response, the title in the best language."""
    rows = session.scalars(sa.select(CannedResponse)
                           .order_by(CannedResponse.key, CannedResponse.language)).all()
    best: dict[str, tuple[int, CannedResponse]] = {}
    order = [lang for lang in [*languages, "en"] if lang]
    for row in rows:
        rank = order.index(row.language) if row.language in order else len(order)
        if row.key not in best or rank < best[row.key][0]:
            best[row.key] = (rank, row)
    return [(key, row.title) for key, (_, row) in sorted(best.items())]


# -- the values of a thread ----------------------------------------------------


@cache
def _notices() -> Environment:
    from inbox.casework.notices import NOTICES

    # Lenient undefined: only the template's top-level ``names`` is read.
    return Environment(loader=FileSystemLoader(NOTICES), autoescape=False)  # noqa: S701 - plain text


@cache
def document_names(language: str) -> dict[str, str]:
    """The documents of :data:`claims.info_requests.DOCUMENTS` named in
    ``language``: the names the request-for-information notice uses (its
    template's ``names``), so there is one translation of each; English for
    any the template lacks."""
    try:
        module = _notices().get_template(f"info_request.{language}.txt").module
    except TemplateNotFound:
        return dict(DOCUMENTS)
    names = getattr(module, "names", None) or {}
    return {code: str(names.get(code) or english) for code, english in DOCUMENTS.items()}


def missing_documents(session: Session, thread: Thread, language: str) -> str:
    """What the open requests for information of the thread (or its claim)
    still wait for, one ``- item`` a line, in ``language``."""
    if thread.claim_id is not None:
        where = sa.or_(InfoRequest.thread_id == thread.id,
                       InfoRequest.claim_id == thread.claim_id)
    else:
        where = InfoRequest.thread_id == thread.id
    requests = session.scalars(sa.select(InfoRequest).where(where, InfoRequest.status == "open")
                               .order_by(InfoRequest.created_at, InfoRequest.id)).all()
    names = document_names(language if language in SUPPORTED_LANGUAGES else "en")
    lines: list[str] = []
    for request in requests:
        lines += [f"- {names.get(code, code)}" for code in request.items]
        if request.note.strip():
            lines.append(f"- {request.note.strip()}")
    return "\n".join(dict.fromkeys(lines))


def thread_values(session: Session, thread: Thread, language: str, agent_name: str
                  ) -> dict[str, str]:
    customer = session.get(Customer, thread.customer_id)
    policy_number = ""
    if thread.claim is not None:
        policy_number = thread.claim.policy.number
    elif thread.policy_id is not None:
        policy = session.get(Policy, thread.policy_id)
        policy_number = policy.number if policy is not None else ""
    return {
        "name": (customer.name if customer is not None else "") or "",
        "claim_number": thread.claim.number if thread.claim is not None else "",
        "policy_number": policy_number,
        "missing_documents": missing_documents(session, thread, language),
        "agent_name": agent_name or "",
    }


def render_for_thread(session: Session, thread: Thread, key: str, *, agent_name: str
                      ) -> Rendered:
    """Canned response ``key`` filled in for ``thread``; :class:`CannedNotFound`
    when no row has that key."""
    customer = session.get(Customer, thread.customer_id)
    wanted = thread_languages(thread, customer)
    row = choose(session, key, wanted)
    if row is None:
        raise CannedNotFound(f"no canned response {key!r}")
    filled = fill(row.body, thread_values(session, thread, row.language, agent_name))
    return Rendered(row.key, row.language, row.title, filled.text, filled.unknown, filled.empty,
                    wanted[0] if wanted else "")


# -- keeping them ----------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    key: str
    language: str
    title: str
    body: str
    line: int = 0  # where it was read from (imports)


def check_entry(key: object, language: object, title: object, body: object, *,
                line: int = 0) -> Entry:
    """A canned response that may be saved, cleaned; :class:`BadCanned` naming
    the first thing wrong."""
    if not (isinstance(key, str) and isinstance(language, str) and isinstance(title, str)
            and isinstance(body, str)):
        raise BadCanned("key, language, title and body must be text")
    key, language, title = key.strip().lower(), language.strip().lower(), title.strip()
    body = body.replace("\r\n", "\n").strip("\n")
    if not KEY_PATTERN.fullmatch(key):
        raise BadCanned(f"key {key!r}: use 1-64 lower-case letters, digits, _ . or - "
                        f"(starting with a letter or digit)")
    if language not in SUPPORTED_LANGUAGES:
        raise BadCanned(f"language {language!r}: languages are {', '.join(SUPPORTED_LANGUAGES)}")
    if not title:
        raise BadCanned("the title is empty")
    if len(title) > MAX_TITLE:
        raise BadCanned(f"the title holds at most {MAX_TITLE} characters")
    if not body.strip():
        raise BadCanned("the body is empty")
    if len(body) > MAX_BODY:
        raise BadCanned(f"the body holds at most {MAX_BODY} characters")
    _, unknown = placeholders_in(body)
    named = [u for u in unknown if u != UNMATCHED]
    if named:
        raise BadCanned(f"unknown placeholder {', '.join(named)}; placeholders are "
                        + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
                        + " (write {{ and }} for a literal brace)")
    if unknown:
        raise BadCanned("a brace without its pair (write {{ and }} for a literal brace)")
    return Entry(key, language, title, body, line)


def find(session: Session, key: str, language: str) -> CannedResponse | None:
    return session.scalars(sa.select(CannedResponse).where(
        CannedResponse.key == key, CannedResponse.language == language)).first()


def save(session: Session, entry: Entry, now: datetime, *, actor_id: int | None,
         row: CannedResponse | None = None) -> tuple[CannedResponse, str]:
    """Create or update (``row``, else the one with the entry's key and
    language); returns the row and ``created``, ``updated`` or ``unchanged``.
    :class:`BadCanned` when another row already has that key and language."""
    clash = find(session, entry.key, entry.language)
    if row is None:
        row = clash
    elif clash is not None and clash.id != row.id:
        raise BadCanned(f"{entry.key} ({entry.language}) exists already")
    if row is None:
        row = CannedResponse(key=entry.key, language=entry.language, title=entry.title,
                             body=entry.body, updated_at=now)
        session.add(row)
        session.flush()
        audit.record(session, row, "canned.created", now, actor_id=actor_id, key=row.key,
                     language=row.language)
        return row, "created"
    if (row.key, row.language, row.title, row.body) == (entry.key, entry.language,
                                                        entry.title, entry.body):
        return row, "unchanged"
    row.key, row.language, row.title, row.body = entry.key, entry.language, entry.title, entry.body
    row.updated_at = now
    session.flush()
    audit.record(session, row, "canned.updated", now, actor_id=actor_id, key=row.key,
                 language=row.language)
    return row, "updated"


def delete(session: Session, row: CannedResponse, now: datetime, *, actor_id: int | None
           ) -> None:
    audit.record(session, row, "canned.deleted", now, actor_id=actor_id, key=row.key,
                 language=row.language, title=row.title)
    session.delete(row)
    session.flush()
