"""Shared pieces of the alert tests: a config with alert rules, a lead that can turn hot."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from bot.config_file import load_config
from bot.storage.answers_repo import add_answer
from bot.storage.events_repo import add_event
from bot.storage.leads_repo import upsert_lead
from scoring.config import ScoringConfig
from scoring.inputs import EventRecord
from tests.slack_fake.fixtures import fake_slack  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)  # 07:00 in New York: after quiet hours

ANSWERS: list[tuple[str, dict[str, Any]]] = [
    ("budget", {"status": "confirmed", "amount": 80000.0, "currency": "USD", "period": "year"}),
    ("authority", {"role": "decision_maker", "person": None, "title": "VP"}),
    ("need", {"level": "critical", "pains": ["manual reporting"]}),
    ("timeline", {"status": "known", "date": "2026-12-31", "horizon_days": 38}),
]
# with all four answers (55.0, qualified) these take the lead to 68.5, 72.1, 77.5 (hot)
HOT_EVENTS: list[tuple[str, dict[str, Any]]] = [
    ("Demo Requested", {}),
    ("Page Viewed", {"path": "/pricing"}),
    ("Webinar Attended", {"webinar_id": "w1"}),
]


@pytest.fixture(scope="session")
def shipped_config() -> ScoringConfig:
    return load_config(ROOT / "config.yml")


def with_alerts(config: ScoringConfig, **alerts: Any) -> ScoringConfig:
    """`config` with its `alerts:` section updated (validated)."""
    data = config.alerts.model_dump(mode="json") | alerts
    return config.model_copy(update={"alerts": type(config.alerts).model_validate(data)})


@pytest.fixture
def config(shipped_config: ScoringConfig) -> ScoringConfig:
    """Only the hot and negative-signal rules, no cooldown or quiet hours (one thing at a time)."""
    return with_alerts(
        shipped_config,
        cooldown_minutes=0,
        quiet_hours=None,
        rules=[
            {"id": "became_hot", "kind": "tier_entered", "tier": "hot", "leave_margin": 10},
            {
                "id": "hot_lead_unsubscribed",
                "kind": "negative_signal",
                "events": ["unsubscribe"],
            },
        ],
    )


def make_lead(session: Session, email: str = "dana@northwind.io", **kw: Any) -> int:
    lead = upsert_lead(
        session,
        {
            "email": email,
            "name": "Dana Whitfield",
            "company": "Northwind",
            "title": "VP Operations",
            "company_size": 400,
            "country": "US",
            **kw,
        },
    )
    assert lead.id is not None
    return lead.id


def answer_all(session: Session, lead_id: int, at: datetime = NOW) -> None:
    for slot, value in ANSWERS:
        add_answer(
            session, lead_id, slot, value, source="test", answered_by="U0REP", answered_at=at
        )


def store_event(
    session: Session, lead_id: int, key: str, type_: str, props: dict[str, Any], at: datetime
) -> EventRecord | None:
    stored = add_event(
        session,
        lead_id=lead_id,
        dedupe_key=key,
        type=type_,
        occurred_at=at,
        source="test",
        properties=props,
    )
    return None if stored is None else EventRecord(type_, at, key, props)
