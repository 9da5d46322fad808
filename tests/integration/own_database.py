"""A database of its own for a test module that reads every row of a table
(the dashboard, a rebuild), so rows other modules left cannot count. Import
both fixtures into the module::

    from tests.integration.own_database import database_url, engine  # noqa: F401
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa


@contextmanager
def own_database(url: str, tmp_dir: Path) -> Iterator[str]:
    """A database of its own on the same server (or a new SQLite file),
    migrated, dropped afterwards: for tests that read every row of a table
    (the dashboard, a rebuild), so rows other modules left cannot count."""
    from inbox.database import create_engine
    from inbox.migrations import upgrade

    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        own = f"sqlite:///{tmp_dir / 'own.sqlite3'}"
        upgrade(own)
        yield own
        return
    name = f"inbox_own_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    own = parsed.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(own)
        yield own
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def database_url(database_url: str,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with own_database(database_url, tmp_path_factory.mktemp("own")) as url:
        yield url


@pytest.fixture(scope="module")
def engine(database_url: str) -> Iterator[sa.Engine]:
    from inbox.database import create_engine

    engine = create_engine(database_url)
    yield engine
    engine.dispose()
