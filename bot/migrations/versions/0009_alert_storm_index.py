"""Index the storm count by when alerts were sent; drop a redundant alerts index.

Storm control counts a channel's messages sent within the window (`channel`, `sent_at`).
The (`channel`, `created_at`) index it had found every alert the channel ever got, and
filtered them: the count grew with the outbox's history. `ix_alerts_lead_id` is the
prefix of `ix_alerts_lead_id_created_at`, which serves its lookups; each alert written
updated both.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_alerts_channel_sent_at", "alerts", ["channel", "sent_at"])
    op.drop_index("ix_alerts_channel_created_at", "alerts")
    op.drop_index("ix_alerts_lead_id", "alerts")


def downgrade() -> None:
    op.create_index("ix_alerts_lead_id", "alerts", ["lead_id"])
    op.create_index("ix_alerts_channel_created_at", "alerts", ["channel", "created_at"])
    op.drop_index("ix_alerts_channel_sent_at", "alerts")
