"""Writing a batch's new rows cheaply on PostgreSQL.

SQLAlchemy sends ``INSERT ... RETURNING`` for many rows as one statement
holding every row's parameters ("insertmanyvalues"): 200 messages make 3,600
placeholders, and psycopg parses such a statement in Python each time (its
query cache keeps short statements only). Filing 5,000 mails spent about
2 seconds there. With the ids taken from the table's sequence first, the rows
need no ``RETURNING`` and go as one prepared statement run for each row in a
pipeline (psycopg's ``executemany``). SQLite keeps SQLAlchemy's own way: it
has no sequences, and its driver has no such cost.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session


def table_of(model: type[Any]) -> sa.Table:
    """The mapped class's table, typed as one."""
    return cast(sa.Table, model.__table__)


def allocate_ids(session: Session, table: sa.Table, count: int) -> list[int] | None:
    """``count`` new ids of ``table`` (ascending) from its sequence, or None
    where the database has no sequences (SQLite: let the insert make them)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    if count <= 0:
        return []
    # On the session's connection: a session query would autoflush the very
    # objects waiting for these ids.
    ids = session.connection().scalars(
        sa.text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                "FROM generate_series(1, :count)"),
        {"table": table.name, "count": count},
    ).all()
    return sorted(ids)


def assign_ids(session: Session) -> None:
    """Give the session's new objects their ids before a flush, in the order
    they were added (ids follow creation, as the inserts would have made
    them), so the flush inserts them without ``RETURNING``."""
    waiting: dict[sa.Table, list[Any]] = defaultdict(list)
    for obj in session.new:
        table = getattr(type(obj), "__table__", None)
        if table is not None and "id" in table.c and getattr(obj, "id", None) is None:
            waiting[table].append(obj)
    for table, objects in waiting.items():
        ids = allocate_ids(session, table, len(objects))
        if ids is None:
            return
        objects.sort(key=lambda obj: sa.inspect(obj).insert_order)
        for obj, new_id in zip(objects, ids, strict=True):
            obj.id = new_id


def copy_rows(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> bool:
    """Insert ``rows`` with ``COPY ... FROM STDIN`` on PostgreSQL (False
    elsewhere: the caller inserts them its own way). Values go through the
    columns' types as in an INSERT (JSON, aware timestamps); keys a row lacks
    take the column's default, or the server's (a serial id) when it has
    none. Several times cheaper per row than an INSERT for wide rows: no
    statement per row, and psycopg parses no query."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return False
    if not rows:
        return True
    dialect = connection.dialect
    given = set().union(*(row.keys() for row in rows))
    columns = [c for c in table.c if c.key in given or _default_of(c) is not None]
    processors = [c.type._cached_bind_processor(dialect) for c in columns]
    defaults = [_default_of(c) for c in columns]
    names = ", ".join(dialect.identifier_preparer.quote(c.name) for c in columns)
    statement = f"COPY {dialect.identifier_preparer.format_table(table)} ({names}) FROM STDIN"
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                values = []
                for column, process, default in zip(columns, processors, defaults, strict=True):
                    value = row[column.key] if column.key in row else (
                        default() if default is not None else None)
                    values.append(process(value) if process is not None and value is not None
                                  else value)
                copy.write_row(values)
    except dialect.loaded_dbapi.Error as exc:
        # As SQLAlchemy raises it for an INSERT (IntegrityError for a key
        # filed meanwhile by another worker: callers catch that one).
        raise sa.exc.DBAPIError.instance(statement, None, exc, dialect.loaded_dbapi.Error,
                                        dialect=dialect) from exc
    return True


def insert_rows(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (no ids wanted back): COPY on PostgreSQL, an ordinary
    executemany INSERT elsewhere."""
    if rows and not copy_rows(session, table, rows):
        session.execute(sa.insert(table), rows)


def _default_of(column: sa.Column[Any]) -> Any:
    """A function giving the column's client-side default, or None."""
    default = column.default
    if default is None:
        return None
    arg = getattr(default, "arg", None)
    if getattr(default, "is_scalar", False):
        return lambda: arg
    if callable(arg):
        return lambda: arg(None)  # SQLAlchemy wraps it to take a context
    return None
