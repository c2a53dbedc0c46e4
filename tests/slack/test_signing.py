"""Only requests signed by Slack, recently, are served (401 otherwise, and nothing happens)."""

from __future__ import annotations

import time

from tests.slack.harness import CHANNEL, REP, Slack
from tests.slack_fake import SIGNING_SECRET, FakeSlack, signed_headers, slash_command_body

EMAIL = "dana.whitfield@northwind-analytics.com"


async def test_bad_signatures_and_stale_timestamps_are_refused(
    slack: Slack, fake_slack: FakeSlack
) -> None:
    body = slash_command_body("/lead", EMAIL, user_id=REP, channel_id=CHANNEL)
    wrong_secret = signed_headers(body, "not-the-signing-secret")
    tampered = signed_headers(body.replace("dana", "eve"), SIGNING_SECRET)  # signs another body
    stale = signed_headers(body, SIGNING_SECRET, timestamp=int(time.time()) - 5 * 60 - 30)
    unsigned = {"Content-Type": "application/x-www-form-urlencoded"}

    for headers in (wrong_secret, tampered, stale, unsigned):
        response = await slack.post(body, headers)
        assert response.status_code == 401, headers
    await slack.settle()
    assert fake_slack.calls == []  # not even auth.test: nothing ran

    # the very same body, signed now, is served: the refusals above were about the signature
    response = await slack.post(body)
    assert response.status_code == 200
    await slack.settle()
    [card] = fake_slack.calls_to("chat.postEphemeral")
    assert card.ok and card.params["user"] == REP
