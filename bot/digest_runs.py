"""Exactly-once scheduled runs: a `digest_runs` row per (name, scheduled time).

The scheme, for every replica and restart:

1. **Claim**: insert `DigestRun(name, scheduled_for, status="running", started_at=now)`.
   The unique key (name, scheduled_for) lets exactly one insert succeed; the others see
   the row and back off.
2. **Work, then mark**: the winner posts the digest (its message carries metadata
   `{"event_type": "qualibot_digest", "event_payload": {"name", "scheduled_for"}}`) and sets
   `status="done"`, `finished_at`, `message_ts`; on a Slack error, `status="failed"`.
3. **Lease / takeover**: `started_at` of a running row is its lease. A row still running
   `LEASE` after it started (the process died), or a failed row, may be taken over with an
   atomic compare-and-set UPDATE (only one replica wins). Before posting, the new owner looks
   for the digest's metadata in the channel's history (`conversations.history`,
   `include_all_metadata`) and, when found, only marks the run done: a run that posted but
   died before marking is never posted twice.

Other scheduled jobs (the daily decay rescore) use the same claim under a name that cannot
be a digest's (`job:...`), so each fire time runs on one replica only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from bot.digests import Digest, build_digest
from bot.metrics import DIGESTS_POSTED
from bot.slack.digest_blocks import digest_blocks, digest_text
from bot.slack.history import channel_id, find_message
from bot.storage.tables import DigestRun
from scoring.config import ScoringConfig
from scoring.notify_config import DigestSpec

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # a running row older than this is presumed dead
EVENT_TYPE = "qualibot_digest"
HISTORY_MARGIN = timedelta(hours=1)  # history is searched from scheduled_for minus this


@dataclass(frozen=True, slots=True)
class Claim:
    """This process owns the run `run_id`; `takeover`: a dead or failed attempt came before."""

    run_id: int
    takeover: bool


@dataclass(frozen=True, slots=True)
class Refused:
    """Someone else has the run: `status` "done", or "running" with its lease until `until`."""

    status: str
    until: datetime | None = None


def claim_run(
    engine: Engine, name: str, scheduled_for: datetime, now: datetime, lease: timedelta = LEASE
) -> Claim | Refused:
    """Claim the run of `name` at `scheduled_for` (see the module docstring)."""
    try:
        with Session(engine) as session, session.begin():
            run = DigestRun(name=name, scheduled_for=scheduled_for, started_at=now)
            session.add(run)
            session.flush()
            assert run.id is not None
            return Claim(run.id, takeover=False)
    except IntegrityError:
        pass
    with Session(engine) as session, session.begin():
        run = session.execute(
            select(DigestRun).where(
                col(DigestRun.name) == name, col(DigestRun.scheduled_for) == scheduled_for
            )
        ).scalar_one()
        assert run.id is not None
        if run.status == "done":
            return Refused("done")
        if run.status == "running" and run.started_at > now - lease:
            return Refused("running", run.started_at + lease)
        stale = (col(DigestRun.status) == "failed") | (
            (col(DigestRun.status) == "running") & (col(DigestRun.started_at) <= now - lease)
        )
        taken = session.execute(
            update(DigestRun)
            .where(col(DigestRun.id) == run.id, stale)
            .values(status="running", started_at=now, finished_at=None)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return Refused("running", now + lease)
        return Claim(run.id, takeover=True)


def finish_run(
    engine: Engine, run_id: int, now: datetime, *, ok: bool, message_ts: str | None = None
) -> None:
    """Mark a claimed run done (with the posted message's ts) or failed."""
    with Session(engine) as session, session.begin():
        session.execute(
            update(DigestRun)
            .where(col(DigestRun.id) == run_id)
            .values(status="done" if ok else "failed", finished_at=now, message_ts=message_ts)
        )


def get_run(engine: Engine, name: str, scheduled_for: datetime) -> DigestRun | None:
    with Session(engine, expire_on_commit=False) as session:
        return session.execute(
            select(DigestRun).where(
                col(DigestRun.name) == name, col(DigestRun.scheduled_for) == scheduled_for
            )
        ).scalar_one_or_none()


# ------------------------------------------------------------------ posting a digest


@dataclass(frozen=True, slots=True)
class Outcome:
    """What `post_digest` did: "posted", "found" (an earlier attempt had posted), "refused"
    (done or held elsewhere; `retry_at` is when a held lease expires) or "failed"."""

    status: str
    message_ts: str | None = None
    retry_at: datetime | None = None


def metadata(name: str, scheduled_for: datetime) -> dict[str, Any]:
    return {
        "event_type": EVENT_TYPE,
        "event_payload": {"name": name, "scheduled_for": scheduled_for.astimezone(UTC).isoformat()},
    }


async def post_digest(
    engine: Engine,
    client: AsyncWebClient,
    name: str,
    config: ScoringConfig,
    scheduled_for: datetime,
    now: Callable[[], datetime],
    lease: timedelta = LEASE,
) -> Outcome:
    """Post digest `name` (of `config`) for `scheduled_for` unless it already went out
    (exactly once)."""
    spec = config.digests[name]
    claim = await asyncio.to_thread(claim_run, engine, name, scheduled_for, now(), lease)
    if isinstance(claim, Refused):
        log.info("digest %s @ %s: %s elsewhere", name, scheduled_for.isoformat(), claim.status)
        return Outcome("refused", retry_at=claim.until)
    try:
        if claim.takeover:
            found = await find_posted(client, spec.channel, name, scheduled_for)
            if found is not None:
                await asyncio.to_thread(
                    finish_run, engine, claim.run_id, now(), ok=True, message_ts=found
                )
                log.info("digest %s @ %s was already posted (%s)", name, scheduled_for, found)
                return Outcome("found", found)
        digest = await asyncio.to_thread(_build, engine, name, spec, scheduled_for, config)
        response = await client.chat_postMessage(
            channel=spec.channel,
            text=digest_text(digest),
            blocks=digest_blocks(digest),
            metadata=metadata(name, scheduled_for),
            unfurl_links=False,
        )
    except Exception:
        log.exception("digest %s @ %s failed", name, scheduled_for.isoformat())
        await asyncio.to_thread(finish_run, engine, claim.run_id, now(), ok=False)
        return Outcome("failed")
    ts = str(response.get("ts") or "")
    await asyncio.to_thread(finish_run, engine, claim.run_id, now(), ok=True, message_ts=ts)
    DIGESTS_POSTED.labels(name).inc()
    return Outcome("posted", ts)


def _build(
    engine: Engine, name: str, spec: DigestSpec, scheduled_for: datetime, config: ScoringConfig
) -> Digest:
    with Session(engine) as session:
        return build_digest(session, name, spec, scheduled_for, config)


async def find_posted(
    client: AsyncWebClient, channel: str, name: str, scheduled_for: datetime
) -> str | None:
    """The ts of the digest already posted for (name, scheduled_for), from channel history."""
    wanted = metadata(name, scheduled_for)
    channel_id_ = await channel_id(client, channel) or channel
    return await find_message(
        client, channel_id_, scheduled_for - HISTORY_MARGIN, lambda meta: meta == wanted
    )
