"""Dialect-specific INSERT … ON CONFLICT for SQLite and PostgreSQL, and batching."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def dialect_insert(session: Session | Connection, target: Any) -> Any:
    """An `insert(target)` of the session's (or connection's) dialect with `on_conflict_do_*`."""
    bind = session if isinstance(session, Connection) else session.get_bind()
    return insert_for(bind.dialect.name, target)


def insert_for(name: str, target: Any) -> Any:
    """An `insert(target)` for the dialect called `name` (sqlite or postgresql)."""
    if name == "postgresql":
        return postgresql.insert(target)
    if name == "sqlite":
        return sqlite.insert(target)
    raise NotImplementedError(f"no ON CONFLICT support for dialect {name!r}")


T = TypeVar("T")
S = TypeVar("S")


def cached_statement(build: Callable[[str], S]) -> Callable[[Session | Connection], S]:
    """Memoize a statement per dialect: hot paths reuse one compiled statement with new
    parameters instead of rebuilding it (`.values(...)` per row is most of their cost)."""
    built: dict[str, S] = {}

    def get(session: Session | Connection) -> S:
        bind = session if isinstance(session, Connection) else session.get_bind()
        name = bind.dialect.name
        if name not in built:
            built[name] = build(name)
        return built[name]

    return get


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most `size` items."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
