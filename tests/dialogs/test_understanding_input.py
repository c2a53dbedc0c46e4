"""Input hygiene (empty, emoji, other languages, the 1000-character cap), multi-slot messages,
custom choice slots, and the properties every answer keeps (no crash, values validate)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.understanding import MAX_ANSWER_CHARS, ParseOutcome, Problem, parse_answer
from scoring.values import CANONICAL_SLOTS, validate_value

NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
SLOTS = [None, *CANONICAL_SLOTS]


@pytest.mark.parametrize("slot", SLOTS)
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("👍", "no_words"),
        ("🔥🔥🔥 🙏", "no_words"),
        ("...", "no_words"),
        ("!!! --- ;;", "no_words"),
        ("asdfghjkl", "not_understood"),
        ("lorem ipsum dolor", "not_understood"),
        ("Das Budget ist noch nicht klar, wir entscheiden im März", "not_understood"),
        ("El presupuesto es de 50 mil dólares y deciden en marzo", "not_understood"),
        ("Le budget est de 50k et ils décident avant la fin du mois", "not_understood"),
        ("予算は5万ドルです", "not_understood"),
        ("Бюджет пятьдесят тысяч", "not_understood"),
    ],
)
def test_unreadable_input_gives_nothing(text: str, problem: Problem, slot: str | None) -> None:
    outcome = parse_answer(text, NOW, slot)
    assert outcome == ParseOutcome(slots={}, capped=False, problem=problem)


def test_a_lone_question_mark_answers_an_asked_slot_as_not_sure() -> None:
    assert parse_answer("?", NOW, "budget").slots == {
        "budget": {"status": "unknown", "amount": None, "currency": None, "period": None}
    }
    assert parse_answer("?", NOW).problem == "no_words"


def test_free_text_off_topic_is_not_understood() -> None:
    outcome = parse_answer("great call, they liked the demo", NOW)
    assert outcome.slots == {}
    assert outcome.problem == "not_understood"


def test_long_text_is_cut_before_reading() -> None:
    early = "Budget is 80k. " + "They talked about the weather at length. " * 40
    outcome = parse_answer(early + " The CFO signs.", NOW)
    assert len(early) > MAX_ANSWER_CHARS - 200
    assert outcome.capped is True
    assert outcome.slots["budget"]["amount"] == 80000.0
    late = "x " * 600 + "budget is 80k"  # past the cap: not read
    outcome = parse_answer(late, NOW, "budget")
    assert outcome.capped is True
    assert outcome.slots == {}
    assert parse_answer("🙂" * 1500, NOW) == ParseOutcome({}, True, "no_words")


def test_multi_slot_free_text() -> None:
    slots = parse_answer(
        "decision maker, 50k budget approved, top priority, need it by end of Q1, "
        "manual reporting is killing them",
        NOW,
    ).slots
    assert slots["authority"]["role"] == "decision_maker"
    assert slots["budget"] == {
        "status": "confirmed",
        "amount": 50000.0,
        "currency": "USD",
        "period": None,
    }
    assert slots["priority"] == {"level": "top"}
    assert slots["timeline"]["date"] == "2027-03-31"
    assert slots["need"]["level"] == "critical"


def test_typos_are_tolerated() -> None:
    slots = parse_answer("decison maker, budegt 35k, nxt month, priorty is high", NOW).slots
    assert slots["authority"]["role"] == "decision_maker"
    assert slots["budget"]["amount"] == 35000.0
    assert slots["timeline"]["date"] == "2026-12-31"
    assert slots["priority"] == {"level": "high"}
    assert parse_answer("by Feburary", NOW, "timeline").slots["timeline"]["date"] == "2027-02-28"
    assert parse_answer("ASPA", NOW, "timeline").slots["timeline"]["horizon_days"] == 14


def test_form_like_answers_read_each_label_as_its_question() -> None:
    slots = parse_answer("Budget: none. Timeline: TBD. Priority: low", NOW).slots
    assert slots["budget"]["status"] == "none"
    assert slots["timeline"]["status"] == "unknown"
    assert slots["priority"] == {"level": "low"}


METRICS = ["quantified", "vague", "none"]


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        ("quantified", "quantified"),
        ("Quantifed", "quantified"),
        ("pretty vague", "vague"),
        ("they've quantified the ROI", "quantified"),
        ("none", "none"),
        ("no", "none"),
        ("not sure", "unknown"),
        ("no idea", "unknown"),
    ],
)
def test_custom_slot_choices(text: str, choice: str) -> None:
    outcome = parse_answer(text, NOW, "metrics", choices={"metrics": METRICS})
    assert outcome.slots["metrics"] == {"choice": choice}


def test_custom_slot_without_a_match_is_re_asked() -> None:
    outcome = parse_answer("we talked about pricing", NOW, "metrics", choices={"metrics": METRICS})
    assert "metrics" not in outcome.slots
    assert parse_answer("quantified", NOW, choices={"metrics": METRICS}).slots == {}


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=300), slot=st.sampled_from(SLOTS))
def test_any_text_parses_and_every_value_validates(text: str, slot: str | None) -> None:
    outcome = parse_answer(text, NOW, slot)
    assert (outcome.problem is None) == bool(outcome.slots)
    for name, value in outcome.slots.items():
        assert validate_value(name, value) == value


VOCABULARY = (
    "80k budget is no not sure CFO signs by March Q1 next week top priority critical pain "
    "approved planning $ € 50-80k per month decision maker champion user , . ? ASAP TBD "
    "nice to have high low the they she need it yesterday 3/15 in 6 weeks"
)
WORDS = st.sampled_from(VOCABULARY.split())


@settings(max_examples=200, deadline=None)
@given(words=st.lists(WORDS, max_size=12), slot=st.sampled_from(SLOTS))
def test_answer_like_text_parses_and_every_value_validates(
    words: list[str], slot: str | None
) -> None:
    outcome = parse_answer(" ".join(words), NOW, slot)
    for name, value in outcome.slots.items():
        assert validate_value(name, value) == value
