"""Driving the real app of `bot.server.build` the way Slack does, and reading Slack back.

`Slack` wraps one built app (lifespan running) with an httpx client on its ASGI app: every
request is signed like Slack's. Bolt acknowledges first and runs the listener in a task it
starts while handling the request; `Slack.post` records the tasks a request started, so
`await slack.settle()` waits for exactly that work (no blind sleeps).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from slack_bolt.async_app import AsyncApp

from bot.server import build
from bot.settings import Settings
from scoring.config import ScoringConfig
from tests.app_config import without_catch_up
from tests.slack_fake import (
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    block_actions_body,
    button_action,
    event_body,
    signed_headers,
    slash_command_body,
)

REP = "U0REP0001"  # the demo's rep who owns the story lead
CHANNEL = "C0SALES"
SETTLE_TIMEOUT = 10.0


@dataclass
class Slack:
    """One running app and what Slack would send it."""

    fake: FakeSlack
    api: FastAPI
    bolt: AsyncApp
    http: httpx.AsyncClient
    stack: AsyncExitStack
    user: str = REP
    channel: str = CHANNEL
    _work: set[asyncio.Task[Any]] = field(default_factory=set)

    async def post(self, body: str, headers: dict[str, str] | None = None) -> httpx.Response:
        """POST a body to /slack/events (signed now unless `headers` are given)."""
        headers = headers if headers is not None else signed_headers(body, SIGNING_SECRET)
        before = asyncio.all_tasks()
        response = await self.http.post("/slack/events", content=body, headers=headers)
        self._work |= asyncio.all_tasks() - before
        return response

    async def settle(self, timeout: float = SETTLE_TIMEOUT) -> None:
        """Wait until the work every request so far started (the listeners) is finished."""
        while pending := {t for t in self._work if not t.done()}:
            _, still = await asyncio.wait(pending, timeout=timeout)
            if still:
                raise AssertionError(f"{len(still)} listener task(s) still running")
        for task in self._work:
            if not task.cancelled() and task.exception() is not None:
                raise AssertionError("a listener task failed") from task.exception()
        self._work.clear()

    async def command(
        self,
        command: str,
        text: str = "",
        *,
        user: str | None = None,
        response_url: str = "cmd",
        retry_num: int | None = None,
    ) -> httpx.Response:
        body = slash_command_body(
            command,
            text,
            user_id=user or self.user,
            channel_id=self.channel,
            response_url=self.fake.response_url(response_url),
        )
        return await self.post(body)

    async def event(
        self, event: dict[str, Any], event_id: str | None = None, *, retry_num: int | None = None
    ) -> httpx.Response:
        body = event_body(event, event_id)
        return await self.post(body, signed_headers(body, SIGNING_SECRET, retry_num=retry_num))

    def click_body(
        self,
        message: dict[str, Any],
        action_id: str,
        value: str | None = None,
        *,
        user: str | None = None,
        response_url: str = "action",
    ) -> str:
        """A block_actions body: `user` pressed a button of `message` (as the fake stores it,
        with its `channel`)."""
        return block_actions_body(
            [button_action(message, action_id, value)],
            user_id=user or self.user,
            channel_id=message.get("channel") or self.channel,
            message=message,
            response_url=self.fake.response_url(response_url),
        )

    async def click(
        self,
        message: dict[str, Any],
        action_id: str,
        value: str | None = None,
        *,
        user: str | None = None,
        response_url: str = "action",
    ) -> httpx.Response:
        return await self.post(
            self.click_body(message, action_id, value, user=user, response_url=response_url)
        )

    async def close(self) -> None:
        """Stop this app (its lifespan ends: the database engine is disposed)."""
        await self.settle()
        await self.stack.aclose()


def make_settings(db_url: str, fake: FakeSlack, *, socket_mode: bool = False) -> Settings:
    return Settings(
        database_url=db_url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.base_url,
        slack_app_token=APP_TOKEN if socket_mode else None,
    )


class Apps:
    """Builds apps on one database with `bot.server.build` and stops them at the end."""

    def __init__(self, fake: FakeSlack, db_url: str, config: ScoringConfig) -> None:
        self.fake, self.db_url, self.config = fake, db_url, config
        self.running: list[Slack] = []

    async def start(self, *, socket_mode: bool = False) -> Slack:
        settings = make_settings(self.db_url, self.fake, socket_mode=socket_mode)
        api, bolt = build(settings, without_catch_up(self.config))
        stack = AsyncExitStack()
        await stack.enter_async_context(api.router.lifespan_context(api))
        transport = httpx.ASGITransport(app=api)
        http = await stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://qualibot.test")
        )
        slack = Slack(self.fake, api, bolt, http, stack)
        self.running.append(slack)
        return slack

    async def stop(self, slack: Slack) -> None:
        self.running.remove(slack)
        await slack.close()

    async def stop_all(self) -> None:
        while self.running:
            await self.stop(self.running[-1])


# ---------------------------------------------------------------------- reading Slack back


def texts(blocks: list[dict[str, Any]] | None) -> str:
    """Every text of a list of blocks (sections, contexts, headers, buttons), one per line."""
    out: list[str] = []
    for block in blocks or []:
        if isinstance(block.get("text"), dict):
            out.append(block["text"]["text"])
        for item in [*(block.get("elements") or []), *(block.get("fields") or [])]:
            text = item.get("text") if isinstance(item, dict) else None
            if isinstance(text, dict):
                out.append(text["text"])
            elif isinstance(text, str):
                out.append(text)
    return "\n".join(out)


def buttons(blocks: list[dict[str, Any]] | None) -> list[tuple[str, str]]:
    """(action_id, label) of every button, in order."""
    return [
        (el["action_id"], el["text"]["text"])
        for block in blocks or []
        if block.get("type") == "actions"
        for el in block["elements"]
        if el.get("type") == "button"
    ]


def button_values(blocks: list[dict[str, Any]] | None, action_id: str) -> list[str]:
    return [
        el["value"]
        for block in blocks or []
        if block.get("type") == "actions"
        for el in block["elements"]
        if el.get("action_id") == action_id
    ]


def answer_payload(message: dict[str, Any], label: str) -> dict[str, Any]:
    """The decoded value of the answer button labelled `label` in a question message."""
    for block in message.get("blocks") or []:
        for el in block.get("elements") or []:
            if el.get("type") == "button" and el["text"]["text"] == label:
                return dict(json.loads(el["value"]))
    raise KeyError(f"no answer button {label!r}")


async def wait_until(
    predicate: Callable[[], bool], what: str, timeout: float = SETTLE_TIMEOUT
) -> None:
    """Poll a condition the app brings about in the background (Socket Mode only: HTTP
    tests wait for the listeners with `Slack.settle`)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)
