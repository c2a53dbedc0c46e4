"""Dialect-specific INSERT … ON CONFLICT for SQLite and PostgreSQL, and batching."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
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


class ManyRows:
    """An INSERT (or upsert) for many rows, bound here (`bind`) and run through the driver's
    `executemany` (`BoundRows.execute`).

    SQLAlchemy processes each row's parameters generically, which cost more than the
    database itself on bulk score writes; here the statement is compiled once per
    dialect and each column's own bind processor (JSON, UTC datetimes…) is applied
    directly, so values are stored exactly as through SQLAlchemy.
    """

    def __init__(self, statement: Any, columns: Iterable[str]) -> None:
        self._statement = statement
        self._columns = list(columns)
        self._compiled: dict[tuple[str, str], tuple[str, tuple[str, ...], tuple[Any, ...], bool]]
        self._compiled = {}

    def _for(self, dialect: Any) -> tuple[str, tuple[str, ...], tuple[Any, ...], bool]:
        key = (dialect.name, dialect.driver)
        found = self._compiled.get(key)
        if found is None:
            # for_executemany: no implicit RETURNING of generated keys nobody reads
            compiled = self._statement.compile(
                dialect=dialect, column_keys=self._columns, for_executemany=True
            )
            names = tuple(compiled.positiontup or compiled.params)
            columns = self._statement.table.c
            processors = tuple(
                columns[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
            )
            found = (str(compiled), names, processors, bool(compiled.positional))
            self._compiled[key] = found
        return found

    def bind(self, dialect: Any, rows: Iterable[dict[str, Any]]) -> BoundRows:
        """The driver parameters of `rows` (dicts with every column) for `dialect`.

        Binding (JSON encoding, datetimes…) is most of a bulk write's cost: done before
        the transaction, it keeps SQLite's single write lock short.
        """
        sql, names, processors, positional = self._for(dialect)
        params: list[Any] = []
        for row in rows:
            values = [
                row[name] if process is None else process(row[name])
                for name, process in zip(names, processors, strict=True)
            ]
            params.append(tuple(values) if positional else dict(zip(names, values, strict=True)))
        return BoundRows(sql, params)


@dataclass(slots=True, frozen=True)
class BoundRows:
    """A `ManyRows` statement with its rows bound for one dialect, ready to run."""

    sql: str
    params: list[Any]

    def execute(self, connection: Connection) -> int:
        """Run it (through `executemany`); return the number of rows."""
        if self.params:
            connection.exec_driver_sql(self.sql, self.params)
        return len(self.params)
