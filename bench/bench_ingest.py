"""Ingest with rescoring over HTTP: `POST /events` batches of 100 into `qualibot serve`.

Figures (issue 6): events/s on SQLite and on PostgreSQL (target ≥ 5,000 events/s), with
each batch's latency. Events spread uniformly over the leads of a demo database, so
nearly every event rescores a different lead (no batching luck).
With --pg-replicas N (default 2) it also measures N `serve` processes sharing the
PostgreSQL database, the requests spread over them (as behind a load balancer).
Run: python bench/bench_ingest.py [--backend sqlite|postgres|both] [--batches N]
[--pg-replicas N]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from common import EVENT_KINDS, ROOT, emit, percentile
from serving import INGEST_TOKEN, free_port, seed_demo, start_serve

sys.path.insert(0, str(ROOT))

from tests.slack_fake import FakeSlack

LEADS = 2000
BATCH = 100
CONCURRENT = 4
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def database(backend: str, tmp: Path) -> Iterator[str]:
    """A fresh database of `backend` (SQLite file, or a PostgreSQL database dropped after)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'ingest.db'}"
        return
    import psycopg

    name = f"qualibot_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def batches(emails: list[str], n: int, rng: random.Random) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    out = []
    for _ in range(n):
        items = []
        for _ in range(BATCH):
            name, props = rng.choice(EVENT_KINDS)
            items.append(
                {
                    "type": "track",
                    "event": name,
                    "properties": {**props, "email": rng.choice(emails)},
                    "messageId": uuid.uuid4().hex,
                    "timestamp": (now - timedelta(minutes=rng.uniform(0, 600))).isoformat(),
                }
            )
        out.append({"batch": items})
    return out


async def send(bases: list[str], bodies: list[dict[str, Any]]) -> tuple[float, list[float]]:
    """Post every body, CONCURRENT at a time, spread over the `serve` replicas at `bases`;
    return (seconds, per-batch latencies in ms)."""
    headers = {"Authorization": f"Bearer {INGEST_TOKEN}"}
    latencies: list[float] = []
    queue = list(bodies)
    async with aiohttp.ClientSession(headers=headers) as session:

        async def worker(base: str) -> None:
            while queue:
                body = queue.pop()
                start = time.perf_counter()
                async with session.post(f"{base}/events", json=body) as r:
                    result = await r.json()
                    assert r.status == 200 and result["accepted"] == BATCH, result
                latencies.append((time.perf_counter() - start) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(worker(bases[i % len(bases)]) for i in range(CONCURRENT)))
        return time.perf_counter() - start, latencies


def run(backend: str, n_batches: int, replicas: int = 1) -> dict[str, Any]:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp)) as url:
        emails = seed_demo(url, LEADS)
        with FakeSlack() as fake:
            procs, bases = [], []
            try:
                for _ in range(replicas):
                    port = free_port()
                    procs.append(start_serve(url, fake, port))
                    bases.append(f"http://127.0.0.1:{port}")
                asyncio.run(send(bases, batches(emails, 5, rng)))  # warm-up
                seconds, latencies = asyncio.run(send(bases, batches(emails, n_batches, rng)))
            finally:
                for proc in procs:
                    proc.terminate()
                    proc.wait(timeout=30)
    return {
        "events": n_batches * BATCH,
        "events_per_s": round(n_batches * BATCH / seconds),
        "batch_p50_ms": round(percentile(latencies, 50), 1),
        "batch_p95_ms": round(percentile(latencies, 95), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument(
        "--pg-replicas", type=int, default=2, help="also run N serve replicas on PostgreSQL"
    )
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    figures: dict[str, Any] = {
        "leads": LEADS,
        "batch_size": BATCH,
        "concurrent_requests": CONCURRENT,
    }
    for backend in backends:
        figures[backend] = run(backend, args.batches)
    if "postgres" in backends and args.pg_replicas > 1:  # SQLite has one writer anyway
        figures[f"postgres_{args.pg_replicas}_replicas"] = run(
            "postgres", args.batches, args.pg_replicas
        )
    figures["targets"] = {"events_per_s": 5000}
    emit("ingest", figures)


if __name__ == "__main__":
    main()
