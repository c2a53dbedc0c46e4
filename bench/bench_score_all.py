"""`qualibot score --all` on a large SQLite database: wall time and peak RSS of the process tree.

Two runs on a copy of the cached, never-scored database: the first scoring (every lead
recomputed from its events) and the next day's rescore (from the stored engagement
states, as the daily decay job does; scores decay, so most rows change).
Target (issue 3): 1,000,000 leads (~20 events, ~4 answers each) in < 120 s, peak RSS < 1 GB.
Run: python bench/bench_score_all.py [--leads N]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
from big_db import build
from common import emit

from bot.bulk_scoring import count_leads


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def score_all(path: Path, now: str) -> dict[str, Any]:
    """Run `qualibot score --all` at `now` on the database at `path`: its figures."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    cmd = [sys.executable, "-m", "bot", "--now", now, "score", "--all"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    watcher = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, tree_rss(watcher))
        except psutil.NoSuchProcess:
            break
        time.sleep(0.2)
    elapsed = time.perf_counter() - start
    out = proc.stdout.read().decode() if proc.stdout else ""
    if proc.returncode != 0:
        raise SystemExit(f"score --all failed ({proc.returncode}): {out}")
    leads = count_leads(f"sqlite:///{path}")
    return {
        "now": now,
        "seconds": round(elapsed, 1),
        "leads_per_s": round(leads / elapsed),
        "peak_rss_mb": round(peak / 2**20),
        "output": out.strip()[-200:],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    args = parser.parse_args()
    base, build_s = build(args.leads)
    work = base.with_name(f"{base.stem}-scored.db")
    for suffix in ("-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(base, work)  # the cached database stays unscored
    try:
        first = score_all(work, "2026-11-23T12:00")
        daily = score_all(work, "2026-11-24T12:00")
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
    emit(
        "score_all",
        {
            "leads": args.leads,
            "first_scoring": first,
            "daily_rescore": daily,
            "workers": os.cpu_count(),
            "db_build_seconds": round(build_s, 1),
            "target_seconds": 120,
            "target_peak_rss_mb": 1024,
        },
    )


if __name__ == "__main__":
    main()
