"""`GET /metrics`: Prometheus text with event counts and the outbox depth."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from bot.storage.database import make_engine
from bot.storage.tables import Alert, Lead
from tests.api.conftest import AUTH, api_client
from tests.slack_fake import FakeSlack
from tests.slack_fake.fixtures import fake_slack  # noqa: F401


@pytest.fixture
async def api(db_url: str, fake_slack: FakeSlack) -> AsyncIterator[httpx.AsyncClient]:  # noqa: F811
    async with api_client(db_url, fake_slack) as client:
        yield client


def sample(body: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", body, re.M)
    assert match, f"{name} not in /metrics"
    return float(match.group(1))


async def test_metrics_count_events_by_outcome_and_report_outbox_depth(
    api: httpx.AsyncClient, db_url: str
) -> None:
    before = (await api.get("/metrics")).text
    accepted = (
        sample(before, 'qualibot_events_total{status="accepted"}') if "accepted" in before else 0.0
    )
    rejected = (
        sample(before, 'qualibot_events_total{status="rejected"}') if "rejected" in before else 0.0
    )
    batch = {
        "batch": [
            {
                "type": "track",
                "event": "Demo Requested",
                "messageId": "mx1",
                "properties": {"email": "metrics@acme.com"},
            },
            {"type": "track", "messageId": "mx2"},  # no event name, no user: rejected
        ]
    }
    assert (await api.post("/events", json=batch, headers=AUTH)).status_code == 200

    engine = make_engine(db_url)
    with Session(engine) as session:  # one more alert waiting in the outbox
        lead = session.scalars(select(Lead).where(Lead.email == "metrics@acme.com")).one()
        assert lead.id is not None
        session.add(Alert(lead_id=lead.id, kind="test", rule_id="t", channel="#x", dedupe_key="mx"))
        session.commit()
    with engine.connect() as conn:
        pending = conn.execute(
            text("SELECT COUNT(*) FROM alerts WHERE status = 'pending'")
        ).scalar()
    engine.dispose()
    assert pending is not None and pending >= 1

    response = await api.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    body = response.text
    assert sample(body, 'qualibot_events_total{status="accepted"}') == accepted + 1
    assert sample(body, 'qualibot_events_total{status="rejected"}') == rejected + 1
    assert sample(body, "qualibot_events_batch_seconds_count") >= 1
    engine = make_engine(db_url)
    with engine.connect() as conn:
        pending = conn.execute(
            text("SELECT COUNT(*) FROM alerts WHERE status = 'pending'")
        ).scalar()
    engine.dispose()
    assert sample(body, "qualibot_outbox_depth") == pending
