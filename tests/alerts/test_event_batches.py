"""Events stored set-based (`bot.event_store.store_items`) score and alert exactly as the
same events stored one at a time; a failing set-based write falls back to one at a time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

import bot.event_store
from bot.event_store import EventToStore, IdentifyToStore, store_items
from bot.scoring_service import rescore_lead
from bot.storage.events_repo import NewEventsInsert
from bot.storage.scores_repo import get_score, score_changes_for_lead
from bot.storage.tables import Alert, AlertState, Event, Lead
from scoring.config import ScoringConfig
from scoring.inputs import EventRecord
from tests.alerts.conftest import HOT_EVENTS, NOW, answer_all, make_lead, with_alerts

# 55.0 → 68.5 (a jump of 13.5) → 72.1 → 77.5 (hot, but within the jump's cooldown) →
# unsubscribed while hot: 68.5 (a negative signal bypasses the cooldown)
EVENTS = [*HOT_EVENTS, ("Unsubscribed", {})]


@pytest.fixture
def rules(config: ScoringConfig) -> ScoringConfig:
    return with_alerts(
        config,
        cooldown_minutes=60,
        rules=[
            {"id": "became_hot", "kind": "tier_entered", "tier": "hot", "leave_margin": 10},
            {"id": "jumped", "kind": "jump", "points": 10, "window_hours": 24},
            {"id": "qualified", "kind": "qualified"},
            {"id": "hot_lead_unsubscribed", "kind": "negative_signal", "events": ["unsubscribe"]},
        ],
    )


def _item(email: str, i: int, type_: str, props: dict[str, Any]) -> EventToStore:
    return EventToStore(i, email, EventRecord(type_, NOW, f"{email}-{i}", props), "api")


def _warm(session: Session, config: ScoringConfig, email: str) -> int:
    lead_id = make_lead(session, email)
    answer_all(session, lead_id)
    rescore_lead(session, lead_id, config, NOW, "import")
    return lead_id


def _history(session: Session, lead_id: int) -> dict[str, Any]:
    score = get_score(session, lead_id)
    assert score is not None
    alerts = session.scalars(
        select(Alert).where(col(Alert.lead_id) == lead_id).order_by(col(Alert.id))
    )
    states = session.scalars(select(AlertState).where(col(AlertState.lead_id) == lead_id))
    state = {  # event keys without the lead's email
        rule: [(at, key.split("-")[-1], tag) for at, key, tag in entries]
        for rule, entries in score.state["rules"].items()
    }
    return {
        "score": (score.total, score.tier, score.qualified, state),
        "changes": [
            (
                c.old_total,
                c.new_total,
                c.old_tier,
                c.new_tier,
                c.reason,
                (c.ref or "").split("-")[-1],
            )
            for c in score_changes_for_lead(session, lead_id)
        ],
        "alerts": [(a.kind, a.rule_id, a.dedupe_key.split("-")[-1]) for a in alerts],
        "states": {(s.rule_id, s.active) for s in states},
    }


def test_a_batch_scores_and_alerts_as_its_events_one_at_a_time(
    session: Session, rules: ScoringConfig
) -> None:
    one, batch = (_warm(session, rules, email) for email in ("one@acme.io", "batch@acme.io"))
    for i, (type_, props) in enumerate(EVENTS):
        assert store_items(session, [_item("one@acme.io", i, type_, props)], rules, NOW, True) == [
            "accepted"
        ]
    items = [_item("batch@acme.io", i, t, p) for i, (t, p) in enumerate(EVENTS)]
    assert store_items(session, items, rules, NOW, True) == ["accepted"] * len(EVENTS)
    session.commit()

    expected = _history(session, one)
    assert [a[:2] for a in expected["alerts"]] == [
        ("jump", "jumped"),
        ("negative_signal", "hot_lead_unsubscribed"),
    ]
    assert [c[1] for c in expected["changes"]] == [55.0, 68.5, 72.1, 77.5, 68.5]
    assert _history(session, batch) == expected


def test_batches_mix_identifies_duplicates_and_unknown_leads_in_order(
    session: Session, rules: ScoringConfig
) -> None:
    known = _warm(session, rules, "known@acme.io")
    items: list[EventToStore | IdentifyToStore | Exception] = [
        _item("known@acme.io", 0, "Demo Requested", {}),
        _item("known@acme.io", 0, "Demo Requested", {}),  # same messageId again
        ValueError("did not parse"),
        IdentifyToStore(3, "id-3", "new@acme.io", {"title": "CFO"}),
        _item("new@acme.io", 4, "Page Viewed", {"path": "/pricing"}),
    ]
    outcomes = store_items(session, items, rules, NOW, create_leads=True)
    [unknown] = store_items(
        session, [_item("nobody@acme.io", 5, "Page Viewed", {})], rules, NOW, create_leads=False
    )
    session.commit()

    assert outcomes[:2] == ["accepted", "duplicate"]
    assert str(outcomes[2]) == "did not parse"
    assert outcomes[3:] == ["created", "accepted"]  # the identify ran before its event
    assert isinstance(unknown, LookupError) and "nobody@acme.io" in str(unknown)
    new = session.scalars(select(Lead).where(col(Lead.email) == "new@acme.io")).one()
    assert new.title == "CFO"
    assert get_score(session, known) is not None and get_score(session, new.id or 0) is not None
    assert session.scalars(select(col(Event.dedupe_key)).order_by(col(Event.id))).all() == [
        "known@acme.io-0",
        "new@acme.io-4",
    ]


def test_a_failing_set_based_write_is_stored_again_one_at_a_time(
    engine: Engine, rules: ScoringConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(engine) as session:
        ids = [_warm(session, rules, "a@acme.io"), _warm(session, rules, "b@acme.io")]
        session.commit()
    calls: list[int] = []

    class Conflicting(NewEventsInsert):
        @contextmanager
        def in_flight(self) -> Iterator[None]:
            calls.append(1)
            raise IntegrityError("INSERT INTO events", {}, Exception("a concurrent writer"))
            yield

    monkeypatch.setattr(bot.event_store, "NewEventsInsert", Conflicting)
    items: list[EventToStore | IdentifyToStore | Exception] = [
        _item("a@acme.io", 0, "Demo Requested", {}),
        _item("b@acme.io", 1, "Demo Requested", {}),
    ]
    with Session(engine) as session:
        assert store_items(session, items, rules, NOW, True) == ["accepted", "accepted"]
        session.commit()
    assert calls == [1]
    with Session(engine) as session:
        assert len(session.scalars(select(Event)).all()) == 2
        scores = [get_score(session, lead_id) for lead_id in ids]
        assert [s.total if s else None for s in scores] == [68.5, 68.5]
