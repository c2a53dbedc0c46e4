"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL.

Fixtures (all function-scoped, parametrized over the `db_backend` param):
- `empty_db_url`: URL (str) of a fresh, empty database (never migrated);
- `db_url`: the same database migrated to head with `bot.storage.migrate.upgrade`;
- `engine`: a sync `Engine` on `db_url` (disposed after the test);
- `session`: a `sqlmodel.Session` on `engine` (nothing is committed for you).

SQLite uses a file in `tmp_path`. PostgreSQL (127.0.0.1:5432, database `test`, trust
auth, user `postgres` then `root`; override with `QUALIBOT_TEST_POSTGRES_URL`) gets one
schema per test, named `qb_test_<run>_<n>` and selected with `search_path` in the URL;
the schemas are dropped afterwards. Postgres params carry the `postgres` marker
(`-m "not postgres"` deselects them); an unreachable server makes them fail, not skip.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlmodel import Session

from bot.storage.database import make_engine
from bot.storage.migrate import upgrade

PG_CANDIDATES = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)


def _libpq_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresServer:
    """The test PostgreSQL: hands out fresh schemas and drops them again."""

    def __init__(self, url: URL) -> None:
        import psycopg  # only needed when a test asks for PostgreSQL

        self.url = url
        self.prefix = f"qb_test_{secrets.token_hex(4)}"
        self._counter = itertools.count(1)
        self._admin = psycopg.connect(_libpq_dsn(url), autocommit=True)
        self._admin.execute("SET lock_timeout = '10s'")

    def new_schema(self) -> tuple[str, str]:
        """Create an empty schema; return its name and a URL that uses it."""
        from psycopg import sql

        schema = f"{self.prefix}_{next(self._counter)}"
        self._admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        url = self.url.update_query_dict({"options": f"-csearch_path={schema}"})
        return schema, url.render_as_string(hide_password=False)

    def drop_schema(self, schema: str) -> None:
        from psycopg import sql

        self._admin.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
        )

    def close(self) -> None:
        """Drop whatever schema of this run is left, then disconnect."""
        rows = self._admin.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
            (self.prefix.replace("_", r"\_") + r"\_%",),
        ).fetchall()
        for (schema,) in rows:
            self.drop_schema(schema)
        self._admin.close()


def _connect_postgres() -> PostgresServer:
    candidates = (
        [os.environ["QUALIBOT_TEST_POSTGRES_URL"]]
        if os.environ.get("QUALIBOT_TEST_POSTGRES_URL")
        else list(PG_CANDIDATES)
    )
    errors = []
    for candidate in candidates:
        try:
            return PostgresServer(make_url(candidate))
        except Exception as exc:  # psycopg.OperationalError and friends
            errors.append(f"{make_url(candidate)!r}: {str(exc).strip()}")
    pytest.fail("PostgreSQL is unreachable:\n" + "\n".join(errors), pytrace=False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The PostgreSQL test server (fails the requesting tests when it is unreachable)."""
    server = _connect_postgres()
    yield server
    server.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_backend(request: pytest.FixtureRequest) -> str:
    """Which database backend this test runs on: "sqlite" or "postgres"."""
    return str(request.param)


@pytest.fixture
def empty_db_url(
    db_backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    """URL of a fresh, empty (unmigrated) database for this test."""
    if db_backend == "sqlite":
        path = tmp_path_factory.mktemp("db") / "qualibot.db"
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    schema, url = server.new_schema()
    yield url
    server.drop_schema(schema)


@pytest.fixture
def db_url(empty_db_url: str) -> str:
    """URL of a fresh database migrated to the newest revision."""
    upgrade(empty_db_url)
    return empty_db_url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A sync engine on the migrated test database."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the migrated test database; the test commits when it needs to."""
    with Session(engine, expire_on_commit=False) as sess:
        yield sess
