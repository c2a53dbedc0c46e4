"""Current lead scores (one row per lead, upserted) and the score-change audit trail.

`save_score` refreshes the lead's `LeadScore` object in place: read the old total,
tier and qualification *before* saving if you want to record a change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlmodel import col, select

from bot.storage._checks import aware_utc
from bot.storage.among import rows_among
from bot.storage.column_types import JSONText, utcnow
from bot.storage.tables import LeadScore, ScoreChange, metadata
from bot.storage.upsert import BoundRows, ManyRows, cached_statement, insert_for

SCORE_CHANGE_REASONS: frozenset[str] = frozenset(
    {"event", "answer", "rescore", "decay", "import", "merge", "identify"}
)


_SCORES = metadata.tables[LeadScore.__tablename__]
_CHANGES = metadata.tables[ScoreChange.__tablename__]


def _build_score_upsert(dialect: str) -> Any:
    insert = insert_for(dialect, _SCORES)
    columns = [c.name for c in _SCORES.columns if c.name != "lead_id"]
    return insert.on_conflict_do_update(
        index_elements=["lead_id"], set_={name: insert.excluded[name] for name in columns}
    )


_upsert_score = cached_statement(_build_score_upsert)
_insert_change = cached_statement(
    lambda dialect: insert_for(dialect, _CHANGES).returning(_CHANGES.c.id)
)
_UPSERT_MANY = {
    dialect: ManyRows(_build_score_upsert(dialect), [c.name for c in _SCORES.columns])
    for dialect in ("sqlite", "postgresql")
}
_INSERT_CHANGES = ManyRows(_CHANGES.insert(), [c.name for c in _CHANGES.columns if c.name != "id"])


def get_score(session: Session, lead_id: int) -> LeadScore | None:
    """The current score of a lead, or None if it was never scored."""
    return session.get(LeadScore, lead_id)


@dataclass(slots=True, frozen=True)
class StoredScore:
    """What an incremental rescore needs of a stored score."""

    model: str
    total: float
    tier: str
    qualified: bool
    state: str
    """The engagement state's JSON text, as stored (decoded by `bot.decoded_states`)."""
    scored_at: Any = None  # as the driver returns it: only compared with `scored_at_of`


_STORED_SCORES = (
    "SELECT lead_id, model, total, tier, qualified, CAST(state AS TEXT), scored_at"
    " FROM lead_scores WHERE lead_id {among}"
)


def stored_scores(session: Session, lead_ids: Iterable[int]) -> dict[int, StoredScore]:
    """The stored model, total, tier, qualification, engagement state (its JSON text)
    and time of many leads' scores (one query, read raw: it runs for every batch of
    events); leads never scored are absent."""
    return {
        lead_id: StoredScore(model, float(total), tier, bool(qualified), state, scored_at)
        for lead_id, model, total, tier, qualified, state, scored_at in rows_among(
            session, _STORED_SCORES, set(lead_ids)
        )
    }


def scored_at_of(session: Session, lead_ids: Iterable[int]) -> dict[int, Any]:
    """When each of these leads was last scored, raw as in `StoredScore.scored_at`
    (leads never scored are absent): every score write sets it, so a lead whose value
    moved since a `stored_scores` read was rescored meanwhile."""
    sql = "SELECT lead_id, scored_at FROM lead_scores WHERE lead_id {among}"
    return dict(rows_among(session, sql, set(lead_ids)))


def _score_values(
    *,
    model: str,
    total: float,
    fit: float,
    engagement: float,
    grade: str,
    tier: str,
    qualified: bool,
    missing: Sequence[str] = (),
    flags: Sequence[Any] = (),
    state: Mapping[str, Any] | JSONText | None = None,
    last_activity_at: datetime | None = None,
    scored_at: datetime | None = None,
) -> dict[str, Any]:
    return {
        "model": model,
        "total": float(total),
        "fit": float(fit),
        "engagement": float(engagement),
        "grade": grade,
        "tier": tier,
        "qualified": bool(qualified),
        "missing": list(missing),
        "flags": list(flags),
        "state": state if isinstance(state, JSONText) else dict(state or {}),
        "last_activity_at": (
            None if last_activity_at is None else aware_utc(last_activity_at, "last_activity_at")
        ),
        "scored_at": utcnow() if scored_at is None else aware_utc(scored_at, "scored_at"),
    }


def save_score(
    session: Session,
    lead_id: int,
    *,
    model: str,
    total: float,
    fit: float,
    engagement: float,
    grade: str,
    tier: str,
    qualified: bool,
    missing: Sequence[str] = (),
    flags: Sequence[Any] = (),
    state: Mapping[str, Any] | None = None,
    last_activity_at: datetime | None = None,
    scored_at: datetime | None = None,
) -> None:
    """Insert or replace the lead's current score (INSERT … ON CONFLICT DO UPDATE).

    A `LeadScore` already loaded in `session` is expired so it reloads the new values.
    """
    values = _score_values(
        model=model,
        total=total,
        fit=fit,
        engagement=engagement,
        grade=grade,
        tier=tier,
        qualified=qualified,
        missing=missing,
        flags=flags,
        state=state,
        last_activity_at=last_activity_at,
        scored_at=scored_at,
    )
    session.connection().execute(_upsert_score(session), {"lead_id": lead_id, **values})
    loaded = session.identity_map.get(session.identity_key(LeadScore, lead_id))
    if loaded is not None:
        session.expire(loaded)


def bulk_save_scores(session: Session, rows: Iterable[Mapping[str, Any]]) -> int:
    """Upsert many scores at once (full rescores); return how many rows were written.

    Each row holds `lead_id` plus the keyword arguments of `save_score`. `LeadScore`
    objects already loaded in `session` are expired so they reload the new values.
    """
    written = bind_scores(session.get_bind().dialect, rows).execute(session.connection())
    for obj in list(session.identity_map.values()):
        if isinstance(obj, LeadScore):
            session.expire(obj)
    return written


def bind_scores(dialect: Any, rows: Iterable[Mapping[str, Any]]) -> BoundRows:
    """The upsert of `bulk_save_scores`, checked and bound for `dialect` but not run
    (bulk rescoring binds before its write transaction)."""
    params = []
    for row in rows:
        fields = dict(row)
        lead_id = fields.pop("lead_id", None)
        if not isinstance(lead_id, int):
            raise ValueError(f"score row needs an integer lead_id, got {lead_id!r}")
        params.append({"lead_id": lead_id, **_score_values(**fields)})
    return _UPSERT_MANY[dialect.name].bind(dialect, params)


def _change_row(
    lead_id: int,
    *,
    new_total: float,
    new_tier: str,
    new_qualified: bool,
    reason: str,
    old_total: float | None = None,
    old_tier: str | None = None,
    old_qualified: bool | None = None,
    ref: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    if reason not in SCORE_CHANGE_REASONS:
        raise ValueError(
            f"unknown score change reason {reason!r} (one of {sorted(SCORE_CHANGE_REASONS)})"
        )
    return {
        "lead_id": lead_id,
        "at": utcnow() if at is None else aware_utc(at, "at"),
        "old_total": old_total,
        "new_total": float(new_total),
        "old_tier": old_tier,
        "new_tier": new_tier,
        "old_qualified": old_qualified,
        "new_qualified": bool(new_qualified),
        "reason": reason,
        "ref": ref,
    }


def record_score_change(session: Session, lead_id: int, **change: Any) -> ScoreChange:
    """Append a score change and return it, detached. `change` holds the keyword arguments
    of `_change_row`: new_total, new_tier, new_qualified, reason (one of
    `SCORE_CHANGE_REASONS`), and optionally old_total, old_tier, old_qualified, ref, at."""
    row = _change_row(lead_id, **change)
    new_id = session.connection().execute(_insert_change(session), row).scalar_one()
    return ScoreChange(id=new_id, **row)


def record_score_changes(session: Session, changes: Iterable[Mapping[str, Any]]) -> None:
    """Append many score changes at once: dicts with `lead_id` plus the keyword arguments
    of `record_score_change`."""
    bind_score_changes(session.get_bind().dialect, changes).execute(session.connection())


def bind_score_changes(dialect: Any, changes: Iterable[Mapping[str, Any]]) -> BoundRows:
    """The insert of `record_score_changes`, checked and bound for `dialect` but not run."""
    return _INSERT_CHANGES.bind(dialect, [_change_row(**change) for change in changes])


def score_changes_for_lead(session: Session, lead_id: int) -> list[ScoreChange]:
    """A lead's score changes, oldest first."""
    stmt = (
        select(ScoreChange)
        .where(ScoreChange.lead_id == lead_id)
        .order_by(col(ScoreChange.at), col(ScoreChange.id))
    )
    return list(session.scalars(stmt))
