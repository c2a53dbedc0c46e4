"""Engines and sessions for SQLite (default) and PostgreSQL (`postgresql+psycopg://`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.storage.column_types import dump_json, load_json

DEFAULT_DATABASE_URL = "sqlite:///qualibot.db"

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=30000",
    # 64 MiB of page cache per connection, not 2: the pages an events write touches (a
    # batch of 200 events, some hundreds across the events, scores and changes indexes)
    # stay cached for the next, which gets the same connection (`_sqlite_options`).
    "PRAGMA cache_size=-65536",
)

JSON_CODEC = {"json_serializer": dump_json, "json_deserializer": load_json}


def normalize_url(url: str | URL | None, *, asynchronous: bool = False) -> URL:
    """Parse `url` and pick the drivers Qualibot ships with.

    `sqlite://` uses pysqlite (aiosqlite when `asynchronous`); `postgres://` and
    `postgresql://` use psycopg 3, which serves both sync and async engines.
    """
    parsed = make_url(url or DEFAULT_DATABASE_URL)
    backend, _, given = parsed.drivername.partition("+")
    allowed: tuple[str, ...]
    if backend == "postgres":
        backend = "postgresql"
    if backend == "sqlite":
        driver = "aiosqlite" if asynchronous else "pysqlite"
        allowed = ("", "pysqlite", "aiosqlite")
    elif backend == "postgresql":
        driver = "psycopg"
        allowed = ("", "psycopg")
    else:
        raise ValueError(
            f"unsupported database {backend!r}: use sqlite:///FILE or postgresql+psycopg://…"
        )
    if given not in allowed:
        raise ValueError(f"unsupported driver {given!r} for {backend} (use {driver})")
    return parsed.set(drivername=f"{backend}+{driver}")


def is_sqlite_memory(url: URL) -> bool:
    """Whether `url` is an in-memory SQLite database."""
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _sqlite_options(url: URL) -> dict[str, Any]:
    if is_sqlite_memory(url):  # one shared connection, else each connection is a new DB
        return {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    if url.database:
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    # The pool hands out the connection used last: its page cache holds what was just
    # read and written. Round-robin over idle connections (the default) meant the next
    # write mostly got a connection whose cache another connection's commit had voided,
    # re-reading every page it touched (~10 preads an ingested event; both this and the
    # larger cache were needed to end them).
    return {"pool_use_lifo": True}


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is off: SQLAlchemy's "begin" event opens them.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


_READ_ONLY = "qualibot_read_only"


def _begin_immediate(conn: Any) -> None:
    """Take SQLite's write lock when a transaction starts, not at its first write
    (except on `read_only` engines).

    A deferred transaction that read first cannot upgrade to writing once another
    connection has committed (SQLITE_BUSY at once, busy_timeout does not help), so
    concurrent writers would fail with "database is locked". Immediate transactions
    queue on busy_timeout instead. This also makes SAVEPOINTs work as documented.
    """
    read_only = conn.get_execution_options().get(_READ_ONLY, False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def read_only(engine: Engine) -> Engine:
    """`engine` for work that only reads: its SQLite transactions start deferred, so they
    run alongside a writer (WAL) instead of queueing for the write lock. Writing through
    it may fail with "database is locked"."""
    return engine.execution_options(**{_READ_ONLY: True})


def _listen_sqlite(engine: Engine) -> None:
    event.listen(engine, "connect", _set_sqlite_pragmas)
    event.listen(engine, "begin", _begin_immediate)


def make_engine(url: str | URL | None = None, **kwargs: Any) -> Engine:
    """A sync engine for `url` (default `sqlite:///qualibot.db`).

    SQLite connections get WAL, foreign keys, synchronous=NORMAL, a 30 s busy timeout,
    a 64 MiB page cache (the pool reuses the connection used last, whose cache is warm)
    and immediate transactions (concurrent writers queue instead of failing);
    the directory of a SQLite file is created if missing. `kwargs` go to `create_engine`.
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, **{**JSON_CODEC, **_sqlite_options(parsed), **kwargs})
        _listen_sqlite(engine)
        return engine
    return create_engine(parsed, **_postgres_options(parsed, kwargs))


def _postgres_options(url: URL, kwargs: dict[str, Any]) -> dict[str, Any]:
    """`create_engine` arguments for PostgreSQL: sessions in UTC (`TimeZone`, added to
    the URL's libpq `options`), so timestamps come back in `datetime.UTC`, whose offset
    Python reads in C (a `ZoneInfo('Etc/UTC')`, the server's default here, cost ~1.6 µs
    a comparison). Stored values are instants either way."""
    connect_args = dict(kwargs.pop("connect_args", {}))
    options = connect_args.get("options", url.query.get("options", ""))
    connect_args["options"] = f"{options} -c TimeZone=UTC".strip()
    return {**JSON_CODEC, "pool_pre_ping": True, "connect_args": connect_args, **kwargs}


def make_async_engine(url: str | URL | None = None, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`: `sqlite://` → aiosqlite, PostgreSQL → psycopg 3 async."""
    parsed = normalize_url(url, asynchronous=True)
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(parsed, **{**JSON_CODEC, **_sqlite_options(parsed), **kwargs})
        _listen_sqlite(engine.sync_engine)
        return engine
    return create_async_engine(parsed, **_postgres_options(parsed, kwargs))


@contextmanager
def session_scope(engine: Engine, *, expire_on_commit: bool = False) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back if it raises.

    Objects stay usable after the block (`expire_on_commit=False` by default).
    """
    with Session(engine, expire_on_commit=expire_on_commit) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def async_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A factory of sqlmodel `AsyncSession`s bound to `engine` (no expiry on commit)."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
