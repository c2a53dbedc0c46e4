"""What the scorer returns: the score, its grade and tier, and every contribution behind it.

Plain (not frozen) dataclasses, built for every scored lead: a frozen one builds 3× slower.
Those built many times per lead have their `__init__` written out: compiled by mypyc it is
2.4× faster than the one `dataclass` generates.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from scoring.rounding import round_to


@dataclass(slots=True, init=False)
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
    ts: float | None  # when (Unix time): the event, the answer, the last activity
    ref: str | None  # event key, answer slot, profile field

    def __init__(
        self,
        rule_id: str,
        label: str,
        points: float,
        score_points: float,
        source: str,
        ts: float | None = None,
        ref: str | None = None,
    ) -> None:
        self.rule_id = rule_id
        self.label = label
        self.points = points
        self.score_points = score_points
        self.source = source
        self.ts = ts
        self.ref = ref

    @property
    def at(self) -> datetime | None:
        """When, as an aware UTC datetime, made on demand: most results are only stored,
        by rule, and a datetime per event was a third of the engagement pass."""
        return None if self.ts is None else datetime.fromtimestamp(self.ts, UTC)


@dataclass(slots=True)
class MissingCriterion:
    id: str
    label: str
    reason: str


@dataclass(slots=True)
class Flag:
    code: str
    message: str


@dataclass(slots=True, init=False)
class SlotAnswer:
    """The answer that counts for a slot, with its age."""

    slot: str
    value: dict[str, Any]
    answered_at: datetime
    age_days: float
    expired: bool
    answered_by: str | None
    framework: str | None
    raw_text: str | None
    category: str  # what points and gates read (`scoring.fit.slot_category`)

    def __init__(
        self,
        slot: str,
        value: dict[str, Any],
        answered_at: datetime,
        age_days: float,
        expired: bool,
        answered_by: str | None = None,
        framework: str | None = None,
        raw_text: str | None = None,
        category: str = "unknown",
    ) -> None:
        self.slot = slot
        self.value = value
        self.answered_at = answered_at
        self.age_days = age_days
        self.expired = expired
        self.answered_by = answered_by
        self.framework = framework
        self.raw_text = raw_text
        self.category = category


@dataclass(slots=True)
class RuleTotal:
    """One rule's contributions summed: a row of the breakdown stored with each score."""

    rule_id: str
    label: str
    source: str
    count: int  # how many contributions
    points: float  # raw points, rounded to 0.01
    score_points: float  # effect on the 0–100 total, rounded to 0.01
    last_ts: float | None  # Unix time of the latest dated contribution

    @property
    def last_at(self) -> datetime | None:
        return None if self.last_ts is None else datetime.fromtimestamp(self.last_ts, UTC)

    def to_json(self) -> list[Any]:
        """The stored form, a JSON array in field order: a million leads store ~15 each,
        and key names and ISO times made their rows twice as long."""
        return [
            self.rule_id,
            self.label,
            self.source,
            self.count,
            self.points,
            self.score_points,
            self.last_ts,
        ]

    @classmethod
    def from_json(cls, row: list[Any]) -> RuleTotal:
        rule_id, label, source, count, points, score_points, last_ts = row
        return cls(
            str(rule_id),
            str(label),
            str(source),
            int(count),
            float(points),
            float(score_points),
            None if last_ts is None else float(last_ts),
        )


def _by_effect(row: list[Any]) -> tuple[float, str]:
    return (-abs(row[5]), row[0])


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

    def breakdown(self) -> list[list[Any]]:
        """Contributions summed per rule, largest effect first (ties by rule id), in the
        stored form: one `RuleTotal.to_json` row per rule."""
        rows: dict[str, list[Any]] = {}
        for c in self.contributions:
            row = rows.get(c.rule_id)
            if row is None:
                rows[c.rule_id] = [c.rule_id, c.label, c.source, 1, c.points, c.score_points, c.ts]
            else:
                row[3] += 1
                row[4] += c.points
                row[5] += c.score_points
                ts = c.ts
                if ts is not None and (row[6] is None or ts > row[6]):
                    row[6] = ts
        out = list(rows.values())
        for row in out:
            row[4] = round_to(row[4], 2)
            row[5] = round_to(row[5], 2)
        out.sort(key=_by_effect)
        return out

    def by_rule(self) -> list[RuleTotal]:
        """`breakdown` as `RuleTotal`s."""
        return [RuleTotal.from_json(row) for row in self.breakdown()]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (datetimes as ISO strings)."""
        out = asdict(self)
        out.pop("state")
        for c, raw in zip(self.contributions, out["contributions"], strict=True):
            del raw["ts"]
            raw["at"] = c.at
        return _jsonable(out)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, datetime):
        return obj.isoformat()
    return obj
