"""The fake Slack itself, driven by the real slack_sdk / slack_bolt clients."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.websockets import (
    AsyncSocketModeHandler as WebsocketsSocketModeHandler,
)
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web import WebClient
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.slack_fake import (
    APP_TOKEN,
    BOT_TOKEN,
    BOT_USER_ID,
    SIGNING_SECRET,
    TEAM_ID,
    FakeSlack,
    SlackError,
    block_actions_body,
    button_action,
    event_payload,
    input_value,
    message_event,
    signed_headers,
    slash_command_body,
    slash_command_payload,
    view_submission_body,
)

BLOCKS: list[dict[str, Any]] = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Acme* scored 82"}},
    {
        "type": "actions",
        "block_id": "answer",
        "elements": [
            {
                "type": "button",
                "action_id": "claim",
                "value": "lead-1",
                "text": {"type": "plain_text", "text": "Claim"},
            }
        ],
    },
]
METADATA = {"event_type": "qualibot_lead", "event_payload": {"lead_id": 1}}
MODAL = {
    "type": "modal",
    "callback_id": "lead_form",
    "title": {"type": "plain_text", "text": "New lead"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "company",
            "label": {"type": "plain_text", "text": "Company"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}
HOME = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}]}


async def test_each_method_is_answered_and_recorded(
    fake_slack: FakeSlack, fake_slack_client: AsyncWebClient
) -> None:
    client = fake_slack_client
    auth = await client.auth_test()
    assert (auth["user_id"], auth["bot_id"], auth["team_id"]) == (BOT_USER_ID, "B0BOT", TEAM_ID)

    first = await client.chat_postMessage(
        channel="C1", text="Acme scored 82", blocks=BLOCKS, metadata=METADATA
    )
    second = await client.chat_postMessage(channel="U1", text="Hi")
    assert first["channel"] == "C1" and second["channel"] == "DU1"
    assert first["ts"].count(".") == 1 and len(first["ts"].split(".")[1]) == 6
    assert float(second["ts"]) > float(first["ts"])
    assert first["message"]["metadata"] == METADATA
    assert first["message"]["blocks"][1]["block_id"] == "answer"
    assert first["message"]["blocks"][0]["block_id"]  # filled in, as Slack does

    updated = await client.chat_update(channel="C1", ts=first["ts"], text="Claimed", blocks=[])
    assert updated["ts"] == first["ts"] and updated["message"]["text"] == "Claimed"
    assert "blocks" not in fake_slack.message("C1", first["ts"])

    eph = await client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert eph["message_ts"] and fake_slack.ephemerals[0]["user_to"] == "U1"
    link = await client.chat_getPermalink(channel="C1", message_ts=first["ts"])
    assert link["permalink"].endswith(f"/archives/C1/p{first['ts'].replace('.', '')}")

    opened = await client.views_open(trigger_id="123.456.abc", view=MODAL)
    view_id = opened["view"]["id"]
    assert opened["view"]["callback_id"] == "lead_form"
    assert opened["view"]["state"] == {"values": {}}
    changed = await client.views_update(view_id=view_id, view={**MODAL, "callback_id": "v2"})
    assert changed["view"]["id"] == view_id and fake_slack.views[view_id]["callback_id"] == "v2"
    home = await client.views_publish(user_id="U1", view=HOME)
    again = await client.views_publish(user_id="U1", view=HOME)
    assert home["view"]["id"] == again["view"]["id"] and home["view"]["type"] == "home"
    assert fake_slack.home_view("U1") is not None

    dm = await client.conversations_open(users="U7")
    assert dm["channel"]["id"] == "DU7"
    user = (await client.users_info(user="U7"))["user"]
    assert user["tz"] == "America/New_York" and user["tz_offset"] in (-18000, -14400)
    found = await client.users_lookupByEmail(email=user["profile"]["email"])
    assert found["user"]["id"] == "U7"

    conn = await AsyncWebClient(base_url=fake_slack.base_url).apps_connections_open(
        app_token=APP_TOKEN
    )
    assert conn["url"].startswith(f"ws://127.0.0.1:{fake_slack.port}/link")

    assert [c.method for c in fake_slack.calls] == [
        "auth.test",
        "chat.postMessage",
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "chat.getPermalink",
        "views.open",
        "views.update",
        "views.publish",
        "views.publish",
        "conversations.open",
        "users.info",
        "users.lookupByEmail",
        "apps.connections.open",
    ]
    post = fake_slack.calls_to("chat.postMessage")[0]
    assert post.token == BOT_TOKEN and post.status == 200
    assert post.params == {
        "channel": "C1",
        "text": "Acme scored 82",
        "blocks": BLOCKS,
        "metadata": METADATA,
    }
    assert fake_slack.calls_to("views.open")[0].params["view"] == MODAL
    assert fake_slack.calls_to("users.info")[0].params == {"user": "U7"}
    assert fake_slack.calls_to("apps.connections.open")[0].token == APP_TOKEN
    assert len(await fake_slack.wait_for_async("views.publish", n=2)) == 2


async def test_form_bodies_and_token_param_are_understood(fake_slack: FakeSlack) -> None:
    async with httpx.AsyncClient() as http:
        r = await http.post(
            fake_slack.base_url + "chat.postMessage",
            data={"token": BOT_TOKEN, "channel": "C1", "blocks": json.dumps(BLOCKS)},
        )
    assert r.json()["ok"] is True
    call = fake_slack.calls_to("chat.postMessage")[0]
    assert call.token == BOT_TOKEN and call.params == {"channel": "C1", "blocks": BLOCKS}


async def test_errors_like_slack(fake_slack: FakeSlack, fake_slack_client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as e:
        await fake_slack_client.api_call("leads.frobnicate")
    assert e.value.response["error"] == "unknown_method"
    for token in ("nope", None):
        with pytest.raises(SlackApiError) as e:
            await AsyncWebClient(token=token, base_url=fake_slack.base_url).auth_test()
        assert e.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as e:  # a bot token cannot open Socket Mode
        await fake_slack_client.apps_connections_open(app_token=BOT_TOKEN)
    assert e.value.response["error"] == "not_allowed_token_type"
    with pytest.raises(SlackApiError) as e:
        await fake_slack_client.users_lookupByEmail(email="nobody@example.com")
    assert e.value.response["error"] == "users_not_found"
    with pytest.raises(SlackApiError) as e:
        await fake_slack_client.chat_update(channel="C1", ts="1.2", text="x")
    assert e.value.response["error"] == "message_not_found"
    bad = [{"type": "section", "text": {"type": "plain_text", "text": ""}}]
    with pytest.raises(SlackApiError) as e:
        await fake_slack_client.chat_postMessage(channel="C1", text="x", blocks=bad)
    assert e.value.response["error"] == "invalid_blocks"
    opened = await fake_slack_client.views_open(trigger_id="t", view=MODAL)
    with pytest.raises(SlackApiError) as e:
        await fake_slack_client.views_update(view_id=opened["view"]["id"], hash="x", view=MODAL)
    assert e.value.response["error"] == "hash_conflict"

    fake_slack.fail_next("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError) as e:
        await fake_slack_client.chat_postMessage(channel="C1", text="x")
    assert e.value.response["error"] == "channel_not_found"
    assert fake_slack.calls_to("chat.postMessage", ok=False)[-1].status == 200
    assert (await fake_slack_client.chat_postMessage(channel="C1", text="x"))["ok"]


async def test_rate_limit_is_retried_after_retry_after(fake_slack: FakeSlack) -> None:
    client = AsyncWebClient(
        token=BOT_TOKEN,
        base_url=fake_slack.base_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake_slack.fail_next("chat.postMessage", retry_after=1)
    r = await client.chat_postMessage(channel="C1", text="hot lead")
    assert r["ok"]
    limited, passed = fake_slack.calls_to("chat.postMessage")
    assert (limited.status, passed.status) == (429, 200)
    assert limited.response == {"ok": False, "error": "ratelimited"}
    assert passed.time - limited.time >= 1
    assert len(fake_slack.messages("C1")) == 1


async def test_history_returns_posts_newest_first_with_metadata(
    fake_slack: FakeSlack, fake_slack_client: AsyncWebClient
) -> None:
    client = fake_slack_client
    await client.chat_postMessage(channel="DU1", text="q1", metadata=METADATA)
    fake_slack.add_message("DU1", "my answer", user="U1")
    await client.chat_postMessage(channel="DU1", text="q2")
    await client.chat_postMessage(channel="C9", text="elsewhere", metadata=METADATA)
    event = fake_slack.user_message("budget is 50k", user="U1")
    assert event["channel"] == "DU1" and event["type"] == "message"

    hist = await client.conversations_history(channel="DU1", include_all_metadata=True)
    assert [m["text"] for m in hist["messages"]] == ["budget is 50k", "q2", "my answer", "q1"]
    assert hist["messages"][3]["metadata"] == METADATA
    plain = await client.conversations_history(channel="DU1", limit=2)
    assert [m["text"] for m in plain["messages"]] == ["budget is 50k", "q2"] and plain["has_more"]
    assert all("metadata" not in m for m in plain["messages"])
    found = fake_slack.find_messages(event_type="qualibot_lead")
    assert [(m["channel"], m["text"]) for m in found] == [("DU1", "q1"), ("C9", "elsewhere")]


async def test_users_are_configurable(
    fake_slack: FakeSlack, fake_slack_client: AsyncWebClient
) -> None:
    fake_slack.add_user("U2", email="ana@acme.test", tz="Europe/Paris", name="Ana Lima")
    user = (await fake_slack_client.users_lookupByEmail(email="ana@acme.test"))["user"]
    assert user["id"] == "U2" and user["real_name"] == "Ana Lima"
    assert user["tz"] == "Europe/Paris" and user["tz_offset"] in (3600, 7200)
    strict = FakeSlack(auto_users=False)
    assert strict._user("U404") is None


async def test_response_url_and_custom_answers(
    fake_slack: FakeSlack, fake_slack_client: AsyncWebClient
) -> None:
    url = fake_slack.response_url("lead")
    resp = await AsyncWebhookClient(url).send(text="Acme: 82", response_type="ephemeral")
    assert resp.status_code == 200
    [posted] = await fake_slack.wait_for_response_async("lead")
    assert posted.body == {"text": "Acme: 82", "response_type": "ephemeral"}

    fake_slack.respond("team.info", {"team": {"id": TEAM_ID}})

    def refuse(call: Any) -> dict[str, Any]:
        raise SlackError("restricted_action")

    fake_slack.respond("chat.scheduleMessage", refuse)
    assert (await fake_slack_client.team_info())["team"]["id"] == TEAM_ID
    with pytest.raises(SlackApiError) as e:
        await fake_slack_client.chat_scheduleMessage(channel="C1", text="x", post_at=1)
    assert e.value.response["error"] == "restricted_action"


async def test_blocking_waits_refuse_to_stall_the_event_loop(fake_slack: FakeSlack) -> None:
    with pytest.raises(RuntimeError, match="wait_for_async"):
        fake_slack.wait_for("chat.postMessage", timeout=0.01)


def test_sync_use_with_the_sync_web_client() -> None:
    with FakeSlack() as fake:
        fake_url = fake.base_url + "auth.test"
        client = WebClient(token=BOT_TOKEN, base_url=fake.base_url)
        client.chat_postMessage(channel="C1", text="hello", blocks=BLOCKS)
        client.views_publish(user_id="U1", view=HOME)
        [call] = fake.wait_for("chat.postMessage")
        assert call.params["blocks"] == BLOCKS
        assert fake.home_view("U1") is not None
        with pytest.raises(AssertionError, match="expected 1 call"):
            fake.wait_for("chat.update", timeout=0.05)
    with pytest.raises(httpx.ConnectError):
        httpx.post(fake_url, timeout=1)


def test_signed_headers_verify() -> None:
    body = slash_command_body("/lead", "acme", "U1", "C1", "https://example.invalid/r")
    headers = signed_headers(body, SIGNING_SECRET)
    verifier = SignatureVerifier(SIGNING_SECRET)
    ts, sig = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    assert verifier.is_valid(body, ts, sig)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert not SignatureVerifier("other").is_valid(body, ts, sig)
    retry = signed_headers(body, SIGNING_SECRET, retry_num=1)
    assert (retry["X-Slack-Retry-Num"], retry["X-Slack-Retry-Reason"]) == ("1", "http_timeout")
    old = signed_headers(body, SIGNING_SECRET, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid(body, old["X-Slack-Request-Timestamp"], old["X-Slack-Signature"])


async def test_http_mode_bodies_drive_a_bolt_app(
    fake_slack: FakeSlack, fake_slack_client: AsyncWebClient
) -> None:
    app = AsyncApp(client=fake_slack_client, signing_secret=SIGNING_SECRET)
    seen: list[str] = []

    @app.command("/lead")
    async def lead(ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack()
        await respond(f"lead {command['text']}")

    @app.action("claim")
    async def claim(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        seen.append(f"claim {action['value']} in {body['container']['message_ts']}")

    @app.view("lead_form")
    async def submitted(ack: Any, view: dict[str, Any]) -> None:
        await ack()
        seen.append(view["state"]["values"]["company"]["value"]["value"])

    async def post(body: str, headers: dict[str, str]) -> int:
        hdrs: dict[str, str | Sequence[str]] = dict(headers)
        resp = await app.async_dispatch(AsyncBoltRequest(body=body, headers=hdrs))
        return resp.status

    body = slash_command_body(
        "/lead", "acme", "U1", "C1", response_url=fake_slack.response_url("lead")
    )
    assert await post(body, signed_headers(body, SIGNING_SECRET)) == 200
    assert await post(body, signed_headers(body, "wrong-secret")) == 401
    stale = signed_headers(body, SIGNING_SECRET, timestamp=int(time.time()) - 600)
    assert await post(body, stale) == 401
    [answer] = await fake_slack.wait_for_response_async("lead")
    assert answer.body["text"] == "lead acme"

    posted = await fake_slack_client.chat_postMessage(channel="C1", text="card", blocks=BLOCKS)
    message = fake_slack.messages("C1")[-1]
    body = block_actions_body([button_action(message, "claim")], "U1", "C1", message=message)
    assert await post(body, signed_headers(body, SIGNING_SECRET)) == 200

    opened = await fake_slack_client.views_open(trigger_id="t", view=MODAL)
    values = {"company": {"value": input_value("Acme")}}
    body = view_submission_body(fake_slack.views[opened["view"]["id"]], values, "U1")
    assert await post(body, signed_headers(body, SIGNING_SECRET)) == 200
    for _ in range(200):
        if len(seen) == 2:
            break
        await asyncio.sleep(0.01)
    assert seen == [f"claim lead-1 in {posted['ts']}", "Acme"]
    assert len(fake_slack.calls_to("auth.test")) == 1  # Bolt checks the token once


@pytest.mark.parametrize(
    "handler_cls",
    [AsyncSocketModeHandler, WebsocketsSocketModeHandler],
    ids=["aiohttp", "websockets"],
)
async def test_socket_mode_with_bolt(fake_slack: FakeSlack, handler_cls: Any) -> None:
    app = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.base_url),
        signing_secret=SIGNING_SECRET,
    )
    answered: list[str] = []

    @app.command("/lead")
    async def lead(ack: Any, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack(f"looking up {command['text']}")
        await client.chat_postMessage(channel=command["user_id"], text="Acme: 82")

    @app.event("message")
    async def on_message(event: dict[str, Any]) -> None:
        answered.append(event["text"])

    handler = handler_cls(app, app_token=APP_TOKEN)
    await handler.connect_async()
    try:
        await fake_slack.wait_for_socket_async()
        payload = slash_command_payload("/lead", "acme", user_id="U1", channel_id="C1")
        envelope_id = fake_slack.send_socket_event("slash_commands", payload)
        ack = await fake_slack.wait_for_ack_async(envelope_id)
        assert ack.payload == {"text": "looking up acme"}
        [post] = await fake_slack.wait_for_async("chat.postMessage")
        assert (
            post.params["channel"] == "U1" and fake_slack.messages("DU1")[0]["text"] == "Acme: 82"
        )

        event_id = await fake_slack.socket_send(
            {
                "type": "events_api",
                "payload": event_payload(message_event("budget is 50k", user="U1")),
                "accepts_response_payload": False,
            }
        )
        await fake_slack.wait_for_ack_async(event_id)
        for _ in range(200):
            if answered:
                break
            await asyncio.sleep(0.01)
        assert answered == ["budget is 50k"]
    finally:
        await handler.close_async()
    assert fake_slack.calls_to("apps.connections.open")[0].token == APP_TOKEN
    assert [e["type"] for e in fake_slack.socket_envelopes] == ["slash_commands", "events_api"]
