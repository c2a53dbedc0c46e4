"""A lead's score written by two transactions at once (an event batch and an answer, or the
bulk rescore): the later one reads the earlier one's score, never overwrites it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col

from bot.bulk_scoring import rescore_all
from bot.config_file import load_config
from bot.event_store import EventToStore, store_items
from bot.scoring_service import apply_new_answer, rescore_lead
from bot.storage.answers_repo import add_answer
from bot.storage.database import session_scope
from bot.storage.leads_repo import upsert_lead
from bot.storage.scores_repo import get_score, score_changes_for_lead
from bot.storage.tables import Alert
from scoring.config import ScoringConfig
from scoring.inputs import EventRecord

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
EMAIL = "dana@northwind.io"
BUDGET = {"status": "confirmed", "amount": 90000, "currency": "USD", "period": "year"}


@pytest.fixture(scope="module")
def config() -> ScoringConfig:
    return load_config(Path(__file__).resolve().parents[2] / "config.yml")


@pytest.fixture
def lead_id(engine: Engine, config: ScoringConfig) -> int:
    """A lead scored a minute before NOW."""
    with session_scope(engine) as session:
        lead = upsert_lead(session, {"email": EMAIL, "title": "VP Operations"})
        assert lead.id is not None
        rescore_lead(session, lead.id, config, NOW - timedelta(minutes=1))
        return lead.id


def _event(key: str, type_: str = "Demo Requested", **properties: str) -> EventToStore:
    return EventToStore(0, EMAIL, EventRecord(type_, NOW, key, properties), "api")


def _surge(prefix: str) -> list[EventToStore]:
    """Events taking the lead from 6.6 to 29.1 points: a surge alert (+20) on the last."""
    return [
        _event(f"{prefix}-demo"),
        _event(f"{prefix}-visit", "Page Viewed", path="/pricing"),
        _event(f"{prefix}-webinar", "Webinar Attended", webinar_id="w"),
    ]


@contextmanager
def open_event_batch(
    engine: Engine, config: ScoringConfig, items: list[EventToStore] | None = None
) -> Iterator[None]:
    """An event batch for the lead (one demo request unless `items` are given), stored
    and scored in a transaction that stays open (another `serve` replica mid-write)
    until the block ends; then it commits."""
    items = items or [_event("held-demo")]
    stored, may_commit = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with session_scope(engine) as session:
                outcomes = store_items(session, items, config, NOW, False)
                assert outcomes == ["accepted"] * len(items)
                stored.set()
                assert may_commit.wait(10)
        except BaseException as exc:
            errors.append(exc)
            stored.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert stored.wait(10)
    try:
        yield
    finally:
        may_commit.set()
        writer.join(10)
    assert errors == []


def during_open_batch(
    engine: Engine,
    config: ScoringConfig,
    work: Callable[[], None],
    items: list[EventToStore] | None = None,
) -> None:
    """Run `work` in a thread while an event batch is open (`open_event_batch`); return
    once both have committed, re-raising the work's error."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    with open_event_batch(engine, config, items):
        thread.start()
        thread.join(0.5)  # unguarded, it would read the score and write over it here
    thread.join(10)
    assert not thread.is_alive() and errors == []


def test_an_answer_scored_during_an_event_batch_keeps_the_event(
    engine: Engine, config: ScoringConfig, lead_id: int
) -> None:
    def answer() -> None:
        with session_scope(engine) as session:
            add_answer(session, lead_id, "budget", BUDGET, source="test", answered_at=NOW)
            apply_new_answer(session, lead_id, config, NOW + timedelta(seconds=1))

    during_open_batch(engine, config, answer)
    with Session(engine) as session:
        stored = get_score(session, lead_id)
        assert stored is not None and "held-demo" in str(stored.state)
        assert "budget" not in {m["id"] for m in stored.missing}
        assert stored.total == rescore_lead(session, lead_id, config, NOW).total


def _redone() -> float:
    return REGISTRY.get_sample_value("qualibot_event_scores_redone_total") or 0.0


def test_an_event_batch_scored_during_another_keeps_both_events(
    engine: Engine, config: ScoringConfig, lead_id: int, db_backend: str
) -> None:
    """A batch of events is read and scored before its leads are locked (replicas
    overlap); once locked, it finds the lead scored meanwhile and scores it again.
    (SQLite runs one write transaction at a time: the second waits to begin.)"""
    later = NOW + timedelta(seconds=1)
    redone = _redone()

    def second_batch() -> None:
        with session_scope(engine) as session:
            item = _event("second-visit", "Page Viewed", path="/pricing")
            assert store_items(session, [item], config, later, False) == ["accepted"]

    during_open_batch(engine, config, second_batch)
    with Session(engine) as session:
        stored = get_score(session, lead_id)
        assert stored is not None
        assert "held-demo" in str(stored.state) and "second-visit" in str(stored.state)
        changes = [
            (c.ref, c.old_total, c.new_total) for c in score_changes_for_lead(session, lead_id)
        ]
        assert [ref for ref, _, _ in changes] == [None, "held-demo", "second-visit"]
        assert _redone() - redone == (1 if db_backend == "postgres" else 0)
        assert all(a[2] == b[1] for a, b in pairwise(changes))
        assert stored.total == changes[-1][2] == rescore_lead(session, lead_id, config, later).total


def test_an_event_batch_scored_again_drops_the_alert_it_queued_on_the_old_score(
    engine: Engine, config: ScoringConfig, lead_id: int
) -> None:
    """On the score read before the lock, the second surge alerts; scored again after
    the first surge's alert, the lead is in its cooldown: one alert in all."""

    def second_batch() -> None:
        with session_scope(engine) as session:
            assert store_items(session, _surge("second"), config, NOW, False) == ["accepted"] * 3

    during_open_batch(engine, config, second_batch, _surge("held"))
    with Session(engine) as session:
        alerts = session.scalars(select(col(Alert.dedupe_key))).all()
        assert alerts == [f"{lead_id}:event:held-webinar"]
        stored = get_score(session, lead_id)
        assert (
            stored is not None and stored.total == rescore_lead(session, lead_id, config, NOW).total
        )


def test_the_bulk_rescore_during_an_event_batch_keeps_the_event(
    db_url: str, engine: Engine, config: ScoringConfig, lead_id: int
) -> None:
    def rescore() -> None:
        rescore_all(db_url, config, NOW, workers=1)

    during_open_batch(engine, config, rescore)
    with Session(engine) as session:
        stored = get_score(session, lead_id)
        assert stored is not None and "held-demo" in str(stored.state)


@pytest.mark.postgres
@pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)
def test_a_lead_locked_by_an_event_batch_still_takes_alert_rows(
    engine: Engine, config: ScoringConfig, lead_id: int
) -> None:
    """The dispatcher's rollup row for a lead (a foreign key check) does not queue behind
    an event batch holding the lead, nor make the batch's next lock wait for it."""
    with open_event_batch(engine, config), session_scope(engine) as session:
        session.execute(text("SET LOCAL lock_timeout = '2s'"))
        session.add(
            Alert(lead_id=lead_id, kind="rollup", rule_id="storm", channel="#hot", dedupe_key="r")
        )
        try:
            session.flush()
        except OperationalError as exc:  # FOR UPDATE would make it wait for the batch
            pytest.fail(f"the alert row waited for the event batch's lead lock: {exc}")
