"""The one scorer: answers + profile + behavioural events → an explained score.

`score(...)` is the full computation; `score_from_state(...)` does the same from a stored
engagement state (see scoring.engagement), which is how one new event is applied cheaply.
Both are pure and deterministic: the same inputs and `now` give the same result.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from scoring.compiled import compile_model
from scoring.config import ScoringConfig, ScoringModel
from scoring.engagement import build_state, engagement_contributions
from scoring.fit import answer_contributions, profile_contributions, slot_answers
from scoring.flags import contradiction_flags
from scoring.gate import grade, missing_criteria, tier
from scoring.inputs import AnswerRecord, EventRecord, LeadProfile
from scoring.result import Contribution, ScoreResult
from scoring.rounding import round_to


def _normalise(
    contributions: list[Contribution], max_points: float, weight: float, part: str
) -> float:
    """Clamp the raw sum to 0..max (as visible adjustments), set score_points; return 0–100."""
    raw = sum([c.points for c in contributions])
    if raw < 0:
        contributions.append(
            Contribution(
                f"{part}.floor",
                f"{part.capitalize()} cannot go below zero",
                round_to(-raw, 4),
                0.0,
                "adjustment",
            )
        )
    elif raw > max_points:
        contributions.append(
            Contribution(
                f"{part}.cap",
                f"{part.capitalize()} capped at {max_points:g} points",
                round_to(max_points - raw, 4),
                0.0,
                "adjustment",
            )
        )
    scale = 100.0 / max_points
    factor = scale * weight
    for c in contributions:
        c.score_points = c.points * factor
    return min(max(raw, 0.0), max_points) * scale


def score_from_state(
    lead: LeadProfile,
    answers: Iterable[AnswerRecord],
    state: dict[str, Any],
    model: ScoringModel,
    config: ScoringConfig,
    now: datetime,
) -> ScoreResult:
    """Score a lead from its answers and an engagement state (see `score`)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    compiled = compile_model(model)
    current = slot_answers(answers, config.slots, now)
    fit_parts = answer_contributions(model, current, config.slots, now)
    fit_parts += profile_contributions(compiled, lead)
    eng_parts = engagement_contributions(state, model, now)
    fit_pct = _normalise(fit_parts, model.fit.max_points, model.weights.fit, "fit")
    eng_pct = _normalise(
        eng_parts, model.engagement.max_points, model.weights.engagement, "engagement"
    )
    total = round_to(model.weights.fit * fit_pct + model.weights.engagement * eng_pct, 1)
    lead_tier = tier(model, total)
    last = state.get("last")
    last_at = None if last is None else datetime.fromtimestamp(last, UTC)
    missing = missing_criteria(model, current, fit_pct, eng_pct, now)
    return ScoreResult(
        model=compiled.name,
        total=total,
        fit=round_to(fit_pct, 1),
        engagement=round_to(eng_pct, 1),
        grade=grade(model, fit_pct, eng_pct),
        tier=lead_tier,
        qualified=not missing,
        missing=missing,
        flags=contradiction_flags(compiled, lead, current, eng_parts, last_at, lead_tier, now),
        contributions=fit_parts + eng_parts,
        answers=current,
        expired=sorted(s for s, a in current.items() if a.expired),
        last_activity_at=last_at,
        state=state,
    )


def score(
    lead: LeadProfile,
    answers: Iterable[AnswerRecord],
    events: Iterable[EventRecord],
    config: ScoringConfig,
    now: datetime,
    model: ScoringModel | None = None,
) -> ScoreResult:
    """Score a lead from everything known about it.

    The model is the lead's product's model unless one is given. `answers` may be the
    whole history: the newest answer per slot counts, expired ones count as unknown.
    """
    model = model or config.model_for(lead.product)
    return score_from_state(lead, answers, build_state(events, model), model, config, now)
