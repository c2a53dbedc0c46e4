"""Dialect-specific INSERT … ON CONFLICT for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def dialect_insert(session: Session, target: Any) -> Any:
    """An `insert(target)` of the session's dialect that supports `on_conflict_do_*`."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(target)
    if name == "sqlite":
        return sqlite.insert(target)
    raise NotImplementedError(f"no ON CONFLICT support for dialect {name!r}")
