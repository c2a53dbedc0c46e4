"""Fixtures for digests and the scheduler: a seeded database, the config, a fake Slack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.config_file import load_config
from bot.storage.tables import Call, Conversation, Event, Lead, LeadScore, ScoreChange
from scoring.config import ScoringConfig
from tests.slack_fake.fixtures import fake_slack, fake_slack_client  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
# Friday 2026-11-20 08:00 in New York: the `morning` digest of config.yml fires then.
MORNING = datetime(2026, 11, 20, 13, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def config() -> ScoringConfig:
    return load_config(ROOT / "config.yml")


def _score(lead_id: int, total: float, tier: str, qualified: bool, **kw: Any) -> LeadScore:
    return LeadScore(
        lead_id=lead_id,
        model="default",
        total=total,
        fit=total,
        engagement=0,
        grade=kw.pop("grade", "A1"),
        tier=tier,
        qualified=qualified,
        **kw,
    )


def _change(
    lead_id: int, at: datetime, old: tuple[float, str] | None, new: tuple[float, str], reason: str
) -> ScoreChange:
    return ScoreChange(
        lead_id=lead_id,
        at=at,
        old_total=old[0] if old else None,
        old_tier=old[1] if old else None,
        old_qualified=False if old else None,
        new_total=new[0],
        new_tier=new[1],
        new_qualified=False,
        reason=reason,
    )


def seed(engine: Engine, now: datetime = MORNING) -> dict[str, int]:
    """Five leads, their scores and score changes around `now`, four calls.

    hot1   90 hot, qualified, unclaimed (changed 30h ago only: before the window)
    hot2   80 hot, owned by U1, moved warm 60 → hot 80 three hours ago (a mover)
    warm3  60 warm, qualified, unclaimed; drifted 60.5 → 60 (decay, too small to move)
    cold4  20 cold: hot 75 → warm 62 (event, 2h ago) → cold 20 (decay, 1h ago): cooled
    new5   50 warm, first scored 1h ago (not a mover: no score before the window)
    """
    h = timedelta(hours=1)
    with Session(engine) as s:
        leads = {
            key: Lead(email=f"{key}@acme.com", name=key.capitalize(), company="Acme", owner=owner)
            for key, owner in [
                ("hot1", None),
                ("hot2", "U1"),
                ("warm3", None),
                ("cold4", "U2"),
                ("new5", None),
            ]
        }
        s.add_all(leads.values())
        s.flush()
        ids = {k: v.id or 0 for k, v in leads.items()}
        assert all(ids.values())
        # hot1's demo request explains its stored score (its top reason in digests)
        s.add(
            Event(
                lead_id=ids["hot1"],
                dedupe_key="hot1-demo",
                type="demo_request",
                occurred_at=now - 5 * h,
                source="test",
                properties={},
            )
        )
        s.add_all(
            [
                _score(ids["hot1"], 90, "hot", True, scored_at=now - 4 * h),
                _score(ids["hot2"], 80, "hot", False, grade="B1"),
                _score(ids["warm3"], 60, "warm", True, grade="A3"),
                _score(ids["cold4"], 20, "cold", False, grade="C4"),
                _score(ids["new5"], 50, "warm", False, grade="B2"),
            ]
        )
        s.add_all(
            [
                _change(ids["hot1"], now - 30 * h, (50, "warm"), (90, "hot"), "event"),
                _change(ids["hot2"], now - 3 * h, (60, "warm"), (80, "hot"), "event"),
                _change(ids["warm3"], now - 1 * h, (60.5, "warm"), (60, "warm"), "decay"),
                _change(ids["cold4"], now - 2 * h, (75, "hot"), (62, "warm"), "event"),
                _change(ids["cold4"], now - 1 * h, (62, "warm"), (20, "cold"), "decay"),
                _change(ids["new5"], now - 1 * h, None, (50, "warm"), "import"),
                _change(ids["hot2"], now + 1 * h, (80, "hot"), (99, "hot"), "event"),  # after
            ]
        )
        done = Conversation(lead_id=ids["warm3"], rep="U3", framework="bant", status="done")
        open_ = Conversation(lead_id=ids["hot2"], rep="U1", framework="bant", status="active")
        s.add_all([done, open_])
        s.flush()
        s.add_all(
            [
                Call(external_id="c-new", lead_id=ids["hot1"], rep="U1", ended_at=now - 5 * h),
                Call(
                    external_id="c-open",
                    lead_id=ids["hot2"],
                    rep="U1",
                    ended_at=now - 26 * h,
                    conversation_id=open_.id,
                ),
                Call(
                    external_id="c-done",
                    lead_id=ids["warm3"],
                    rep="U3",
                    ended_at=now - 4 * h,
                    conversation_id=done.id,
                ),
                Call(
                    external_id="c-old", lead_id=ids["hot1"], rep="U1", ended_at=now - 20 * 24 * h
                ),
            ]
        )
        s.commit()
    return ids


@pytest.fixture
def seeded(engine: Engine) -> dict[str, int]:
    return seed(engine)
