"""The one Slack Web API client: base URL from settings, 429s retried after Retry-After."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient


def make_client(token: str, base_url: str = "https://slack.com/api/") -> AsyncWebClient:
    """An AsyncWebClient that waits out rate limits (HTTP 429, `Retry-After`) up to 3 times."""
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)],
    )
