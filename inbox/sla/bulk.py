"""Writing many rows in few statements (the sweep's writes).

* :func:`insert_rows`: on PostgreSQL ``COPY`` when nothing is to come back,
  else one ``INSERT ... SELECT * FROM unnest(arrays)`` (optionally ``ON
  CONFLICT DO NOTHING`` and ``RETURNING``) per 20,000 rows: one round trip
  and no statement to compile per row or per chunk; elsewhere (SQLite) an
  executemany.
* :func:`update_by_id`: on PostgreSQL one ``UPDATE ... FROM unnest(arrays)``
  per shape of row, whatever the count; elsewhere (SQLite) an executemany.

Measured with bench/sla.py: an executemany of 6,000 single-row UPDATEs took
0.7 s and 6,000 ``INSERT ... ON CONFLICT ... RETURNING`` through the ORM 2.2 s
on this machine; these forms take a small fraction of that.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from db import UTCDateTime

CHUNK = 1000
_PG_ARRAY = {sa.Integer: "integer[]", UTCDateTime: "timestamptz[]", sa.String: "text[]",
             sa.Boolean: "boolean[]", sa.Float: "double precision[]", sa.JSON: "json[]"}


def insert_rows(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]], *,
                conflict: Sequence[str] | None = None,
                returning: Sequence[str] = ()) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (all with the same keys); with ``conflict`` the rows
    that would break that unique constraint are skipped. Returns the
    ``returning`` columns of the rows inserted."""
    if not rows:
        return []
    if session.get_bind().dialect.name == "postgresql":
        if conflict is None and not returning:
            _copy(session, table, rows)
            return []
        return _unnest_insert(session, table, rows, conflict, returning)
    statement: Any = sqlite.insert(table) if conflict is not None else sa.insert(table)
    if conflict is not None:
        statement = statement.on_conflict_do_nothing(index_elements=list(conflict))
    if not returning:
        session.execute(statement, list(rows))
        return []
    statement = statement.returning(*(table.c[name] for name in returning))
    return [tuple(r) for r in session.execute(statement, list(rows))]


def _copy(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """``COPY ... FROM STDIN`` on the session's connection, in its transaction."""
    names = tuple(rows[0])
    json_columns = {n for n in names if isinstance(table.c[n].type, sa.JSON)}
    raw: Any = session.connection().connection.dbapi_connection  # psycopg's connection
    columns = ", ".join(f'"{n}"' for n in names)
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json.dumps(row[n]) if n in json_columns and row[n] is not None
                            else row[n] for n in names])


def _unnest_insert(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]],
                   conflict: Sequence[str] | None, returning: Sequence[str]
                   ) -> list[tuple[Any, ...]]:
    names = tuple(rows[0])
    arrays = ", ".join(f"CAST(:a_{n} AS {_array_type(table.c[n])})" for n in names)
    columns = ", ".join(f'"{n}"' for n in names)
    sql = f'INSERT INTO "{table.name}" ({columns}) SELECT * FROM unnest({arrays})'  # noqa: S608 - names come from the table
    if conflict is not None:
        sql += " ON CONFLICT (" + ", ".join(f'"{n}"' for n in conflict) + ") DO NOTHING"
    statement: Any = sa.text(sql)
    if returning:
        statement = sa.text(sql + " RETURNING " + ", ".join(f'"{n}"' for n in returning)
                            ).columns(*(table.c[n] for n in returning))
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), 20 * CHUNK):
        params = _arrays(table, names, rows[start:start + 20 * CHUNK])
        result = session.execute(statement, params)
        if returning:
            out.extend(tuple(r) for r in result)
    return out


def _arrays(table: sa.Table, names: Sequence[str], rows: Sequence[dict[str, Any]]
            ) -> dict[str, list[Any]]:
    params: dict[str, list[Any]] = {f"a_{n}": [] for n in names}
    for name in names:
        column = params[f"a_{name}"]
        kind = table.c[name].type
        if isinstance(kind, UTCDateTime):
            column.extend(None if r[name] is None else r[name].isoformat() for r in rows)
        elif isinstance(kind, sa.JSON):
            column.extend(None if r[name] is None else json.dumps(r[name]) for r in rows)
        else:
            column.extend(r[name] for r in rows)
    return params


def update_by_id(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """``UPDATE table SET ... WHERE id = row["id"]`` for every row; rows may
    set different columns (grouped by the columns they set)."""
    by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_shape[tuple(sorted(k for k in row if k != "id"))].append(row)
    postgres = session.get_bind().dialect.name == "postgresql"
    for shape, group in by_shape.items():
        if not shape:
            continue
        if postgres:
            _unnest_update(session, table, shape, group)
            continue
        statement = sa.update(table).where(table.c.id == sa.bindparam("b_id")).values(
            {name: sa.bindparam(f"b_{name}", type_=table.c[name].type) for name in shape})
        session.execute(statement, [{f"b_{k}": v for k, v in row.items()} for row in group])


def _array_type(column: sa.Column[Any]) -> str:
    for kind, name in _PG_ARRAY.items():
        if isinstance(column.type, kind):
            return name
    raise TypeError(f"{column}: no array type for {column.type!r}")


def _unnest_update(session: Session, table: sa.Table, shape: tuple[str, ...],
                   group: list[dict[str, Any]]) -> None:
    names = ("id", *shape)
    arrays = ", ".join(f"CAST(:a_{n} AS {_array_type(table.c[n])})" for n in names)
    sets = ", ".join(f'"{n}" = v."{n}"' for n in shape)
    columns = ", ".join(f'"{n}"' for n in names)
    statement = sa.text(
        f'UPDATE "{table.name}" AS t SET {sets} FROM unnest({arrays}) AS v({columns}) '  # noqa: S608 - names come from the table
        "WHERE t.id = v.id")
    session.execute(statement, _arrays(table, names, group))
