"""Answer extractors: a rep's plain-words answer → slot values of the JSON contract.

The rules are `dialogs/answer_conventions.md`. `parse_answer` reads a whole message (free
text, or the answer to one asked slot plus any other slot clearly present);
every value returned has been through `scoring.values.validate_value`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dialogs.understanding import authority, budget, choice, need, priority, timeline
from dialogs.understanding.text import SHARED_CUES, Text, has_words, looks_foreign, prepare, without
from dialogs.understanding.topics import labelled_parts
from scoring.values import CANONICAL_SLOTS, validate_value

MAX_ANSWER_CHARS = 1000

Problem = Literal["empty", "no_words", "not_understood"]

__all__ = ["MAX_ANSWER_CHARS", "ParseOutcome", "Problem", "parse_answer"]


@dataclass(frozen=True)
class ParseOutcome:
    """What one answer says.

    `slots`: slot → full contract value (validated). `capped`: the text was longer than
    MAX_ANSWER_CHARS and only its start was read. `problem`, when nothing was understood:
    "empty", "no_words" (emoji / punctuation only) or "not_understood"; else None.
    """

    slots: dict[str, dict[str, Any]]
    capped: bool
    problem: Problem | None


def _read(
    slot: str,
    text: Text,
    now: dt.datetime,
    *,
    asked: bool,
    choices: Sequence[str] | None,
    default_currency: str,
    fiscal_year_start_month: int,
) -> dict[str, Any] | None:
    if slot == "budget":
        value = budget.extract(text, asked=asked, default_currency=default_currency)
    elif slot == "authority":
        value = authority.extract(text, asked=asked)
    elif slot == "need":
        value = need.extract(text, asked=asked)
    elif slot == "timeline":
        value = timeline.extract(
            text, now, asked=asked, fiscal_year_start_month=fiscal_year_start_month
        )
    elif slot == "priority":
        value = priority.extract(text, asked=asked)
    else:
        value = choice.extract(text, choices or (), asked=asked)
    return None if value is None else validate_value(slot, value)


def _read_labelled(
    slot: str, text: Text, now: dt.datetime, **options: Any
) -> dict[str, Any] | None:
    """Read `slot`; in a form-like answer ("Priority: high") its labelled part answers it."""
    part = labelled_parts(text).get(slot)
    if part is not None:
        value = _read(slot, part, now, **{**options, "asked": True})
        if value is not None:
            return value
    return _read(slot, text, now, **options)


def _readable(text: str) -> tuple[Text | None, bool, Problem | None]:
    """The capped, prepared text, whether it was capped, and why it cannot be read."""
    capped = len(text) > MAX_ANSWER_CHARS
    text = text[:MAX_ANSWER_CHARS]
    if not text.strip():
        return None, capped, "empty"
    prepared = prepare(text)
    if not has_words(text):
        # a lone "?" still answers an asked question ("not sure")
        return (prepared if prepared.norm.strip(" ?") == "" else None), capped, "no_words"
    if looks_foreign(prepared):
        return None, capped, "not_understood"
    return prepared, capped, None


def parse_answer(
    text: str,
    now: dt.datetime,
    slot: str | None = None,
    *,
    choices: Mapping[str, Sequence[str]] | None = None,
    default_currency: str = "USD",
    fiscal_year_start_month: int = 1,
) -> ParseOutcome:
    """Read one answer: every slot it clearly states (the asked `slot` read first and leniently).

    `now` is when the answer was given (dates resolve against it); `choices` are the custom
    slots of config.yml (slot → allowed choices).
    """
    prepared, capped, problem = _readable(text)
    slots: dict[str, dict[str, Any]] = {}
    if prepared is not None:
        names = [slot] if slot is not None else []
        names += [name for name in CANONICAL_SLOTS if name != slot]
        shared = SHARED_CUES.get(slot or "")
        others = without(prepared, shared) if shared is not None else prepared
        for name in names:
            value = _read_labelled(
                name,
                prepared if name == slot else others,
                now,
                asked=name == slot,
                choices=(choices or {}).get(name),
                default_currency=default_currency,
                fiscal_year_start_month=fiscal_year_start_month,
            )
            if value is not None:
                slots[name] = value
    if slots:
        problem = None
    elif problem is None:
        problem = "not_understood"
    return ParseOutcome(slots=slots, capped=capped, problem=problem)
