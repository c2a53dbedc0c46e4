"""`qualibot score --all` on a large SQLite database: wall time and peak RSS of the process tree.

Target (issue 3): 1,000,000 leads (~20 events, ~4 answers each) in < 120 s, peak RSS < 1 GB.
Run: python bench/bench_score_all.py [--leads N]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time

import psutil
from big_db import build
from common import emit


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    args = parser.parse_args()
    path, build_s = build(args.leads)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    cmd = [sys.executable, "-m", "bot", "--now", "2026-11-23T12:00", "score", "--all"]
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
    emit(
        "score_all",
        {
            "leads": args.leads,
            "seconds": round(elapsed, 1),
            "leads_per_s": round(args.leads / elapsed),
            "peak_rss_mb": round(peak / 2**20),
            "workers": os.cpu_count(),
            "db_build_seconds": round(build_s, 1),
            "target_seconds": 120,
            "target_peak_rss_mb": 1024,
            "output": out.strip()[-200:],
        },
    )


if __name__ == "__main__":
    main()
