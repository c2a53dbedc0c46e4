"""Applying one new event or answer to stored state equals a full recompute at the same time."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.config import ScoringConfig
from scoring.engagement import (
    apply_event,
    build_state,
    compact_state,
    empty_state,
    state_from_json,
    state_to_json,
)
from scoring.fit import latest_answers
from scoring.inputs import AnswerRecord, EventRecord
from scoring.result import ScoreResult
from scoring.scorer import score, score_from_state
from tests.scoring.conftest import NOW, lead

EVENT_SHAPES: st.SearchStrategy[tuple[str, dict[str, Any]]] = st.sampled_from(
    [
        ("Page Viewed", {"path": "/pricing"}),
        ("Page Viewed", {"path": "/docs"}),
        ("Demo Requested", {}),
        ("Email Opened", {}),
        ("Content Downloaded", {"asset_id": "ebook"}),
        ("Content Downloaded", {"asset_id": "guide"}),
        ("Content Downloaded", {}),
        ("Video Watched", {"percent_watched": 80, "meta": {"kind": "product"}}),
        ("Unsubscribed", {}),
        ("Logged In", {}),
    ]
)
# Minutes in the past: many events share a day or a week, so the caps are exercised.
AGES = st.integers(min_value=-60, max_value=200 * 24 * 60)


@st.composite
def event_lists(draw: st.DrawFn) -> list[EventRecord]:
    n = draw(st.integers(min_value=0, max_value=30))
    events = []
    for i in range(n):
        name, props = draw(EVENT_SHAPES)
        age = draw(AGES)
        events.append(EventRecord(name, NOW - timedelta(minutes=age), f"k{i:03d}", props))
    return events


ANSWER_VALUES: st.SearchStrategy[tuple[str, dict[str, Any]]] = st.sampled_from(
    [
        ("budget", {"status": "confirmed", "amount": 20000.0, "currency": "USD", "period": "year"}),
        ("budget", {"status": "unknown", "amount": None, "currency": None, "period": None}),
        ("budget", {"status": "none", "amount": None, "currency": None, "period": None}),
        ("authority", {"role": "decision_maker", "person": None, "title": None}),
        ("authority", {"role": "user", "person": None, "title": None}),
        ("timeline", {"status": "known", "date": "2026-12-01", "horizon_days": 8}),
        ("timeline", {"status": "none", "date": None, "horizon_days": None}),
        ("need", {"level": "high", "pains": []}),
        ("priority", {"level": None}),
    ]
)


@st.composite
def answer_lists(draw: st.DrawFn) -> list[AnswerRecord]:
    n = draw(st.integers(min_value=0, max_value=8))
    out = []
    for i in range(n):
        slot, value = draw(ANSWER_VALUES)
        days = draw(st.integers(min_value=0, max_value=120))
        out.append(AnswerRecord(slot, value, NOW - timedelta(days=days), seq=i))
    return out


def same(a: ScoreResult, b: ScoreResult) -> bool:
    return a.to_dict() == b.to_dict() and state_to_json(a.state) == state_to_json(b.state)


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(events=event_lists(), answers=answer_lists(), data=st.data())
def test_one_new_event_on_stored_state_equals_full_recompute(
    config: ScoringConfig,
    events: list[EventRecord],
    answers: list[AnswerRecord],
    data: st.DataObject,
) -> None:
    model = config.models["default"]
    new_name, new_props = data.draw(EVENT_SHAPES)
    new = EventRecord(new_name, NOW - timedelta(minutes=data.draw(AGES)), "new", new_props)
    stored = json.loads(json.dumps(state_to_json(build_state(events, model))))  # as in the DB
    updated = apply_event(state_from_json(stored), new, model)
    incremental = score_from_state(lead(), answers, updated, model, config, NOW)
    full = score(lead(), answers, [*events, new], config, NOW)
    assert same(incremental, full)


@SETTINGS
@given(events=event_lists(), order=st.randoms(use_true_random=False))
def test_folding_events_in_any_order_equals_full_recompute(
    config: ScoringConfig, events: list[EventRecord], order: object
) -> None:
    model = config.models["default"]
    shuffled = list(events)
    order.shuffle(shuffled)  # type: ignore[attr-defined]
    state = empty_state(model)
    for e in shuffled:
        state = apply_event(state, e, model)
    assert state_to_json(state) == state_to_json(build_state(events, model))


@SETTINGS
@given(
    events=event_lists(),
    compact_days_ago=st.integers(min_value=0, max_value=150),
    answers=answer_lists(),
)
def test_compacting_the_state_never_changes_later_scores(
    config: ScoringConfig,
    events: list[EventRecord],
    compact_days_ago: int,
    answers: list[AnswerRecord],
) -> None:
    model = config.models["default"]
    state = build_state(events, model)
    compacted = compact_state(state, model, NOW - timedelta(days=compact_days_ago))
    a = score_from_state(lead(), answers, compacted, model, config, NOW)
    b = score_from_state(lead(), answers, state, model, config, NOW)
    assert a.to_dict() == b.to_dict()


@SETTINGS
@given(answers=answer_lists(), data=st.data())
def test_one_new_answer_on_current_answers_equals_full_history(
    config: ScoringConfig, answers: list[AnswerRecord], data: st.DataObject
) -> None:
    slot, value = data.draw(ANSWER_VALUES)
    new = AnswerRecord(slot, value, NOW - timedelta(days=data.draw(st.integers(0, 120))), seq=99)
    current = list(latest_answers(answers).values())  # what a lead's card keeps
    incremental = score(lead(), [*current, new], [], config, NOW)
    full = score(lead(), [*answers, new], [], config, NOW)
    assert incremental.to_dict() == full.to_dict()
