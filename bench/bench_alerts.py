"""Event accepted → alert posted, through `qualibot serve` and its in-process dispatcher.

Figure (issue 6): p95 < 1 s from the `POST /events` answer (the event is committed) to
the alert's `chat.postMessage` arriving at the fake Slack. The config is the shipped one
with one alert rule that fires on any rise (`jump` of 1 point), no quiet hours and no
cooldown or storm limits, so every sample event yields one alert.
Run: python bench/bench_alerts.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import yaml
from common import ROOT, emit, percentile
from serving import INGEST_TOKEN, free_port, seed_demo, start_serve

sys.path.insert(0, str(ROOT))

from bench_ingest import LEADS

from tests.slack_fake import FakeSlack

SAMPLES = 60


def bench_config(tmp: Path) -> str:
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    config["alerts"].update(
        quiet_hours=None,
        cooldown_minutes=0,
        storm={"max_alerts": 10_000, "window_minutes": 1},
        routes=[],
        rules=[{"id": "any_rise", "kind": "jump", "points": 1, "window_hours": 24}],
    )
    path = tmp / "config.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return str(path)


async def measure(base: str, fake: FakeSlack, emails: list[str]) -> list[float]:
    samples: list[float] = []
    headers = {"Authorization": f"Bearer {INGEST_TOKEN}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        for email in emails:
            event: dict[str, Any] = {
                "type": "track",
                "event": "Demo Requested",
                "messageId": uuid.uuid4().hex,
                "properties": {"email": email},
            }
            r = await client.post("/events", json=event)
            answered = time.perf_counter()
            assert r.status_code == 200 and r.json()["accepted"] == 1, r.text
            try:
                await fake.wait_for_async("chat.postMessage", where=_about(email), timeout=3)
            except AssertionError:  # the event did not raise this lead (capped): no alert
                continue
            samples.append((time.perf_counter() - answered) * 1000)
            await asyncio.sleep(0.05)
    return samples


def _about(email: str) -> Any:
    return lambda call: email in str(call.params.get("blocks"))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as fake:
        url = f"sqlite:///{Path(tmp) / 'alerts.db'}"
        emails = seed_demo(url, LEADS)
        port = free_port()
        proc = start_serve(url, fake, port, config=bench_config(Path(tmp)))
        try:
            samples = asyncio.run(measure(f"http://127.0.0.1:{port}", fake, emails[:SAMPLES]))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        posted = len(fake.find_messages(event_type="qualibot_alert"))
    emit(
        "alerts",
        {
            "events": SAMPLES,
            "samples": len(samples),
            "alerts_posted": posted,
            "event_to_alert_p50_ms": round(percentile(samples, 50), 1),
            "event_to_alert_p95_ms": round(percentile(samples, 95), 1),
            "targets": {"event_to_alert_p95_ms": 1000},
        },
    )


if __name__ == "__main__":
    main()
