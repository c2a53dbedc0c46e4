"""Timeline answers: named periods to their last day, days, relative dates, ASAP, none / unknown."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dialogs.understanding import parse_answer
from scoring.values import validate_value

NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)  # a Monday
MARCH = dt.datetime(2027, 3, 10, 9, tzinfo=dt.UTC)


def known(day: str, now: dt.datetime = NOW) -> dict[str, Any]:
    date = dt.date.fromisoformat(day)
    return {"status": "known", "date": day, "horizon_days": (date - now.date()).days}


def asked(text: str, now: dt.datetime = NOW, **options: Any) -> dict[str, Any] | None:
    return parse_answer(text, now, "timeline", **options).slots.get("timeline")


def free(text: str, now: dt.datetime = NOW) -> dict[str, Any] | None:
    return parse_answer(text, now).slots.get("timeline")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("by March", "2027-03-31"),
        ("March", "2027-03-31"),
        ("in Feb", "2027-02-28"),
        ("before the end of January", "2027-01-31"),
        ("November", "2026-11-30"),
        ("end of Q1", "2027-03-31"),
        ("Q1", "2027-03-31"),
        ("by Q3", "2027-09-30"),
        ("Q4", "2026-12-31"),
        ("in the second quarter", "2027-06-30"),
        ("Q2 2028", "2028-06-30"),
        ("this month", "2026-11-30"),
        ("end of the month", "2026-11-30"),
        ("next month", "2026-12-31"),
        ("next week", "2026-12-06"),
        ("this week", "2026-11-29"),
        ("this quarter", "2026-12-31"),
        ("next quarter", "2027-03-31"),
        ("this year", "2026-12-31"),
        ("end of year", "2026-12-31"),
        ("by year end", "2026-12-31"),
        ("EOY", "2026-12-31"),
        ("next year", "2027-12-31"),
        ("next fiscal year", "2027-12-31"),
        ("H1", "2027-06-30"),
        ("H2", "2026-12-31"),
        ("first half of next year", "2027-06-30"),
        ("in 2028", "2028-12-31"),
    ],
)
def test_named_periods_resolve_to_their_last_day(text: str, day: str) -> None:
    assert asked(text) == known(day)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("early March", "2027-03-10"),
        ("mid March", "2027-03-15"),
        ("mid-Feb", "2027-02-15"),
        ("late March", "2027-03-31"),
        ("end of March", "2027-03-31"),
        ("early next month", "2026-12-10"),
    ],
)
def test_parts_of_a_month(text: str, day: str) -> None:
    assert asked(text) == known(day)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("March 15", "2027-03-15"),
        ("15 March", "2027-03-15"),
        ("the 15th of March", "2027-03-15"),
        ("3/15", "2027-03-15"),
        ("2027-03-15", "2027-03-15"),
        ("Dec 4th", "2026-12-04"),
        ("tomorrow", "2026-11-24"),
        ("next Friday", "2026-11-27"),
        ("in 6 weeks", "2027-01-04"),
        ("in 10 days", "2026-12-03"),
        ("in 2 months", "2027-01-23"),
        ("within 3 months", "2027-02-23"),
        ("within the next 90 days", "2027-02-21"),
        ("in a couple of weeks", "2026-12-07"),
        ("six weeks from now", "2027-01-04"),
        ("6 weeks", "2027-01-04"),
        ("6-8 weeks", "2027-01-04"),
        ("before Christmas", "2026-12-25"),
        ("sometime next spring", "2027-05-31"),
        ("end of next week", "2026-12-06"),
    ],
)
def test_days_and_relative_dates(text: str, day: str) -> None:
    assert asked(text) == known(day)


@pytest.mark.parametrize(
    "text", ["ASAP", "asap!", "right away", "immediately", "urgently", "they needed it yesterday"]
)
def test_asap_is_two_weeks_out(text: str) -> None:
    assert asked(text) == known("2026-12-07")


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("not this year", "none"),
        ("no timeline", "none"),
        ("no plans", "none"),
        ("no rush, maybe never", "none"),
        ("not planning to buy", "none"),
        ("no", "none"),
        ("none", "none"),
        ("not sure", "unknown"),
        ("TBD", "unknown"),
        ("no idea", "unknown"),
        ("unclear", "unknown"),
        ("depends on the budget", "unknown"),
        ("whenever", "none"),
        ("not right now", "none"),
    ],
)
def test_none_and_unknown(text: str, status: str) -> None:
    assert asked(text) == {"status": status, "date": None, "horizon_days": None}


def test_a_past_date_is_known_with_a_negative_horizon() -> None:
    value = asked("they decided on Nov 2")
    assert value == known("2026-11-02")
    assert value is not None and value["horizon_days"] < 0


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("by March", "2027-03-31"),  # this March: we are in it
        ("March", "2027-03-31"),
        ("end of Q1", "2027-03-31"),
        ("early March", "2027-03-10"),
        ("by February", "2028-02-29"),  # the next February
        ("next month", "2027-04-30"),
        ("in 2 months", "2027-05-10"),
    ],
)
def test_resolves_against_the_answer_time(text: str, day: str) -> None:
    assert asked(text, MARCH) == known(day, MARCH)


def test_fiscal_year_start() -> None:
    assert asked("next fiscal year", fiscal_year_start_month=4) == known("2028-03-31")
    assert asked("end of the fiscal year", fiscal_year_start_month=4) == known("2027-03-31")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("they want to sign by end of Feb", "2027-02-28"),
        ("decision expected in Q1", "2027-03-31"),
        ("go-live in 6 weeks", "2027-01-04"),
        ("80k, CFO signs, by March", "2027-03-31"),
        ("budget is in next year's budget, decision in January", "2027-01-31"),
    ],
)
def test_free_text_date_phrases(text: str, day: str) -> None:
    assert free(text) == known(day)


@pytest.mark.parametrize(
    "text",
    [
        "no",
        "not sure",
        "6 weeks",
        "they may want a demo",
        "Jan from IT joined",
        "top 3",
        "80k",
        "budget season starts in Q1",
        "they signed up for the trial yesterday",
    ],
)
def test_free_text_without_date_phrase_gives_nothing(text: str) -> None:
    assert free(text) is None


@pytest.mark.parametrize("text", ["by March", "ASAP", "not this year", "TBD", "last week"])
def test_values_validate(text: str) -> None:
    value = asked(text)
    assert value is not None
    assert validate_value("timeline", value) == value
