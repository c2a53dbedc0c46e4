"""`column IN (values)` that stays one statement text on PostgreSQL, and raw reads by it."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def among(session: Session, column: Any, values: Collection[Any]) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(:values)`, one array parameter.

    An IN list renders one parameter per value, so every batch size is a new statement
    text that psycopg parses again (it caches only statements of ≤ 50 parameters); the
    array form is one text, cached and prepared by the server.
    """
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    result: ColumnElement[bool] = column.in_(values)
    return result


def rows_among(session: Session, sql: str, values: Collection[Any]) -> list[tuple[Any, ...]]:
    """The rows of raw `sql` whose `{among}` is filled with `IN (values)` (on PostgreSQL
    `= ANY(values)`), read straight from the driver's cursor, as the driver gives them.

    For hot batch reads: SQLAlchemy's per-row processing cost more than the query. The
    session is flushed first, as its own queries would be. No values, no rows (and no
    query).
    """
    if not values:
        return []
    session.flush()
    connection = session.connection()
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if connection.dialect.name == "postgresql":
            cursor.execute(sql.format(among="= ANY(%s)"), (list(values),))
        else:
            cursor.execute(sql.format(among=f"IN ({','.join('?' * len(values))})"), list(values))
        return list(cursor.fetchall())
    finally:
        cursor.close()
