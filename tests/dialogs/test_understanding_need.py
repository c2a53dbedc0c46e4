"""Need answers: level cues, negation shifts, none / unknown, pain phrases."""

from __future__ import annotations

import datetime as dt

import pytest

from dialogs.understanding import parse_answer
from scoring.values import validate_value

NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)


def level(text: str, slot: str | None = "need") -> str | None:
    value = parse_answer(text, NOW, slot).slots.get("need")
    assert value is not None, text
    return value["level"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it's killing them", "critical"),
        ("somewhat painful", "moderate"),  # a hedge lowers "painful" (high)
        ("slightly painful for the team", "moderate"),
        ("they're desperate", "critical"),
        ("urgent", "critical"),
        ("mission critical for them", "critical"),
        ("bleeding money every month", "critical"),
        ("their hair is on fire", "critical"),
        ("burning issue", "critical"),
        ("must fix this now", "critical"),
        ("they can't go on like this", "critical"),
        ("top pain for the CFO", "critical"),
        ("big problem", "high"),
        ("major pain for ops", "high"),
        ("they really need it", "high"),
        ("pretty serious", "high"),
        ("struggling with onboarding", "high"),
        ("very painful", "high"),
        ("high need", "high"),
        ("it's hurting them", "high"),
        ("high", "high"),
        ("some pain", "moderate"),
        ("it would help", "moderate"),
        ("moderate", "moderate"),
        ("somewhat", "moderate"),
        ("annoying but workable", "moderate"),
        ("could be better", "moderate"),
        ("meaningful", "moderate"),
        ("nice to have", "low"),
        ("minor", "low"),
        ("small issue", "low"),
        ("low", "low"),
        ("no need", "none"),
        ("no pain at all", "none"),
        ("happy with their current tool", "none"),
        ("doesn't need it", "none"),
        ("no problem there", "none"),
        ("no", "none"),
        ("none", "none"),
        ("not sure", None),
        ("unclear", None),
        ("didn't get into it", None),
        ("not really", "none"),
        ("huge", "high"),
        ("it's a must have", "high"),
        ("they kind of need it", "moderate"),
        ("it's a pain but they live with it", "moderate"),
        ("it'd be nice", "low"),
        ("meh", "low"),
    ],
)
def test_levels(text: str, expected: str | None) -> None:
    assert level(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not critical", "moderate"),
        ("not urgent", "moderate"),
        ("not that urgent", "moderate"),
        ("not a big deal", "low"),
        ("not a big problem", "low"),
        ("not that painful", "low"),
        ("not really a problem", "low"),
        ("no real need", "none"),
    ],
)
def test_negation_shifts_the_level(text: str, expected: str) -> None:
    assert level(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("manual reporting is killing them", "critical"),
        ("struggling with spreadsheets", "high"),
        ("no real need", "none"),
        ("onboarding is a big problem", "high"),
    ],
)
def test_free_text_pain_phrases(text: str, expected: str) -> None:
    assert level(text, None) == expected


@pytest.mark.parametrize("text", ["no", "not sure", "high", "low", "80k", "they need it by March"])
def test_free_text_without_pain_phrase_gives_nothing(text: str) -> None:
    assert "need" not in parse_answer(text, NOW).slots


def test_pains_are_named_phrases_without_intensity_words() -> None:
    value = parse_answer("critical: manual reporting takes days", NOW, "need").slots["need"]
    assert value == {"level": "critical", "pains": ["manual reporting takes days"]}
    value = parse_answer("critical, they want it by March", NOW, "need").slots["need"]
    assert value["pains"] == []
    assert parse_answer("big problem", NOW, "need").slots["need"]["pains"] == []
    value = parse_answer("lead routing is a mess, it's a major pain", NOW, "need").slots["need"]
    assert value == {"level": "high", "pains": ["lead routing is a mess"]}
    garbage = parse_answer("their CRM data is garbage and it's hurting them", NOW, "need")
    assert garbage.slots["need"]["pains"] == ["their crm data is garbage"]
    value = parse_answer("no real need, spreadsheets work fine", NOW, "need").slots["need"]
    assert value == {"level": "none", "pains": []}


@pytest.mark.parametrize("text", ["critical", "no need", "not sure", "manual work is painful"])
def test_values_validate(text: str) -> None:
    value = parse_answer(text, NOW, "need").slots["need"]
    assert validate_value("need", value) == value
