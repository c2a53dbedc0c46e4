"""Authority answers: the contact's role, and the title / name of whoever signs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dialogs.understanding import parse_answer
from scoring.values import validate_value

NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)


def role(name: str, title: str | None = None, person: str | None = None) -> dict[str, Any]:
    return {"role": name, "person": person, "title": title}


def asked(text: str) -> dict[str, Any] | None:
    return parse_answer(text, NOW, "authority").slots.get("authority")


def free(text: str) -> dict[str, Any] | None:
    return parse_answer(text, NOW).slots.get("authority")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("she signs", role("decision_maker")),
        ("he decides", role("decision_maker")),
        ("they make the call", role("decision_maker")),
        ("he's the decision-maker", role("decision_maker")),
        ("she is the final decision maker", role("decision_maker")),
        ("he has the final say", role("decision_maker")),
        ("owns the budget", role("decision_maker")),
        ("she can sign off on it herself", role("decision_maker")),
        ("DM", role("decision_maker")),
        ("he's the DM", role("decision_maker")),
        ("economic buyer", role("decision_maker")),
        ("yes", role("decision_maker")),
        ("yep, she decides", role("decision_maker")),
        ("she's the CFO and signs", role("decision_maker", "CFO")),
        ("he's the VP of Sales and makes the call", role("decision_maker", "VP of Sales")),
        ("I think so", role("decision_maker")),
        ("he's the CEO", role("decision_maker", "CEO")),
        ("she's the boss", role("decision_maker")),
    ],
)
def test_decision_maker(text: str, expected: dict[str, Any]) -> None:
    assert asked(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("needs CFO approval", role("influencer", "CFO")),
        ("the CEO signs off", role("influencer", "CEO")),
        ("COO has the final say", role("influencer", "COO")),
        ("needs sign-off from the head of IT", role("influencer", "Head of IT")),
        ("has to run it by the VP Finance", role("influencer", "VP Finance")),
        ("her boss decides", role("influencer")),
        ("evaluating it for his manager", role("influencer")),
        ("part of the buying committee", role("influencer")),
        ("recommends to leadership", role("influencer")),
        ("has input but doesn't decide", role("influencer")),
        ("not the decision maker", role("influencer")),
        ("no", role("influencer")),
        ("nope, her boss", role("influencer")),
        ("no - the CTO signs", role("influencer", "CTO")),
        ("needs approval from Mark, their CFO", role("influencer", "CFO", "Mark")),
        ("Sarah Lee (CFO) signs", role("influencer", "CFO", "Sarah Lee")),
        ("probably not", role("influencer")),
        ("not him, his boss", role("influencer")),
        ("decision by committee", role("influencer")),
        ("she's one of three people who decide", role("influencer")),
        ("she's leading the evaluation for the CTO", role("influencer", "CTO")),
    ],
)
def test_influencer(text: str, expected: dict[str, Any]) -> None:
    assert asked(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("she's our champion", role("champion")),
        ("big fan, pushing it internally", role("champion")),
        ("he's selling it internally", role("champion")),
        ("our internal advocate", role("champion")),
        ("champion, but the CFO signs", role("champion", "CFO")),
        ("end user", role("user")),
        ("just a user", role("user")),
        ("will use it day to day", role("user")),
        ("no say in the decision", role("user")),
        ("no influence", role("user")),
    ],
)
def test_champion_and_user(text: str, expected: dict[str, Any]) -> None:
    assert asked(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not sure", role("unknown")),
        ("not sure who decides", role("unknown")),
        ("unclear", role("unknown")),
        ("didn't ask", role("unknown")),
        ("no idea who signs", role("unknown")),
        ("none", role("unknown")),
        ("?", role("unknown")),
    ],
)
def test_unknown(text: str, expected: dict[str, Any]) -> None:
    assert asked(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the CFO signs off", role("influencer", "CFO")),
        ("she's the decision maker", role("decision_maker")),
        ("he's a champion", role("champion")),
        ("not sure who signs", role("unknown")),
        ("budget is 80k and she decides", role("decision_maker")),
    ],
)
def test_free_text(text: str, expected: dict[str, Any]) -> None:
    assert free(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "no",
        "yes",
        "not sure",
        "80k",
        "by March",
        "Jan from Acme joined the call",
        "they need SSO before they can sign",
    ],
)
def test_free_text_without_role_phrase_gives_nothing(text: str) -> None:
    assert free(text) is None


def test_boss_and_manager_are_not_titles() -> None:
    assert asked("her manager signs")["title"] is None  # type: ignore[index]
    assert asked("needs his boss's approval")["title"] is None  # type: ignore[index]


@pytest.mark.parametrize("text", ["I sign", "needs CFO approval", "not sure", "champion"])
def test_values_validate(text: str) -> None:
    value = asked(text)
    assert value is not None
    assert validate_value("authority", value) == value
