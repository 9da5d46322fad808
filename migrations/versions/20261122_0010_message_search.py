"""message search: a GIN index over each message's text in its language's
text search configuration (PostgreSQL only). Written by hand.

Two IMMUTABLE SQL functions (inlined by PostgreSQL):
``inbox_search_config(language)`` maps a language code to a configuration and
``inbox_search_vector(language, subject, text)`` is the indexed document.
Each uses only pg_catalog (no call of one by the other), so a pg_dump restore,
which runs with an empty search_path, can rebuild the index. Czech has no
snowball configuration in PostgreSQL 15: ``cs`` and unknown languages use
``simple``. The mapping must equal inbox.models.text_search.SEARCH_CONFIGS
(tests/integration/test_search.py checks it); changing it is a new revision
that replaces both functions and rebuilds the index.

On a large existing ``messages`` table the build blocks writes while it runs
(a revision runs in a transaction, so not CONCURRENTLY): build it beforehand
with CREATE INDEX CONCURRENTLY under the same name; this revision then finds
it (IF NOT EXISTS).

SQLite gets nothing: its search is a LIKE scan (inbox.workspace.search).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 12:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

CONFIGS = {"en": "english", "de": "german", "el": "greek", "sv": "swedish", "id": "indonesian"}
CASE = ("CASE lang "
        + " ".join(f"WHEN '{code}' THEN '{name}'::regconfig" for code, name in CONFIGS.items())
        + " ELSE 'simple'::regconfig END")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"""
        CREATE OR REPLACE FUNCTION inbox_search_config(lang varchar) RETURNS regconfig
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT {CASE} $$""")
    op.execute(f"""
        CREATE OR REPLACE FUNCTION inbox_search_vector(lang varchar, subj varchar, body text)
        RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT to_tsvector({CASE}, subj || ' ' || left(body, 100000)) $$""")
    op.execute("CREATE INDEX IF NOT EXISTS ix_messages_search ON messages "
               "USING gin (inbox_search_vector(language, subject, text))")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_messages_search")
    op.execute("DROP FUNCTION IF EXISTS inbox_search_vector(varchar, varchar, text)")
    op.execute("DROP FUNCTION IF EXISTS inbox_search_config(varchar)")
