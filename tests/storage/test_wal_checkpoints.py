"""`serve`'s WAL checkpoints: off the commits, on a background thread."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine

from bot.storage.database import make_engine
from bot.storage.wal_checkpoints import WalCheckpointer, is_sqlite_file

ROW = "x" * 2000  # two rows a page: 2,400 rows push the log past 1,000 pages


def _write(engine: Engine, rows: int) -> None:
    for _ in range(rows // 100):
        with engine.begin() as conn:  # many commits: each could have checkpointed
            conn.exec_driver_sql(
                "INSERT INTO t (v) VALUES " + ", ".join(["(?)"] * 100), (ROW,) * 100
            )


def _engine(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    return engine


def test_commits_leave_the_log_to_the_checkpointer(tmp_path: Path) -> None:
    engine = _engine(tmp_path / "c.db")
    checkpointer = WalCheckpointer(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    checkpointer.checkpoint()
    _write(engine, 2400)
    busy, frames, done = checkpointer.checkpoint()
    assert frames > 1000  # no commit checkpointed: the log kept every frame
    assert (busy, done) == (0, frames)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM t").scalar() == 2400
    engine.dispose()


def test_the_thread_checkpoints_until_stopped(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    engine = _engine(path)
    checkpointer = WalCheckpointer(engine, every=0.05)
    checkpointer.checkpoint()
    before = path.stat().st_size
    checkpointer.start()
    _write(engine, 300)
    deadline = time.monotonic() + 10
    while path.stat().st_size <= before and time.monotonic() < deadline:
        time.sleep(0.05)  # the rows reach the database file only through a checkpoint
    assert path.stat().st_size > before
    checkpointer.stop()
    assert not checkpointer._thread or not checkpointer._thread.is_alive()
    engine.dispose()


def test_only_sqlite_files_are_checkpointed(tmp_path: Path) -> None:
    assert is_sqlite_file(make_engine(f"sqlite:///{tmp_path / 'f.db'}"))
    assert not is_sqlite_file(make_engine("sqlite://"))
