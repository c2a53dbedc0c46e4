"""SQLite WAL checkpoints off the request path, for the long-running `qualibot serve`.

By default the connection whose commit pushes the write-ahead log past 1,000 pages copies
it back into the database inside that commit: an `/events` batch now and then took 40 to
130 ms longer. `serve` turns that off for its own connections and checkpoints from a
background thread instead (PASSIVE, as SQLite's own: it never blocks readers or writers).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Engine, event

from bot.storage.database import is_sqlite_memory

log = logging.getLogger(__name__)

EVERY_SECONDS = 1.0


def is_sqlite_file(engine: Engine) -> bool:
    """Whether `engine` writes a SQLite database file (WAL mode, see `make_engine`)."""
    return engine.dialect.name == "sqlite" and not is_sqlite_memory(engine.url)


class WalCheckpointer:
    """Checkpoints `engine`'s SQLite WAL every `every` seconds on a daemon thread, and
    switches off the automatic checkpoints of the connections `engine` opens from now."""

    def __init__(self, engine: Engine, every: float = EVERY_SECONDS) -> None:
        self._engine, self._every = engine, every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        event.listen(engine, "connect", _no_auto_checkpoint)
        engine.dispose()  # connections opened before hold the default

    def checkpoint(self) -> tuple[int, int, int]:
        """One PASSIVE checkpoint: (busy, frames in the log, frames checkpointed)."""
        # Outside any transaction (a checkpoint cannot run in one): the raw connection
        # is in autocommit mode, as `make_engine` leaves SQLite's to SQLAlchemy's events.
        conn = self._engine.raw_connection()
        try:
            row = conn.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            conn.close()
        return int(row[0]), int(row[1]), int(row[2])

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread after its current checkpoint, then checkpoint once more."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.checkpoint()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                self.checkpoint()
            except Exception:  # logged; the next turn tries again
                log.exception("WAL checkpoint failed")


def _no_auto_checkpoint(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA wal_autocheckpoint=0")
    finally:
        cursor.close()
