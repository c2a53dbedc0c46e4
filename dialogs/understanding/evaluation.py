"""Accuracy of the extractors on a labelled set of answers (tests/data/answers.yml).

Each item: `{text, now (date, optional), slot (asked slot or null), expect: {slot: value}}`.
An item is scored per slot over the slots expected, predicted or asked; a slot is correct
when the predicted value equals the label on every field (need `pains` and authority
`person` only when the label gives them). An item expecting nothing counts under "nothing".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dialogs.understanding import ParseOutcome, parse_answer
from scoring.values import validate_value

DEFAULT_NOW = dt.date(2026, 11, 23)
NOTHING = "nothing"
_OPTIONAL_FIELDS = {"need": "pains", "authority": "person"}

Parser = Callable[[str, dt.datetime, str | None], ParseOutcome]


@dataclass(frozen=True)
class Miss:
    """One wrong slot on one item."""

    text: str
    asked: str | None
    slot: str
    expected: dict[str, Any] | None
    predicted: dict[str, Any] | None


@dataclass
class SlotScore:
    total: int = 0
    correct: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass
class Report:
    """Per-slot accuracy, overall accuracy (over all scored slot-item pairs) and the misses."""

    slots: dict[str, SlotScore] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)
    items: int = 0

    @property
    def overall(self) -> float:
        total = sum(s.total for s in self.slots.values())
        return sum(s.correct for s in self.slots.values()) / total if total else 1.0

    def below(self, threshold: float) -> list[str]:
        """Slots whose accuracy is under `threshold`."""
        return [name for name, s in self.slots.items() if s.accuracy < threshold]

    def table(self) -> str:
        """A plain-text table: slot, correct/total, accuracy."""
        lines = [f"{'slot':<10} {'correct':>8} {'total':>6} {'accuracy':>9}"]
        for name in sorted(self.slots):
            score = self.slots[name]
            lines.append(f"{name:<10} {score.correct:>8} {score.total:>6} {score.accuracy:>9.3f}")
        correct = sum(s.correct for s in self.slots.values())
        total = sum(s.total for s in self.slots.values())
        lines.append(f"{'overall':<10} {correct:>8} {total:>6} {self.overall:>9.3f}")
        lines.append(f"({self.items} items)")
        return "\n".join(lines)

    def figures(self) -> dict[str, Any]:
        """JSON-ready figures (for the benchmark)."""
        return {
            "items": self.items,
            "overall": round(self.overall, 4),
            "per_slot": {
                name: {"accuracy": round(s.accuracy, 4), "correct": s.correct, "total": s.total}
                for name, s in sorted(self.slots.items())
            },
        }


def load_items(path: str | Path) -> list[dict[str, Any]]:
    """The labelled items of a YAML file (a list of mappings)."""
    items = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected a list of items")
    return items


def _now(item: Mapping[str, Any]) -> dt.datetime:
    day = item.get("now") or DEFAULT_NOW
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    if isinstance(day, dt.datetime):
        day = day.date()
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)


def _comparable(slot: str, value: Mapping[str, Any], label: Mapping[str, Any]) -> dict[str, Any]:
    """The value with the optional field dropped unless the label gives it."""
    optional = _OPTIONAL_FIELDS.get(slot)
    return {k: v for k, v in value.items() if k != optional or optional in label}


def evaluate(
    items: Iterable[Mapping[str, Any]],
    parse: Parser | None = None,
    *,
    choices: Mapping[str, Sequence[str]] | None = None,
) -> Report:
    """Run the parser on every item and score it against its label."""

    def default_parse(text: str, now: dt.datetime, slot: str | None) -> ParseOutcome:
        return parse_answer(text, now, slot, choices=choices)

    run = parse or default_parse
    report = Report()
    for item in items:
        report.items += 1
        text, asked = str(item["text"]), item.get("slot")
        labels = item.get("expect") or {}
        expected = {slot: validate_value(slot, value) for slot, value in labels.items()}
        predicted = run(text, _now(item), asked).slots
        if not expected:
            _score(report, NOTHING, not predicted, text, asked, None, predicted or None)
        for slot in sorted(set(expected) | set(predicted) | ({asked} if asked else set())):
            want, got = expected.get(slot), predicted.get(slot)
            label = labels.get(slot) or {}
            correct = (
                want is not None
                and got is not None
                and _comparable(slot, got, label) == _comparable(slot, want, label)
            ) or (want is None and got is None)
            _score(report, slot, correct, text, asked, want, got)
    return report


def _score(
    report: Report,
    slot: str,
    correct: bool,
    text: str,
    asked: str | None,
    expected: dict[str, Any] | None,
    predicted: dict[str, Any] | None,
) -> None:
    score = report.slots.setdefault(slot, SlotScore())
    score.total += 1
    if correct:
        score.correct += 1
    else:
        report.misses.append(Miss(text, asked, slot, expected, predicted))
