"""Anonymous ids linked to leads, and events kept until their anonymous id is linked.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "anonymous_ids",
        sa.Column("anonymous_id", sa.String(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("anonymous_id", name="pk_anonymous_ids"),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name="fk_anonymous_ids_lead_id_leads", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_anonymous_ids_lead_id", "anonymous_ids", ["lead_id"])
    op.create_table(
        "anonymous_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("anonymous_id", sa.String(), nullable=False),
        sa.Column("dedupe_key", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("properties", JSON, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_anonymous_events"),
        sa.UniqueConstraint("dedupe_key", name="uq_anonymous_events_dedupe_key"),
    )
    op.create_index("ix_anonymous_events_anonymous_id", "anonymous_events", ["anonymous_id"])


def downgrade() -> None:
    op.drop_index("ix_anonymous_events_anonymous_id", "anonymous_events")
    op.drop_table("anonymous_events")
    op.drop_index("ix_anonymous_ids_lead_id", "anonymous_ids")
    op.drop_table("anonymous_ids")
