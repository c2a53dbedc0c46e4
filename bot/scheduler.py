"""Background schedules of `qualibot serve`: digests, the daily decay rescore, poll jobs.

One APScheduler 3 `AsyncIOScheduler` (in-memory job store) per process. Every replica
schedules everything; the `digest_runs` claim (see `bot.digest_runs`) makes each digest
and each decay rescore run once per fire time. APScheduler passes no fire time to a job,
so a job computes it from its trigger: the newest fire time in (now − misfire grace, now].
On start, `catch_up` does the same for every schedule, so a fire time missed while no
replica was up still runs once when one starts within the grace period.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine

from bot.bulk_scoring import RescoreSummary, rescore_all
from bot.digest_runs import LEASE, Outcome, Refused, claim_run, finish_run, post_digest
from bot.storage.column_types import utcnow
from scoring.config import ScoringConfig

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Job = Callable[[], Awaitable[Any]]
DECAY_JOB = "job:decay_rescore"  # its runs share digest_runs; digest names cannot contain ':'
DECAY_LEASE = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class IntervalJob:
    """An extra periodic coroutine job, e.g. the alert outbox poll or conversation nudges."""

    id: str
    func: Job
    seconds: float


def latest_fire_time(trigger: CronTrigger, now: datetime, grace: timedelta) -> datetime | None:
    """The newest fire time of `trigger` in (now − grace, now], in UTC; None if there is none."""
    start = now - grace + timedelta(microseconds=1)
    fire = trigger.get_next_fire_time(None, start)
    last = None
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return None if last is None else last.astimezone(UTC)


class Scheduler:
    """The process's schedules; `start()` inside the event loop, `await shutdown()` to stop."""

    def __init__(
        self,
        engine: Engine,
        client: AsyncWebClient,
        config: ScoringConfig,
        *,
        clock: Clock = utcnow,
        lease: timedelta = LEASE,
        decay_workers: int = 1,
    ) -> None:
        self.engine, self.client, self.config = engine, client, config
        self.clock, self.lease, self.decay_workers = clock, lease, decay_workers
        self.grace = timedelta(seconds=config.jobs.misfire_grace_seconds)
        self.apscheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                "misfire_grace_time": config.jobs.misfire_grace_seconds,
                "coalesce": True,
                "max_instances": 1,
            },
        )
        self._running: set[asyncio.Task[Any]] = set()
        self.triggers: dict[str, CronTrigger] = {
            name: CronTrigger.from_crontab(spec.cron, timezone=spec.timezone)
            for name, spec in config.digests.items()
        }
        self.triggers[DECAY_JOB] = CronTrigger.from_crontab(
            config.jobs.decay_rescore_cron, timezone=config.jobs.timezone
        )
        for name, trigger in self.triggers.items():
            self.apscheduler.add_job(
                self._tracked(self._cron_job), trigger, args=[name], id=name, name=name
            )

    # -------------------------------------------------------------- lifecycle and hooks

    def add_interval_job(self, func: Job, seconds: float, *, id: str | None = None) -> None:
        """Run `func()` every `seconds` (coalesced, one instance at a time)."""
        job_id = id or getattr(func, "__name__", repr(func))
        self.apscheduler.add_job(
            self._tracked(func), "interval", seconds=seconds, id=job_id, name=job_id
        )

    def start(self, *, catch_up: bool = True) -> None:
        """Start firing (needs a running event loop); catch up missed fire times in the
        background unless `catch_up` is False."""
        self.apscheduler.start()
        if catch_up:
            self._spawn(self.catch_up())

    async def shutdown(self, timeout: float | None = 300) -> None:
        """Stop scheduling, let running jobs finish (up to `timeout` s), then stop.

        (APScheduler's own `shutdown(wait=True)` cancels running coroutine jobs.)
        """
        if self.apscheduler.running:
            self.apscheduler.pause()
        if self._running:
            await asyncio.wait(set(self._running), timeout=timeout)
        if self.apscheduler.running:
            self.apscheduler.shutdown(wait=False)  # deferred to the loop by AsyncIOScheduler
            await asyncio.sleep(0)

    def _spawn(self, coro: Awaitable[Any]) -> None:
        async def run() -> Any:
            return await coro

        task = asyncio.get_running_loop().create_task(run())
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    def _tracked(self, func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def job(*args: Any) -> Any:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                return await func(*args)
            finally:
                if task is not None:
                    self._running.discard(task)

        job.__name__ = getattr(func, "__name__", "job")
        return job

    # -------------------------------------------------------------- the scheduled work

    async def _cron_job(self, name: str) -> None:
        fire = latest_fire_time(self.triggers[name], self.clock(), self.grace)
        if fire is None:
            log.warning("%s fired with no fire time within the misfire grace", name)
            return
        await self.run(name, fire)

    async def run(self, name: str, scheduled_for: datetime) -> Outcome | RescoreSummary | None:
        """Run schedule `name` (a digest or DECAY_JOB) for one fire time, exactly once."""
        if name == DECAY_JOB:
            return await self.run_decay(scheduled_for)
        return await self.run_digest(name, scheduled_for)

    async def catch_up(self) -> dict[str, Outcome | RescoreSummary | None]:
        """Run every schedule's newest fire time within the misfire grace that has not run
        (a no-op for those that have: the claim refuses)."""
        now, done = self.clock(), {}
        for name, trigger in self.triggers.items():
            fire = latest_fire_time(trigger, now, self.grace)
            if fire is not None:
                done[name] = await self.run(name, fire)
        return done

    async def run_digest(self, name: str, scheduled_for: datetime) -> Outcome:
        """Post digest `name` for `scheduled_for` unless it already went out; when another
        replica holds the run, retry when its lease ends (if still within the grace)."""
        outcome = await post_digest(
            self.engine, self.client, name, self.config, scheduled_for, self.clock, self.lease
        )
        retry = outcome.retry_at
        if retry is not None and retry <= scheduled_for + self.grace and self.apscheduler.running:
            self.apscheduler.add_job(
                self._tracked(self.run_digest),
                "date",
                run_date=retry + timedelta(seconds=1),
                args=[name, scheduled_for],
                id=f"{name}:retry:{scheduled_for.isoformat()}",
                replace_existing=True,
            )
        return outcome

    async def run_decay(self, scheduled_for: datetime) -> RescoreSummary | None:
        """Rescore every lead at the current time (so scores decay without new events),
        recording changes with reason "decay"; None when another replica ran it."""
        claim = await asyncio.to_thread(
            claim_run, self.engine, DECAY_JOB, scheduled_for, self.clock(), DECAY_LEASE
        )
        if isinstance(claim, Refused):
            return None
        url = self.engine.url.render_as_string(hide_password=False)
        try:
            summary = await asyncio.to_thread(
                rescore_all,
                url,
                self.config,
                self.clock(),
                workers=self.decay_workers,
                reason="decay",
            )
        except Exception:
            log.exception("decay rescore for %s failed", scheduled_for.isoformat())
            await asyncio.to_thread(finish_run, self.engine, claim.run_id, self.clock(), ok=False)
            return None
        await asyncio.to_thread(finish_run, self.engine, claim.run_id, self.clock(), ok=True)
        log.info("decay rescore: %d leads, %d changed", summary.leads, summary.changed)
        return summary


def make_scheduler(
    engine: Engine,
    client: AsyncWebClient,
    config: ScoringConfig,
    *,
    extra_jobs: Iterable[IntervalJob] = (),
    clock: Clock = utcnow,
    lease: timedelta = LEASE,
) -> Scheduler:
    """The schedules from `config` plus `extra_jobs`; call `.start()` in the event loop."""
    scheduler = Scheduler(engine, client, config, clock=clock, lease=lease)
    for job in extra_jobs:
        scheduler.add_interval_job(job.func, job.seconds, id=job.id)
    return scheduler
