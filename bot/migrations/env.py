"""Alembic environment: runs migrations online against the configured database.

The URL comes from `config.attributes["url"]` (set by `bot.storage.migrate`) or the
`sqlalchemy.url` main option; an open connection in `config.attributes["connection"]`
is used as-is (its transaction and pragmas are the caller's business). SQLite runs in
batch mode so ALTERs work there too.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import URL, Connection

from bot.storage.database import DEFAULT_DATABASE_URL, make_engine, normalize_url
from bot.storage.tables import metadata

config = context.config
target_metadata = metadata
# Serializes concurrent upgrades (several replicas starting at once) on PostgreSQL.
PG_MIGRATION_LOCK_ID = 0x51_75_61_6C  # "Qual"


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK_ID}
            )
        context.run_migrations()


def _url() -> str | URL:
    return (
        config.attributes.get("url")
        or config.get_main_option("sqlalchemy.url")
        or DEFAULT_DATABASE_URL
    )


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (`alembic upgrade head --sql`)."""
    url = normalize_url(_url())
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.get_backend_name() == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                _run_sqlite(conn)
            else:
                _run(conn)
    finally:
        engine.dispose()


def _run_sqlite(conn: Connection) -> None:
    """SQLite: foreign keys off, so batch-mode table rebuilds never cascade deletes, and
    one immediate transaction (make_engine begins them so), so processes migrating at
    once take turns."""
    raw = conn.connection.driver_connection  # pragmas outside any transaction
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction
    # Replicas starting together queue for the write lock; on a busy host a migration can
    # take longer than the usual busy timeout, and the others must wait, not fail.
    raw.execute("PRAGMA busy_timeout=120000")
    try:
        # Begun here, before Alembic sees the connection, the transaction is external to
        # it: otherwise Alembic commits after each revision on SQLite (no transactional
        # DDL), and a replica waiting for the lock could read a half-migrated version.
        conn.begin()
        _run(conn)
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left dangling foreign keys: {broken[:5]}")
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
