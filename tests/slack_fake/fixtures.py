"""pytest fixtures for the fake Slack.

Use them with `pytest_plugins = ["tests.slack_fake.fixtures"]` in the root conftest (pytest
accepts `pytest_plugins` only there or in a test module), or import them into a conftest:
`from tests.slack_fake.fixtures import fake_slack, fake_slack_client  # noqa: F401`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from tests.slack_fake.server import BOT_TOKEN, FakeSlack


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A started `FakeSlack` (its own thread and event loop), stopped after the test."""
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def fake_slack_client(fake_slack: FakeSlack) -> AsyncWebClient:
    """A plain `AsyncWebClient` with the bot token, talking to `fake_slack`."""
    return AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.base_url)
