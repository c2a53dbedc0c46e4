"""Lead lookup latency on a large SQLite database: by email, by domain, by fuzzy company.

Target (issue 3): p95 < 10 ms with 1,000,000 leads. Run: python bench/bench_lookup.py [--leads N]
The company-name cache is loaded once per process (reported as `company_cache_load_ms`).
"""

from __future__ import annotations

import argparse
import random
import time

from big_db import build
from common import emit, percentile
from sqlalchemy.orm import Session

from bot.lead_lookup import CompanyNames, find_leads
from bot.storage.database import make_engine


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swap two letters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    path, _ = build(args.leads)
    engine = make_engine(f"sqlite:///{path}")
    rng = random.Random(3)
    ids = [rng.randrange(args.leads) for _ in range(args.queries)]
    names = CompanyNames(ttl=3600)
    figures: dict[str, object] = {"leads": args.leads, "queries_per_kind": args.queries}
    with Session(engine) as session:
        start = time.perf_counter()
        names.keys(session)
        figures["company_cache_load_ms"] = round((time.perf_counter() - start) * 1000, 1)
        kinds = {
            "email": [f"person{i}@company{i % 50000}.com" for i in ids],
            "domain": [f"company{i % 50000}.com" for i in ids],
            "fuzzy_company": [typo(f"Company {i % 50000}", rng) for i in ids],
        }
        for kind, queries in kinds.items():
            times, found = [], 0
            for q in queries:
                t = time.perf_counter()
                result = find_leads(session, q, names)
                times.append((time.perf_counter() - t) * 1000)
                found += bool(result.leads or result.suggestions)
            figures[f"{kind}_p50_ms"] = round(percentile(times, 50), 2)
            figures[f"{kind}_p95_ms"] = round(percentile(times, 95), 2)
            figures[f"{kind}_answered"] = found
    figures["target_p95_ms"] = 10
    emit("lookup", figures)


if __name__ == "__main__":
    main()
