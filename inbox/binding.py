"""The database bound from the settings: engine, connection pool, and the
ingest config in every session. Used by the web app and by the commands
that run without it (importing Flask costs a command's start 35 ms)."""

from __future__ import annotations

from typing import Any

from config import Settings
from inbox.database import Database, create_engine
from inbox.intake.config import IngestConfig
from inbox.intake.core import CONFIG_KEY


def bind_database(db: Database, settings: Settings) -> Database:
    """``db`` on the configured database, its sessions carrying the ingest
    config. Without the web app: a command that only files input (``inbox sync
    email``) needs no more, and building the app costs about a second."""
    db.bind(create_engine(settings.database_url, **pool_options(settings)))
    assert db.sessionmaker is not None
    db.sessionmaker.configure(info={CONFIG_KEY: IngestConfig.from_settings(settings)})
    return db


def pool_options(settings: Settings) -> dict[str, Any]:
    """The connection pool from config (PostgreSQL; SQLite keeps SQLAlchemy's own)."""
    if settings.database_url.startswith("sqlite"):
        return {}
    return {
        "pool_size": settings.database_pool_size,
        "max_overflow": settings.database_max_overflow,
        "pool_timeout": settings.database_pool_timeout,
    }
