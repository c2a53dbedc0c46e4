"""How an event's points fade with age."""

from __future__ import annotations

import math
from collections.abc import Callable

from scoring.config import Decay


def decay_factor(decay: Decay | None, age_days: float) -> float:
    """Multiplier in [0, 1] for an event `age_days` old (0 beyond max_age_days)."""
    return decay_function(decay)(age_days)


def half_life_rate(decay: Decay | None) -> tuple[float, float] | None:
    """`(rate, max_age_days)` of a half-life decay, whose factor is `exp(-rate × age)` up
    to max_age_days (the scorer inlines it); None for other decays."""
    if decay is None or decay.half_life_days is None:
        return None
    max_age = math.inf if decay.max_age_days is None else decay.max_age_days
    return math.log(2) / decay.half_life_days, max_age


def decay_function(decay: Decay | None) -> Callable[[float], float]:
    """`decay_factor` specialised for one rule (the scorer calls it for every event)."""
    if decay is None:
        return lambda age: 1.0
    half_life = half_life_rate(decay)
    if half_life is not None:
        rate, limit = half_life
        return lambda age: 0.0 if age > limit else math.exp(-rate * age)
    max_age = math.inf if decay.max_age_days is None else decay.max_age_days
    steps = [(s.after_days, s.factor) for s in decay.steps or ()]

    def stepped(age: float) -> float:
        if age > max_age:
            return 0.0
        factor = 1.0
        for after, f in steps:
            if age < after:
                break
            factor = f
        return factor

    return stepped
