"""A batch's events inserted while its leads are scored (`NewEventsInsert.in_flight`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from bot.config_file import load_config
from bot.event_store import EventToStore, store_items
from bot.scoring_service import rescore_lead
from bot.storage.events_repo import NewEventsInsert, add_event
from bot.storage.leads_repo import upsert_lead
from bot.storage.scores_repo import get_score, score_changes_for_lead
from bot.storage.tables import Event
from scoring.config import ScoringConfig
from scoring.engagement import state_to_json
from scoring.inputs import EventRecord

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def config() -> ScoringConfig:
    return load_config(ROOT / "config.yml")


def _lead(session: Session, email: str) -> int:
    lead = upsert_lead(session, {"email": email, "title": "VP Operations", "company_size": 400})
    assert lead.id is not None
    return lead.id


def _row(lead_id: int, key: str) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "dedupe_key": key,
        "type": "Demo Requested",
        "occurred_at": NOW,
        "source": "test",
        "properties": {"via": "web"},
    }


def _pipelined(session: Session) -> bool:
    driver = session.connection().connection.driver_connection
    pgconn = getattr(driver, "pgconn", None)
    return pgconn is not None and bool(pgconn.pipeline_status)


def test_the_insert_runs_around_the_block_and_reports_the_new_keys(
    session: Session, db_backend: str
) -> None:
    lead_id = _lead(session, "dana@northwind.io")
    add_event(session, **_row(lead_id, "old"))
    storing = NewEventsInsert(session, [_row(lead_id, "old"), _row(lead_id, "new")])
    assert storing.inserted == set()
    with storing.in_flight():
        # PostgreSQL: sent in pipeline mode, its result read once the block is done
        assert _pipelined(session) == (db_backend == "postgres")
    assert not _pipelined(session)
    assert storing.inserted == {"new"}
    stored = session.execute(select(col(Event.dedupe_key), col(Event.properties))).all()
    assert sorted(stored) == [("new", {"via": "web"}), ("old", {"via": "web"})]


def test_a_bad_row_is_refused_before_anything_is_written(session: Session) -> None:
    lead_id = _lead(session, "dana@northwind.io")
    with pytest.raises(ValueError, match="missing dedupe_key"):
        NewEventsInsert(session, [_row(lead_id, "fine"), _row(lead_id, "")])
    assert session.scalar(select(func.count()).select_from(Event)) == 0


def test_a_failed_insert_raises_as_sqlalchemy_does_and_rolls_back_to_the_savepoint(
    session: Session, db_backend: str
) -> None:
    lead_id = _lead(session, "dana@northwind.io")
    storing = NewEventsInsert(session, [_row(lead_id, "a"), _row(lead_id + 99, "orphan")])
    computed = []
    with pytest.raises(IntegrityError), session.begin_nested(), storing.in_flight():
        computed.append(1)
    # PostgreSQL: the block ran, and the error came with the insert's result after it
    assert computed == ([1] if db_backend == "postgres" else [])
    add_event(session, **_row(lead_id, "after"))  # the transaction goes on
    keys = session.scalars(select(col(Event.dedupe_key))).all()
    assert keys == ["after"]


def _item(email: str, key: str, type_: str = "Demo Requested", hours: float = 1) -> EventToStore:
    return EventToStore(0, email, EventRecord(type_, NOW - timedelta(hours=hours), key, {}), "api")


def test_duplicates_found_by_the_insert_are_scored_out_again(
    engine: Engine, config: ScoringConfig
) -> None:
    """A lead with a duplicate and a new event is scored with the new one only; a lead
    whose only event is a duplicate keeps its score (no write, no change)."""
    with Session(engine) as session:
        both, only_dup = _lead(session, "a@acme.io"), _lead(session, "b@acme.io")
        first = [_item("a@acme.io", "a1"), _item("b@acme.io", "b1")]
        assert store_items(session, list(first), config, NOW, True) == ["accepted"] * 2
        session.commit()
        kept = get_score(session, only_dup)
        assert kept is not None
        kept_row = (kept.total, kept.scored_at, kept.state)
    later = NOW + timedelta(minutes=5)
    items = [
        _item("a@acme.io", "a1"),
        _item("a@acme.io", "a2", "Webinar Attended"),
        _item("b@acme.io", "b1"),
    ]
    with Session(engine) as session:
        outcomes = store_items(session, list(items), config, later, True)
        session.commit()
        assert outcomes == ["duplicate", "accepted", "duplicate"]
        score = get_score(session, both)
        unchanged = get_score(session, only_dup)
        assert score is not None and unchanged is not None
        assert (unchanged.total, unchanged.scored_at, unchanged.state) == kept_row
        assert [c.ref for c in score_changes_for_lead(session, only_dup)] == ["b1"]
        assert [c.ref for c in score_changes_for_lead(session, both)] == ["a1", "a2"]
        incremental = (score.total, score.state)
        full = rescore_lead(session, both, config, later)  # from the stored events
        assert (full.total, state_to_json(full.state)) == incremental and full.state["n"] == 2


def test_a_lead_without_a_usable_state_is_rebuilt_after_the_insert(
    engine: Engine, config: ScoringConfig
) -> None:
    """Its rebuild reads its stored events, this batch's included, once they are in."""
    with Session(engine) as session:
        stale, fresh = _lead(session, "a@acme.io"), _lead(session, "b@acme.io")
        setup = [_item("a@acme.io", "a1", hours=3), _item("b@acme.io", "b1", hours=3)]
        store_items(session, setup, config, NOW, True)
        session.execute(
            text("UPDATE lead_scores SET state = '{}' WHERE lead_id = :id"), {"id": stale}
        )
        session.commit()
    items = [
        _item("a@acme.io", "a2", "Webinar Attended", hours=2),
        _item("b@acme.io", "b2", "Webinar Attended", hours=2),
        _item("a@acme.io", "a3", "Content Downloaded", hours=1),
    ]
    with Session(engine) as session:
        assert store_items(session, items, config, NOW, True) == ["accepted"] * 3
        session.commit()
        incremental = {}
        for lead_id in (stale, fresh):
            score = get_score(session, lead_id)
            assert score is not None
            incremental[lead_id] = (score.total, score.state)
        for lead_id in (stale, fresh):
            full = rescore_lead(session, lead_id, config, NOW)
            assert (full.total, state_to_json(full.state)) == incremental[lead_id]
        assert incremental[stale][1]["n"] == 3
        refs = [c.ref for c in score_changes_for_lead(session, stale)]
        assert refs[-2:] == ["a2", "a3"]  # one change an event, rebuilt or not
