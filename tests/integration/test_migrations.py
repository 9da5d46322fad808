"""Every Alembic revision upgrades and downgrades, and the head matches the models."""

from __future__ import annotations

import warnings
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from db import Base
from inbox.database import create_engine
from inbox.migrations import downgrade, upgrade


def _fresh_url(database_url: str, tmp_path: Path) -> tuple[str, sa.Engine | None, str]:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'migrations.sqlite3'}", None, ""
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    name = f"{sa.engine.make_url(database_url).database}_mig"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(database_url).set(database=name)
    return url.render_as_string(hide_password=False), admin, name


def test_upgrade_downgrade_upgrade_and_no_drift(database_url: str, tmp_path: Path) -> None:
    url, admin, name = _fresh_url(database_url, tmp_path)
    engine = create_engine(url)
    try:
        upgrade(url)
        with engine.begin() as conn:
            downgrade(conn, "base")
        with engine.connect() as conn:
            left = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert left == set()
        upgrade(url)
        with engine.connect() as conn, warnings.catch_warnings():
            # SQLite cannot reflect expression indexes; the PostgreSQL-only
            # search index (ddl_if) is compared on PostgreSQL.
            warnings.filterwarnings("ignore", ".*expression-based index 'ix_messages_search'")
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
        assert diff == [], diff
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
