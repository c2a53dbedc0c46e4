"""What the scorer returns: the score, its grade and tier, and every contribution behind it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class Contribution:
    """One traceable piece of the score.

    `points` are the rule's raw points (after decay); `score_points` is what they add to the
    0–100 total after normalisation and weighting, so the contributions sum to the total.
    """

    rule_id: str
    label: str
    points: float
    score_points: float
    source: str  # "answer", "profile", "event", "adjustment"
    at: datetime | None = None
    ref: str | None = None  # event key, answer slot, profile field


@dataclass(slots=True, frozen=True)
class MissingCriterion:
    id: str
    label: str
    reason: str


@dataclass(slots=True, frozen=True)
class Flag:
    code: str
    message: str


@dataclass(slots=True, frozen=True)
class SlotAnswer:
    """The answer that counts for a slot, with its age."""

    slot: str
    value: dict[str, Any]
    answered_at: datetime
    age_days: float
    expired: bool
    answered_by: str | None = None
    framework: str | None = None
    raw_text: str | None = None


@dataclass(slots=True)
class ScoreResult:
    model: str
    total: float  # 0–100
    fit: float  # 0–100
    engagement: float  # 0–100
    grade: str  # e.g. "B2": letter from fit, digit from engagement
    tier: str  # hot / warm / cold
    qualified: bool
    missing: list[MissingCriterion]
    flags: list[Flag]
    contributions: list[Contribution]
    answers: dict[str, SlotAnswer]
    expired: list[str]  # slots whose answer is too old: ask the rep to reconfirm
    last_activity_at: datetime | None
    state: dict[str, Any] = field(repr=False, default_factory=dict)  # engagement state (JSON)

    def top_contributions(self, n: int = 3) -> list[Contribution]:
        """The n contributions that move the score most (by absolute effect)."""
        ranked = [c for c in self.contributions if c.source != "adjustment"]
        return sorted(ranked, key=lambda c: (-abs(c.score_points), c.rule_id))[:n]

    def by_rule(self) -> list[dict[str, Any]]:
        """Contributions summed per rule: the compact breakdown that is stored."""
        acc: dict[str, dict[str, Any]] = {}
        for c in self.contributions:
            row = acc.setdefault(
                c.rule_id,
                {
                    "rule_id": c.rule_id,
                    "label": c.label,
                    "source": c.source,
                    "count": 0,
                    "points": 0.0,
                    "score_points": 0.0,
                    "last_at": None,
                },
            )
            row["count"] += 1
            row["points"] += c.points
            row["score_points"] += c.score_points
            if c.at is not None and (row["last_at"] is None or c.at.isoformat() > row["last_at"]):
                row["last_at"] = c.at.isoformat()
        for row in acc.values():
            row["points"] = round(row["points"], 2)
            row["score_points"] = round(row["score_points"], 2)
        return sorted(acc.values(), key=lambda r: (-abs(r["score_points"]), r["rule_id"]))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (datetimes as ISO strings)."""
        out = asdict(self)
        out.pop("state")
        return _jsonable(out)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, datetime):
        return obj.isoformat()
    return obj
