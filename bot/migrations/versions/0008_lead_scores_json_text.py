"""lead_scores' JSON columns as `json` instead of `jsonb` (PostgreSQL).

Every ingested event rewrites its lead's score row: its breakdown, engagement state,
missing criteria and flags, ~2 KB of JSON nobody queries inside. Converting that to
JSONB on each write was a third of the upsert's server time; `json` keeps the text,
only checked. Measured per row on the server (bind + execute, log durations, 4,000
upserts): 33 + 62 µs as jsonb, 12 + 44 µs as json. The table is rewritten once
(an exclusive lock for a moment on a team's few thousand leads). Nothing changes on
SQLite.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("missing", "flags", "breakdown", "state")


def _retype(type_: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    changes = ", ".join(f"ALTER COLUMN {c} TYPE {type_} USING {c}::{type_}" for c in COLUMNS)
    op.execute(f"ALTER TABLE lead_scores {changes}")


def upgrade() -> None:
    _retype("json")


def downgrade() -> None:
    _retype("jsonb")
