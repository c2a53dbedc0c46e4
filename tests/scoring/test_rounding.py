"""round_to gives exactly what round(x, digits) gives, sign of zero included."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.rounding import round_to


def same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


@given(st.floats(allow_nan=True, allow_infinity=True), st.integers(0, 4))
def test_any_float(x: float, digits: int) -> None:
    assert same(round_to(x, digits), round(x, digits))


@given(st.integers(-(10**9), 10**9), st.integers(0, 4), st.sampled_from([0.5, 0.4999, 0.5001]))
def test_values_near_a_half(k: int, digits: int, frac: float) -> None:
    x = (k + frac) / 10**digits
    assert same(round_to(x, digits), round(x, digits))


@pytest.mark.parametrize(
    ("x", "digits"),
    [(2.675, 2), (1.005, 2), (0.125, 2), (0.375, 2), (-0.004, 2), (-0.0, 2), (0.05, 1),
     (-12.25, 1), (1e12 + 0.123, 2), (math.inf, 2), (-math.inf, 1), (math.nan, 4)],
)  # fmt: skip
def test_known_cases(x: float, digits: int) -> None:
    assert same(round_to(x, digits), round(x, digits))


def test_every_hundredth_and_thousandth_in_a_range() -> None:
    for n in range(-200_000, 200_000):
        for x in (n / 1000, n / 100 + 0.005, n / 100 - 1e-9):
            assert same(round_to(x, 2), round(x, 2)), x
