"""Accuracy of the extractors on the held-out labelled set (tests/data/answers.yml).

Prints a per-slot table (see it with -s); fails when any slot is below 95 %.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.understanding.evaluation import evaluate, load_items

ANSWERS = Path(__file__).resolve().parent.parent / "data" / "answers.yml"
MIN_ACCURACY = 0.95


def test_every_slot_is_at_least_95_percent_accurate() -> None:
    if not ANSWERS.exists():
        pytest.fail(f"labelled set missing: {ANSWERS}")
    report = evaluate(load_items(ANSWERS))
    table = report.table()
    print(f"\n{table}")
    weak = report.below(MIN_ACCURACY)
    misses = "\n".join(
        f"  [{m.slot}] asked={m.asked} {m.text!r}: expected {m.expected}, got {m.predicted}"
        for m in report.misses
        if m.slot in weak
    )
    assert not weak, f"slots below {MIN_ACCURACY:.0%}: {weak}\n{table}\n{misses}"
