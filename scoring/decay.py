"""How an event's points fade with age."""

from __future__ import annotations

import math
from collections.abc import Callable

from scoring.config import Decay


def decay_factor(decay: Decay | None, age_days: float) -> float:
    """Multiplier in [0, 1] for an event `age_days` old (0 beyond max_age_days)."""
    return decay_function(decay)(age_days)


def decay_function(decay: Decay | None) -> Callable[[float], float]:
    """`decay_factor` specialised for one rule (the scorer calls it for every event)."""
    if decay is None:
        return lambda age: 1.0
    max_age = math.inf if decay.max_age_days is None else decay.max_age_days
    if decay.half_life_days is not None:
        rate = math.log(2) / decay.half_life_days
        return lambda age: 0.0 if age > max_age else math.exp(-rate * age)
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
