"""Rounding to a few decimals exactly as `round(x, digits)` does, ~18× faster compiled.

`round(x, 2)` rounds through a correctly rounded decimal conversion (~0.4 µs here), and
each scored lead rounds ~35 numbers, most in its stored breakdown. Scaling, taking the
nearest integer and scaling back gives the very same float whenever the scaled value is
not within a hair of a half, where a float error could tip it; those rare values, and huge
or non-finite ones, go to `round` itself.
"""

from __future__ import annotations

import math

_SCALES = (1.0, 10.0, 100.0, 1000.0, 10000.0)


def round_to(x: float, digits: int) -> float:
    """`round(x, digits)` for 0 ≤ digits ≤ 4, the same float (and sign of zero)."""
    scale = _SCALES[digits]
    y = x * scale
    if -1e9 < y < 1e9 and abs(y - math.floor(y) - 0.5) > 1e-6:
        # |y| < 1e9: its float error (< 1.2e-7) cannot move it across a half, and k / scale
        # is the float nearest to the decimal k / scale, which is what `round` returns.
        rounded = math.floor(y + 0.5) / scale
        return rounded if rounded != 0.0 else math.copysign(0.0, x)
    return round(x, digits)
