"""Run the packaged Alembic migrations programmatically (no alembic.ini needed).

Alembic keeps global state while it runs: call these from one thread at a time per
process. Separate processes may upgrade together (PostgreSQL serializes them with an
advisory lock; SQLite with its database lock).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL

from bot.storage.database import make_engine, normalize_url

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic `Config` for Qualibot's migrations, targeting `url`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Passed as an attribute, not an option: ConfigParser would choke on `%` in URLs.
    config.attributes["url"] = normalize_url(url)
    return config


def upgrade(url: str | URL | None = None, revision: str = "head") -> None:
    """Migrate the database at `url` up to `revision` (creates it on a fresh database)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | URL | None = None, revision: str = "base") -> None:
    """Migrate the database at `url` down to `revision` (`base` drops every table)."""
    command.downgrade(alembic_config(url), revision)


def current(url: str | URL | None = None) -> str | None:
    """The revision the database at `url` is at, or None when it was never migrated."""
    parsed = normalize_url(url)
    database = parsed.database or ":memory:"
    is_file = parsed.get_backend_name() == "sqlite" and database != ":memory:"
    if is_file and not Path(database).expanduser().exists():
        return None  # don't create the file just to look
    engine = make_engine(parsed)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head() -> str:
    """The newest revision shipped with this version of Qualibot."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def init_db(url: str | URL | None = None) -> str:
    """Create or upgrade the database at `url` to the newest schema; return its revision."""
    upgrade(url, "head")
    return head()
