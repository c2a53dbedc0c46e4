"""Build (once, then reuse) a SQLite database of N leads × ~20 events × ~4 answers.

Rows go straight in with sqlite3 bulk inserts, in the schema Alembic creates; the file
is cached in bench/out/ keyed by the lead count.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

from common import EVENT_KINDS, NOW, out_dir, synthetic_lead

from bot.storage.migrate import init_db


def _iso(dt) -> str:  # type: ignore[no-untyped-def]
    return (
        dt.astimezone().replace(tzinfo=None).isoformat(sep=" ")
        if dt.tzinfo is None
        else dt.replace(tzinfo=None).isoformat(sep=" ")
    )


def build(n_leads: int, progress: bool = True) -> tuple[Path, float]:
    """Return the database path and the seconds it took to build (0 when cached)."""
    path = out_dir() / f"leads_{n_leads}.db"
    if path.exists():
        return path, 0.0
    tmp = path.with_suffix(".tmp")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    init_db(f"sqlite:///{tmp}")
    conn = sqlite3.connect(tmp)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    rng = random.Random(11)
    stamp = _iso(NOW)
    props_json = {i: json.dumps(p) for i, (_, p) in enumerate(EVENT_KINDS)}
    batch = 10_000
    for lo in range(0, n_leads, batch):
        leads, events, answers = [], [], []
        for i in range(lo, min(lo + batch, n_leads)):
            lead, ans, _ = synthetic_lead(i, rng, events=0)
            lead_id = i + 1
            leads.append(
                (
                    lead_id,
                    lead.email,
                    lead.email.split("@")[1],
                    lead.company,
                    (lead.company or "").lower(),
                    f"Person {i}",
                    lead.title,
                    lead.industry,
                    lead.company_size,
                    lead.country,
                    None,
                    f"U0REP{i % 40:04d}",
                    "new",
                    stamp,
                    stamp,
                )
            )
            for a in ans:
                answers.append(
                    (lead_id, a.slot, json.dumps(a.value), _iso(a.answered_at), "import")
                )
            for j in range(rng.randint(15, 25)):
                k = rng.randrange(len(EVENT_KINDS))
                at = NOW - timedelta(seconds=rng.uniform(0, 120 * 86400))
                events.append(
                    (
                        lead_id,
                        f"{i}-{j}",
                        EVENT_KINDS[k][0].lower().replace(" ", "_"),
                        props_json[k],
                        _iso(at),
                        stamp,
                        "bench",
                    )
                )
        conn.executemany(
            "INSERT INTO leads (id, email, domain, company, company_key, name, title,"
            " industry, company_size, country, product, owner, stage, created_at,"
            " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            leads,
        )
        conn.executemany(
            "INSERT INTO answers (lead_id, slot, value, answered_at, source) VALUES (?,?,?,?,?)",
            answers,
        )
        conn.executemany(
            "INSERT INTO events (lead_id, dedupe_key, type, properties, occurred_at,"
            " received_at, source) VALUES (?,?,?,?,?,?,?)",
            events,
        )
        conn.commit()
        if progress and (lo // batch) % 10 == 0:
            print(f"  built {lo + len(leads):,} leads", flush=True)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    tmp.rename(path)
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    return path, time.perf_counter() - start
