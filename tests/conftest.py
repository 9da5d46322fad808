"""Shared fixtures: real databases (PostgreSQL and SQLite), one transaction per
test rolled back at the end, settings pointing at temporary directories.

``INBOX_TEST_DATABASES`` chooses the engines (default ``sqlite,postgresql``);
``INBOX_TEST_POSTGRES_URL`` names the server (default the local trust-auth
one). An unreachable PostgreSQL fails the run: it is never silently skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from sqlalchemy.orm import Session

from config import Settings, load_settings
from db import Base
from inbox.database import Database, create_engine
from inbox.intake.config import IngestConfig
from inbox.intake.core import CONFIG_KEY
from inbox.migrations import upgrade

POSTGRES_ADMIN_URL = os.environ.get(
    "INBOX_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
DATABASES = [
    name.strip()
    for name in os.environ.get("INBOX_TEST_DATABASES", "sqlite,postgresql").split(",")
    if name.strip()
]
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database for this run on the local server, dropped afterwards."""
    name = f"inbox_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}")
    url = sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'inbox.sqlite3'}"
    raise ValueError(f"unknown test database {request.param!r}")


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = create_engine(database_url)
    upgrade(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return load_settings(
        env={},
        overrides={
            "database_url": database_url,
            "instance_dir": str(tmp_path / "instance"),
            "blob_dir": str(tmp_path / "blobs"),
            # A test that files a message and then reads the queue must see it:
            # the queue's few seconds of caching are tested on their own
            # (tests/integration/test_queue_cache.py) and in the browser tests.
            "queue_cache_seconds": 0,
            "dashboard_cache_seconds": 0,
        },
    )


@pytest.fixture
def ingest_config(settings: Settings) -> IngestConfig:
    return IngestConfig.from_settings(settings)


@pytest.fixture
def session(engine: sa.Engine, ingest_config: IngestConfig) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test;
    the code under test may commit (it commits a SAVEPOINT)."""
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(
            bind=conn,
            join_transaction_mode="create_savepoint",
            info={CONFIG_KEY: ingest_config},
            expire_on_commit=False,
        )
        try:
            yield session
        finally:
            session.close()
            outer.rollback()


@pytest.fixture
def now() -> datetime:
    return NOW


Invoke = Callable[..., Result]


def _max_ids(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.name: conn.scalar(sa.select(sa.func.max(table.c.id))) or 0
            for table in Base.metadata.sorted_tables if "id" in table.c
        }


def _delete_rows_after(engine: sa.Engine, before: dict[str, int]) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in before:
                conn.execute(table.delete().where(table.c.id > before[table.name]))


@contextmanager
def rows_added_are_removed(url: str) -> Iterator[None]:
    """For a test whose processes write to the shared database themselves:
    the rows they add are deleted afterwards (by id above the highest before)."""
    engine = create_engine(url)
    before = _max_ids(engine)
    try:
        yield
    finally:
        _delete_rows_after(engine, before)
        engine.dispose()


@pytest.fixture
def committed_db(engine: sa.Engine, ingest_config: IngestConfig) -> Iterator[Database]:
    """A :class:`Database` whose transactions really commit (for code that runs
    its own transactions: syncs, jobs); the rows it added are deleted afterwards."""
    before = _max_ids(engine)
    db = Database()
    db.bind(engine)
    assert db.sessionmaker is not None
    db.sessionmaker.configure(info={CONFIG_KEY: ingest_config})
    yield db
    _delete_rows_after(engine, before)


@pytest.fixture
def invoke(database_url: str, engine: sa.Engine, tmp_path: Path) -> Iterator[Invoke]:
    """Run ``inbox ...`` against the test database, committing for real; the
    rows it added are deleted afterwards (by id above the highest before)."""
    from inbox.cli import Context, cli

    before = _max_ids(engine)
    env = {
        "INBOX_DATABASE_URL": database_url,
        "INBOX_INSTANCE_DIR": str(tmp_path / "instance"),
        "INBOX_BLOB_DIR": str(tmp_path / "blobs"),
    }
    contexts: list[Context] = []

    def run(*args: str, extra_env: dict[str, str] | None = None) -> Result:
        contexts.append(Context())
        return CliRunner().invoke(cli, list(args), obj=contexts[-1],
                                  env={**env, **(extra_env or {})})

    yield run
    for ctx in contexts:
        ctx.close()
    _delete_rows_after(engine, before)
