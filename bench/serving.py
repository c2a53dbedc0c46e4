"""Running `qualibot serve` as its own process for benchmarks, against the fake Slack."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime

import httpx
from common import ROOT, out_dir

sys.path.insert(0, str(ROOT))

from bot.bulk_scoring import rescore_all
from bot.config_file import load_config
from bot.demo_loader import load_demo_data
from bot.storage.database import make_engine
from bot.storage.migrate import init_db
from tests.slack_fake import BOT_TOKEN, SIGNING_SECRET, FakeSlack

INGEST_TOKEN = "bench-ingest-token"


def seed_demo(url: str, leads: int) -> list[str]:
    """Migrate `url`, load `leads` seeded demo leads, score them; return their emails."""
    init_db(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    load_demo_data(engine, leads, 42, now)
    with engine.connect() as conn:
        emails = [r[0] for r in conn.exec_driver_sql("SELECT email FROM leads ORDER BY id")]
    engine.dispose()
    rescore_all(url, load_config(ROOT / "config.yml"), now, workers=1)
    return emails


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_serve(
    url: str, fake: FakeSlack, port: int, config: str | None = None
) -> subprocess.Popen[bytes]:
    """`qualibot serve` in its own process (as in production), once /healthz answers 200."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.base_url,
        "INGEST_TOKEN": INGEST_TOKEN,
    }
    if config:
        env["QUALIBOT_CONFIG"] = config
    cmd = [sys.executable, "-m", "bot", "serve", "--port", str(port)]
    log = (out_dir() / f"serve-{port}.log").open("wb")  # its errors, if any
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("qualibot serve did not become healthy in 60 s")
