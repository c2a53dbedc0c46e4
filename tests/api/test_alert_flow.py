"""`qualibot serve`'s app with its lifespan: an event that moves a lead is posted as an
alert by the dispatcher running in the same process, once, woken by the commit."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from bot.config_file import load_config
from bot.server import build
from bot.settings import Settings
from scoring.notify_config import JumpRule
from tests.api.conftest import AUTH, TOKEN
from tests.app_config import without_catch_up
from tests.slack_fake import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.slack_fake.fixtures import fake_slack  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def _demo(message_id: str) -> dict[str, object]:
    return {
        "type": "track",
        "event": "Demo Requested",
        "messageId": message_id,
        "properties": {"email": "flow@acme.com"},
    }


def test_event_to_alert_posted_by_the_in_process_dispatcher(
    db_url: str,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    shipped = load_config(ROOT / "config.yml")
    alerts = shipped.alerts.model_copy(
        update={
            "quiet_hours": None,  # the test runs at any hour
            "rules": [JumpRule(id="any_rise", kind="jump", points=1, window_hours=24)],
        }
    )
    quiet = without_catch_up(shipped)
    jobs = quiet.jobs.model_copy(update={"outbox_poll_seconds": 600})  # only wake() posts
    config = quiet.model_copy(update={"alerts": alerts, "jobs": jobs})
    settings = Settings(
        database_url=db_url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.base_url,
        ingest_token=TOKEN,
    )
    api, _ = build(settings, config)
    with TestClient(api) as http:  # runs the lifespan: the dispatcher is up
        assert http.post("/events", json=_demo("f1"), headers=AUTH).json()["accepted"] == 1
        assert http.post("/events", json=_demo("f2"), headers=AUTH).json()["accepted"] == 1
        posts = fake_slack.wait_for("chat.postMessage", n=1, timeout=5)
        assert http.post("/events", json=_demo("f2"), headers=AUTH).json()["duplicates"] == 1
    alerts_posted = fake_slack.find_messages(event_type="qualibot_alert")
    assert len(alerts_posted) == 1 == len(posts)  # cooldown: one per lead; replay: none
    assert posts[0].params["channel"] == "#sales-alerts"
    assert "flow@acme.com" in str(posts[0].params["blocks"])
