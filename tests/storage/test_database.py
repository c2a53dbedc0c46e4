"""Engines, sessions and URL handling on SQLite and PostgreSQL (sync and async)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import DateTime, Engine, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, col, select

from bot.storage import repository as repo
from bot.storage.column_types import UTCDateTime
from bot.storage.database import (
    async_session_factory,
    make_async_engine,
    make_engine,
    normalize_url,
    session_scope,
)
from bot.storage.tables import Lead


@pytest.mark.parametrize(
    ("url", "sync", "asynchronous"),
    [
        ("sqlite:///qualibot.db", "sqlite+pysqlite", "sqlite+aiosqlite"),
        ("sqlite+aiosqlite:///x.db", "sqlite+pysqlite", "sqlite+aiosqlite"),
        ("postgresql://u@h/db", "postgresql+psycopg", "postgresql+psycopg"),
        ("postgres://u@h/db", "postgresql+psycopg", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg", "postgresql+psycopg"),
    ],
)
def test_normalize_url(url: str, sync: str, asynchronous: str) -> None:
    assert normalize_url(url).drivername == sync
    assert normalize_url(url, asynchronous=True).drivername == asynchronous
    assert normalize_url(url).database == normalize_url(url, asynchronous=True).database


@pytest.mark.parametrize("url", ["mysql://u@h/db", "postgresql+asyncpg://u@h/db"])
def test_unsupported_urls(url: str) -> None:
    with pytest.raises(ValueError, match="unsupported"):
        normalize_url(url)


def test_default_url_is_a_sqlite_file() -> None:
    assert normalize_url(None).render_as_string() == "sqlite+pysqlite:///qualibot.db"


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/sub/dir/q.db")  # directories are created
    try:
        with engine.connect() as conn:
            pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("foreign_keys") == 1
            assert pragma("synchronous") == 1  # NORMAL
            assert pragma("busy_timeout") == 30000
            assert pragma("cache_size") == -65536  # KiB
    finally:
        engine.dispose()


def test_sqlite_memory_engine_shares_one_database() -> None:
    engine = make_engine("sqlite://")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced(session: Session) -> None:
    with pytest.raises(IntegrityError):
        repo.add_answer(session, 12345, "priority", {"level": "top"}, source="cli")


def test_session_scope_commits_or_rolls_back(engine: Engine) -> None:
    with session_scope(engine) as session:
        lead = repo.upsert_lead(session, {"email": "jane@acme.com"})
    assert lead.email == "jane@acme.com"  # still usable after commit
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        repo.upsert_lead(session, {"email": "joe@acme.com"})
        raise RuntimeError("boom")
    with Session(engine) as session:
        assert repo.get_lead_by_email(session, "jane@acme.com") is not None
        assert repo.get_lead_by_email(session, "joe@acme.com") is None


def test_naive_datetimes_are_rejected(session: Session) -> None:
    session.add(
        Lead(email="a@b.com", created_at=datetime(2026, 1, 1), updated_at=datetime.now(UTC))
    )
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
        datetime(2026, 11, 23, 12, 0, 5, 120, tzinfo=UTC),
        datetime(2026, 11, 23, 13, 30, 0, 999999, tzinfo=timezone(timedelta(hours=1, minutes=30))),
        datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),
    ],
)
def test_times_are_stored_as_sqlalchemy_stores_them(at: datetime) -> None:
    """UTCDateTime formats SQLite text itself: the same text DateTime would store, in UTC."""
    dialect = sqlite.dialect()
    utc = at.astimezone(UTC).replace(tzinfo=None)
    generic = DateTime().dialect_impl(dialect).bind_processor(dialect)
    ours = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert generic is not None and ours is not None
    expected = generic(utc)
    assert ours(at) == expected
    assert expected.endswith(f".{utc.microsecond:06d}")


def test_times_read_back_equal_what_was_stored(engine: Engine) -> None:
    at = datetime(2026, 11, 23, 13, 30, 0, 250, tzinfo=timezone(timedelta(hours=1)))
    with session_scope(engine) as session:
        session.add(Lead(email="t@acme.com", created_at=at, updated_at=at))
    with Session(engine) as session:
        lead = repo.get_lead_by_email(session, "t@acme.com")
        assert lead is not None and lead.created_at == at and lead.created_at.tzinfo == UTC
        since = at - timedelta(microseconds=1)
        newer = session.scalars(select(Lead).where(col(Lead.created_at) > since))
        assert [found.email for found in newer] == ["t@acme.com"]


async def test_async_engine_runs_repository_functions(db_url: str) -> None:
    engine = make_async_engine(db_url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1
        factory = async_session_factory(engine)
        async with factory() as session:
            lead = await session.run_sync(repo.upsert_lead, {"email": "Async@Acme.com"})
            await session.commit()
            assert lead.id is not None
        async with factory() as session:
            found = await session.run_sync(repo.get_lead_by_email, "async@acme.com")
            assert found is not None and found.created_at.tzinfo is not None
    finally:
        await engine.dispose()


def test_sqlite_writers_that_read_first_queue_instead_of_failing(tmp_path: Path) -> None:
    """B reads while A holds a transaction, A writes and commits, then B writes: with
    deferred transactions B would get "database is locked" at once; immediate ones queue."""
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    a_started, a_committed = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def a() -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql("SELECT COUNT(*) FROM t").scalar()
            a_started.set()
            time.sleep(0.2)
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        a_committed.set()

    def b() -> None:
        a_started.wait(5)
        try:
            with engine.begin() as conn:
                seen = conn.exec_driver_sql("SELECT COUNT(*) FROM t").scalar_one()
                a_committed.wait(5)
                conn.exec_driver_sql("INSERT INTO t VALUES (?)", (seen + 10,))
        except BaseException as exc:  # recorded: the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == []
    with engine.connect() as conn:
        assert sorted(r[0] for r in conn.exec_driver_sql("SELECT n FROM t")) == [1, 11]
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("db_backend", ["postgres"])
@pytest.mark.parametrize("options", [None, "-c statement_timeout=12345"])
async def test_postgres_sessions_run_in_utc_keeping_the_urls_options(
    db_url: str, db_backend: str, options: str | None
) -> None:
    """Timestamps come back in `datetime.UTC` itself (its offset is read in C)."""
    url = make_url(db_url)
    if options:
        url = url.update_query_dict({"options": options})
    engine, async_engine = make_engine(url), make_async_engine(url)
    try:
        with engine.connect() as conn:
            values = [conn.exec_driver_sql("SHOW TimeZone").scalar()]
            values.append(conn.exec_driver_sql("SHOW statement_timeout").scalar())
            values.append(conn.exec_driver_sql("SELECT now()").scalar_one().tzinfo)
        async with async_engine.connect() as aconn:
            values.append((await aconn.execute(text("SELECT now()"))).scalar_one().tzinfo)
    finally:
        engine.dispose()
        await async_engine.dispose()
    assert values == ["UTC", "12345ms" if options else "0", UTC, UTC]
    assert values[2] is UTC and values[3] is UTC
