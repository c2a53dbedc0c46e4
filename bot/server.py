"""`qualibot serve`: one asyncio process with the Slack app and the HTTP API.

HTTP mode serves Slack at `/slack/events`; with `SLACK_APP_TOKEN` set, the app connects
over Socket Mode instead (the HTTP API still serves `/healthz`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket as socket_module
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from sqlalchemy import Engine, text

from bot.alerts.dispatcher import Dispatcher
from bot.conversations import ConversationService
from bot.http_calls import calls_router
from bot.http_events import events_router
from bot.metrics import OUTBOX_DEPTH
from bot.nudges import send_due_nudges
from bot.scheduler import IntervalJob, make_scheduler
from bot.settings import Settings
from bot.slack.app import SlackContext, create_app
from bot.slack.client import make_client
from bot.storage.database import make_engine
from bot.storage.migrate import init_db
from bot.storage.wal_checkpoints import WalCheckpointer, is_sqlite_file
from scoring.config import ScoringConfig

log = logging.getLogger(__name__)


class SettingsError(ValueError):
    """A required setting is missing."""


def build(settings: Settings, config: ScoringConfig) -> tuple[FastAPI, AsyncApp]:
    """The HTTP API and the Bolt app, sharing one database engine and Slack client."""
    missing = [
        name
        for name, value in (
            ("SLACK_BOT_TOKEN", settings.slack_bot_token),
            ("SLACK_SIGNING_SECRET", settings.slack_signing_secret),
        )
        if not value
    ]
    if missing:
        raise SettingsError(f"set {' and '.join(missing)} (see README: Slack app)")
    assert settings.slack_bot_token and settings.slack_signing_secret
    init_db(settings.database_url)
    db = make_engine(settings.database_url)
    checkpointer = WalCheckpointer(db) if is_sqlite_file(db) else None
    client = make_client(settings.slack_bot_token, settings.slack_api_url)
    ctx = SlackContext(db, config, ConversationService(db, config))
    bolt = create_app(ctx, client, settings.slack_signing_secret)
    dispatcher = Dispatcher(db, client, config, owner=replica_id())

    async def nudge() -> int:
        return await send_due_nudges(ctx, client)

    # Digests and the decay rescore from config; the outbox retry is the dispatcher's poll.
    scheduler = make_scheduler(
        db,
        client,
        config,
        extra_jobs=[IntervalJob("nudges", nudge, config.jobs.nudge_check_minutes * 60)],
    )
    socket: AsyncSocketModeHandler | None = None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        nonlocal socket
        if settings.slack_app_token:
            socket = AsyncSocketModeHandler(bolt, settings.slack_app_token)
            await socket.connect_async()
            log.info("connected to Slack over Socket Mode")
        dispatching = asyncio.create_task(dispatcher.run_forever(config.jobs.outbox_poll_seconds))
        scheduler.start()  # also catches up a run missed within the misfire grace
        if checkpointer is not None:
            checkpointer.start()
        try:
            yield
        finally:
            # Graceful: running jobs and the post in flight finish; claimed alerts are
            # released for the other replicas.
            await scheduler.shutdown()
            await dispatcher.stop()
            await dispatching
            if socket is not None:
                await socket.close_async()
            if checkpointer is not None:
                await asyncio.to_thread(checkpointer.stop)
            db.dispose()

    api = FastAPI(title="Qualibot", lifespan=lifespan)
    api.include_router(calls_router(ctx, client, settings.ingest_token))
    api.include_router(events_router(ctx, settings.ingest_token, dispatcher.wake))
    slack_handler = AsyncSlackRequestHandler(bolt)

    @api.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        return await slack_handler.handle(request)

    @api.get("/healthz")
    async def healthz() -> JSONResponse:
        """200 when the database is reachable and Slack auth is ok, else 503."""
        checks: dict[str, str] = {}
        try:
            with db.connect() as conn:
                conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # any driver error means "not reachable"
            checks["database"] = f"error: {exc.__class__.__name__}"
        try:
            auth = await client.auth_test()
            checks["slack"] = "ok" if auth.get("ok") else "error"
        except Exception as exc:  # SlackApiError, network errors
            checks["slack"] = f"error: {exc.__class__.__name__}"
        healthy = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if healthy else "unhealthy", **checks},
            status_code=200 if healthy else 503,
        )

    @api.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        """Prometheus metrics (events, alerts, outbox depth, latencies)."""
        OUTBOX_DEPTH.set(await asyncio.to_thread(_outbox_depth, db))
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return api, bolt


def replica_id() -> str:
    """Who holds a lease: host, process and a random part (pids repeat across containers)."""
    return f"{socket_module.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _outbox_depth(db: Engine) -> int:
    with db.connect() as conn:
        return int(
            conn.execute(text("SELECT COUNT(*) FROM alerts WHERE status = 'pending'")).scalar_one()
        )
