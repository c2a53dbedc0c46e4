"""The packaged Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from subprocess import PIPE

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.storage.database import make_engine
from bot.storage.migrate import current, downgrade, head, init_db, upgrade
from bot.storage.tables import metadata


def _diff(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_fresh_database_upgrades_to_the_model_schema(empty_db_url: str) -> None:
    assert current(empty_db_url) is None
    upgrade(empty_db_url)
    assert current(empty_db_url) == head() == "0004"
    assert _tables(empty_db_url) == set(metadata.tables) | {"alembic_version"}
    assert _diff(empty_db_url) == []


def test_downgrade_to_base_and_up_again(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    downgrade(empty_db_url, "base")
    assert current(empty_db_url) is None
    assert _tables(empty_db_url) == {"alembic_version"}
    assert init_db(empty_db_url) == head()
    assert _diff(empty_db_url) == []


def test_init_db_is_idempotent(db_url: str) -> None:
    assert init_db(db_url) == head()
    assert current(db_url) == head()


def test_current_does_not_create_a_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "q.db"
    assert current(f"sqlite:///{path}") is None
    assert not path.exists()


def test_replicas_starting_together_all_upgrade(empty_db_url: str) -> None:
    code = "import sys; from bot.storage.migrate import upgrade; upgrade(sys.argv[1])"
    root = Path(__file__).resolve().parents[2]
    procs = [
        subprocess.Popen([sys.executable, "-c", code, empty_db_url], cwd=root, stderr=PIPE)
        for _ in range(3)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
    assert current(empty_db_url) == head()
    assert _diff(empty_db_url) == []
