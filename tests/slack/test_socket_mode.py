"""Socket Mode: with an app token, the app connects to Slack's websocket when it starts."""

from __future__ import annotations

import time

from bot.demo_data import STORY_LEAD_EMAIL
from tests.slack.harness import CHANNEL, REP, Apps, texts
from tests.slack_fake import (
    APP_TOKEN,
    BOT_TOKEN,
    FakeSlack,
    event_payload,
    message_event,
    slash_command_payload,
)


async def test_slash_command_over_socket_mode(apps: Apps, fake_slack: FakeSlack) -> None:
    slack = await apps.start(socket_mode=True)  # runs the lifespan: connects
    await fake_slack.wait_for_socket_async()
    [opened] = fake_slack.calls_to("apps.connections.open")
    assert opened.token == APP_TOKEN and opened.ok

    payload = slash_command_payload("/lead", STORY_LEAD_EMAIL, user_id=REP, channel_id=CHANNEL)
    sent = time.time()
    envelope_id = await fake_slack.socket_send(fake_slack.build_envelope("slash_commands", payload))
    ack = await fake_slack.wait_for_ack_async(envelope_id)
    assert ack.payload in (None, {})  # an empty ack: the card follows as an ephemeral
    assert ack.time - sent < 1.0

    [card] = await fake_slack.wait_for_async("chat.postEphemeral")
    assert card.token == BOT_TOKEN
    # No ordering check between the two: the ack travels over the websocket and the card
    # over HTTP, so which reaches the fake first is a race of a millisecond.
    assert (card.params["channel"], card.params["user"]) == (CHANNEL, REP)
    assert texts(card.params["blocks"]).startswith(
        "*Dana Whitfield · VP Operations · Northwind Analytics*"
    )

    # events come over the socket too: a DM with nothing open gets its hint
    event = message_event("hello", user=REP, client_msg_id="c0ffee00-50c4")
    event_id = await fake_slack.socket_send(
        fake_slack.build_envelope("events_api", event_payload(event))
    )
    await fake_slack.wait_for_ack_async(event_id)
    [hint] = await fake_slack.wait_for_async("chat.postMessage")
    assert hint.params["channel"] == f"D{REP}"
    assert hint.params["text"].startswith("No qualification is open.")

    await apps.stop(slack)  # the lifespan's end closes the socket
    assert fake_slack.socket_connections == 0
