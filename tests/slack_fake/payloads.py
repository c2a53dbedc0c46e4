"""Request bodies as Slack sends them (HTTP mode and Socket Mode), and request signing."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from tests.slack_fake.server import (
    APP_ID,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    iter_block_elements,
    new_ts,
)

VERIFICATION_TOKEN = "fake-verification-token"  # the deprecated `token` field Slack still sends
_seq = itertools.count(1)


def signed_headers(
    body: str | bytes,
    secret: str,
    timestamp: int | None = None,
    *,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
) -> dict[str, str]:
    """`X-Slack-Request-Timestamp`, `X-Slack-Signature` (v0 HMAC-SHA256) and a `Content-Type`.

    The signature is what `slack_sdk.signature.SignatureVerifier(secret)` accepts; `timestamp`
    defaults to now (pass an old one to test the 5-minute replay window). `Content-Type` is
    `application/json` for a body starting with `{`, else `application/x-www-form-urlencoded`.
    `retry_num` adds `X-Slack-Retry-Num` / `X-Slack-Retry-Reason`, as Slack's event redeliveries
    carry (send the same `event_id` again).
    """
    ts = int(time.time()) if timestamp is None else int(timestamp)
    raw = body.encode() if isinstance(body, str) else body
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + raw, hashlib.sha256).hexdigest()
    is_json = raw.lstrip()[:1] == b"{"
    headers = {
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/json" if is_json else "application/x-www-form-urlencoded",
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason
    return headers


def trigger_id() -> str:
    return f"{next(_seq)}.{int(time.time())}.fake{next(_seq):06d}"


def _user(user_id: str, team_id: str) -> dict[str, Any]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


# ---------------------------------------------------------------------- slash commands
def slash_command_payload(
    command: str,
    text: str = "",
    user_id: str = "U0HUMAN",
    channel_id: str = "C0FAKE",
    response_url: str = "https://hooks.slack.invalid/commands/fake",
    team_id: str = TEAM_ID,
    *,
    user_name: str | None = None,
    channel_name: str = "general",
    trigger: str | None = None,
    api_app_id: str = APP_ID,
) -> dict[str, str]:
    """A slash command's fields (Socket Mode `slash_commands` payload; HTTP form fields)."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger or trigger_id(),
    }


def slash_command_body(
    command: str,
    text: str = "",
    user_id: str = "U0HUMAN",
    channel_id: str = "C0FAKE",
    response_url: str = "https://hooks.slack.invalid/commands/fake",
    team_id: str = TEAM_ID,
    **kwargs: Any,
) -> str:
    """A slash command request body, form-encoded like Slack's (POST to /slack/events)."""
    return urlencode(
        slash_command_payload(command, text, user_id, channel_id, response_url, team_id, **kwargs)
    )


# ---------------------------------------------------------------------- Events API
def message_event(
    text: str,
    user: str = "U0HUMAN",
    channel: str | None = None,
    *,
    ts: str | None = None,
    channel_type: str = "im",
    thread_ts: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A `message` event (default: a DM from `user`, channel `"D" + user`)."""
    ts = ts or new_ts()
    event: dict[str, Any] = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "team": TEAM_ID,
        "channel": channel or f"D{user}",
        "channel_type": channel_type,
        "blocks": [
            {
                "type": "rich_text",
                "block_id": "fake",
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
                ],
            }
        ],
        **fields,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def app_home_opened_event(user: str, tab: str = "home") -> dict[str, Any]:
    ts = new_ts()
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": f"D{user}",
        "tab": tab,
        "event_ts": ts,
    }


def event_payload(
    event: dict[str, Any],
    event_id: str | None = None,
    *,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    bot_user_id: str = BOT_USER_ID,
    event_time: int | None = None,
) -> dict[str, Any]:
    """An Events API `event_callback` envelope around `event` (Socket Mode `events_api` payload)."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev0FAKE{next(_seq):06d}",
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-fake-{next(_seq)}",
    }


def event_body(event: dict[str, Any], event_id: str | None = None, **kwargs: Any) -> str:
    """An Events API request body (JSON). Same `event_id` = a retry of the same event."""
    return json.dumps(event_payload(event, event_id, **kwargs))


# ---------------------------------------------------------------------- interactivity
def button_action(
    source: dict[str, Any], action_id: str, value: str | None = None
) -> dict[str, Any]:
    """The `actions[]` entry for clicking the button `action_id` in a message or view.

    `source` is a message (e.g. from `fake.messages(channel)[-1]` or a chat.postMessage
    response's `message`) or a view; with `value`, the button with that value is picked.
    """
    for block, el in iter_block_elements(source.get("blocks")):
        if el.get("action_id") != action_id or (value is not None and el.get("value") != value):
            continue
        action = {
            "type": el.get("type", "button"),
            "action_id": action_id,
            "block_id": block.get("block_id", ""),
            "text": el.get("text"),
            "value": el.get("value"),
            "action_ts": new_ts(),
        }
        if "style" in el:
            action["style"] = el["style"]
        return action
    raise KeyError(f"no element with action_id {action_id!r} (value {value!r}) in the blocks")


def block_actions_payload(
    actions: list[dict[str, Any]],
    user_id: str = "U0HUMAN",
    channel_id: str | None = None,
    *,
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    response_url: str = "https://hooks.slack.invalid/actions/fake",
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    trigger: str | None = None,
    state_values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A `block_actions` payload: from a message (`message` + `channel_id`) or a `view`."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger or trigger_id(),
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": state_values or {}},
        "actions": actions,
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "")}
        payload["view"] = view
    if message is not None:
        payload["container"] = {
            "type": "message",
            "message_ts": message.get("ts", ""),
            "channel_id": channel_id or "",
            "is_ephemeral": False,
        }
        payload["message"] = message
        payload["response_url"] = response_url
    if channel_id is not None:
        payload["channel"] = {"id": channel_id, "name": "directmessage"}
    return payload


def block_actions_body(
    actions: list[dict[str, Any]],
    user_id: str = "U0HUMAN",
    channel_id: str | None = None,
    **kwargs: Any,
) -> str:
    """A `block_actions` request body: form-encoded `payload=<json>`, like Slack's."""
    return _form_payload(block_actions_payload(actions, user_id, channel_id, **kwargs))


def view_submission_payload(
    view: dict[str, Any],
    values: dict[str, dict[str, dict[str, Any]]] | None = None,
    user_id: str = "U0HUMAN",
    *,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    trigger: str | None = None,
) -> dict[str, Any]:
    """A `view_submission` payload for `view` (e.g. `fake.views[view_id]`) with state `values`.

    `values` is Slack's `{block_id: {action_id: {"type": ..., "value": ...}}}`; see `input_value`.
    """
    submitted = {**view, "state": {"values": values or {}}}
    submitted.setdefault("id", "V0FAKESUBMIT")
    submitted.setdefault("hash", "1700000000.fakehash")
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": _user(user_id, team_id),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger or trigger_id(),
        "view": submitted,
        "response_urls": [],
        "enterprise": None,
        "is_enterprise_install": False,
    }


def view_submission_body(
    view: dict[str, Any],
    values: dict[str, dict[str, dict[str, Any]]] | None = None,
    user_id: str = "U0HUMAN",
    **kwargs: Any,
) -> str:
    """A `view_submission` request body: form-encoded `payload=<json>`."""
    return _form_payload(view_submission_payload(view, values, user_id, **kwargs))


def input_value(value: str, kind: str = "plain_text_input") -> dict[str, Any]:
    """One state value: `{"type": "plain_text_input", "value": value}`; for selects use
    `kind="static_select"` (gives `selected_option`)."""
    if kind == "static_select":
        return {
            "type": kind,
            "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value},
        }
    return {"type": kind, "value": value}


def _form_payload(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})
