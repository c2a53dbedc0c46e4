"""A lead's score written by two transactions at once (an event batch and an answer, or the
bulk rescore): the later one reads the earlier one's score, never overwrites it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from bot.bulk_scoring import rescore_all
from bot.config_file import load_config
from bot.event_store import EventToStore, store_items
from bot.scoring_service import apply_new_answer, rescore_lead
from bot.storage.answers_repo import add_answer
from bot.storage.database import session_scope
from bot.storage.leads_repo import upsert_lead
from bot.storage.scores_repo import get_score
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


def _demo(key: str) -> EventToStore:
    return EventToStore(0, EMAIL, EventRecord("Demo Requested", NOW, key, {}), "api")


@contextmanager
def open_event_batch(engine: Engine, config: ScoringConfig) -> Iterator[None]:
    """An event batch for the lead, stored and scored in a transaction that stays open
    (another `serve` replica mid-write) until the block ends; then it commits."""
    stored, may_commit = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with session_scope(engine) as session:
                outcomes = store_items(session, [_demo("held-demo")], config, NOW, False)
                assert outcomes == ["accepted"]
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


def run_meanwhile(work: Callable[[], None]) -> Callable[[], None]:
    """Start `work` in a thread; the returned function waits for it, re-raising its error."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(0.5)  # unguarded, it would read the score and write over it here

    def finish() -> None:
        thread.join(10)
        assert not thread.is_alive() and errors == []

    return finish


def test_an_answer_scored_during_an_event_batch_keeps_the_event(
    engine: Engine, config: ScoringConfig, lead_id: int
) -> None:
    def answer() -> None:
        with session_scope(engine) as session:
            add_answer(session, lead_id, "budget", BUDGET, source="test", answered_at=NOW)
            apply_new_answer(session, lead_id, config, NOW + timedelta(seconds=1))

    with open_event_batch(engine, config):
        finish = run_meanwhile(answer)
    finish()
    with Session(engine) as session:
        stored = get_score(session, lead_id)
        assert stored is not None and "held-demo" in str(stored.state)
        assert "budget" not in {m["id"] for m in stored.missing}
        assert stored.total == rescore_lead(session, lead_id, config, NOW).total


def test_the_bulk_rescore_during_an_event_batch_keeps_the_event(
    db_url: str, engine: Engine, config: ScoringConfig, lead_id: int
) -> None:
    def rescore() -> None:
        rescore_all(db_url, config, NOW, workers=1)

    with open_event_batch(engine, config):
        finish = run_meanwhile(rescore)
    finish()
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
