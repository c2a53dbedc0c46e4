"""`qualibot digest`: dry run (Rich and --json), unknown names, posting exactly once."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot.cli import app
from bot.digest_runs import get_run
from tests.scheduling.conftest import MORNING, ROOT
from tests.slack_fake import BOT_TOKEN, FakeSlack

runner = CliRunner()
AT = MORNING.isoformat()


def run(db_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        app, ["--database-url", db_url, "--config", str(ROOT / "config.yml"), *args]
    )
    return result.exit_code, result.output


def test_dry_run_prints_and_records_nothing(
    db_url: str, engine: Engine, seeded: dict[str, int]
) -> None:
    code, out = run(db_url, "digest", "morning", "--dry-run", "--at", AT)
    assert code == 0, out
    for text in ("Top hot leads", "Hot1", "Requested a demo", "Biggest movers", "c-open"):
        assert text in out
    assert "Every qualified lead has an owner" not in out
    assert get_run(engine, "morning", MORNING) is None

    code, out = run(db_url, "digest", "weekly_review", "--dry-run", "--json", "--at", AT)
    assert code == 0, out
    data = json.loads(out)
    assert data["channel"] == "#sales-leadership" and data["scheduled_for"] == AT
    assert [p["kind"] for p in data["sections"]] == ["top_hot", "qualified_unclaimed", "cooled"]
    assert data["sections"][0]["total"] == 2
    assert data["sections"][2]["rows"][0]["lead"]["email"] == "cold4@acme.com"


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_unknown_digest_lists_the_configured_ones(db_url: str) -> None:
    code, out = run(db_url, "digest", "evening", "--dry-run")
    assert code == 2
    assert "unknown digest 'evening'" in out and "morning, weekly_review" in out


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_post_goes_out_once_per_scheduled_time(
    db_url: str,
    engine: Engine,
    seeded: dict[str, int],
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", fake_slack.base_url)
    code, out = run(db_url, "digest", "morning", "--at", AT, "--json")
    assert code == 0, out
    first = json.loads(out)
    assert first["status"] == "posted"
    code, out = run(db_url, "digest", "morning", "--at", AT)
    assert code == 0 and "already ran" in out
    [message] = fake_slack.find_messages(event_type="qualibot_digest")
    assert message["ts"] == first["message_ts"]
    assert message["metadata"]["event_payload"] == {"name": "morning", "scheduled_for": AT}
    run_row = get_run(engine, "morning", MORNING)
    assert run_row is not None and run_row.message_ts == message["ts"]


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_post_needs_a_token(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    code, out = run(db_url, "digest", "morning")
    assert code == 2 and "SLACK_BOT_TOKEN" in out
