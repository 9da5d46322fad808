"""The bench databases: a server given by INBOX_BENCH_POSTGRES (default the
local trust-auth one), a database per bench on it, and one-statement helpers."""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy as sa

from inbox.database import create_engine

ADMIN_URL = os.environ.get("INBOX_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1/test")


def database_url(name: str) -> str:
    """The URL of database ``name`` on the bench server."""
    return sa.engine.make_url(ADMIN_URL).set(database=name).render_as_string(
        hide_password=False)


def admin(statement: str) -> None:
    """Run a statement outside a transaction (CREATE/DROP DATABASE)."""
    engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()


def scalar(url: str, query: str) -> Any:
    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.scalar(sa.text(query))
    engine.dispose()
    return value
