"""Running Alembic from code (CLI, tests, demo setup)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


def alembic_config() -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return cfg


def upgrade(url_or_connection: str | sa.Connection, revision: str = "head") -> None:
    cfg = alembic_config()
    if isinstance(url_or_connection, sa.Connection):
        cfg.attributes["connection"] = url_or_connection
        command.upgrade(cfg, revision)
        return
    from inbox.database import create_engine

    engine = create_engine(url_or_connection)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def downgrade(connection: sa.Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.downgrade(cfg, revision)
