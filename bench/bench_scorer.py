"""Pure scorer throughput on one core: leads with ~20 events and ~4 answers each.

Target (issue 3): ≥ 10,000 leads/s, the best of --runs passes (the median is printed too).
Run: python bench/bench_scorer.py [--leads N] [--runs N]
"""

from __future__ import annotations

import argparse
import random
import time

from common import NOW, emit, load_config, synthetic_lead

from scoring.scorer import score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=7, help="best of N runs (the host is noisy)")
    args = parser.parse_args()
    config = load_config()
    rng = random.Random(7)
    leads = [synthetic_lead(i, rng) for i in range(args.leads)]
    for lead, answers, events in leads[:200]:  # warm-up: compile the model, fill caches
        score(lead, answers, events, config, NOW)
    runs = []
    for _ in range(args.runs):
        start = time.perf_counter()
        for lead, answers, events in leads:
            score(lead, answers, events, config, NOW)
        runs.append(time.perf_counter() - start)
    best = min(runs)
    emit(
        "scorer",
        {
            "leads": args.leads,
            "events_per_lead": 20,
            "answers_per_lead": 4,
            "leads_per_s": round(args.leads / best),
            "us_per_lead": round(best / args.leads * 1e6, 1),
            "median_leads_per_s": round(args.leads / sorted(runs)[len(runs) // 2]),
            "runs": args.runs,
            "target_leads_per_s": 10000,
        },
    )


if __name__ == "__main__":
    main()
