"""Canonical qualification slots and their typed answer values (the JSON contract of DESIGN.md).

Every layer (dialogs, storage, API, scorer) exchanges answers as the plain dicts these
models dump to; the models validate at the boundaries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

BudgetStatus = Literal["confirmed", "planned", "none", "unknown"]
BudgetPeriod = Literal["year", "month", "one_time"]
AuthorityRole = Literal["decision_maker", "influencer", "champion", "user", "unknown"]
NeedLevel = Literal["critical", "high", "moderate", "low", "none"]
TimelineStatus = Literal["known", "unknown", "none"]
PriorityLevel = Literal["top", "high", "medium", "low", "none"]

CANONICAL_SLOTS: tuple[str, ...] = ("budget", "authority", "need", "timeline", "priority")


class _Value(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BudgetValue(_Value):
    status: BudgetStatus
    amount: float | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    period: BudgetPeriod | None = None


class AuthorityValue(_Value):
    role: AuthorityRole
    person: str | None = None
    title: str | None = None


class NeedValue(_Value):
    level: NeedLevel | None  # null: the rep was not sure (unknown, unlike "none")
    pains: list[str] = Field(default_factory=list)


class TimelineValue(_Value):
    status: TimelineStatus
    date: dt.date | None = None
    horizon_days: int | None = None


class PriorityValue(_Value):
    level: PriorityLevel | None  # null: unknown


class ChoiceValue(_Value):
    """Value of a custom slot declared in config.yml (e.g. MEDDIC's `metrics`)."""

    choice: str


VALUE_MODELS: dict[str, type[_Value]] = {
    "budget": BudgetValue,
    "authority": AuthorityValue,
    "need": NeedValue,
    "timeline": TimelineValue,
    "priority": PriorityValue,
}


class AnswerValueError(ValueError):
    """An answer value does not fit its slot's contract."""


def validate_value(slot: str, value: Any) -> dict[str, Any]:
    """Validate `value` for a canonical `slot`; return the JSON-ready dict (all fields present)."""
    model = VALUE_MODELS.get(slot)
    try:
        if model is None:
            return ChoiceValue.model_validate(value).model_dump(mode="json")
        return model.model_validate(value).model_dump(mode="json")
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'value'}: {err['msg']}"
            for err in exc.errors()
        )
        raise AnswerValueError(f"{slot}: {problems}") from None


_UNKNOWN: dict[str, dict[str, Any]] = {
    "budget": {"status": "unknown"},
    "authority": {"role": "unknown"},
    "need": {"level": None},
    "timeline": {"status": "unknown"},
    "priority": {"level": None},
}


def unknown_value(slot: str) -> dict[str, Any]:
    """The value that says "not sure" for `slot` (custom slots: choice `unknown`)."""
    return validate_value(slot, _UNKNOWN.get(slot, {"choice": "unknown"}))


def is_unknown(slot: str, value: dict[str, Any]) -> bool:
    """True when a value carries no information (distinct from an explicit "no"/"none")."""
    if slot == "budget":
        return value.get("status") == "unknown"
    if slot == "authority":
        return value.get("role") == "unknown"
    if slot == "timeline":
        return value.get("status") == "unknown"
    if slot in ("need", "priority"):
        return value.get("level") is None
    return value.get("choice") in (None, "unknown")


_ROLE_TEXT = {
    "decision_maker": "decision maker",
    "influencer": "influencer",
    "champion": "champion",
    "user": "user",
    "unknown": "not sure",
}
_PERIOD_TEXT = {"year": " a year", "month": " a month", "one_time": " one-time"}


def describe_value(slot: str, value: dict[str, Any] | None) -> str:
    """A short human reading of an answer value ("confirmed, 80,000 USD a year")."""
    if value is None or is_unknown(slot, value):
        return "not sure"
    if slot == "budget":
        if value["status"] == "none":
            return "no budget"
        text = str(value["status"])
        if value.get("amount") is not None:
            text += f", {value['amount']:,.0f} {value.get('currency') or ''}".rstrip()
            text += _PERIOD_TEXT.get(value.get("period") or "", "")
        return text
    if slot == "authority":
        text = _ROLE_TEXT.get(value["role"], str(value["role"]))
        who = " ".join(x for x in (value.get("person"), value.get("title")) if x)
        if who:
            text += f" ({who} {'decides' if value['role'] == 'decision_maker' else 'signs'})"
        return text
    if slot == "need":
        text = "no need" if value["level"] == "none" else f"{value['level']} need"
        pains = value.get("pains") or []
        return f"{text}: {'; '.join(pains)}" if pains else text
    if slot == "timeline":
        if value["status"] == "none":
            return "no timeline"
        date = value.get("date")
        if date:
            return f"decision by {dt.date.fromisoformat(str(date)):%d %b %Y}"
        return f"decision in {value.get('horizon_days')} days"
    if slot == "priority":
        return "not a priority" if value["level"] == "none" else f"{value['level']} priority"
    return str(value.get("choice"))
