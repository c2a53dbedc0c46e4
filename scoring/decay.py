"""How an event's points fade with age."""

from __future__ import annotations

from scoring.config import Decay


def decay_factor(decay: Decay | None, age_days: float) -> float:
    """Multiplier in [0, 1] for an event `age_days` old (0 beyond max_age_days)."""
    if decay is None:
        return 1.0
    if decay.max_age_days is not None and age_days > decay.max_age_days:
        return 0.0
    if decay.half_life_days is not None:
        return float(0.5 ** (age_days / decay.half_life_days))
    factor = 1.0
    for step in decay.steps or ():
        if age_days >= step.after_days:
            factor = step.factor
        else:
            break
    return factor
