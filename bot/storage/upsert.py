"""Dialect-specific INSERT … ON CONFLICT for SQLite and PostgreSQL, and batching."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import JSON, Column, Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.storage.column_types import dump_json


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
    """An INSERT (or upsert) for many rows, bound here (`bind`) and run at once
    (`BoundRows.execute`).

    SQLAlchemy processes each row's parameters generically, which cost more than the
    database itself on bulk score writes; here the statement is compiled once per
    dialect and each column's own bind processor (JSON, UTC datetimes…) is applied
    directly, so values are stored exactly as through SQLAlchemy.

    SQLite runs it row by row through the driver's `executemany`. PostgreSQL gets one
    statement over arrays, one per column (`INSERT … SELECT … FROM unnest(…)`, sent as
    binary): a statement per row cost the server ~1.5× and the client ~2× as much (score
    upserts, measured with the server's logged durations). Rows of an upsert
    (`ON CONFLICT DO UPDATE`) must then differ in their conflict key, as one statement
    may not update a row twice.
    """

    def __init__(self, statement: Any, columns: Iterable[str]) -> None:
        self._statement = statement
        self._columns = list(columns)
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def _for(self, dialect: Any) -> _Compiled:
        key = (dialect.name, dialect.driver)
        found = self._compiled.get(key)
        if found is None:
            # for_executemany: no implicit RETURNING of generated keys nobody reads
            compiled = self._statement.compile(
                dialect=dialect, column_keys=self._columns, for_executemany=True
            )
            names = tuple(compiled.positiontup or compiled.params)
            columns = [self._statement.table.c[name] for name in names]
            sql = str(compiled)
            if dialect.name == "postgresql":
                sql = _over_arrays(sql, columns, dialect)
                processors = tuple(_array_item(column, dialect) for column in columns)
            else:
                processors = tuple(
                    c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns
                )
            found = _Compiled(
                sql, names, processors, bool(compiled.positional), dialect.name == "postgresql"
            )
            self._compiled[key] = found
        return found

    def bind(self, dialect: Any, rows: Iterable[dict[str, Any]]) -> BoundRows:
        """The driver parameters of `rows` (dicts with every column) for `dialect`.

        Binding (JSON encoding, datetimes…) is most of a bulk write's cost: done before
        the transaction, it keeps SQLite's single write lock short.
        """
        sql, names, processors, positional, arrays = self._for(dialect)
        pairs = list(zip(names, processors, strict=True))
        rows = list(rows)
        if arrays:
            columns = {
                name: [row[name] if process is None else process(row[name]) for row in rows]
                for name, process in pairs
            }
            return BoundRows(sql, columns, len(rows))
        params: list[Any] = []
        for row in rows:
            values = [
                row[name] if process is None else process(row[name]) for name, process in pairs
            ]
            params.append(tuple(values) if positional else dict(zip(names, values, strict=True)))
        return BoundRows(sql, params, len(rows))


class _Compiled(NamedTuple):
    sql: str
    names: tuple[str, ...]
    processors: tuple[Any, ...]
    positional: bool
    arrays: bool


def _over_arrays(sql: str, columns: list[Column[Any]], dialect: Any) -> str:
    """`sql` (an INSERT of one row of `columns`, as psycopg's dialect compiles it) with its
    VALUES list replaced by a SELECT over one binary array parameter per column."""
    start = sql.index(" VALUES (")
    depth, end = 0, start + len(" VALUES ")
    while True:  # to the VALUES list's closing parenthesis
        depth += {"(": 1, ")": -1}.get(sql[end], 0)
        if depth == 0:
            break
        end += 1
    items, arrays = [], []
    for column in columns:
        json = isinstance(column.type, JSON)
        type_ = "TEXT" if json else column.type.compile(dialect=dialect)
        arrays.append(f"%({column.name})b::{type_}[]")
        back = f"::{column.type.compile(dialect=dialect)}" if json else ""
        items.append(f"batch.{column.name}{back}")
    names = ", ".join(column.name for column in columns)
    select = f" SELECT {', '.join(items)} FROM unnest({', '.join(arrays)}) AS batch({names})"
    return sql[:start] + select + sql[end + 1 :]


def _array_item(column: Column[Any], dialect: Any) -> Callable[[Any], Any] | None:
    """How a value of `column` goes into its array: JSON as its text (cast back in SQL),
    anything else through the column's bind processor."""
    if isinstance(column.type, JSON):
        return dump_json
    return cast(
        Callable[[Any], Any] | None, column.type.dialect_impl(dialect).bind_processor(dialect)
    )


@dataclass(slots=True, frozen=True)
class BoundRows:
    """A `ManyRows` statement with its rows bound for one dialect, ready to run."""

    sql: str
    params: list[Any] | dict[str, list[Any]]
    """A parameter set per row (run through `executemany`), or an array per column."""
    rows: int

    def execute(self, connection: Connection) -> int:
        """Run it; return the number of rows."""
        if self.rows:
            connection.exec_driver_sql(self.sql, self.params)
        return self.rows

    def returned(self, connection: Connection) -> list[Any]:
        """Run it; return what its RETURNING clause gives (one statement over arrays,
        as on PostgreSQL: `executemany` returns nothing)."""
        if not self.rows:
            return []
        if isinstance(self.params, list):
            raise TypeError("RETURNING rows need the one statement over arrays (PostgreSQL)")
        return list(connection.exec_driver_sql(self.sql, self.params))
