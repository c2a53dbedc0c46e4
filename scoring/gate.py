"""Grades, tiers and the qualified gate."""

from __future__ import annotations

from datetime import datetime

from scoring.config import Bands, Criterion, ScoringModel
from scoring.fit import timeline_days
from scoring.result import MissingCriterion, SlotAnswer


def band_index(bands: Bands, value: float) -> int:
    """0 for the best band … 3 for the worst."""
    for i, bound in enumerate((bands.first, bands.second, bands.third)):
        if value >= bound:
            return i
    return 3


def grade(model: ScoringModel, fit: float, engagement: float) -> str:
    """Letter A–D from fit, digit 1–4 from engagement, e.g. 'B2'."""
    return (
        "ABCD"[band_index(model.grades.fit, fit)]
        + "1234"[band_index(model.grades.engagement, engagement)]
    )


def tier(model: ScoringModel, total: float) -> str:
    if total >= model.tiers.hot:
        return "hot"
    if total >= model.tiers.warm:
        return "warm"
    return "cold"


def _check(
    crit: Criterion, answers: dict[str, SlotAnswer], fit: float, engagement: float, now: datetime
) -> str | None:
    """None when the criterion holds, else why not."""
    if crit.min_fit is not None:
        return None if fit >= crit.min_fit else f"fit {fit:.0f} is below {crit.min_fit:g}"
    if crit.min_engagement is not None:
        if engagement >= crit.min_engagement:
            return None
        return f"engagement {engagement:.0f} is below {crit.min_engagement:g}"
    slot = crit.slot or ""
    ans = answers.get(slot)
    if ans is None:
        return f"{slot} not asked yet"
    if ans.expired:
        return f"{slot} answer expired ({ans.age_days:.0f} days old), reconfirm"
    category = ans.category
    if crit.in_ is not None and category not in crit.in_:
        wanted = " or ".join(c.replace("_", " ") for c in crit.in_)
        return f"{slot} is {category.replace('_', ' ')} (needs {wanted})"
    if crit.within_days is not None:
        days = timeline_days(ans.value, ans.answered_at, now.date())
        if days is None:
            return f"no decision date ({category})"
        if days < 0:
            return f"decision date passed {-days} days ago"
        if days > crit.within_days:
            return f"decision in {days} days (needs ≤ {crit.within_days})"
    return None


def missing_criteria(
    model: ScoringModel,
    answers: dict[str, SlotAnswer],
    fit: float,
    engagement: float,
    now: datetime,
) -> list[MissingCriterion]:
    """Every gate criterion that does not hold, with the reason (empty = qualified)."""
    out = []
    for crit in model.qualification:
        reason = _check(crit, answers, fit, engagement, now)
        if reason is not None:
            out.append(MissingCriterion(crit.id, crit.label, reason))
    return out
