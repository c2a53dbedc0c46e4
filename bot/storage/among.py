"""`column IN (values)` that stays one statement text on PostgreSQL."""

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
