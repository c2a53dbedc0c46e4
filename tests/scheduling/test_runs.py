"""Exactly-once digests: concurrent replicas, restarts within the misfire grace, takeover of
a crashed run. Posts go to the fake Slack; the clock is injected, nothing waits for cron."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.digest_runs import LEASE, Claim, Refused, claim_run, get_run, metadata
from bot.scheduler import Scheduler
from bot.slack.client import make_client
from bot.storage.database import make_engine
from bot.storage.tables import DigestRun
from scoring.config import ScoringConfig
from tests.scheduling.conftest import MORNING
from tests.slack_fake import BOT_TOKEN, FakeSlack

EVENT = "qualibot_digest"


def _replica(
    db_url: str, fake: FakeSlack, config: ScoringConfig, now: datetime
) -> tuple[Scheduler, Engine]:
    """A fresh process: its own engine, Slack client and scheduler, frozen at `now`."""
    engine = make_engine(db_url)
    client = make_client(BOT_TOKEN, fake.base_url)
    return Scheduler(engine, client, config, clock=lambda: now), engine


def _digests(fake: FakeSlack) -> list[dict]:
    return fake.find_messages(event_type=EVENT)


def test_claim_is_won_by_exactly_one_of_many_threads(engine: Engine, db_url: str) -> None:
    engines = [make_engine(db_url) for _ in range(6)]
    barrier = threading.Barrier(len(engines))
    results: list[Claim | Refused] = []

    def race(eng: Engine) -> None:
        barrier.wait()
        results.append(claim_run(eng, "morning", MORNING, MORNING))

    threads = [threading.Thread(target=race, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in engines:
        e.dispose()
    assert sum(isinstance(r, Claim) for r in results) == 1
    assert all(r == Refused("running", MORNING + LEASE) for r in results if isinstance(r, Refused))


@pytest.mark.postgres
@pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)
async def test_two_replicas_firing_together_post_once(
    db_url: str, engine: Engine, fake_slack: FakeSlack, config: ScoringConfig
) -> None:
    now = MORNING + timedelta(seconds=1)
    replicas = [_replica(db_url, fake_slack, config, now) for _ in range(2)]
    for fire in (MORNING, MORNING + timedelta(days=1), MORNING + timedelta(days=2)):
        outcomes = await asyncio.gather(*(s.run_digest("morning", fire) for s, _ in replicas))
        assert sorted(o.status for o in outcomes) == ["posted", "refused"]
    for _, eng in replicas:
        eng.dispose()
    posted = _digests(fake_slack)
    assert len(posted) == 3
    assert [m["metadata"]["event_payload"]["scheduled_for"] for m in posted] == [
        (MORNING + timedelta(days=d)).isoformat() for d in range(3)
    ]
    with Session(engine) as s:
        runs = s.exec(select(DigestRun)).all()
    assert len(runs) == 3 and {r.status for r in runs} == {"done"}
    assert {r.message_ts for r in runs} == {m["ts"] for m in posted}


async def test_restart_within_grace_sends_once(
    db_url: str, engine: Engine, fake_slack: FakeSlack, config: ScoringConfig
) -> None:
    # Down at 08:00 New York; a replica starts at 08:10: it sends the 08:00 digest, late.
    first, eng1 = _replica(db_url, fake_slack, config, MORNING + timedelta(minutes=10))
    done = await first.catch_up()
    assert list(done) == ["morning"]  # weekly_review and the decay rescore are not due
    outcome = done["morning"]
    assert outcome is not None and getattr(outcome, "status", None) == "posted"
    [message] = _digests(fake_slack)
    assert message["metadata"] == metadata("morning", MORNING)
    assert fake_slack.calls_to("chat.postMessage")[0].params["channel"] == "#sales"

    # Restarted again at 08:40: the run row says done, nothing is resent.
    second, eng2 = _replica(db_url, fake_slack, config, MORNING + timedelta(minutes=40))
    again = await second.catch_up()
    assert getattr(again["morning"], "status", None) == "refused"
    assert len(_digests(fake_slack)) == 1
    run = get_run(engine, "morning", MORNING)
    assert run is not None and run.status == "done" and run.message_ts == message["ts"]

    # Started after the grace period (09:30): too late, nothing is sent.
    late, eng3 = _replica(db_url, fake_slack, config, MORNING + timedelta(minutes=90))
    assert await late.catch_up() == {}
    for e in (eng1, eng2, eng3):
        e.dispose()


async def test_cron_job_computes_its_fire_time(
    db_url: str, fake_slack: FakeSlack, config: ScoringConfig
) -> None:
    sched, eng = _replica(db_url, fake_slack, config, MORNING + timedelta(seconds=3))
    await sched._cron_job("morning")  # what APScheduler calls at the fire time
    await sched._cron_job("morning")  # a second fire for the same time (another replica)
    eng.dispose()
    [message] = _digests(fake_slack)
    assert message["metadata"]["event_payload"]["scheduled_for"] == "2026-11-20T13:00:00+00:00"


def _crash_after_claim(engine: Engine, at: datetime) -> int:
    claim = claim_run(engine, "morning", MORNING, at)
    assert isinstance(claim, Claim)
    return claim.run_id


async def test_crashed_run_that_posted_is_not_reposted(
    db_url: str, engine: Engine, fake_slack: FakeSlack, config: ScoringConfig
) -> None:
    started = MORNING + timedelta(seconds=5)
    _crash_after_claim(engine, started)
    client = make_client(BOT_TOKEN, fake_slack.base_url)
    posted = await client.chat_postMessage(
        channel="#sales", text="Morning digest", metadata=metadata("morning", MORNING)
    )
    # ... the process died before marking the run done.

    early, eng1 = _replica(db_url, fake_slack, config, started + LEASE / 2)
    held = await early.run_digest("morning", MORNING)
    assert held.status == "refused" and held.retry_at == started + LEASE

    later, eng2 = _replica(db_url, fake_slack, config, started + LEASE + timedelta(seconds=1))
    outcome = await later.run_digest("morning", MORNING)
    assert (outcome.status, outcome.message_ts) == ("found", posted["ts"])
    assert len(_digests(fake_slack)) == 1
    run = get_run(engine, "morning", MORNING)
    assert run is not None and (run.status, run.message_ts) == ("done", posted["ts"])
    for e in (eng1, eng2):
        e.dispose()


async def test_crashed_run_that_did_not_post_is_posted_on_takeover(
    db_url: str, engine: Engine, fake_slack: FakeSlack, config: ScoringConfig
) -> None:
    _crash_after_claim(engine, MORNING)
    sched, eng = _replica(db_url, fake_slack, config, MORNING + LEASE + timedelta(seconds=1))
    outcome = await sched.run_digest("morning", MORNING)
    assert outcome.status == "posted"
    assert fake_slack.calls_to("conversations.history")[0].params["include_all_metadata"]
    assert len(_digests(fake_slack)) == 1
    assert (await sched.run_digest("morning", MORNING)).status == "refused"
    eng.dispose()


async def test_failed_post_is_marked_and_retried(
    db_url: str, engine: Engine, fake_slack: FakeSlack, config: ScoringConfig
) -> None:
    fake_slack.fail_next("chat.postMessage", "channel_not_found")
    sched, eng = _replica(db_url, fake_slack, config, MORNING)
    assert (await sched.run_digest("morning", MORNING)).status == "failed"
    run = get_run(engine, "morning", MORNING)
    assert run is not None and run.status == "failed"
    assert (await sched.run_digest("morning", MORNING)).status == "posted"
    assert len(_digests(fake_slack)) == 1
    eng.dispose()
