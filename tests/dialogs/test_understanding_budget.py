"""Budget answers: amounts, currencies, periods, ranges, planned / none / unknown."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dialogs.understanding import parse_answer
from scoring.values import validate_value

NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)


def budget(
    status: str, amount: float | None = None, currency: str | None = None, period: str | None = None
) -> dict[str, Any]:
    if amount is not None and currency is None:
        currency = "USD"
    return {"status": status, "amount": amount, "currency": currency, "period": period}


def asked(text: str, **options: Any) -> dict[str, Any] | None:
    return parse_answer(text, NOW, "budget", **options).slots.get("budget")


def free(text: str) -> dict[str, Any] | None:
    return parse_answer(text, NOW).slots.get("budget")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("80k", budget("confirmed", 80000)),
        ("they've got 120K", budget("confirmed", 120000)),
        ("Budget's 75k", budget("confirmed", 75000)),
        ("$250,000", budget("confirmed", 250000)),
        ("250 000", budget("confirmed", 250000)),
        ("USD 90k", budget("confirmed", 90000)),
        ("2.5M", budget("confirmed", 2500000)),
        ("$2.5 million", budget("confirmed", 2500000)),
        ("1.2 mil", budget("confirmed", 1200000)),
        ("about 40 grand", budget("confirmed", 40000)),
        ("roughly 35k", budget("confirmed", 35000)),
        ("~20k", budget("confirmed", 20000)),
        ("half a million", budget("confirmed", 500000)),
        ("fifty thousand dollars", budget("confirmed", 50000)),
        ("€50.5k", budget("confirmed", 50500, "EUR")),
        ("40k euros", budget("confirmed", 40000, "EUR")),
        ("£30k", budget("confirmed", 30000, "GBP")),
        ("30 000 GBP", budget("confirmed", 30000, "GBP")),
        ("CAD 60k", budget("confirmed", 60000, "CAD")),
        ("AUD 45,000", budget("confirmed", 45000, "AUD")),
        ("CHF 100k", budget("confirmed", 100000, "CHF")),
        ("¥5,000,000", budget("confirmed", 5000000, "JPY")),
        ("₹20 lakh", budget("confirmed", 2000000, "INR")),
        ("INR 500000", budget("confirmed", 500000, "INR")),
    ],
)
def test_amounts_and_currencies(text: str, expected: dict[str, Any]) -> None:
    assert asked(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30-50k", budget("confirmed", 30000)),
        ("30k – 50k", budget("confirmed", 30000)),
        ("somewhere between 30 and 50k", budget("confirmed", 30000)),
        ("from 100k to 150k", budget("confirmed", 100000)),
        ("1-2M", budget("confirmed", 1000000)),
        ("$30k-$50k", budget("confirmed", 30000)),
        ("40 or 50 thousand", budget("confirmed", 40000)),
    ],
)
def test_ranges_read_the_lower_bound(text: str, expected: dict[str, Any]) -> None:
    assert asked(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("60k per year", budget("confirmed", 60000, period="year")),
        ("60k annually", budget("confirmed", 60000, period="year")),
        ("60k/yr", budget("confirmed", 60000, period="year")),
        ("60k p.a.", budget("confirmed", 60000, period="year")),
        ("60k ARR", budget("confirmed", 60000, period="year")),
        ("5k a month", budget("confirmed", 5000, period="month")),
        ("5k/mo", budget("confirmed", 5000, period="month")),
        ("$5k monthly", budget("confirmed", 5000, period="month")),
        ("5k MRR", budget("confirmed", 5000, period="month")),
        ("15k one-off", budget("confirmed", 15000, period="one_time")),
        ("15k upfront", budget("confirmed", 15000, period="one_time")),
        ("10k a quarter", budget("confirmed", 40000, period="year")),
        ("12.5k quarterly", budget("confirmed", 50000, period="year")),
    ],
)
def test_periods(text: str, expected: dict[str, Any]) -> None:
    assert asked(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("planning to spend 80k", budget("planned", 80000)),
        ("they expect around 50k", budget("planned", 50000)),
        ("hoping for 100k", budget("planned", 100000)),
        ("requesting $70k from finance", budget("planned", 70000)),
        ("asking for 40k", budget("planned", 40000)),
        ("they'll get 60k in January", budget("planned", 60000)),
        ("90k, pending approval", budget("planned", 90000)),
        ("should have 30k next quarter", budget("planned", 30000)),
        ("50k in next year's budget", budget("planned", 50000)),
        ("budget is being approved", budget("planned")),
        ("budget's in the works", budget("planned")),
        ("they are putting budget aside for it", budget("planned")),
        ("budget not approved yet", budget("planned")),
        ("maybe 20k", budget("planned", 20000)),
    ],
)
def test_planned(text: str, expected: dict[str, Any]) -> None:
    assert asked(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", budget("confirmed")),
        ("yep, approved", budget("confirmed")),
        ("budget confirmed", budget("confirmed")),
        ("signed off", budget("confirmed")),
        ("they have budget", budget("confirmed")),
        ("no", budget("none")),
        ("nope", budget("none")),
        ("none", budget("none")),
        ("no budget", budget("none")),
        ("no budget yet", budget("none")),
        ("zero budget", budget("none")),
        ("nothing allocated", budget("none")),
        ("they can't afford it", budget("none")),
        ("not sure", budget("unknown")),
        ("TBD", budget("unknown")),
        ("dunno", budget("unknown")),
        ("don't know", budget("unknown")),
        ("didn't discuss it", budget("unknown")),
        ("unclear", budget("unknown")),
        ("?", budget("unknown")),
        ("not yet", budget("none")),
        ("the budget got cut", budget("none")),
        ("there's budget", budget("confirmed")),
        ("we'll know after their planning session", budget("unknown")),
    ],
)
def test_without_amount(text: str, expected: dict[str, Any]) -> None:
    assert asked(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("they have 200k set aside for tooling", budget("confirmed", 200000)),
        ("they're setting aside 200k for tooling", budget("planned", 200000)),
        ("budget around 80k", budget("confirmed", 80000)),
        ("no budget this year", budget("none")),
        ("not sure about budget", budget("unknown")),
        ("budget is TBD", budget("unknown")),
        ("budget confirmed", budget("confirmed")),
        ("spending 40k a year on the current tool", budget("confirmed", 40000, period="year")),
    ],
)
def test_free_text_needs_a_budget_cue(text: str, expected: dict[str, Any]) -> None:
    assert free(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "no",
        "not sure",
        "yes",
        "50 people on the team",
        "decision by March 2027",
        "top 3 priority",
        "P1",
        "they need it by 3/15",
        "20% faster onboarding",
        "needs approval from the CFO",
        "in 6 weeks",
    ],
)
def test_free_text_without_budget_cue_gives_nothing(text: str) -> None:
    assert free(text) is None


def test_unit_prices_and_thresholds() -> None:
    assert asked("50 seats at $40 per seat per month") == budget("confirmed", 2000, period="month")
    slots = parse_answer("the founder has to approve anything over 10k", NOW, "authority").slots
    assert "budget" not in slots  # a signing threshold, not a budget


def test_an_approval_to_get_is_authority_not_a_planned_budget() -> None:
    slots = parse_answer("70k but needs CFO sign off", NOW, "budget").slots
    assert slots["budget"] == budget("confirmed", 70000)
    assert slots["authority"]["title"] == "CFO"


def test_default_currency_applies_to_bare_amounts_only() -> None:
    assert asked("80k", default_currency="EUR") == budget("confirmed", 80000, "EUR")
    assert asked("$80k", default_currency="EUR") == budget("confirmed", 80000, "USD")


def test_other_slots_in_a_budget_answer_are_reported() -> None:
    slots = parse_answer("80k, the CFO signs off", NOW, "budget").slots
    assert slots["budget"] == budget("confirmed", 80000)
    assert slots["authority"]["role"] == "influencer"
    assert slots["authority"]["title"] == "CFO"


def test_answer_about_something_else_leaves_budget_unanswered() -> None:
    assert asked("the CFO decides") is None
    assert asked("not sure who signs") is None


def test_bare_answers_count_only_for_the_asked_slot() -> None:
    assert parse_answer("80k", NOW, "budget").slots == {"budget": budget("confirmed", 80000)}
    assert parse_answer("not sure", NOW, "budget").slots == {"budget": budget("unknown")}
    assert parse_answer("not sure", NOW).slots == {}


@pytest.mark.parametrize("text", ["80k", "no", "not sure", "50-80k per quarter", "€1,5M"])
def test_values_validate(text: str) -> None:
    value = asked(text)
    assert value is not None
    assert validate_value("budget", value) == value
