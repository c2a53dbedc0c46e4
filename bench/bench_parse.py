"""Answer extractors: accuracy on the labelled set, warm parse latency, cold first call.

Target: every slot ≥ 95 % on tests/data/answers.yml; parse p95 < 20 ms warm.
Run: python bench/bench_parse.py [--repeat N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time

from common import ROOT, emit, percentile

from dialogs.understanding import parse_answer
from dialogs.understanding.evaluation import evaluate, load_items
from dialogs.understanding.text import prepare

ANSWERS = ROOT / "tests" / "data" / "answers.yml"
# A fresh interpreter: import the package, then parse one answer that needs dateparser.
COLD = """
import datetime as dt, json, time
start = time.perf_counter()
from dialogs.understanding import parse_answer
imported = time.perf_counter()
parse_answer("80k, the CFO signs, decision on March 15", dt.datetime(2026, 11, 23, 12), None)
done = time.perf_counter()
print(json.dumps({"import_ms": (imported - start) * 1e3, "first_ms": (done - imported) * 1e3}))
"""


def _now(item: dict) -> dt.datetime:
    day = item.get("now") or dt.date(2026, 11, 23)
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cold = json.loads(
        subprocess.run(
            [sys.executable, "-c", COLD], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    )
    items = load_items(ANSWERS)
    report = evaluate(items)  # also warms every cache and dateparser
    timings = []
    for _ in range(args.repeat):
        for item in items:
            prepare.cache_clear()  # time the whole reading, not a cached normalisation
            start = time.perf_counter()
            parse_answer(str(item["text"]), _now(item), item.get("slot"))
            timings.append((time.perf_counter() - start) * 1e3)
    emit(
        "parse",
        {
            "items": len(items),
            "accuracy": report.figures(),
            "parses": len(timings),
            "p50_ms": round(percentile(timings, 50), 3),
            "p95_ms": round(percentile(timings, 95), 3),
            "p99_ms": round(percentile(timings, 99), 3),
            "max_ms": round(max(timings), 3),
            "cold_import_ms": round(cold["import_ms"], 1),
            "cold_first_parse_ms": round(cold["first_ms"], 1),
            "target_p95_ms": 20,
            "target_min_slot_accuracy": 0.95,
        },
    )


if __name__ == "__main__":
    main()
