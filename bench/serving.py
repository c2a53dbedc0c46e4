"""Running `qualibot serve` as its own process for benchmarks, against the fake Slack."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
from common import ROOT

sys.path.insert(0, str(ROOT))

from tests.slack_fake import BOT_TOKEN, SIGNING_SECRET, FakeSlack

INGEST_TOKEN = "bench-ingest-token"


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
    log = (ROOT / "bench" / "out" / "serve.log").open("wb")  # its errors, if any
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
