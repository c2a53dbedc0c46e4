"""Priority answers: top / high / medium / low / none / unknown."""

from __future__ import annotations

import datetime as dt

import pytest

from dialogs.understanding import parse_answer
from scoring.values import validate_value

NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
MISSING = "missing"


def level(text: str, slot: str | None = "priority") -> str | None:
    value = parse_answer(text, NOW, slot).slots.get("priority")
    return MISSING if value is None else value["level"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("top priority", "top"),
        ("pretty low on the list", "low"),  # not "on the list" (medium)
        ("#1", "top"),
        ("number one for them", "top"),
        ("highest", "top"),
        ("priority one", "top"),
        ("P0", "top"),
        ("it's their main focus this quarter", "top"),
        ("everything else waits", "top"),
        ("high priority", "high"),
        ("high", "high"),
        ("important", "high"),
        ("very important to them", "high"),
        ("top 3", "high"),
        ("P1", "high"),
        ("medium", "medium"),
        ("one of several projects", "medium"),
        ("somewhere in the middle", "medium"),
        ("moderate priority", "medium"),
        ("competing with other projects", "medium"),
        ("P2", "medium"),
        ("low priority", "low"),
        ("back burner", "low"),
        ("on the back-burner for now", "low"),
        ("nice to have", "low"),
        ("when they get to it", "low"),
        ("P3", "low"),
        ("not a priority", "none"),
        ("not a priority right now", "none"),
        ("not on their radar", "none"),
        ("no priority", "none"),
        ("no", "none"),
        ("none", "none"),
        ("not sure", None),
        ("unclear", None),
        ("didn't ask", None),
        ("low-ish", "low"),
        ("medium-high", "high"),
        ("they have bigger fish to fry", "low"),
        ("so-so", "medium"),
    ],
)
def test_levels(text: str, expected: str | None) -> None:
    assert level(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("top priority for the CFO", "top"),
        ("it's a high priority", "high"),
        ("low priority, maybe next year", "low"),
        ("not a priority right now", "none"),
        ("Budget: 45k. Priority: high", "high"),
        ("high", MISSING),
        ("no", MISSING),
        ("not sure", MISSING),
    ],
)
def test_free_text(text: str, expected: str | None) -> None:
    assert level(text, None) == expected


def test_a_priority_answer_is_not_a_need_answer() -> None:
    assert parse_answer("nice to have", NOW, "priority").slots == {"priority": {"level": "low"}}
    assert parse_answer("so-so", NOW, "priority").slots == {"priority": {"level": "medium"}}
    slots = parse_answer("lead gen is their number one problem", NOW).slots
    assert "priority" not in slots
    assert slots["need"]["level"] == "critical"


@pytest.mark.parametrize("text", ["top priority", "not a priority", "not sure"])
def test_values_validate(text: str) -> None:
    value = parse_answer(text, NOW, "priority").slots["priority"]
    assert validate_value("priority", value) == value
