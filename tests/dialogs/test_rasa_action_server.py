"""The form validation actions (dialogs.actions) as rasa-sdk runs them: served unchanged by
`python -m rasa_sdk --actions dialogs.actions` on a local port, and in process through
rasa-sdk's ActionExecutor (custom slots, validation, the answer time)."""

from __future__ import annotations

import contextlib
import copy
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from rasa_sdk.executor import ActionExecutor

from bot.config_file import load_config
from dialogs.actions import validation_action
from dialogs.domain import Domain
from scoring.config import ScoringConfig
from scoring.config_loader import load_config_text
from tests.dialogs.test_domain import meddic_config_text

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
START_TIMEOUT = 20.0  # a loaded machine; idle, the server is up in ~2 s

BUDGET_80K = {"status": "confirmed", "amount": 80000.0, "currency": "USD", "period": None}
CFO_SIGNS = {"role": "influencer", "person": None, "title": "CFO"}


def tracker(text: str, requested_slot: str | None, form: str = "bant_form") -> dict[str, Any]:
    """A Rasa tracker as the assistant sends it: the rep's message, asked slot, its time."""
    return {
        "sender_id": "rep-1",
        "slots": {"requested_slot": requested_slot, "lead_name": "Jane Doe", "company": "Acme"},
        "latest_message": {"text": text, "intent": {}, "entities": []},
        "events": [
            {"event": "action", "name": "action_listen", "timestamp": NOW.timestamp() - 5},
            {"event": "user", "text": text, "timestamp": NOW.timestamp()},
        ],
        "active_loop": {"name": form},
        "paused": False,
        "followup_action": None,
        "latest_action_name": "action_listen",
        "latest_event_time": NOW.timestamp(),
    }


def slot_events(result: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(e["name"], e["value"]) for e in result["events"] if e["event"] == "slot"]


@pytest.fixture(scope="module")
def config() -> ScoringConfig:
    return load_config(ROOT / "config.yml")


# ---------------------------------------------------------------- the action server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m rasa_sdk --actions dialogs.actions` on a free local port (its own
    process group, killed whole: the server forks workers and may ignore SIGTERM)."""
    port = free_port()
    log = tmp_path_factory.mktemp("rasa") / "server.log"
    env = {**os.environ, "SANIC_HOST": "127.0.0.1"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "dialogs.actions", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"action server exited ({proc.returncode}):\n{log.read_text()}")
            try:
                if httpx.get(f"{url}/health", timeout=0.5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"action server not up after {START_TIMEOUT}s:\n{log.read_text()}")
            time.sleep(0.1)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def test_server_lists_a_validation_action_per_form(action_server: str) -> None:
    names = {a["name"] for a in httpx.get(f"{action_server}/actions", timeout=5).json()}
    assert names == {"validate_bant_form", "validate_champ_form"}


def test_server_webhook_validates_the_bant_form(action_server: str, config: ScoringConfig) -> None:
    body = {
        "next_action": "validate_bant_form",
        "sender_id": "rep-1",
        "tracker": tracker("we have 80k confirmed, CFO signs", "budget"),
        "domain": Domain(config).rasa_domain(),
        "version": "3.10.0",
    }
    response = httpx.post(f"{action_server}/webhook", json=body, timeout=5)
    assert response.status_code == 200, response.text
    result = response.json()
    assert slot_events(result) == [("budget", BUDGET_80K), ("authority", CFO_SIGNS)]
    assert result["responses"] == []


def test_server_reads_dates_against_the_message_time_and_hints(
    action_server: str, config: ScoringConfig
) -> None:
    domain = Domain(config).rasa_domain()
    body = {"next_action": "validate_bant_form", "domain": domain}
    dated = httpx.post(
        f"{action_server}/webhook", json={**body, "tracker": tracker("by March", "timeline")}
    ).json()
    assert slot_events(dated) == [
        ("timeline", {"status": "known", "date": "2027-03-31", "horizon_days": 128})
    ]
    lost = httpx.post(
        f"{action_server}/webhook", json={**body, "tracker": tracker("purple elephant", "need")}
    ).json()
    assert slot_events(lost) == []
    assert [r["response"] for r in lost["responses"]] == ["utter_hint_need"]


# ---------------------------------------------------------------- in process


async def run(
    executor: ActionExecutor, form: str, domain: dict[str, Any], trk: dict[str, Any]
) -> dict[str, Any]:
    result = await executor.run(
        {"next_action": f"validate_{form}", "tracker": copy.deepcopy(trk), "domain": domain}
    )
    assert result is not None
    return result.model_dump()


@pytest.fixture(scope="module")
def meddic() -> ScoringConfig:
    return load_config_text(meddic_config_text(), ScoringConfig, "config.yml+meddic")


async def test_in_process_champ_form_reads_its_own_slots_only(config: ScoringConfig) -> None:
    executor = ActionExecutor()
    executor.register_action(validation_action("champ_form"))
    result = await run(
        executor,
        "champ_form",
        Domain(config).rasa_domain(),
        tracker("top priority, 80k, want it live by March", "priority", "champ_form"),
    )
    # CHAMP has no timeline: "by March" is not set
    assert slot_events(result) == [("budget", BUDGET_80K), ("priority", {"level": "top"})]


async def test_in_process_custom_slot_choices_come_from_the_domain(meddic: ScoringConfig) -> None:
    executor = ActionExecutor()
    executor.register_action(validation_action("meddic_form"))
    domain = Domain(meddic).rasa_domain()
    result = await run(executor, "meddic_form", domain, tracker("qunatified", "metrics"))
    assert slot_events(result) == [("metrics", {"choice": "quantified"})]
    unasked = await run(executor, "meddic_form", domain, tracker("vague", "need"))
    assert ("metrics", {"choice": "vague"}) not in slot_events(unasked)


async def test_in_process_a_value_off_the_contract_is_refused_with_a_hint(
    config: ScoringConfig,
) -> None:
    action = validation_action("bant_form")()
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    trk = Tracker.from_dict(tracker("x", "budget"))
    domain = Domain(config).rasa_domain()
    bad = await action.validate_budget({"status": "loads"}, dispatcher, trk, domain)
    assert bad == {"budget": None}
    assert [m["response"] for m in dispatcher.messages] == ["utter_hint_budget"]
    good = await action.validate_budget({"status": "planned"}, dispatcher, trk, domain)
    assert good == {
        "budget": {"status": "planned", "amount": None, "currency": None, "period": None}
    }


@pytest.mark.parametrize("form", ["bant_form", "champ_form", "meddic_form"])
def test_action_classes_pickle_by_reference(form: str) -> None:
    # the server hands its registered actions to worker processes by pickling them
    cls = validation_action(form)
    assert cls.__module__ == "dialogs.actions"
    assert pickle.loads(pickle.dumps(cls)) is cls
    assert cls().name() == f"validate_{form}"
