"""`POST /calls` end to end: bearer auth, validation, idempotency, the rep's DM (fake Slack)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from bot.bulk_scoring import rescore_all
from bot.config_file import load_config
from bot.demo_data import STORY_LEAD_EMAIL
from bot.demo_loader import load_demo_data
from bot.storage.database import make_engine
from bot.storage.migrate import init_db
from bot.storage.tables import Call, Conversation
from tests.api.conftest import AUTH, ROOT, api_client
from tests.slack_fake import FakeSlack
from tests.slack_fake.fixtures import fake_slack  # noqa: F401

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.fixture
def db_file(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'calls.db'}"
    init_db(url)
    engine = make_engine(url)
    load_demo_data(engine, 10, 42, NOW)
    engine.dispose()
    rescore_all(url, load_config(ROOT / "config.yml"), NOW, workers=1)
    return url


@pytest.fixture
async def api(db_file: str, fake_slack: FakeSlack) -> AsyncIterator[httpx.AsyncClient]:  # noqa: F811
    async with api_client(db_file, fake_slack) as client:
        yield client


def call(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "call_id": "dialer-42",
        "lead_email": STORY_LEAD_EMAIL.upper(),
        "rep_slack_id": "U0REP0001",
        "ended_at": "2026-11-23T11:30:00Z",
        "notes": "Good call, pricing questions.",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


async def test_a_call_opens_a_conversation_and_dms_the_first_question_once(
    api: httpx.AsyncClient,
    fake_slack: FakeSlack,  # noqa: F811
    db_file: str,
) -> None:
    first = await api.post("/calls", json=call(), headers=AUTH)
    assert first.status_code == 201, first.text
    created = first.json()
    assert created["status"] == "created" and created["rep"] == "U0REP0001"
    [opened] = fake_slack.calls_to("conversations.open")
    assert opened.params["users"] == "U0REP0001"
    [question] = fake_slack.calls_to("chat.postMessage")
    assert question.params["channel"] == "DU0REP0001"
    assert "Dana Whitfield" in question.params["text"] and "budget" in question.params["text"]
    assert any(b["type"] == "actions" for b in question.params["blocks"])

    again = await api.post("/calls", json=call(notes="retry"), headers=AUTH)
    assert again.status_code == 200
    assert again.json() == {**created, "status": "duplicate"}
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # nothing sent twice

    engine = make_engine(db_file)
    with Session(engine) as session:
        [row] = session.exec(select(Call)).all()
        conversation = session.get(Conversation, created["conversation_id"])
        assert (row.external_id, row.rep, row.notes) == (
            "dialer-42",
            "U0REP0001",
            "Good call, pricing questions.",
        )
        assert row.ended_at == datetime(2026, 11, 23, 11, 30, tzinfo=UTC)
        assert conversation is not None
        assert (row.conversation_id, conversation.call_id) == (conversation.id, row.id)
        assert (conversation.rep, conversation.framework, conversation.channel) == (
            "U0REP0001",
            "bant",
            "DU0REP0001",
        )
    engine.dispose()


async def test_the_same_call_twice_at_once_dms_once(
    api: httpx.AsyncClient,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    results = await asyncio.gather(
        api.post("/calls", json=call(), headers=AUTH),
        api.post("/calls", json=call(), headers=AUTH),
    )
    assert sorted(r.json()["status"] for r in results) == ["created", "duplicate"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_rep_by_email_is_looked_up_in_slack(
    api: httpx.AsyncClient,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    fake_slack.add_user("U0SAM", email="sam@seller.example", name="Sam")
    r = await api.post(
        "/calls", json=call(rep_slack_id=None, rep_email="Sam@Seller.example"), headers=AUTH
    )
    assert r.status_code == 201 and r.json()["rep"] == "U0SAM"
    r = await api.post(
        "/calls",
        json=call(call_id="c2", rep_slack_id=None, rep_email="nobody@seller.example"),
        headers=AUTH,
    )
    assert r.status_code == 422 and "no Slack user with email nobody@seller.example" in r.text


@pytest.mark.parametrize(
    ("headers", "body", "status", "reason"),
    [
        ({}, call(), 401, "missing or wrong bearer token"),
        ({"Authorization": "Bearer nope"}, call(), 401, "missing or wrong bearer token"),
        (AUTH, call(lead_email="not-an-email"), 422, "invalid email"),
        (AUTH, call(rep_slack_id=None), 422, "give rep_slack_id or rep_email"),
        (AUTH, call(ended_at="2026-11-23T11:30:00"), 422, "timezone"),
        (AUTH, call(framework="meddic"), 422, "unknown framework 'meddic'"),
        (AUTH, call(lead_email="ghost@nowhere.example"), 404, "no lead with email"),
        (AUTH, {**call(), "surprise": 1}, 422, "surprise"),
    ],
)
async def test_bad_calls_are_rejected_with_the_reason_and_change_nothing(
    api: httpx.AsyncClient,
    fake_slack: FakeSlack,  # noqa: F811
    db_file: str,
    headers: dict[str, str],
    body: dict[str, object],
    status: int,
    reason: str,
) -> None:
    r = await api.post("/calls", json=body, headers=headers)
    assert r.status_code == status and reason in r.text
    assert fake_slack.calls_to("chat.postMessage") == []
    engine = make_engine(db_file)
    with Session(engine) as session:
        assert session.exec(select(Call)).all() == []
        assert session.exec(select(Conversation)).all() == []
    engine.dispose()
