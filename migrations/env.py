"""Alembic environment: the URL comes from the product settings, or from a
connection handed in by the caller (``config.attributes["connection"]``)."""

from __future__ import annotations

from alembic import context

import inbox.models  # noqa: F401 - registers every table on the metadata
from db import Base

target_metadata = Base.metadata


def run_migrations(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    from config import load_settings
    from inbox.database import create_engine

    url = context.get_x_argument(as_dictionary=True).get("url") or load_settings().database_url
    engine = create_engine(url)
    with engine.connect() as conn:
        run_migrations(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
main()
