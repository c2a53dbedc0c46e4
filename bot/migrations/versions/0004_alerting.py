"""Alert hysteresis state, alert lookups for cooldown and storms, nudge timestamps.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_states",
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("lead_id", "rule_id", name="pk_alert_states"),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name="fk_alert_states_lead_id_leads", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_alerts_lead_id_created_at", "alerts", ["lead_id", "created_at"])
    op.create_index("ix_alerts_channel_created_at", "alerts", ["channel", "created_at"])
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("rollup_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("slack_channel", sa.String(), nullable=True))
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("last_nudged_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("last_nudged_at")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("slack_channel")
        batch.drop_column("rollup_id")
    op.drop_index("ix_alerts_channel_created_at", "alerts")
    op.drop_index("ix_alerts_lead_id_created_at", "alerts")
    op.drop_table("alert_states")
