"""A fake Slack for tests (Slack itself is not reachable): Web API, Socket Mode, signing.

Test code only: nothing under `bot/`, `dialogs/` or `scoring/` may import it.

- `FakeSlack` (`server.py`): a Slack Web API server on 127.0.0.1 (free port) that records every
  call and answers like Slack (auth.test, chat.postMessage/update/delete/postEphemeral/
  getPermalink, conversations.open/info/history/replies, users.info/lookupByEmail,
  views.open/push/update/publish, apps.connections.open, reactions.add), plus a Socket Mode
  websocket at `/link` and `response_url`s. Failure injection: `fail_next`; custom answers:
  `respond`; a user's message stored and returned as its event: `user_message`.
- `payloads.py`: `signed_headers` and bodies Slack sends (slash commands, events, block
  actions, view submissions), as HTTP bodies (`*_body`) or Socket Mode payloads (`*_payload`).
- `fixtures.py`: `fake_slack`, `fake_slack_client`. Enable them with
  `pytest_plugins = ["tests.slack_fake.fixtures"]` in the root conftest (or import the fixture
  functions into a conftest).

Example (async test, HTTP mode)::

    from tests.slack_fake import BOT_TOKEN, SIGNING_SECRET, FakeSlack, signed_headers
    from tests.slack_fake import slash_command_body

    async def test_lead(fake_slack: FakeSlack, http):  # `http`: an httpx client on the app
        body = slash_command_body("/lead", "acme", user_id="U1", channel_id="C1",
                                  response_url=fake_slack.response_url("lead"))
        r = await http.post("/slack/events", content=body,
                            headers=signed_headers(body, SIGNING_SECRET))
        assert r.status_code == 200
        [call] = await fake_slack.wait_for_async("chat.postEphemeral")
        assert call.params["user"] == "U1"

Message timestamps come from `new_ts()` (wall clock, strictly increasing in the process), shared
by the fake's posts and the payload builders' events, so they sort in the order they were made.

Blocking waits (`wait_for`, `wait_for_ack`, ...) refuse to run inside an event loop (they would
stall the app under test); use the `*_async` variants there.
"""

from tests.slack_fake.payloads import (
    VERIFICATION_TOKEN,
    app_home_opened_event,
    block_actions_body,
    block_actions_payload,
    button_action,
    event_body,
    event_payload,
    input_value,
    message_event,
    signed_headers,
    slash_command_body,
    slash_command_payload,
    trigger_id,
    view_submission_body,
    view_submission_payload,
)
from tests.slack_fake.server import (
    APP_ID,
    APP_TOKEN,
    BOT_ID,
    BOT_TOKEN,
    BOT_USER_ID,
    SIGNING_SECRET,
    TEAM_ID,
    Call,
    FakeSlack,
    ResponseCall,
    SlackError,
    SocketAck,
    new_ts,
)

__all__ = [
    "APP_ID",
    "APP_TOKEN",
    "BOT_ID",
    "BOT_TOKEN",
    "BOT_USER_ID",
    "SIGNING_SECRET",
    "TEAM_ID",
    "VERIFICATION_TOKEN",
    "Call",
    "FakeSlack",
    "ResponseCall",
    "SlackError",
    "SocketAck",
    "app_home_opened_event",
    "block_actions_body",
    "block_actions_payload",
    "button_action",
    "event_body",
    "event_payload",
    "input_value",
    "message_event",
    "new_ts",
    "signed_headers",
    "slash_command_body",
    "slash_command_payload",
    "trigger_id",
    "view_submission_body",
    "view_submission_payload",
]
