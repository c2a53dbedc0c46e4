"""The scheduler's jobs: registration, interval hooks, graceful shutdown, the decay rescore."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apscheduler.triggers.cron import CronTrigger
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.bulk_scoring import rescore_all
from bot.digests import build_digest
from bot.scheduler import DECAY_JOB, IntervalJob, Scheduler, latest_fire_time, make_scheduler
from bot.storage.tables import Alert, Answer, Event, Lead, LeadScore, ScoreChange
from scoring.config import ScoringConfig
from tests.scheduling.conftest import MORNING

TIER_RANK = {"cold": 0, "warm": 1, "hot": 2}


def test_latest_fire_time_in_the_digest_time_zone() -> None:
    trigger = CronTrigger.from_crontab("0 8 * * mon-fri", timezone="America/New_York")
    grace = timedelta(hours=1)
    assert latest_fire_time(trigger, MORNING, grace) == MORNING  # exactly at the fire time
    assert latest_fire_time(trigger, MORNING + timedelta(minutes=59), grace) == MORNING
    assert latest_fire_time(trigger, MORNING + timedelta(minutes=61), grace) is None
    assert latest_fire_time(trigger, MORNING - timedelta(seconds=1), grace) is None
    saturday = MORNING + timedelta(days=1)
    assert latest_fire_time(trigger, saturday, grace) is None
    every = CronTrigger.from_crontab("*/10 * * * *", timezone="UTC")
    at = datetime(2026, 11, 20, 13, 25, tzinfo=UTC)
    assert latest_fire_time(every, at, grace) == datetime(2026, 11, 20, 13, 20, tzinfo=UTC)


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_jobs_hooks_and_graceful_shutdown(
    engine: Engine, fake_slack_client: AsyncWebClient, config: ScoringConfig
) -> None:
    ticks: list[int] = []
    started, finished = asyncio.Event(), asyncio.Event()

    async def tick() -> None:
        ticks.append(1)

    async def slow() -> None:
        started.set()
        await asyncio.sleep(0.3)
        finished.set()

    sched = make_scheduler(
        engine, fake_slack_client, config, extra_jobs=[IntervalJob("outbox", tick, 0.02)]
    )
    sched.add_interval_job(slow, 0.05, id="nudges")
    sched.start(catch_up=False)
    jobs = {job.id: job for job in sched.apscheduler.get_jobs()}
    assert set(jobs) == {"morning", "weekly_review", DECAY_JOB, "outbox", "nudges"}
    morning = jobs["morning"]
    assert (morning.misfire_grace_time, morning.coalesce, morning.max_instances) == (
        3600,
        True,
        1,
    )
    assert str(morning.trigger.timezone) == "America/New_York"
    assert str(jobs[DECAY_JOB].trigger) == str(
        CronTrigger.from_crontab("30 3 * * *", timezone="UTC")
    )
    await asyncio.wait_for(started.wait(), 5)
    await sched.shutdown()
    assert finished.is_set()  # the running job was let finish, not cancelled
    assert ticks and not sched.apscheduler.running


def _hot_lead(session: Session, at: datetime) -> int:
    lead = Lead(
        email="cfo@bigco.com",
        domain="bigco.com",
        company="BigCo",
        title="CFO",
        industry="Software",
        company_size=2000,
        country="US",
    )
    session.add(lead)
    session.flush()
    assert lead.id is not None
    events = [("demo_requested", {}), ("content_downloaded", {"asset": "roi"})] + [
        ("page_viewed", {"path": "/pricing"}) for _ in range(4)
    ]
    answers: list[tuple[str, dict[str, Any]]] = [
        ("budget", {"status": "confirmed", "amount": 90000.0, "currency": "USD", "period": "year"}),
        ("authority", {"role": "decision_maker", "person": None, "title": "CFO"}),
        ("need", {"level": "critical", "pains": ["manual reporting"]}),
    ]
    session.add_all(
        Answer(lead_id=lead.id, slot=slot, value=value, answered_at=at, source="test")
        for slot, value in answers
    )
    session.add_all(
        Event(
            lead_id=lead.id,
            dedupe_key=f"e{n}",
            type=kind,
            properties=props,
            occurred_at=at - timedelta(hours=n),
            source="test",
        )
        for n, (kind, props) in enumerate(events)
    )
    session.commit()
    return lead.id


async def test_decay_rescore_records_tier_drops_without_alerts(
    engine: Engine, db_url: str, fake_slack_client: AsyncWebClient, config: ScoringConfig
) -> None:
    t0 = datetime(2026, 6, 1, 12, tzinfo=UTC)
    with Session(engine) as s:
        lead_id = _hot_lead(s, t0)
    rescore_all(db_url, config, t0, workers=1)
    with Session(engine) as s:
        before = s.get(LeadScore, lead_id)
        assert before is not None and before.tier in ("hot", "warm")

    later = t0 + timedelta(days=200)
    fire = later - timedelta(minutes=1)
    sched = Scheduler(engine, fake_slack_client, config, clock=lambda: later)
    summary = await sched.run_decay(fire)
    assert summary is not None and summary.leads == 1 and summary.changed == 1
    assert await sched.run_decay(fire) is None  # another replica's run of the same time

    with Session(engine) as s:
        after = s.get(LeadScore, lead_id)
        assert after is not None and TIER_RANK[after.tier] < TIER_RANK[before.tier]
        change = s.exec(select(ScoreChange).where(col(ScoreChange.reason) == "decay")).one()
        assert (change.old_tier, change.new_tier) == (before.tier, after.tier)
        assert change.at == later
        assert s.exec(select(func.count()).select_from(Alert)).one() == 0
        digest = build_digest(s, "morning", config.digests["morning"], later, config)
    cooled = next(p for p in digest.sections if p.kind == "cooled")
    assert [(r.lead.lead_id, r.reason) for r in cooled.rows] == [(lead_id, "decay")]  # type: ignore[union-attr]
