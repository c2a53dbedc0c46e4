"""The Slack app under load, against the local fake Slack (tests/slack_fake).

Figures (issue 5): slash-command ack latency with 50 concurrent signed `/lead` requests
(p99 < 100 ms); a rep's DM answer → the next question posted (p95 < 300 ms); the idle
resident memory of `qualibot serve` (aim < 200 MB).
Run: python bench/bench_slack.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import httpx
import psutil
from common import ROOT, emit, percentile
from serving import free_port, seed_demo, start_serve

sys.path.insert(0, str(ROOT))

from tests.slack_fake import (
    SIGNING_SECRET,
    FakeSlack,
    event_body,
    message_event,
    signed_headers,
    slash_command_body,
)

LEADS = 300
CONCURRENT = 50
CONVERSATIONS = 15
ANSWERS = ("we have 80k confirmed", "she signs", "this is killing us", "end of next month")


def database(tmp: Path) -> tuple[str, list[str]]:
    url = f"sqlite:///{tmp / 'bench.db'}"
    return url, seed_demo(url, LEADS)


async def ack_latency(base: str, emails: list[str]) -> list[float]:
    """Time to the HTTP answer of each of CONCURRENT signed `/lead` requests sent at once.

    The load generator is aiohttp on warmed-up keep-alive connections: httpx alone adds
    ~200 ms to a burst of 50 on this host and would measure itself.
    """
    connector = aiohttp.TCPConnector(limit=CONCURRENT * 2)
    async with aiohttp.ClientSession(base_url=base, connector=connector) as session:

        async def one(i: int) -> float:
            body = slash_command_body("/lead", emails[i % len(emails)], user_id=f"U{i:04d}")
            headers = signed_headers(body, SIGNING_SECRET)
            start = time.perf_counter()
            async with session.post("/slack/events", data=body.encode(), headers=headers) as r:
                await r.read()
                assert r.status == 200, await r.text()
            return (time.perf_counter() - start) * 1000

        await asyncio.gather(*(one(i) for i in range(CONCURRENT)))  # warm-up, connections
        await asyncio.sleep(3)  # let the warm-up's lookups finish
        return list(await asyncio.gather(*(one(i) for i in range(CONCURRENT))))


async def answer_latency(base: str, fake: FakeSlack, emails: list[str]) -> list[float]:
    samples: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for n in range(CONVERSATIONS):
            rep = f"UREP{n:04d}"
            body = slash_command_body("/qualify", emails[n], user_id=rep)
            await client.post(
                "/slack/events", content=body, headers=signed_headers(body, SIGNING_SECRET)
            )
            posted = len(await fake.wait_for_async("chat.postMessage", n=1, where=_to(rep)))
            for answer in ANSWERS:
                event = message_event(answer, user=rep, client_msg_id=f"{rep}-{answer}")
                body = event_body(event)
                start = time.perf_counter()
                r = await client.post(
                    "/slack/events", content=body, headers=signed_headers(body, SIGNING_SECRET)
                )
                assert r.status_code == 200, r.text
                calls = await fake.wait_for_async(
                    "chat.postMessage", n=posted + 1, where=_to(rep), timeout=30
                )
                samples.append((time.perf_counter() - start) * 1000)
                posted = len(calls)
    return samples


def _to(rep: str):  # type: ignore[no-untyped-def]
    return lambda call: call.params.get("channel") == f"D{rep}"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as fake:
        url, emails = database(Path(tmp))
        port = free_port()
        proc = start_serve(url, fake, port)
        try:
            time.sleep(2)
            rss = psutil.Process(proc.pid).memory_info().rss / 2**20
            base = f"http://127.0.0.1:{port}"
            acks = asyncio.run(ack_latency(base, emails))
            answers = asyncio.run(answer_latency(base, fake, emails))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    emit(
        "slack",
        {
            "concurrent_slash_commands": CONCURRENT,
            "ack_p50_ms": round(percentile(acks, 50), 1),
            "ack_p99_ms": round(percentile(acks, 99), 1),
            "answer_to_next_question_samples": len(answers),
            "answer_p50_ms": round(percentile(answers, 50), 1),
            "answer_p95_ms": round(percentile(answers, 95), 1),
            "serve_idle_rss_mb": round(rss, 1),
            "targets": {"ack_p99_ms": 100, "answer_p95_ms": 300, "serve_idle_rss_mb": 200},
        },
    )


if __name__ == "__main__":
    main()
