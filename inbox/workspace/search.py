"""Search across messages, customers, claim and policy numbers.

:func:`search` is the one entry point; the page (``GET /search``) and the
JSON API call it (a CLI would too) and get plain dataclasses back
(:mod:`.search_results`, no ORM objects):

    search(session, query, *, kinds=None, limit=20, offset=0, region=None)
        -> SearchResults

* ``kinds``: any of :data:`KINDS` (None: all); an unknown kind is a
  :class:`SearchError`. ``limit`` (1-100) and ``offset`` apply to each kind
  separately; ``SearchResults.has_more[kind]`` says whether a next page exists.
* Exact identifiers come first. Claim and policy numbers, customer refs,
  email addresses and phone numbers (normalised like ingest does it, phones
  to E.164 with ``region``, default the session's ingest config's region) are
  looked up exactly; the threads of a claim, policy or customer found that way
  rank above text matches (``exact=True``).
* Messages, PostgreSQL: full text over subject and text
  (:mod:`inbox.models.text_search`: each message indexed in its language's
  configuration, GIN index ``ix_messages_search``). The query's language is
  unknown, so it is parsed with ``websearch_to_tsquery`` (never a syntax
  error, whatever the user typed) in every configuration the messages can be
  indexed with, ``simple`` included, and the parts are OR-ed: "Rechnungen"
  finds German "Rechnung", Greek accents and case do not matter, and an exact
  word is found in any language. Order: threads found by identifier, then
  those whose subject matches, then the newest, among the newest
  :data:`CANDIDATES` matching messages (a word in half the mailbox stays
  fast; older matches of such a word are not reached). No ``ts_rank``: the
  index is an expression (no stored tsvector, no positions), so ranking would
  parse every candidate's text again (~0.5 ms each); the subject is short.
* Messages, SQLite (development, demo): every word (or "quoted phrase") must
  occur in subject or text, case- and accent-insensitively (Python casefold
  + stripped combining marks, registered as a SQL function); ``-word``
  excludes. No stemming ("Rechnung" finds "Rechnungen", not the reverse),
  the same order as above, and every message is read: fine for thousands of
  messages, not for production.
* Customers by name: every word of the query in the name, case-insensitively
  (PostgreSQL: accents must match, there is no unaccent; SQLite folds them);
  a merged customer (``merged_into_id``) is never a result.
* One result per thread: its best message. A thread merged into another
  (``merged_into_id``) is never a result; a message left in it counts for the
  thread it was merged into.
* Snippets are :class:`markupsafe.Markup`: the message text HTML-escaped, the
  matches in ``<mark>``; nothing from a message can inject markup.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Session

from claims.identifiers import normalize_email, normalize_phone
from claims.models import Claim, Customer, CustomerIdentity, Policy
from inbox.models import Message, Thread
from inbox.models.text_search import (
    FALLBACK_CONFIG,
    SEARCH_CONFIGS,
    search_config,
    search_document,
    search_vector,
)
from inbox.workspace.search_results import (
    KINDS,
    ClaimHit,
    CustomerHit,
    Matched,
    PolicyHit,
    SearchError,
    SearchResults,
    ThreadHit,
    ThreadRef,
)
from inbox.workspace.search_text import (
    HEADLINE_OPTIONS,
    START,
    STOP,
    TRIM,
    fold,
    highlight,
    like_conditions,
    mark_headline,
    register_fold,
    wanted_terms,
)

__all__ = ["KINDS", "ClaimHit", "CustomerHit", "Matched", "PolicyHit", "SearchError",
           "SearchResults", "ThreadHit", "ThreadRef", "search"]

MAX_LIMIT = 100
MAX_QUERY = 200  # characters; the rest of a longer query is ignored
MAX_WORDS = 12
# Text matches ranked per query (PostgreSQL): the newest this-many messages.
CANDIDATES = 500
# A customer result lists this many of their latest threads.
CUSTOMER_THREADS = 3
HEADLINE_CHARS = 3_000  # of a message, read for its snippet (PostgreSQL)
SNIPPET_LEAD = 200  # characters before the first match that the window starts
# Control characters (NUL cannot even be sent to PostgreSQL) read as spaces.
_CONTROL = {**dict.fromkeys(range(32), " "), 127: " "}
# What may be a phone number: digits and the usual separators, six digits or more.
_PHONE_RE = re.compile(r"^\+?(?:[\s().-]*\d){6,}[\s().-]*$")


@dataclass
class _Identifiers:
    """What the query names exactly (ids found in the book)."""
    customers: dict[int, list[Matched]] = field(default_factory=dict)
    claim_ids: list[int] = field(default_factory=list)
    policy_ids: list[int] = field(default_factory=list)


def search(session: Session, query: str, *, kinds: Iterable[str] | None = None,
           limit: int = 20, offset: int = 0, region: str | None = None) -> SearchResults:
    """Search; see the module's description. Empty or blank queries find nothing."""
    if isinstance(kinds, str):
        kinds = (kinds,)
    chosen = tuple(KINDS) if kinds is None else tuple(dict.fromkeys(kinds))
    unknown = [k for k in chosen if k not in KINDS]
    if unknown:
        raise SearchError(f"unknown kind {unknown[0]!r}: choose from {', '.join(KINDS)}")
    limit = min(max(int(limit), 1), MAX_LIMIT)
    offset = max(int(offset), 0)
    text = " ".join((query or "").translate(_CONTROL).split())[:MAX_QUERY]
    found: dict[str, tuple[list[Any], bool]] = {}
    if any(ch.isalnum() for ch in text):
        ids = _identifiers(session, text, region or _region(session))
        if "customers" in chosen:
            found["customers"] = _customers(session, text, ids, limit, offset)
        if "threads" in chosen:
            found["threads"] = _threads(session, text, ids, limit, offset)
        if "claims" in chosen:
            found["claims"] = _claims(session, ids.claim_ids, limit, offset)
        if "policies" in chosen:
            found["policies"] = _policies(session, ids.policy_ids, limit, offset)
    none: tuple[list[Any], bool] = ([], False)
    return SearchResults(
        query=text, kinds=chosen, limit=limit, offset=offset,
        customers=found.get("customers", none)[0], threads=found.get("threads", none)[0],
        claims=found.get("claims", none)[0], policies=found.get("policies", none)[0],
        has_more={kind: found.get(kind, none)[1] for kind in chosen})


# -- exact identifiers ------------------------------------------------------

def _region(session: Session) -> str:
    from inbox.intake.core import CONFIG_KEY

    cfg = session.info.get(CONFIG_KEY)
    return cfg.default_region if cfg is not None else "GB"


def _tokens(text: str) -> list[str]:
    return [t for t in (raw.strip(TRIM) for raw in text.split()[:MAX_WORDS]) if t]


def _identifiers(session: Session, text: str, region: str) -> _Identifiers:
    tokens = _tokens(text)
    candidates = [text, *tokens]
    emails = {e for e in map(normalize_email, candidates) if e}
    phones = {p for p in (normalize_phone(c, region) for c in candidates
                          if _PHONE_RE.match(c)) if p}
    numbers = {n for t in tokens if any(ch.isdigit() for ch in t) for n in (t, t.upper())}
    refs = set(tokens)
    found = _Identifiers()
    wanted = [sa.and_(CustomerIdentity.kind == kind, CustomerIdentity.value.in_(values))
              for kind, values in (("email", emails), ("phone", phones),
                                   ("customer_ref", refs)) if values]
    if wanted:
        for customer_id, kind, value in session.execute(
                sa.select(CustomerIdentity.customer_id, CustomerIdentity.kind,
                          CustomerIdentity.value)
                .join(Customer, Customer.id == CustomerIdentity.customer_id)
                .where(sa.or_(*wanted), Customer.merged_into_id.is_(None))):
            found.customers.setdefault(customer_id, []).append(Matched(kind, value))
    for customer_id, ref in session.execute(
            sa.select(Customer.id, Customer.ref)
            .where(Customer.ref.in_(refs), Customer.merged_into_id.is_(None))):
        assert ref is not None  # matched one of refs
        matched = found.customers.setdefault(customer_id, [])
        if Matched("customer_ref", ref) not in matched:
            matched.append(Matched("customer_ref", ref))
    if numbers:
        found.claim_ids = list(session.scalars(
            sa.select(Claim.id).where(Claim.number.in_(numbers)).order_by(Claim.id)))
        found.policy_ids = list(session.scalars(
            sa.select(Policy.id).where(Policy.number.in_(numbers)).order_by(Policy.id)))
    return found


# -- customers, claims, policies --------------------------------------------

def _customers(session: Session, text: str, ids: _Identifiers, limit: int, offset: int
               ) -> tuple[list[CustomerHit], bool]:
    # Name words: not the identifiers (an address, a number) the query may carry.
    words = [w for w in _tokens(text)
             if len(w) >= 2 and "@" not in w and not any(ch.isdigit() for ch in w)]
    postgres = session.get_bind().dialect.name == "postgresql"
    if not postgres:
        register_fold(session)
    by_name: list[sa.ColumnElement[bool]] = []
    for word in words:
        if postgres:
            by_name.append(sa.func.strpos(sa.func.lower(Customer.name),
                                          sa.func.lower(sa.literal(word, sa.Text))) > 0)
        else:
            by_name.append(sa.func.instr(sa.func.inbox_fold(Customer.name), fold(word)) > 0)
    exact_ids = list(ids.customers)
    conditions: list[sa.ColumnElement[bool]] = []
    if exact_ids:
        conditions.append(Customer.id.in_(exact_ids))
    if by_name:
        conditions.append(sa.and_(*by_name))
    if not conditions:
        return [], False
    exact = (sa.case((Customer.id.in_(exact_ids), 1), else_=0) if exact_ids
             else sa.literal(0))
    rows = session.execute(
        sa.select(Customer.id, Customer.name, Customer.ref, Customer.language,
                  exact.label("exact"))
        .where(sa.or_(*conditions), Customer.merged_into_id.is_(None))
        .order_by(sa.desc("exact"), Customer.name, Customer.id)
        .limit(limit + 1).offset(offset)).all()
    more, rows = len(rows) > limit, rows[:limit]
    threads = _latest_threads(session, [r.id for r in rows])
    hits = [CustomerHit(
        id=r.id, name=r.name, ref=r.ref, language=r.language, exact=bool(r.exact),
        matched=tuple(ids.customers.get(r.id) or [Matched("name", r.name)]),
        threads=tuple(threads.get(r.id, ()))) for r in rows]
    return hits, more


def _latest_threads(session: Session, customer_ids: list[int]) -> dict[int, list[ThreadRef]]:
    if not customer_ids:
        return {}
    order = sa.func.row_number().over(
        partition_by=Thread.customer_id,
        order_by=(Thread.last_message_at.desc().nulls_last(), Thread.id.desc()))
    ranked = (sa.select(Thread.id, Thread.customer_id, Thread.subject, Thread.status,
                        Thread.last_message_at, order.label("n"))
              .where(Thread.customer_id.in_(customer_ids), Thread.merged_into_id.is_(None))
              .subquery())
    out: dict[int, list[ThreadRef]] = defaultdict(list)
    for r in session.execute(sa.select(ranked).where(ranked.c.n <= CUSTOMER_THREADS)
                             .order_by(ranked.c.customer_id, ranked.c.n)):
        out[r.customer_id].append(ThreadRef(r.id, r.subject, r.status, r.last_message_at))
    return out


def _claims(session: Session, claim_ids: list[int], limit: int, offset: int
            ) -> tuple[list[ClaimHit], bool]:
    if not claim_ids:
        return [], False
    latest = (sa.select(Thread.id).where(Thread.claim_id == Claim.id,
                                         Thread.merged_into_id.is_(None))
              .order_by(Thread.last_message_at.desc().nulls_last(), Thread.id.desc())
              .limit(1).correlate(Claim).scalar_subquery())
    rows = session.execute(
        sa.select(Claim.id, Claim.number, Claim.status, Policy.number.label("policy_number"),
                  Customer.id.label("customer_id"), Customer.name, latest.label("thread_id"))
        .join(Policy, Policy.id == Claim.policy_id)
        .join(Customer, Customer.id == Policy.customer_id)
        .where(Claim.id.in_(claim_ids)).order_by(Claim.number)
        .limit(limit + 1).offset(offset)).all()
    return [ClaimHit(r.id, r.number, r.status, r.policy_number, r.customer_id, r.name,
                     r.thread_id) for r in rows[:limit]], len(rows) > limit


def _policies(session: Session, policy_ids: list[int], limit: int, offset: int
              ) -> tuple[list[PolicyHit], bool]:
    if not policy_ids:
        return [], False
    rows = session.execute(
        sa.select(Policy.id, Policy.number, Policy.status, Policy.product,
                  Customer.id.label("customer_id"), Customer.name)
        .join(Customer, Customer.id == Policy.customer_id)
        .where(Policy.id.in_(policy_ids)).order_by(Policy.number)
        .limit(limit + 1).offset(offset)).all()
    return [PolicyHit(r.id, r.number, r.status, r.product, r.customer_id, r.name)
            for r in rows[:limit]], len(rows) > limit


# -- threads (messages) -----------------------------------------------------

def _threads(session: Session, text: str, ids: _Identifiers, limit: int, offset: int
             ) -> tuple[list[ThreadHit], bool]:
    postgres = session.get_bind().dialect.name == "postgresql"
    linked = _linked(ids)
    if postgres:
        tsquery = _tsquery(text)
        vector = search_vector(Message.language, Message.subject, Message.text)
        matching: sa.ColumnElement[bool] = vector.op("@@")(tsquery)
        # Ranking the whole text would parse every candidate again (the index
        # holds no positions to rank with); the subject is short.
        in_subject: sa.ColumnElement[bool] = sa.func.to_tsvector(
            search_config(Message.language), Message.subject).op("@@")(tsquery)
    else:
        register_fold(session)
        matching = like_conditions(text, Message.subject.op("||")(" ").op("||")(Message.text))
        in_subject = like_conditions(text, Message.subject)
    candidates = [sa.select(Message.id).where(matching)
                  .order_by(Message.received_at.desc()).limit(CANDIDATES)]
    if linked is not None:
        candidates.append(sa.select(Message.id).join(Thread, Thread.id == Message.thread_id)
                          .where(linked).order_by(Message.received_at.desc())
                          .limit(CANDIDATES))
    pool = sa.union(*[c.subquery().select() for c in candidates]).subquery()
    owner = sa.func.coalesce(Thread.merged_into_id, Thread.id)
    exact = sa.case((linked, 1), else_=0) if linked is not None else sa.literal(0)
    scored = (
        sa.select(Message.id.label("message_id"), owner.label("thread_id"),
                  Message.received_at, exact.label("exact"),
                  sa.case((in_subject, 1), else_=0).label("in_subject"))
        .join(pool, pool.c.id == Message.id)
        .join(Thread, Thread.id == Message.thread_id)
        .subquery())
    keys = ("exact", "in_subject", "received_at", "message_id")  # all descending
    best = sa.func.row_number().over(partition_by=scored.c.thread_id,
                                     order_by=[scored.c[k].desc() for k in keys])
    per_thread = sa.select(scored, best.label("n")).subquery()
    rows = session.execute(
        sa.select(per_thread.c.message_id, per_thread.c.thread_id, per_thread.c.exact,
                  per_thread.c.in_subject)
        .where(per_thread.c.n == 1)
        .order_by(*(per_thread.c[k].desc() for k in keys))
        .limit(limit + 1).offset(offset)).all()
    more, rows = len(rows) > limit, rows[:limit]
    if not rows:
        return [], more
    snippets = (_headlines(session, text, [r.message_id for r in rows]) if postgres
                else None)
    return _thread_hits(session, rows, text, snippets), more


def _linked(ids: _Identifiers) -> sa.ColumnElement[bool] | None:
    parts = []
    if ids.claim_ids:
        parts.append(Thread.claim_id.in_(ids.claim_ids))
    if ids.policy_ids:
        parts.append(Thread.policy_id.in_(ids.policy_ids))
        parts.append(Thread.claim_id.in_(
            sa.select(Claim.id).where(Claim.policy_id.in_(ids.policy_ids))))
    if ids.customers:
        parts.append(Thread.customer_id.in_(list(ids.customers)))
    return sa.or_(*parts) if parts else None


def _tsquery(text: str) -> sa.ColumnElement[Any]:
    """The query in every configuration a message can be indexed with, OR-ed."""
    names = [*dict.fromkeys(SEARCH_CONFIGS.values()), FALLBACK_CONFIG]
    parts = [sa.func.websearch_to_tsquery(sa.literal_column(f"'{name}'::regconfig"),
                                          sa.literal(text, sa.Text))
             for name in names]
    combined: sa.ColumnElement[Any] = parts[0]
    for part in parts[1:]:
        combined = combined.op("||")(part)
    return combined


def _headlines(session: Session, text: str, message_ids: list[int]) -> dict[int, Markup]:
    """ts_headline over a window of each message: it parses all it is given
    (~10 ms for 15 KB), so it gets HEADLINE_CHARS from a little before the
    first place where a query lexeme occurs as written (a stem is usually the
    start of the word), else from the start."""
    tsquery = _tsquery(text)
    lexemes = _lexemes(session.scalar(sa.select(sa.cast(tsquery, sa.Text))) or "")
    document = search_document(Message.subject, Message.text)
    start: sa.ColumnElement[Any] = sa.literal(1)
    if lexemes:
        lowered = sa.func.lower(document)
        first = sa.func.least(*[sa.func.nullif(sa.func.strpos(lowered, lexeme), 0)
                                for lexeme in lexemes])
        start = sa.func.greatest(sa.func.coalesce(first, 1) - SNIPPET_LEAD, 1)
    window = sa.func.translate(sa.func.substr(document, start, HEADLINE_CHARS),
                               START + STOP, "")
    # The message's own configuration (and simple): the OR of all six makes
    # ts_headline ten times slower and adds nothing it could match.
    own = sa.func.websearch_to_tsquery(search_config(Message.language),
                                       sa.literal(text, sa.Text)).op("||")(
        sa.func.websearch_to_tsquery(sa.literal_column(f"'{FALLBACK_CONFIG}'::regconfig"),
                                     sa.literal(text, sa.Text)))
    headline = sa.func.ts_headline(search_config(Message.language), window, own,
                                   HEADLINE_OPTIONS)
    rows = session.execute(sa.select(Message.id, start.label("start"),
                                     headline.label("headline"))
                           .where(Message.id.in_(message_ids)))
    return {row.id: (Markup("… ") if row.start > 1 else Markup("")) + mark_headline(row.headline)
            for row in rows}


_LEXEME_RE = re.compile(r"'((?:[^']|'')+)'")


def _lexemes(tsquery: str) -> list[str]:
    """The distinct lexemes of a tsquery's text form, e.g. ``'rechnung' | 'dach'``."""
    found = dict.fromkeys(m.replace("''", "'") for m in _LEXEME_RE.findall(tsquery))
    return list(found)[:MAX_WORDS]


def _thread_hits(session: Session, rows: Sequence[Any], text: str,
                 snippets: dict[int, Markup] | None) -> list[ThreadHit]:
    message_ids = [r.message_id for r in rows]
    messages = {m.id: m for m in session.execute(
        sa.select(Message.id, Message.subject, Message.text, Message.channel,
                  Message.direction, Message.received_at, Message.language)
        .where(Message.id.in_(message_ids)))}
    threads = {t.id: t for t in session.execute(
        sa.select(Thread.id, Thread.subject, Thread.status, Thread.language,
                  Thread.customer_id, Thread.merged_into_id, Customer.name.label("customer"),
                  Claim.number.label("claim_number"))
        .join(Customer, Customer.id == Thread.customer_id)
        .outerjoin(Claim, Claim.id == Thread.claim_id)
        .where(Thread.id.in_({r.thread_id for r in rows})))}
    words = None if snippets is not None else wanted_terms(text)
    hits = []
    for r in rows:
        m, t = messages[r.message_id], threads[r.thread_id]
        if t.merged_into_id is not None:
            continue  # merged again while we looked (chains are flattened on merge)
        snippet = (snippets.get(m.id, Markup("")) if snippets is not None
                   else highlight(f"{m.subject} {m.text}", words or []))
        hits.append(ThreadHit(
            thread_id=t.id, message_id=m.id, subject=t.subject or m.subject,
            channel=m.channel, direction=m.direction, received_at=m.received_at,
            status=t.status, language=m.language or t.language, customer_id=t.customer_id,
            customer_name=t.customer, claim_number=t.claim_number, snippet=snippet,
            exact=bool(r.exact), in_subject=bool(r.in_subject)))
    return hits
