"""The alert dispatcher: claims due outbox rows, posts them to Slack, marks them sent.

Exactly once, even with several replicas and crashes:
- a claim is one transaction: it reads the due rows (SELECT … LIMIT n, FOR UPDATE SKIP
  LOCKED on PostgreSQL; SQLite transactions hold the write lock), then sets a lease
  (owner, until) on those to post and counts the attempt, so two dispatchers never hold
  the same row and a row whose lease expired can be taken over;
- every message carries `metadata` {event_type: qualibot_alert, alert_id}; a row claimed
  for a second time (attempts > 1: an earlier attempt failed, crashed or timed out, maybe
  after Slack had it) is first looked up in `conversations.history` and only marked sent
  when found;
- errors back off exponentially (at least Slack's Retry-After), "failed" after
  `max_attempts`. Rows claimed but not posted when `stop()` runs are released.

Storm control: when a channel got `storm.max_alerts` messages within `storm.window_minutes`,
further alerts wait `rollup_hold` (or until `max_alerts` of them, or a full batch, are
due) and go out as ONE rollup message: an alert row of kind "rollup" (the first
rolled-up alert's lead, payload listing the others), made in the claim's transaction,
that their `rollup_id` points at; they are marked sent with the rollup's ts. Waiting
alerts are only read by a pass, never leased, so a storm costs no writes per pass.
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
from sqlalchemy import Connection, Engine, func, insert, or_, select, update
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


_JOB_COLUMNS = (
    col(Alert.id),
    col(Alert.lead_id),
    col(Alert.kind),
    col(Alert.channel),
    col(Alert.slack_channel),
    col(Alert.payload),
    col(Alert.attempts),
    col(Alert.created_at),
    col(Alert.due_at),
)


@dataclass(slots=True, frozen=True)
class _Pass:
    seen: int  # due alerts taken up: posted, rolled up, or left pending by storm control
    post: list[_Job]  # leased to this dispatcher, to post in order


def _storm_split(jobs: list[_Job], budget: int) -> tuple[list[_Job], list[_Job]]:
    """One channel's due alerts, as read before their claim: (post one by one, storm
    excess). Rollups and retries always go one by one; fresh alerts up to `budget`,
    what the channel may still get within the storm window."""
    fresh = [j for j in jobs if j.kind != ROLLUP and j.attempts == 0]
    singles = [j for j in jobs if j.kind == ROLLUP or j.attempts > 0]
    budget = max(0, budget)
    return singles + fresh[:budget], fresh[budget:]


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
                    done = await self._run_pass()
                except Exception:
                    log.exception("alert dispatcher %s: pass failed", self.owner)
                    done = _Pass(0, [])
                # a full batch with something posted: more may be due behind it
                if (done.seen >= self.batch_size and done.post) or self._stopping:
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
        """Claim due alerts and post them (or roll them up); return how many due alerts
        the pass took up: posted, rolled up, or left pending by storm control."""
        return (await self._run_pass()).seen

    async def _run_pass(self) -> _Pass:
        async with self._pass:
            claimed = await asyncio.to_thread(self._claim)
            self._held = {j.id for j in claimed.post}
            for job in claimed.post:
                if self._stopping:
                    break
                await self._deliver(job)
            if self._held:
                await asyncio.to_thread(self._release, sorted(self._held))
                self._held = set()
            return claimed

    def _claim(self) -> _Pass:
        """One transaction: read the due rows (on PostgreSQL locked, skipping those another
        dispatcher holds) and the storm budget of their channels; lease the rows to post
        one by one, and fold each ripe storm excess into a rollup row, leased here. Storm
        excess not ripe yet is left as it was (no write)."""
        now = self.now()
        storm = self.config.alerts.storm
        with self.engine.begin() as conn:
            due = (
                select(*_JOB_COLUMNS)
                .where(
                    col(Alert.status) == "pending",
                    col(Alert.rollup_id).is_(None),
                    col(Alert.due_at) <= now,
                    or_(col(Alert.lease_until).is_(None), col(Alert.lease_until) < now),
                )
                .order_by(col(Alert.due_at), col(Alert.id))
                .limit(self.batch_size)
            )
            if conn.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            jobs = [_Job(*row) for row in conn.execute(due)]
            if not jobs:
                return _Pass(0, [])
            sent = self._sent_in_window(conn, {j.channel for j in jobs}, now)
            full = len(jobs) == self.batch_size  # more may wait behind: roll up what is over
            singles: list[_Job] = []
            rollups: list[tuple[str, list[_Job]]] = []
            jobs.sort(key=lambda j: (j.channel, j.due_at, j.id))
            for channel, group in groupby(jobs, key=lambda j: j.channel):
                alone, excess = _storm_split(list(group), storm.max_alerts - sent.get(channel, 0))
                singles += alone
                ripe = full or len(excess) >= storm.max_alerts
                if excess and (ripe or min(j.due_at for j in excess) <= now - self.rollup_hold):
                    rollups.append((channel, excess))
            post = self._lease(conn, singles, now)
            for channel, excess in rollups:
                post.append(self._make_rollup(conn, channel, excess, now))
        return _Pass(len(jobs), post)

    def _sent_in_window(
        self, conn: Connection, channels: set[str], now: datetime
    ) -> dict[str, int]:
        """Messages each channel got within the storm window (rollups count once)."""
        since = now - timedelta(minutes=self.config.alerts.storm.window_minutes)
        rows = conn.execute(
            select(col(Alert.channel), func.count())
            .where(
                col(Alert.channel).in_(sorted(channels)),
                col(Alert.status) == "sent",
                col(Alert.rollup_id).is_(None),
                col(Alert.sent_at) >= since,
            )
            .group_by(col(Alert.channel))
        )
        return {channel: count for channel, count in rows}

    def _lease(self, conn: Connection, jobs: list[_Job], now: datetime) -> list[_Job]:
        """Lease `jobs` to this dispatcher, counting the attempt; return them as leased."""
        if not jobs:
            return []
        conn.execute(
            update(Alert)
            .where(col(Alert.id).in_([j.id for j in jobs]))
            .values(
                lease_owner=self.owner,
                lease_until=now + self.lease,
                attempts=col(Alert.attempts) + 1,
            )
        )
        for job in jobs:
            job.attempts += 1
        return jobs

    def _make_rollup(
        self, conn: Connection, channel: str, excess: list[_Job], now: datetime
    ) -> _Job:
        """A rollup row for `excess` (leased here, its first attempt), which they point at."""
        ids = [j.id for j in excess]
        payload = {"alerts": ids, "items": [j.payload for j in excess]}
        rollup = _Job(0, excess[0].lead_id, ROLLUP, channel, None, payload, 1, now, now)
        rollup_id = conn.execute(
            insert(Alert)
            .values(
                lead_id=rollup.lead_id,
                kind=ROLLUP,
                rule_id="storm",
                channel=channel,
                dedupe_key=f"rollup:{ids[0]}",
                payload=payload,
                status="pending",
                due_at=now,
                attempts=1,
                lease_owner=self.owner,
                lease_until=now + self.lease,
                created_at=now,
            )
            .returning(col(Alert.id))
        ).scalar_one()
        assert rollup_id is not None
        rollup.id = rollup_id
        conn.execute(update(Alert).where(col(Alert.id).in_(ids)).values(rollup_id=rollup_id))
        log.warning(
            "alert storm in %s: %d alerts rolled up into alert %s", channel, len(ids), rollup.id
        )
        return rollup

    def _release(self, ids: list[int]) -> None:
        """Give back rows claimed but never posted (the claim's attempt does not count)."""
        with self.engine.begin() as conn:
            conn.execute(
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
        with self.engine.begin() as conn:
            conn.execute(
                update(Alert)
                .where(col(Alert.id) == job.id)
                .values(**sent, lease_owner=None, lease_until=None, error=None)
            )
            if job.kind == ROLLUP:
                conn.execute(update(Alert).where(col(Alert.rollup_id) == job.id).values(**sent))
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
        with self.engine.begin() as conn:
            conn.execute(update(Alert).where(col(Alert.id) == job.id).values(**values))
            if failed and job.kind == ROLLUP:
                conn.execute(
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
        with self.engine.connect() as conn:
            return conn.scalars(
                select(col(Alert.slack_channel))
                .where(col(Alert.channel) == channel, col(Alert.slack_channel).is_not(None))
                .limit(1)
            ).first()
