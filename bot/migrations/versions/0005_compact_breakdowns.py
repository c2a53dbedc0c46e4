"""Compact stored score breakdowns: each rule's total becomes a JSON array.

`{"rule_id", "label", "source", "count", "points", "score_points", "last_at": ISO}` →
`[rule_id, label, source, count, points, score_points, last_ts]` (Unix seconds), the form
of `scoring.result.RuleTotal.to_json`. Rows are converted in batches of lead ids.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000
FIELDS = ("rule_id", "label", "source", "count", "points", "score_points")


def _compact(entry: Any) -> Any:
    if not isinstance(entry, dict):
        return entry  # already compact
    last_at = entry.get("last_at")
    last_ts = None if last_at is None else datetime.fromisoformat(last_at).timestamp()
    return [*(entry.get(name) for name in FIELDS), last_ts]


def _expanded(entry: Any) -> Any:
    if isinstance(entry, dict):
        return entry
    *values, last_ts = entry
    last_at = None if last_ts is None else datetime.fromtimestamp(last_ts, UTC).isoformat()
    return {**dict(zip(FIELDS, values, strict=True)), "last_at": last_at}


def _rewrite(convert: Callable[[Any], Any]) -> None:
    conn = op.get_bind()
    json_type = sa.JSON().with_variant(JSONB(), "postgresql")
    scores = sa.table(
        "lead_scores", sa.column("lead_id", sa.Integer()), sa.column("breakdown", json_type)
    )
    update = (
        scores.update()
        .where(scores.c.lead_id == sa.bindparam("id"))
        .values(breakdown=sa.bindparam("rows", type_=json_type))
    )
    last = None
    while True:
        query = sa.select(scores.c.lead_id, scores.c.breakdown).order_by(scores.c.lead_id)
        if last is not None:
            query = query.where(scores.c.lead_id > last)
        batch = conn.execute(query.limit(BATCH)).all()
        if not batch:
            return
        changed = []
        for lead_id, breakdown in batch:
            rows = [convert(entry) for entry in breakdown or []]
            if rows != breakdown:
                changed.append({"id": lead_id, "rows": rows})
        if changed:
            conn.execute(update, changed)
        last = batch[-1][0]


def upgrade() -> None:
    _rewrite(_compact)


def downgrade() -> None:
    _rewrite(_expanded)
