"""Initial schema: leads, answers, events, scores, conversations, calls, alerts, digests.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _str(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(), nullable=nullable)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _lead_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["lead_id"], ["leads.id"], name=f"fk_{table}_lead_id_leads", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "leads",
        _id(),
        _str("email"),
        _str("domain", True),
        _str("company", True),
        _str("company_key", True),
        _str("name", True),
        _str("title", True),
        _str("industry", True),
        sa.Column("company_size", sa.Integer(), nullable=True),
        _str("country", True),
        _str("product", True),
        _str("owner", True),
        _str("stage"),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_leads"),
        sa.UniqueConstraint("email", name="uq_leads_email"),
    )
    op.create_index("ix_leads_domain", "leads", ["domain"])
    op.create_index("ix_leads_company_key", "leads", ["company_key"])
    op.create_index("ix_leads_owner", "leads", ["owner"])

    op.create_table(
        "calls",
        _id(),
        _str("external_id"),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        _str("rep"),
        _ts("ended_at"),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_calls"),
        sa.UniqueConstraint("external_id", name="uq_calls_external_id"),
        _lead_fk("calls"),
    )
    op.create_index("ix_calls_lead_id", "calls", ["lead_id"])

    op.create_table(
        "conversations",
        _id(),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        _str("rep"),
        _str("framework"),
        _str("status"),
        _str("channel", True),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("state", JSON, nullable=False),
        sa.Column("nudges", sa.Integer(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("completed_at", True),
        sa.PrimaryKeyConstraint("id", name="pk_conversations"),
        _lead_fk("conversations"),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name="fk_conversations_call_id_calls", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_conversations_lead_id", "conversations", ["lead_id"])
    op.create_index("ix_conversations_rep_status", "conversations", ["rep", "status"])

    op.create_table(
        "answers",
        _id(),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        _str("slot"),
        sa.Column("value", JSON, nullable=False),
        sa.Column("raw_text", sa.Text(), nullable=True),
        _str("framework", True),
        _str("answered_by", True),
        _ts("answered_at"),
        _str("source"),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_answers"),
        _lead_fk("answers"),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_answers_conversation_id_conversations",
            ondelete="SET NULL",
        ),
    )
    op.create_index(
        "ix_answers_lead_id_slot_answered_at", "answers", ["lead_id", "slot", "answered_at"]
    )

    op.create_table(
        "events",
        _id(),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        _str("dedupe_key"),
        _str("type"),
        sa.Column("properties", JSON, nullable=False),
        _ts("occurred_at"),
        _ts("received_at"),
        _str("source"),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.UniqueConstraint("dedupe_key", name="uq_events_dedupe_key"),
        _lead_fk("events"),
    )
    op.create_index("ix_events_lead_id_occurred_at", "events", ["lead_id", "occurred_at"])

    op.create_table(
        "lead_scores",
        sa.Column("lead_id", sa.Integer(), nullable=False, autoincrement=False),
        _str("model"),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("fit", sa.Float(), nullable=False),
        sa.Column("engagement", sa.Float(), nullable=False),
        _str("grade"),
        _str("tier"),
        sa.Column("qualified", sa.Boolean(), nullable=False),
        sa.Column("missing", JSON, nullable=False),
        sa.Column("flags", JSON, nullable=False),
        sa.Column("breakdown", JSON, nullable=False),
        sa.Column("state", JSON, nullable=False),
        _ts("last_activity_at", True),
        _ts("scored_at"),
        sa.PrimaryKeyConstraint("lead_id", name="pk_lead_scores"),
        _lead_fk("lead_scores"),
    )
    op.create_index("ix_lead_scores_total", "lead_scores", ["total"])
    op.create_index("ix_lead_scores_tier_total", "lead_scores", ["tier", "total"])

    op.create_table(
        "score_changes",
        _id(),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        _ts("at"),
        sa.Column("old_total", sa.Float(), nullable=True),
        sa.Column("new_total", sa.Float(), nullable=False),
        _str("old_tier", True),
        _str("new_tier"),
        sa.Column("old_qualified", sa.Boolean(), nullable=True),
        sa.Column("new_qualified", sa.Boolean(), nullable=False),
        _str("reason"),
        _str("ref", True),
        sa.PrimaryKeyConstraint("id", name="pk_score_changes"),
        _lead_fk("score_changes"),
    )
    op.create_index("ix_score_changes_at", "score_changes", ["at"])
    op.create_index("ix_score_changes_lead_id_at", "score_changes", ["lead_id", "at"])

    op.create_table(
        "alerts",
        _id(),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        _str("kind"),
        _str("rule_id"),
        _str("channel"),
        _str("dedupe_key"),
        sa.Column("payload", JSON, nullable=False),
        _str("status"),
        _ts("due_at"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _str("lease_owner", True),
        _ts("lease_until", True),
        _str("slack_ts", True),
        sa.Column("error", sa.Text(), nullable=True),
        _ts("created_at"),
        _ts("sent_at", True),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.UniqueConstraint("dedupe_key", name="uq_alerts_dedupe_key"),
        _lead_fk("alerts"),
    )
    op.create_index("ix_alerts_lead_id", "alerts", ["lead_id"])
    op.create_index("ix_alerts_status", "alerts", ["status"])
    op.create_index("ix_alerts_due_at", "alerts", ["due_at"])

    op.create_table(
        "digest_runs",
        _id(),
        _str("name"),
        _ts("scheduled_for"),
        _str("status"),
        _ts("started_at"),
        _ts("finished_at", True),
        _str("message_ts", True),
        sa.PrimaryKeyConstraint("id", name="pk_digest_runs"),
        sa.UniqueConstraint("name", "scheduled_for", name="uq_digest_runs_name_scheduled_for"),
    )

    op.create_table(
        "outcomes",
        _id(),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        _str("outcome"),
        sa.Column("amount", sa.Float(), nullable=True),
        _ts("at"),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outcomes"),
        _lead_fk("outcomes"),
    )
    op.create_index("ix_outcomes_lead_id", "outcomes", ["lead_id"])


def downgrade() -> None:
    for table in (
        "outcomes",
        "digest_runs",
        "alerts",
        "score_changes",
        "lead_scores",
        "events",
        "answers",
        "conversations",
        "calls",
        "leads",
    ):
        op.drop_table(table)
