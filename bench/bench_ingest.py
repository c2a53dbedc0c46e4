"""Ingest with rescoring over HTTP: `POST /events` batches of 100 into `qualibot serve`.

Figures (issue 6): events/s on SQLite and on PostgreSQL (target ≥ 5,000 events/s), with
each batch's latency. Events spread uniformly over the leads of a demo database, so
nearly every event rescores a different lead (no batching luck).
With --pg-replicas N (default 2) it also measures N `serve` processes sharing the
PostgreSQL database, the requests spread over them (as behind a load balancer).
Each setup runs --runs times (default 3, each on a fresh database): the figures are the
median run's, with every run's events/s beside them, as a shared host's speed swings by
a third within minutes. Beside events/s, each run reports the CPU time `serve` and
PostgreSQL spent per event during the measured batches (µs of CPU an event): CPU a
change saves shows there even where the rate is capped by the wait on the database.
With --concurrent N the sender keeps N requests in flight instead of 4 (the target's
setup): more requests wait while one is written, so group commits grow (a sizing aid).
Run: python bench/bench_ingest.py [--backend sqlite|postgres|both] [--batches N]
[--pg-replicas N] [--runs N] [--concurrent N]
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
import psutil
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


async def send(
    bases: list[str], bodies: list[dict[str, Any]], concurrent: int = CONCURRENT
) -> tuple[float, list[float]]:
    """Post every body, `concurrent` at a time, spread over the `serve` replicas at
    `bases`; return (seconds, per-batch latencies in ms)."""
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
        await asyncio.gather(*(worker(bases[i % len(bases)]) for i in range(concurrent)))
        return time.perf_counter() - start, latencies


def cpu_times(procs: list[psutil.Process]) -> dict[int, float]:
    """User + system CPU seconds of each of these processes still running, by pid."""
    out = {}
    for proc in procs:
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        out[proc.pid] = times.user + times.system
    return out


def cpu_since(before: dict[int, float], procs: list[psutil.Process]) -> float:
    """CPU seconds `procs` used since `before` (a process started since counts whole)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in cpu_times(procs).items())


def postgres_processes() -> list[psutil.Process]:
    """The local PostgreSQL server's processes (its backends serve the `serve` pools)."""
    return [p for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"]


def run(
    backend: str, n_batches: int, replicas: int = 1, concurrent: int = CONCURRENT
) -> dict[str, Any]:
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
                bodies = batches(emails, n_batches, rng)
                serving = [psutil.Process(proc.pid) for proc in procs]
                serve_before = cpu_times(serving)
                postgres_before = cpu_times(postgres_processes())
                seconds, latencies = asyncio.run(send(bases, bodies, concurrent))
                serve_cpu = cpu_since(serve_before, serving)
                # backends opened meanwhile count too (those closed meanwhile are lost)
                postgres_cpu = cpu_since(postgres_before, postgres_processes())
            finally:
                for proc in procs:
                    proc.terminate()
                    proc.wait(timeout=30)
    events = n_batches * BATCH
    figures = {
        "events": events,
        "events_per_s": round(events / seconds),
        "batch_p50_ms": round(percentile(latencies, 50), 1),
        "batch_p95_ms": round(percentile(latencies, 95), 1),
        "serve_cpu_us_per_event": round(serve_cpu / events * 1e6),
    }
    if backend == "postgres":
        figures["postgres_cpu_us_per_event"] = round(postgres_cpu / events * 1e6)
    return figures


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median run's figures (by events/s), with every run's events/s."""
    ordered = sorted(runs, key=lambda r: r["events_per_s"])
    return {**ordered[len(ordered) // 2], "runs_events_per_s": [r["events_per_s"] for r in runs]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument(
        "--pg-replicas", type=int, default=2, help="also run N serve replicas on PostgreSQL"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of each setup (median)")
    parser.add_argument(
        "--concurrent", type=int, default=CONCURRENT, help="requests in flight at a time"
    )
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    figures: dict[str, Any] = {
        "leads": LEADS,
        "batch_size": BATCH,
        "concurrent_requests": args.concurrent,
    }
    setups = [(backend, backend, 1) for backend in backends]
    if "postgres" in backends and args.pg_replicas > 1:  # SQLite has one writer anyway
        setups.append((f"postgres_{args.pg_replicas}_replicas", "postgres", args.pg_replicas))
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in setups}
    for _ in range(args.runs):  # interleaved, so a slow spell of the host hits every setup
        for name, backend, replicas in setups:
            runs[name].append(run(backend, args.batches, replicas, args.concurrent))
    figures.update({name: median_run(results) for name, results in runs.items()})
    figures["targets"] = {"events_per_s": 5000}
    emit("ingest", figures)


if __name__ == "__main__":
    main()
