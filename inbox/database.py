"""Engine and session handling: one transaction per request, job or command.

Domain functions only ``flush()``; the wrappers here commit or roll back, then
run the side effects queued with :func:`after_commit` (enqueue a job, send).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


def normalize_url(url: str) -> URL:
    """``postgresql://`` means psycopg 3 here (the only driver we install)."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_engine(url: str, **kwargs: Any) -> sa.Engine:
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(parsed, **kwargs)


def _configure_sqlite(engine: sa.Engine) -> None:
    """Foreign keys on, WAL so the web app and the worker can share the file,
    and transactions SQLAlchemy controls (so SAVEPOINT works; see the
    SQLAlchemy docs "Serializable isolation / Savepoints / Transactional DDL")."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN")


def after_commit(session: Session, callback: Callable[[], Any]) -> None:
    """Run ``callback`` once the session's transaction has committed."""
    session.info.setdefault("after_commit", []).append(callback)


def run_after_commit(session: Session) -> None:
    callbacks = session.info.pop("after_commit", [])
    for callback in callbacks:
        try:
            callback()
        except Exception:
            log.exception("after-commit action failed")


def discard_after_commit(session: Session) -> None:
    session.info.pop("after_commit", None)


class Database:
    """Holds the engine and session factory; bound to an app or used alone."""

    def __init__(self, url: str | None = None, **engine_kwargs: Any) -> None:
        self.engine: sa.Engine | None = None
        self.sessionmaker: sessionmaker[Session] | None = None
        if url:
            self.bind(create_engine(url, **engine_kwargs))

    def bind(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.sessionmaker = sessionmaker(engine, expire_on_commit=False)

    @property
    def info(self) -> dict[str, Any]:
        """What every session of this database starts with in ``session.info``."""
        if self.sessionmaker is None:
            raise RuntimeError("database is not configured")
        info: dict[str, Any] = self.sessionmaker.kw.get("info") or {}
        return info

    def session(self) -> Session:
        if self.sessionmaker is None:
            raise RuntimeError("database is not configured")
        return self.sessionmaker()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on error, then side effects."""
        session = self.session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            discard_after_commit(session)
            raise
        finally:
            session.close()
        run_after_commit(session)
