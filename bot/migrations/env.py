"""Alembic environment: runs migrations online against the configured database.

The URL comes from `config.attributes["url"]` (set by `bot.storage.migrate`) or the
`sqlalchemy.url` main option; an open connection in `config.attributes["connection"]`
is used as-is. SQLite runs in batch mode so ALTERs work there too.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import URL, Connection

from bot.storage.database import DEFAULT_DATABASE_URL, make_engine, normalize_url
from bot.storage.tables import metadata

config = context.config
target_metadata = metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str | URL:
    return (
        config.attributes.get("url")
        or config.get_main_option("sqlalchemy.url")
        or (DEFAULT_DATABASE_URL)
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
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
