"""A `qualibot serve` process killed with SIGKILL mid-batch loses no acknowledged event,
and a client that resends after the restart gets duplicates, never doubles."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from bot.storage.database import make_engine
from bot.storage.migrate import init_db
from tests.api.conftest import AUTH, TOKEN
from tests.slack_fake import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.slack_fake.fixtures import fake_slack  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
BATCH = 50


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db_url: str, fake: FakeSlack, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.base_url,
        "INGEST_TOKEN": TOKEN,
        "QUALIBOT_CONFIG": str(ROOT / "config.yml"),
    }
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        assert proc.poll() is None, log.read_text()
        time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"serve did not start:\n{log.read_text()}")


def _batch(n: int) -> dict[str, Any]:
    return {
        "batch": [
            {
                "type": "track",
                "event": "Page Viewed",
                "messageId": f"crash-{n}-{i}",
                "properties": {"path": f"/p{i}", "email": f"lead{i % 7}@crash.example"},
            }
            for i in range(BATCH)
        ]
    }


def _stored_ids(db_url: str) -> list[str]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT dedupe_key FROM events"))]
    engine.dispose()
    return ids


def test_sigkill_mid_batch_loses_no_acknowledged_event(
    db_url: str,
    fake_slack: FakeSlack,  # noqa: F811
    tmp_path: Path,
) -> None:
    init_db(db_url)
    port = _port()
    log = tmp_path / "serve.log"
    proc = _serve(db_url, fake_slack, port, log)
    acknowledged: list[str] = []
    stop = threading.Event()

    def client() -> None:
        n = 0
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=AUTH) as http:
            while not stop.is_set():
                body = _batch(n)
                try:
                    r = http.post("/events", json=body, timeout=30)
                except httpx.HTTPError:
                    return  # the server died mid-request: this batch is not acknowledged
                assert r.status_code == 200, r.text
                assert r.json()["accepted"] == BATCH
                acknowledged.extend(item["messageId"] for item in body["batch"])
                n += 1

    sender = threading.Thread(target=client)
    sender.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 3 * BATCH and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)  # most likely mid-request: the client sends back to back
    proc.wait(10)
    stop.set()
    sender.join(30)

    stored = _stored_ids(db_url)
    assert len(acknowledged) >= 3 * BATCH
    assert set(acknowledged) <= set(stored)  # nothing acknowledged was lost
    assert len(stored) % BATCH == 0  # a batch is one transaction: all of it or none

    proc = _serve(db_url, fake_slack, port, log)
    try:
        batches = len(stored) // BATCH + 1  # everything stored, plus the one that was cut
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=AUTH) as http:
            results = [
                http.post("/events", json=_batch(n), timeout=30).json() for n in range(batches)
            ]
    finally:
        proc.terminate()
        proc.wait(30)
    assert [r["duplicates"] for r in results[:-1]] == [BATCH] * (batches - 1)
    assert results[-1]["accepted"] == BATCH
    assert sorted(_stored_ids(db_url)) == sorted(
        {*stored, *(f"crash-{batches - 1}-{i}" for i in range(BATCH))}
    )
