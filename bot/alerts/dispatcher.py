"""The alert dispatcher: claims due outbox rows, posts them to Slack, marks them sent.

Exactly once, even with several replicas and crashes:
- a claim is one UPDATE … WHERE id IN (SELECT … LIMIT n [FOR UPDATE SKIP LOCKED on
  PostgreSQL]) RETURNING: it sets a lease (owner, until) and counts the attempt, so two
  dispatchers never hold the same row and a row whose lease expired can be taken over;
- every message carries `metadata` {event_type: qualibot_alert, alert_id}; a row claimed
  for a second time (attempts > 1: an earlier attempt failed, crashed or timed out, maybe
  after Slack had it) is first looked up in `conversations.history` and only marked sent
  when found;
- errors back off exponentially (at least Slack's Retry-After), "failed" after
  `max_attempts`. Rows claimed but not posted when `stop()` runs are released.

Storm control: when a channel got `storm.max_alerts` messages within `storm.window_minutes`,
further alerts wait `rollup_hold` and go out as ONE rollup message: an alert row of kind
"rollup" (the first rolled-up alert's lead, payload listing the others) that their
`rollup_id` points at; they are marked sent with the rollup's ts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine, func, or_, select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from bot.alerts.outbox import ROLLUP
from bot.metrics import ALERT_LATENCY_SECONDS, ALERTS_FAILED, ALERTS_SENT
from bot.slack.alert_blocks import alert_blocks, alert_text, rollup_blocks, rollup_text
from bot.slack.history import channel_id, find_message
from bot.storage.column_types import utcnow
from bot.storage.tables import Alert
from scoring.config import ScoringConfig

log = logging.getLogger(__name__)

EVENT_TYPE = "qualibot_alert"
CLOCK_SKEW = timedelta(minutes=5)  # Slack's clock vs ours when searching the history


@dataclass(slots=True)
class _Job:
    id: int
    lead_id: int
    kind: str
    channel: str
    slack_channel: str | None
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    due_at: datetime

    @property
    def suspect(self) -> bool:
        """Claimed before: an earlier attempt may have reached Slack."""
        return self.attempts > 1


def _job(a: Alert) -> _Job:
    assert a.id is not None
    return _Job(
        a.id,
        a.lead_id,
        a.kind,
        a.channel,
        a.slack_channel,
        a.payload,
        a.attempts,
        a.created_at,
        a.due_at,
    )


def _error_text(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return f"slack: {exc.response.get('error')}"
    return f"{type(exc).__name__}: {exc}"[:500]


def _retry_after(exc: Exception) -> float:
    if isinstance(exc, SlackApiError) and exc.response.status_code == 429:
        try:
            return float(exc.response.headers.get("Retry-After", 0))
        except (TypeError, ValueError):
            return 0.0
    return 0.0


class Dispatcher:
    """Posts due alerts; `run_forever` in the server, `wake()` after a commit that queued one."""

    def __init__(
        self,
        engine: Engine,
        client: AsyncWebClient,
        config: ScoringConfig,
        owner: str,
        now: Callable[[], datetime] = utcnow,
        *,
        lease_seconds: float = 120,
        max_attempts: int = 6,
        batch_size: int = 100,
        backoff_seconds: float = 30,
        rollup_hold_seconds: float = 30,
        wake_gap_seconds: float = 0.25,
    ) -> None:
        self.engine = engine
        self.client = client
        self.config = config
        self.owner = owner
        self.now = now
        self.lease = timedelta(seconds=lease_seconds)
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.backoff = backoff_seconds
        self.rollup_hold = timedelta(seconds=rollup_hold_seconds)
        self.wake_gap = wake_gap_seconds
        self._wake = asyncio.Event()
        self._pass = asyncio.Lock()
        self._stopping = False
        self._stopped = asyncio.Event()
        self._running = False
        self._held: set[int] = set()  # claimed by this pass, not posted yet
        self._channel_ids: dict[str, str] = {}

    # ------------------------------------------------------------ lifecycle

    def wake(self) -> None:
        """Run a pass soon (call after committing a transaction that queued alerts)."""
        self._wake.set()

    async def run_forever(self, poll_seconds: float = 5) -> None:
        """Passes on `wake()` and at least every `poll_seconds`, until `stop()`.

        A wake within `wake_gap_seconds` of the last pass's start waits for the gap to
        end: busy ingest wakes it after every request, and one pass then posts what all
        of them queued (each pass costs a claim, a storm count, a release).
        """
        self._running, self._stopping = True, False
        self._stopped.clear()
        clock = asyncio.get_running_loop()
        try:
            while not self._stopping:
                self._wake.clear()
                started = clock.time()
                try:
                    claimed = await self.run_once()
                except Exception:
                    log.exception("alert dispatcher %s: pass failed", self.owner)
                    claimed = 0
                if claimed >= self.batch_size or self._stopping:
                    continue
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(poll_seconds):  # no helper task, unlike wait_for
                        await self._wake.wait()
                gap = started + self.wake_gap - clock.time()
                if gap > 0 and not self._stopping:
                    await asyncio.sleep(gap)
        finally:
            self._running = False
            self._stopped.set()

    async def stop(self) -> None:
        """Finish the post in flight, release the rows claimed but not posted, stop."""
        self._stopping = True
        self._wake.set()
        async with self._pass:
            pass
        if self._running:
            await self._stopped.wait()

    # ------------------------------------------------------------ one pass

    async def run_once(self) -> int:
        """Claim due alerts, post them (or roll them up); return how many were claimed."""
        async with self._pass:
            jobs = await asyncio.to_thread(self._claim)
            self._held = {j.id for j in jobs}
            jobs.sort(key=lambda j: (j.channel, j.due_at, j.id))
            for channel, group in groupby(jobs, key=lambda j: j.channel):
                singles, excess = await asyncio.to_thread(self._storm_split, channel, list(group))
                for job in singles:
                    if self._stopping:
                        break
                    await self._deliver(job)
                if excess and not self._stopping:
                    rollup = await asyncio.to_thread(self._make_rollup, channel, excess)
                    await self._deliver(rollup)
            if self._held:
                await asyncio.to_thread(self._release, sorted(self._held))
                self._held = set()
            return len(jobs)

    def _claim(self) -> list[_Job]:
        now = self.now()
        with Session(self.engine) as session, session.begin():
            due = (
                select(col(Alert.id))
                .where(
                    col(Alert.status) == "pending",
                    col(Alert.rollup_id).is_(None),
                    col(Alert.due_at) <= now,
                    or_(col(Alert.lease_until).is_(None), col(Alert.lease_until) < now),
                )
                .order_by(col(Alert.due_at), col(Alert.id))
                .limit(self.batch_size)
            )
            if self.engine.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            ids = session.scalars(
                update(Alert)
                .where(col(Alert.id).in_(due.scalar_subquery()))
                .values(
                    lease_owner=self.owner,
                    lease_until=now + self.lease,
                    attempts=col(Alert.attempts) + 1,
                )
                .returning(col(Alert.id))
            ).all()
            if not ids:
                return []
            rows = session.scalars(select(Alert).where(col(Alert.id).in_(ids))).all()
            return [_job(a) for a in rows]

    def _storm_split(self, channel: str, jobs: list[_Job]) -> tuple[list[_Job], list[_Job]]:
        """(post one by one, roll up): over the channel's budget, fresh alerts roll up."""
        storm = self.config.alerts.storm
        now = self.now()
        with Session(self.engine) as session:
            recent = session.execute(
                select(func.count())
                .select_from(Alert)
                .where(
                    col(Alert.channel) == channel,
                    col(Alert.status) == "sent",
                    col(Alert.rollup_id).is_(None),
                    col(Alert.sent_at) >= now - timedelta(minutes=storm.window_minutes),
                )
            ).scalar_one()
        budget = max(0, storm.max_alerts - recent)
        singles = [j for j in jobs if j.kind == ROLLUP or j.suspect]
        fresh = [j for j in jobs if j.kind != ROLLUP and not j.suspect]
        singles += fresh[:budget]
        excess = fresh[budget:]
        if not excess:
            return singles, []
        ripe = len(excess) >= storm.max_alerts or min(j.due_at for j in excess) <= (
            now - self.rollup_hold
        )
        if not ripe:  # wait for more to gather into one rollup
            self._release([j.id for j in excess])
            self._held.difference_update(j.id for j in excess)
            return singles, []
        return singles, excess

    def _make_rollup(self, channel: str, excess: list[_Job]) -> _Job:
        now = self.now()
        ids = [j.id for j in excess]
        with Session(self.engine) as session, session.begin():
            rollup = Alert(
                lead_id=excess[0].lead_id,
                kind=ROLLUP,
                rule_id="storm",
                channel=channel,
                dedupe_key=f"rollup:{ids[0]}",
                payload={"alerts": ids, "items": [j.payload for j in excess]},
                status="pending",
                due_at=now,
                attempts=1,
                lease_owner=self.owner,
                lease_until=now + self.lease,
                created_at=now,
            )
            session.add(rollup)
            session.flush()
            session.execute(
                update(Alert)
                .where(col(Alert.id).in_(ids))
                .values(
                    rollup_id=rollup.id,
                    lease_owner=None,
                    lease_until=None,
                    attempts=col(Alert.attempts) - 1,
                )
            )
            job = _job(rollup)
        self._held.difference_update(ids)
        log.warning(
            "alert storm in %s: %d alerts rolled up into alert %s", channel, len(ids), job.id
        )
        return job

    def _release(self, ids: list[int]) -> None:
        """Give back rows claimed but never posted (the claim's attempt does not count)."""
        with Session(self.engine) as session, session.begin():
            session.execute(
                update(Alert)
                .where(
                    col(Alert.id).in_(ids),
                    col(Alert.lease_owner) == self.owner,
                    col(Alert.status) == "pending",
                )
                .values(lease_owner=None, lease_until=None, attempts=col(Alert.attempts) - 1)
            )

    # ------------------------------------------------------------ posting

    async def _deliver(self, job: _Job) -> None:
        self._held.discard(job.id)  # from here on it may reach Slack: never released
        try:
            found = await self._find_posted(job) if job.suspect else None
            if found is None:
                blocks, text = self._render(job)
                resp = await self.client.chat_postMessage(
                    channel=job.channel,
                    blocks=blocks,
                    text=text,
                    metadata={"event_type": EVENT_TYPE, "event_payload": {"alert_id": job.id}},
                    unfurl_links=False,
                    unfurl_media=False,
                )
                found = str(resp["ts"]), str(resp["channel"])
                self._channel_ids[job.channel] = found[1]
            else:
                log.info("alert %s was already in %s (ts %s): marked sent", job.id, *found[::-1])
        except Exception as exc:
            await asyncio.to_thread(self._mark_failed, job, exc)
            return
        await asyncio.to_thread(self._mark_sent, job, *found)

    @staticmethod
    def _render(job: _Job) -> tuple[list[dict[str, Any]], str]:
        if job.kind == ROLLUP:
            items = job.payload["items"]
            return rollup_blocks(items), rollup_text(len(items))
        return alert_blocks(job.payload), alert_text(job.payload)

    def _mark_sent(self, job: _Job, ts: str, channel_id: str) -> None:
        now = self.now()
        sent = {"status": "sent", "slack_ts": ts, "slack_channel": channel_id, "sent_at": now}
        with Session(self.engine) as session, session.begin():
            session.execute(
                update(Alert)
                .where(col(Alert.id) == job.id)
                .values(**sent, lease_owner=None, lease_until=None, error=None)
            )
            if job.kind == ROLLUP:
                session.execute(update(Alert).where(col(Alert.rollup_id) == job.id).values(**sent))
        ALERTS_SENT.labels(job.kind).inc()
        ALERT_LATENCY_SECONDS.observe(max(0.0, (now - job.created_at).total_seconds()))

    def _mark_failed(self, job: _Job, exc: Exception) -> None:
        error = _error_text(exc)
        ALERTS_FAILED.inc()
        failed = job.attempts >= self.max_attempts
        delay = max(self.backoff * 2 ** (job.attempts - 1), _retry_after(exc))
        values: dict[str, Any] = {"error": error, "lease_owner": None, "lease_until": None}
        if failed:
            values["status"] = "failed"
        else:
            values["due_at"] = self.now() + timedelta(seconds=min(delay, 3600))
        with Session(self.engine) as session, session.begin():
            session.execute(update(Alert).where(col(Alert.id) == job.id).values(**values))
            if failed and job.kind == ROLLUP:
                session.execute(
                    update(Alert)
                    .where(col(Alert.rollup_id) == job.id)
                    .values(status="failed", error=f"rollup {job.id} failed: {error}")
                )
        log.warning(
            "alert %s (%s, lead %s) to %s: attempt %d/%d failed: %s%s",
            job.id,
            job.kind,
            job.lead_id,
            job.channel,
            job.attempts,
            self.max_attempts,
            error,
            " (giving up)" if failed else f" (retry in {min(delay, 3600):.0f}s)",
        )

    # ------------------------------------------------------------ was it posted already?

    async def _find_posted(self, job: _Job) -> tuple[str, str] | None:
        """(ts, channel id) of an earlier post of this alert, found by its metadata."""
        channel = job.slack_channel or await self._channel_id(job.channel)

        def is_this_alert(meta: dict[str, Any]) -> bool:
            payload = meta.get("event_payload") or {}
            return meta.get("event_type") == EVENT_TYPE and payload.get("alert_id") == job.id

        try:
            ts = await find_message(
                self.client, channel, job.created_at - CLOCK_SKEW, is_this_alert
            )
        except SlackApiError as exc:
            if exc.response.status_code == 429:
                raise
            log.warning(
                "alert %s: cannot read %s to check for an earlier post (%s); posting it "
                "(grant channels:history/groups:history and invite the bot to avoid doubles)",
                job.id,
                job.channel,
                _error_text(exc),
            )
            return None
        return None if ts is None else (ts, channel)

    async def _channel_id(self, channel: str) -> str:
        """The id of a `#name` (conversations.history needs ids): from an earlier post's
        answer, else conversations.list; the name itself when neither knows it."""
        if not channel.startswith("#"):
            return channel
        if channel in self._channel_ids:
            return self._channel_ids[channel]
        known = await asyncio.to_thread(self._stored_channel_id, channel)
        if known is None:
            known = await channel_id(self.client, channel)
        if known is not None:
            self._channel_ids[channel] = known
        return known or channel

    def _stored_channel_id(self, channel: str) -> str | None:
        with Session(self.engine) as session:
            return session.scalars(
                select(col(Alert.slack_channel))
                .where(col(Alert.channel) == channel, col(Alert.slack_channel).is_not(None))
                .limit(1)
            ).first()
