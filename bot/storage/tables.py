"""SQLModel table models: the database schema of Qualibot.

All datetimes are aware UTC (`UTCDateTime`); JSON columns are JSONB on PostgreSQL.
The schema is created by the Alembic migrations in `bot/migrations`, never by
`create_all` in production; `tests/storage` checks that both agree.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.storage.column_types import JSONType, StoredJSONType, UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# Named constraints keep future (batch) migrations on SQLite and PostgreSQL predictable.
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata = SQLModel.metadata


def _lead_fk(*, index: bool = True) -> Any:
    return Field(foreign_key="leads.id", ondelete="CASCADE", index=index)


class Lead(SQLModel, table=True):
    """A person at a company that sales may qualify; identified by lowercase email."""

    __tablename__ = "leads"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True)
    domain: str | None = Field(default=None, index=True)
    company: str | None = None
    company_key: str | None = Field(default=None, index=True)
    name: str | None = None
    title: str | None = None
    industry: str | None = None
    company_size: int | None = None
    country: str | None = None
    product: str | None = None
    owner: str | None = Field(default=None, index=True)
    stage: str = Field(default="new")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Answer(SQLModel, table=True):
    """One answer to a qualification slot (history: rows are never updated)."""

    __tablename__ = "answers"
    __table_args__ = (
        Index("ix_answers_lead_id_slot_answered_at", "lead_id", "slot", "answered_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = _lead_fk(index=False)
    slot: str
    value: dict[str, Any] = Field(sa_type=JSONType, nullable=False)
    raw_text: str | None = Field(default=None, sa_type=Text)
    framework: str | None = None
    answered_by: str | None = None
    answered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    source: str
    conversation_id: int | None = Field(
        default=None, foreign_key="conversations.id", ondelete="SET NULL"
    )


class Event(SQLModel, table=True):
    """A behavioural event (page view, email open, demo request…), unique by `dedupe_key`."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_lead_id_occurred_at", "lead_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = _lead_fk(index=False)
    dedupe_key: str = Field(unique=True)
    type: str
    properties: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType, nullable=False)
    occurred_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    source: str


class AnonymousId(SQLModel, table=True):
    """A Segment `anonymousId` linked to a lead by an `identify` call (the first link wins)."""

    __tablename__ = "anonymous_ids"

    anonymous_id: str = Field(primary_key=True)
    lead_id: int = _lead_fk()
    linked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class AnonymousEvent(SQLModel, table=True):
    """An event with only an `anonymousId`, kept until an `identify` links that id to a lead;
    then it moves to `events` (same `dedupe_key`) and is scored."""

    __tablename__ = "anonymous_events"

    id: int | None = Field(default=None, primary_key=True)
    anonymous_id: str = Field(index=True)
    dedupe_key: str = Field(unique=True)
    type: str
    properties: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType, nullable=False)
    occurred_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    source: str


class LeadScore(SQLModel, table=True):
    """The current score of a lead (one row per lead, replaced on every rescore)."""

    __tablename__ = "lead_scores"
    __table_args__ = (Index("ix_lead_scores_tier_total", "tier", "total"),)

    lead_id: int = Field(
        primary_key=True,
        foreign_key="leads.id",
        ondelete="CASCADE",
        sa_column_kwargs={"autoincrement": False},
    )
    model: str
    total: float = Field(index=True)
    fit: float
    engagement: float
    grade: str
    tier: str
    qualified: bool
    # stored JSON (`json` on PostgreSQL): rewritten with every event, never queried inside
    missing: list[Any] = Field(default_factory=list, sa_type=StoredJSONType, nullable=False)
    flags: list[Any] = Field(default_factory=list, sa_type=StoredJSONType, nullable=False)
    state: dict[str, Any] = Field(default_factory=dict, sa_type=StoredJSONType, nullable=False)
    last_activity_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    scored_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ScoreChange(SQLModel, table=True):
    """An audit row each time a lead's total, tier or qualification changes."""

    __tablename__ = "score_changes"
    __table_args__ = (Index("ix_score_changes_lead_id_at", "lead_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = _lead_fk(index=False)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    old_total: float | None = None
    new_total: float
    old_tier: str | None = None
    new_tier: str
    old_qualified: bool | None = None
    new_qualified: bool
    reason: str
    ref: str | None = None


OPEN_STATUSES = ("active", "paused")
"""`Conversation.status` values of a dialog still waiting on the rep."""


class Conversation(SQLModel, table=True):
    """A qualification dialog with a rep about one lead; survives restarts via `state`."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_rep_status", "rep", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = _lead_fk()
    rep: str
    framework: str
    status: str = Field(default="open")
    channel: str | None = None
    call_id: int | None = Field(default=None, foreign_key="calls.id", ondelete="SET NULL")
    state: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType, nullable=False)
    nudges: int = 0
    last_nudged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ConversationMessage(SQLModel, table=True):
    """Every message of a conversation, stored raw; rep messages before they are processed.

    `external_id` (e.g. Slack's event or message id) makes redeliveries no-ops.
    """

    __tablename__ = "conversation_messages"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", ondelete="CASCADE", index=True)
    direction: str  # "in" (from the rep) or "out" (from the bot)
    text: str = Field(sa_type=Text)
    external_id: str | None = Field(default=None, unique=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Call(SQLModel, table=True):
    """A sales call reported by a CRM or dialer webhook, unique by `external_id`."""

    __tablename__ = "calls"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(unique=True)
    lead_id: int = _lead_fk()
    rep: str
    ended_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    notes: str | None = Field(default=None, sa_type=Text)
    # Soft reference (no FK: conversations.call_id already points here; avoids a cycle).
    conversation_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Alert(SQLModel, table=True):
    """Outbox row for a Slack alert, written in the transaction that caused it."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_lead_id_created_at", "lead_id", "created_at"),
        Index("ix_alerts_channel_sent_at", "channel", "sent_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = _lead_fk(index=False)  # ix_alerts_lead_id_created_at serves it
    kind: str
    rule_id: str
    channel: str
    dedupe_key: str = Field(unique=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType, nullable=False)
    status: str = Field(default="pending", index=True)
    due_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )
    attempts: int = 0
    lease_owner: str | None = None
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    slack_ts: str | None = None
    slack_channel: str | None = None  # the channel id Slack answered (names resolve to it)
    error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rollup_id: int | None = None  # set when storm control folded it into a rollup alert


class AlertState(SQLModel, table=True):
    """Per lead and tier rule: whether the lead is inside (hysteresis: no re-alert until out)."""

    __tablename__ = "alert_states"

    lead_id: int = Field(foreign_key="leads.id", ondelete="CASCADE", primary_key=True)
    rule_id: str = Field(primary_key=True)
    active: bool
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class DigestRun(SQLModel, table=True):
    """One run of a scheduled digest; the unique key makes each schedule run exactly once."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("name", "scheduled_for"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str
    scheduled_for: datetime = Field(sa_type=UTCDateTime, nullable=False)
    status: str = Field(default="running")
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_ts: str | None = None


class Outcome(SQLModel, table=True):
    """A sales outcome for a lead (won, lost, disqualified, opportunity)."""

    __tablename__ = "outcomes"

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = _lead_fk()
    outcome: str
    amount: float | None = None
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    notes: str | None = Field(default=None, sa_type=Text)


ALL_TABLES = (
    Lead,
    Answer,
    Event,
    AnonymousId,
    AnonymousEvent,
    LeadScore,
    ScoreChange,
    Conversation,
    Call,
    Alert,
    AlertState,
    DigestRun,
    Outcome,
)
