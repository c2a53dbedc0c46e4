"""The HTTP API built as `qualibot serve` builds it, talking to the fake Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from bot.config_file import load_config
from bot.server import build
from bot.settings import Settings
from tests.app_config import without_catch_up
from tests.slack_fake import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.slack_fake.fixtures import fake_slack  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "ingest-secret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@asynccontextmanager
async def api_client(database_url: str, fake: FakeSlack) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client on the API of `build()` (bearer TOKEN, Web API calls to `fake`)."""
    settings = Settings(
        database_url=database_url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.base_url,
        ingest_token=TOKEN,
    )
    app, _ = build(settings, without_catch_up(load_config(ROOT / "config.yml")))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://qualibot") as client:
        yield client
