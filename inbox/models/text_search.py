"""The full-text search document of a message, as SQL.

PostgreSQL indexes ``inbox_search_vector(language, subject, text)`` with GIN
(migration 0010 creates the function and the index). The function is
``to_tsvector(<the language's configuration>, subject || ' ' || left(text,
100000))``; ``inbox_search_config(language)`` gives the configuration alone
(for ts_headline and the query). Both are IMMUTABLE SQL functions that
PostgreSQL inlines, so a query written with the same call uses the index.
Calling the functions (not spelling the expression out) keeps the query, the
index and Alembic's drift check on one short expression.

Czech has no snowball stemmer in PostgreSQL 15 (``pg_ts_config`` has no
``czech``): Czech messages, and those whose language is unknown, are indexed
with ``simple`` (lower-cased words, no stemming, no stop words).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

# Language code -> PostgreSQL text search configuration, as migration 0010's
# functions have it (a test checks the two agree). Changing it needs a
# migration that replaces the functions and rebuilds ix_messages_search.
SEARCH_CONFIGS: dict[str, str] = {
    "en": "english",
    "de": "german",
    "el": "greek",
    "sv": "swedish",
    "id": "indonesian",
}
FALLBACK_CONFIG = "simple"
# Only the first this-many characters of a message's text are indexed: a
# tsvector is at most 1 MB, and an insert whose document overflowed it would fail.
MAX_CHARS = 100_000
# A column or any SQL expression (mapped attributes included).
Column = Any


def search_vector(language: Column, subject: Column,
                  text: Column) -> sa.ColumnElement[Any]:
    """The indexed expression (PostgreSQL)."""
    return sa.func.inbox_search_vector(language, subject, text)


def search_config(language: Column) -> sa.ColumnElement[Any]:
    """The configuration a row's language selects (PostgreSQL regconfig)."""
    return sa.func.inbox_search_config(language)


def search_document(subject: Column, text: Column
                    ) -> sa.ColumnElement[Any]:
    """The text the vector is made of (for ts_headline)."""
    return subject.op("||")(sa.literal_column("' '")).op("||")(
        sa.func.left(text, sa.literal_column(str(MAX_CHARS))))
