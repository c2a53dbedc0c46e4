"""Stop storing each score's breakdown: `lead_scores.breakdown` is dropped.

The breakdown was ~1 KB of JSON rebuilt and rewritten with every ingested event, and
read only by digests (a lead's top reason). It follows from what the row keeps (the
engagement state, at `scored_at`) with the lead's profile and answers, so digests now
recompute it (`bot.scoring_service.explain_stored`), as lead cards always did. Ingest
spent ~10 % of its CPU an event on it (in-process, SQLite and PostgreSQL alike).

SQLite rebuilds the table (batch mode): 4.6 s for 100,000 scores on the development
host. PostgreSQL only marks the column dropped (20 ms). A downgrade adds it back empty
(`[]`): the next rescore of a lead (`qualibot rescore`, an event or an answer) fills it
in again.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lead_scores") as batch:
        batch.drop_column("breakdown")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # as 0006 and 0008 left it: `json` text, lz4-compressed where the server can
        op.execute("ALTER TABLE lead_scores ADD COLUMN breakdown json NOT NULL DEFAULT '[]'")
        lz4 = bind.exec_driver_sql(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        ).scalar()
        if lz4 is True:
            op.execute("ALTER TABLE lead_scores ALTER COLUMN breakdown SET COMPRESSION lz4")
        return
    with op.batch_alter_table("lead_scores") as batch:
        batch.add_column(
            sa.Column("breakdown", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
