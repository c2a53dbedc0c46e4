"""lead_scores' JSON columns as `json` instead of `jsonb` (PostgreSQL).

Every ingested event rewrites its lead's score row: its breakdown, engagement state,
missing criteria and flags, ~2 KB of JSON nobody queries inside. Converting that to
JSONB on each write was a third of the upsert's server time; `json` keeps the text,
only checked. Measured per row on the server (bind + execute, log durations, 4,000
upserts): 33 + 62 µs as jsonb, 12 + 44 µs as json. The table is rewritten once
(an exclusive lock for a moment on a team's few thousand leads), keeping the lz4
compression of 0006 (a type change resets it). Nothing changes on SQLite.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy.engine import Connection

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("missing", "flags", "breakdown", "state")


def _has_lz4(bind: Connection) -> bool:
    found = bind.exec_driver_sql(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    ).scalar()
    return found is True


def _retype(type_: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    changes = [f"ALTER COLUMN {c} TYPE {type_} USING {c}::{type_}" for c in COLUMNS]
    if _has_lz4(bind):
        changes += [f"ALTER COLUMN {c} SET COMPRESSION lz4" for c in COLUMNS]
    op.execute(f"ALTER TABLE lead_scores {', '.join(changes)}")


def upgrade() -> None:
    _retype("json")


def downgrade() -> None:
    _retype("jsonb")
