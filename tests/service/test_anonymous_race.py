"""An anonymous event and the identify that links its id, written at the same time by two
transactions (two `serve` replicas): the event is attached to the lead, never stranded."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from bot.config_file import load_config
from bot.event_store import EventToStore, IdentifyToStore, store_items
from bot.storage.database import session_scope
from bot.storage.tables import AnonymousEvent, Event, Lead
from scoring.inputs import EventRecord

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def test_an_identify_racing_an_anonymous_event_still_attaches_it(engine: Engine) -> None:
    shipped_config = load_config(Path(__file__).resolve().parents[2] / "config.yml")
    anonymous = EventToStore(
        0, None, EventRecord("Demo Requested", NOW, "race-1", {}), "api", "anon-race"
    )
    identify = IdentifyToStore(0, "race-id", "jo@acme.com", {"name": "Jo"}, "anon-race")
    stored, may_commit = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:  # stores the anonymous event, commits only when told
        try:
            with session_scope(engine) as session:
                assert store_items(session, [anonymous], shipped_config, NOW, True) == ["accepted"]
                stored.set()
                assert may_commit.wait(10)
        except BaseException as exc:
            errors.append(exc)
            stored.set()

    def second() -> None:  # links the anonymous id meanwhile
        try:
            with session_scope(engine) as session:
                store_items(session, [identify], shipped_config, NOW, True)
        except BaseException as exc:
            errors.append(exc)

    a = threading.Thread(target=first)
    a.start()
    assert stored.wait(10)
    b = threading.Thread(target=second)
    b.start()
    b.join(0.5)  # unguarded, the identify commits here, before the event it should attach
    may_commit.set()
    a.join(10)
    b.join(10)
    assert errors == []
    with Session(engine) as session:
        lead_id = session.scalars(
            select(col(Lead.id)).where(col(Lead.email) == "jo@acme.com")
        ).one()
        events = session.scalars(select(col(Event.dedupe_key)).where(col(Event.lead_id) == lead_id))
        assert list(events) == ["race-1"]
        assert session.scalars(select(func.count()).select_from(AnonymousEvent)).one() == 0
