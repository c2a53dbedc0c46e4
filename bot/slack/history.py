"""Finding Qualibot's own earlier posts in a channel, for the exactly-once re-post checks
of alerts and digests (a post carries Slack message metadata naming what it is)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

HISTORY_PAGES = 5  # look back at most 1,000 messages
LIST_PAGES = 50  # conversations.list pages of 1,000 channels


async def channel_id(client: AsyncWebClient, channel: str) -> str | None:
    """The id of a `#name` (conversations.history wants ids; needs channels:read and
    groups:read); an id is returned as is; None when Slack does not know the name."""
    if not channel.startswith("#"):
        return channel
    cursor: str | None = None
    try:
        for _ in range(LIST_PAGES):
            page = await client.conversations_list(
                types="public_channel,private_channel",
                exclude_archived=True,
                limit=1000,
                cursor=cursor,
            )
            for found in page.get("channels") or []:
                if found.get("name") == channel[1:]:
                    return str(found["id"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
    except SlackApiError as exc:
        log.warning("cannot resolve %s to a channel id: %s", channel, exc.response.get("error"))
    return None


async def find_message(
    client: AsyncWebClient,
    channel: str,
    oldest: datetime,
    matches: Callable[[dict[str, Any]], bool],
) -> str | None:
    """The ts of a message in `channel` (an id) since `oldest` whose metadata `matches`.

    Slack API errors are raised: the caller decides whether posting blind is safe.
    """
    cursor: str | None = None
    for _ in range(HISTORY_PAGES):
        page = await client.conversations_history(
            channel=channel,
            oldest=f"{oldest.timestamp():.6f}",
            include_all_metadata=True,
            limit=200,
            cursor=cursor,
        )
        for message in page.get("messages") or []:
            if matches(message.get("metadata") or {}):
                return str(message["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not page.get("has_more") or not cursor:
            return None
    return None
