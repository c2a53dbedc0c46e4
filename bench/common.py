"""Shared helpers for benchmarks: JSON output, percentiles, synthetic scorer inputs."""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import scoring
from scoring.config import ScoringConfig
from scoring.config_loader import load_config_text
from scoring.inputs import AnswerRecord, EventRecord, LeadProfile

ROOT = Path(__file__).resolve().parent.parent


def out_dir() -> Path:
    """bench/out/, made if missing: figures, logs and cached databases."""
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    return out


NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)

EVENT_KINDS: list[tuple[str, dict[str, Any]]] = [
    ("Page Viewed", {"path": "/pricing"}),
    ("Page Viewed", {"path": "/blog/lead-scoring"}),
    ("Page Viewed", {"path": "/docs"}),
    ("Email Opened", {"campaign": "nurture-3"}),
    ("Email Clicked", {"campaign": "nurture-3"}),
    ("Content Downloaded", {"asset_id": "ebook-bant"}),
    ("Video Watched", {"percent_watched": 70}),
    ("Webinar Attended", {"webinar_id": "w-2026-11"}),
    ("Form Submitted", {"form": "contact"}),
    ("Demo Requested", {}),
]


def load_config() -> ScoringConfig:
    return load_config_text((ROOT / "config.yml").read_text(), ScoringConfig, "config.yml")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def synthetic_lead(
    i: int, rng: random.Random, events: int = 20, answers: int = 4
) -> tuple[LeadProfile, list[AnswerRecord], list[EventRecord]]:
    """One lead with `events` events over 120 days and `answers` answers."""
    lead = LeadProfile(
        email=f"person{i}@company{i % 50000}.com",
        company=f"Company {i % 50000}",
        title=rng.choice(["CFO", "VP Sales", "Director of Ops", "Analyst", "Intern"]),
        industry=rng.choice(["Software", "Retail", "Healthcare", "Education"]),
        company_size=rng.choice([8, 40, 150, 700, 5000]),
        country=rng.choice(["US", "DE", "BR"]),
    )
    pool = [
        AnswerRecord(
            "budget",
            {"status": "confirmed", "amount": 80000.0, "currency": "USD", "period": "year"},
            NOW - timedelta(days=rng.uniform(0, 90)),
        ),
        AnswerRecord(
            "authority",
            {"role": rng.choice(["decision_maker", "influencer"]), "person": None, "title": None},
            NOW - timedelta(days=rng.uniform(0, 90)),
        ),
        AnswerRecord(
            "need",
            {"level": rng.choice(["critical", "high", "low"]), "pains": []},
            NOW - timedelta(days=rng.uniform(0, 90)),
        ),
        AnswerRecord(
            "timeline",
            {"status": "known", "date": "2027-03-31", "horizon_days": 128},
            NOW - timedelta(days=rng.uniform(0, 90)),
        ),
        AnswerRecord("priority", {"level": "high"}, NOW - timedelta(days=rng.uniform(0, 90))),
    ]
    evs = []
    for j in range(events):
        name, props = rng.choice(EVENT_KINDS)
        evs.append(EventRecord(name, NOW - timedelta(days=rng.uniform(0, 120)), f"{i}-{j}", props))
    return lead, pool[:answers], evs


def cpu_reference_seconds() -> float:
    """Seconds for a fixed pure-Python loop (10M additions), best of three.

    The host's speed varies between sessions (the same scorer code measured 10.9k and
    3.4k leads/s on different days); every figure carries this reference so runs on
    different days can be compared.
    """
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - start)
    return round(best, 2)


def emit(name: str, figures: dict[str, Any]) -> None:
    """Print the benchmark's figures as one JSON object (and keep a copy in bench/out/)."""
    figures = {
        **figures,
        "scorer_compiled": scoring.COMPILED,
        "cpu_reference_s": cpu_reference_seconds(),
    }
    line = json.dumps({"benchmark": name, **figures}, sort_keys=False)
    print(line)
    (out_dir() / f"{name}.json").write_text(line + "\n")
    sys.stdout.flush()
