"""Decoded engagement states kept by their stored text (`bot.decoded_states`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from bot.config_file import load_config
from bot.decoded_states import DECODED_STATES, DecodedStates
from bot.scoring_service import apply_new_event
from bot.storage.column_types import dump_json, load_json
from bot.storage.leads_repo import upsert_lead
from bot.storage.scores_repo import get_score, stored_scores
from scoring.config import ScoringConfig
from scoring.engagement import build_state, state_from_json
from scoring.inputs import EventRecord
from tests.service.stored_records import store_record

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
STATE = {
    "v": 2,
    "fp": "f",
    "rules": {"pricing_page": [[1.5, "k1", None], [2.5, "k2", None]]},
    "last": 2.5,
    "n": 2,
}


@pytest.fixture(scope="module")
def config() -> ScoringConfig:
    return load_config(ROOT / "config.yml")


def test_a_text_decodes_once_and_another_text_afresh() -> None:
    states = DecodedStates()
    first = states.decode(1, dump_json(STATE))
    assert first == state_from_json(STATE)
    assert first["rules"]["pricing_page"][0] == (1.5, "k1", None)
    assert states.decode(1, dump_json(STATE)) is first  # kept
    other = {**STATE, "n": 3}
    assert states.decode(1, dump_json(other)) == state_from_json(other)
    assert states.decode(2, dump_json(STATE)) is not first  # kept per lead
    assert states.decode(3, "{}") is None  # never built


def test_an_encoded_state_is_written_verbatim_and_read_back_kept() -> None:
    states = DecodedStates()
    state = state_from_json(STATE)
    stored = dump_json(states.encode(7, state))
    assert load_json(stored) == STATE
    assert states.decode(7, stored) is state


def test_the_least_recently_scored_leads_go_first() -> None:
    states = DecodedStates(size=2)
    for lead_id in (1, 2):
        states.encode(lead_id, state_from_json(STATE))
    kept = state_from_json(STATE)
    states.encode(1, kept)  # lead 1 scored again: now the most recent
    states.encode(3, state_from_json(STATE))
    assert len(states) == 2
    assert states.decode(1, dump_json(STATE)) is kept
    assert states.decode(2, dump_json(STATE)) is not kept  # decoded afresh
    assert states.decode(3, dump_json(STATE)) is not kept


def _event(session: Session, lead_id: int, i: int) -> EventRecord:
    record = EventRecord("Page Viewed", NOW - timedelta(days=i + 1), f"m{i}", {"path": "/pricing"})
    return store_record(session, lead_id, record)


def test_a_state_written_elsewhere_or_rolled_back_is_read_from_the_database(
    engine: Engine, config: ScoringConfig
) -> None:
    with Session(engine) as session:
        lead_id = upsert_lead(session, {"email": "dana@northwind.io"}).id
        assert lead_id is not None
        records = []
        for i in range(3):
            records.append(_event(session, lead_id, i))
            apply_new_event(session, lead_id, records[-1], config, NOW)
        session.commit()
        [stored] = stored_scores(session, [lead_id]).values()
        kept = DECODED_STATES.decode(lead_id, stored.state)
        assert kept is not None and kept["n"] == 3
        # Another process rescored the lead from its first event only: its state is read.
        model = config.model_for(None)
        elsewhere = build_state(records[:1], model)
        session.execute(
            text("UPDATE lead_scores SET state = :state WHERE lead_id = :id"),
            {"state": dump_json(elsewhere), "id": lead_id},
        )
        apply_new_event(session, lead_id, _event(session, lead_id, 3), config, NOW)
        score = get_score(session, lead_id)
        assert score is not None and score.state["n"] == 2
        session.commit()
        # A write rolled back leaves its state kept, but the stored one is read next.
        apply_new_event(session, lead_id, _event(session, lead_id, 4), config, NOW)
        session.rollback()
        apply_new_event(session, lead_id, _event(session, lead_id, 5), config, NOW)
        score = get_score(session, lead_id)
        assert score is not None and score.state["n"] == 3
