"""Answers (history), events (idempotent), scores (upsert) and score changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlmodel import Session, func, select

from bot.storage import repository as repo
from bot.storage.answers_repo import answer_records_for_leads, to_answer_record
from bot.storage.column_types import dump_json
from bot.storage.events_repo import insert_new_events
from bot.storage.scores_repo import (
    StoredScore,
    record_score_changes,
    scored_at_of,
    stored_scores,
)
from bot.storage.tables import Event, LeadScore
from scoring.inputs import AnswerRecord, EventRecord
from scoring.values import AnswerValueError

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def lead_id(session: Session) -> int:
    lead = repo.upsert_lead(session, {"email": "jane@acme.com", "company": "Acme"})
    session.commit()
    assert lead.id is not None
    return lead.id


def _event_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Event)).one()


def test_answers_are_history_never_overwritten(session: Session, lead_id: int) -> None:
    first = repo.add_answer(
        session,
        lead_id,
        "budget",
        {"status": "planned"},
        source="slack_dm",
        raw_text="they plan something",
        framework="bant",
        answered_by="U1",
        answered_at=T0,
    )
    repo.add_answer(
        session,
        lead_id,
        "budget",
        {"status": "confirmed", "amount": 80000, "currency": "USD"},
        source="console",
        raw_text="80k USD confirmed",
        answered_at=T0 + timedelta(days=1),
    )
    repo.add_answer(session, lead_id, "need", {"level": "high"}, source="cli", answered_at=T0)
    session.commit()
    session.expire_all()

    budget = repo.answers_for_lead(session, lead_id, slot="budget")
    assert [a.value["status"] for a in budget] == ["planned", "confirmed"]
    assert budget[0].id == first.id and budget[0].raw_text == "they plan something"
    assert budget[1].value == {
        "status": "confirmed",
        "amount": 80000.0,
        "currency": "USD",
        "period": None,
    }
    assert len(repo.answers_for_lead(session, lead_id)) == 3

    record = repo.to_answer_record(budget[1])
    assert record == AnswerRecord(
        slot="budget",
        value=budget[1].value,
        answered_at=T0 + timedelta(days=1),
        seq=budget[1].id or 0,
        answered_by=None,
        framework=None,
        raw_text="80k USD confirmed",
    )


def test_invalid_answer_is_rejected(session: Session, lead_id: int) -> None:
    with pytest.raises(AnswerValueError):
        repo.add_answer(session, lead_id, "budget", {"status": "maybe"}, source="cli")
    with pytest.raises(ValueError, match="timezone-aware"):
        repo.add_answer(
            session,
            lead_id,
            "priority",
            {"level": "top"},
            source="cli",
            answered_at=datetime(2026, 1, 1),
        )
    assert repo.answers_for_lead(session, lead_id) == []


def test_event_dedupe_returns_none_and_keeps_the_transaction(
    session: Session, lead_id: int
) -> None:
    event_id = repo.add_event(
        session,
        lead_id=lead_id,
        dedupe_key="msg-1",
        type="Pricing Page Viewed",
        occurred_at=T0,
        source="api",
        properties={"path": "/pricing", "n": [1, 2]},
    )
    assert event_id is not None
    stored = session.get(Event, event_id)
    assert stored is not None and stored.type == "pricing_page_viewed"
    assert stored.properties == {"path": "/pricing", "n": [1, 2]}
    duplicate = repo.add_event(
        session,
        lead_id=lead_id,
        dedupe_key="msg-1",
        type="other",
        occurred_at=T0,
        source="api",
    )
    assert duplicate is None
    assert _event_count(session) == 1
    repo.add_event(  # the transaction is still usable after the conflict
        session,
        lead_id=lead_id,
        dedupe_key="msg-2",
        type="email_open",
        occurred_at=T0 + timedelta(hours=1),
        source="import",
    )
    session.commit()
    assert _event_count(session) == 2
    assert (
        repo.add_event(
            session,
            lead_id=lead_id,
            dedupe_key="msg-2",
            type="email_open",
            occurred_at=T0,
            source="import",
        )
        is None
    )
    session.commit()
    assert _event_count(session) == 2


def test_events_for_lead_window_and_records(session: Session, lead_id: int) -> None:
    for hours in (5, 0, 10):
        repo.add_event(
            session,
            lead_id=lead_id,
            dedupe_key=f"k{hours}",
            type="page_view",
            occurred_at=T0 + timedelta(hours=hours),
            source="api",
            properties={"path": f"/p{hours}"},
        )
    session.commit()
    session.expire_all()
    assert [e.dedupe_key for e in repo.events_for_lead(session, lead_id)] == ["k0", "k5", "k10"]
    window = repo.events_for_lead(
        session, lead_id, since=T0 + timedelta(hours=1), until=T0 + timedelta(hours=10)
    )
    assert [e.dedupe_key for e in window] == ["k5"]
    assert repo.to_event_record(window[0]) == EventRecord(
        type="page_view",
        occurred_at=T0 + timedelta(hours=5),
        key="k5",
        properties={"path": "/p5"},
    )


def test_bulk_insert_events_skips_duplicates(session: Session, lead_id: int) -> None:
    repo.add_event(
        session,
        lead_id=lead_id,
        dedupe_key="e-0",
        type="page_view",
        occurred_at=T0,
        source="api",
    )
    rows = [
        {
            "lead_id": lead_id,
            "dedupe_key": f"e-{i % 1200}",
            "type": "Email Opened",
            "occurred_at": T0 + timedelta(minutes=i),
            "source": "import",
            "properties": {"i": i},
        }
        for i in range(1500)
    ]
    assert repo.bulk_insert_events(session, rows, batch_size=400) == 1199
    session.commit()
    assert _event_count(session) == 1200
    assert repo.bulk_insert_events(session, rows) == 0
    assert repo.bulk_insert_events(session, []) == 0
    with pytest.raises(ValueError, match="missing dedupe_key"):
        repo.bulk_insert_events(session, [{**rows[0], "dedupe_key": ""}])


def test_bulk_insert_stores_what_a_single_insert_stores(session: Session, lead_id: int) -> None:
    tricky = {"title": 'Q3 "pricing", \\ päge {x}', "nested": {"n": [1, 2.5, None]}}
    at = datetime(2026, 11, 2, 10, 30, tzinfo=timezone(timedelta(hours=2)))
    fields: dict[str, Any] = {"lead_id": lead_id, "type": "Webinar Attended", "occurred_at": at}
    fields |= {"source": "api", "properties": tricky, "received_at": T0}
    repo.add_event(session, dedupe_key="one", **fields)
    new = insert_new_events(
        session, [{**fields, "dedupe_key": k} for k in ("many", "one", "many", "other")]
    )
    assert new == {"many", "other"}
    stored = {e.dedupe_key: e for e in repo.events_for_lead(session, lead_id)}
    assert sorted(stored) == ["many", "one", "other"]
    columns = ("lead_id", "type", "properties", "occurred_at", "received_at", "source")
    for key in ("many", "other"):
        assert [getattr(stored[key], c) for c in columns] == [
            getattr(stored["one"], c) for c in columns
        ]
    assert stored["many"].properties == tricky
    assert stored["many"].occurred_at == at and stored["many"].type == "webinar_attended"


def test_score_upsert_and_changes(session: Session, lead_id: int) -> None:
    assert repo.get_score(session, lead_id) is None
    state = {"counts": {"pricing": 2}, "points": 12.5, "last": "2026-11-02T09:30:00+00:00"}
    repo.save_score(
        session,
        lead_id,
        model="default",
        total=41.5,
        fit=60,
        engagement=20,
        grade="B3",
        tier="warm",
        qualified=False,
        missing=["budget", "timeline"],
        flags=[{"id": "stale", "text": "no activity"}],
        state=state,
        last_activity_at=T0,
        scored_at=T0,
    )
    session.commit()
    saved = repo.get_score(session, lead_id)
    assert saved is not None
    old = (saved.total, saved.tier, saved.qualified)
    repo.save_score(
        session,
        lead_id,
        model="default",
        total=82,
        fit=90,
        engagement=70,
        grade="A1",
        tier="hot",
        qualified=True,
        scored_at=T0 + timedelta(hours=1),
    )
    repo.record_score_change(
        session,
        lead_id,
        old_total=old[0],
        old_tier=old[1],
        old_qualified=old[2],
        new_total=82,
        new_tier="hot",
        new_qualified=True,
        reason="answer",
        ref="answer:7",
    )
    session.commit()
    assert saved.total == 82.0  # the row loaded before was expired by save_score
    session.expire_all()

    assert session.exec(select(func.count()).select_from(LeadScore)).one() == 1
    score = repo.get_score(session, lead_id)
    assert score is not None
    assert (score.total, score.tier, score.grade, score.qualified) == (82.0, "hot", "A1", True)
    assert score.missing == [] and score.state == {} and score.last_activity_at is None
    assert score.scored_at == T0 + timedelta(hours=1)
    changes = repo.score_changes_for_lead(session, lead_id)
    assert [(c.old_total, c.new_total, c.old_tier, c.new_tier, c.reason) for c in changes] == [
        (41.5, 82.0, "warm", "hot", "answer")
    ]
    with pytest.raises(ValueError, match="reason"):
        repo.record_score_change(
            session, lead_id, new_total=1, new_tier="cold", new_qualified=False, reason="magic"
        )


def test_bulk_save_scores_upserts(session: Session, lead_id: int) -> None:
    other = repo.upsert_lead(session, {"email": "joe@acme.com"})
    assert other.id is not None
    repo.save_score(
        session,
        lead_id,
        model="m",
        total=10,
        fit=10,
        engagement=10,
        grade="D4",
        tier="cold",
        qualified=False,
    )
    session.commit()
    loaded = repo.get_score(session, lead_id)
    assert loaded is not None and loaded.total == 10.0
    base = {"model": "m", "fit": 50, "engagement": 50, "grade": "B2", "qualified": True}
    rows = [
        {"lead_id": lead_id, "total": 75, "tier": "hot", "state": {"s": 1}, **base},
        {"lead_id": other.id, "total": 40, "tier": "warm", "scored_at": T0, **base},
    ]
    assert repo.bulk_save_scores(session, rows) == 2
    session.commit()
    assert (loaded.total, loaded.tier, loaded.state) == (75.0, "hot", {"s": 1})  # reloaded
    other_score = repo.get_score(session, other.id)
    assert other_score is not None
    assert (other_score.total, other_score.scored_at) == (40.0, T0)
    assert session.exec(select(func.count()).select_from(LeadScore)).one() == 2
    with pytest.raises(ValueError, match="lead_id"):
        repo.bulk_save_scores(session, [{"total": 1, "tier": "cold", **base}])


def test_bulk_and_single_score_writes_store_identical_column_values(
    session: Session, lead_id: int
) -> None:
    """Bulk writes bypass SQLAlchemy's row processing: the stored text must not differ."""
    other = repo.upsert_lead(session, {"email": "joe@acme.com"})
    values: dict[str, Any] = {
        "model": "m",
        "total": 71.5,
        "fit": 60,
        "engagement": 80.25,
        "grade": "B1",
        "tier": "warm",
        "qualified": True,
        "missing": [{"id": "budget", "label": "Budget", "reason": "not asked — yet"}],
        "flags": [{"code": "timeline_passed", "message": "Zürich 東京"}],
        "state": {"v": 2, "rules": {"demo": [[1.7e9, "k", None]]}, "last": 1.7e9, "n": 1},
        "last_activity_at": T0 - timedelta(days=1, microseconds=7),
        "scored_at": T0,
    }
    repo.save_score(session, lead_id, **values)
    repo.bulk_save_scores(session, [{"lead_id": other.id, **values}])
    repo.record_score_change(
        session, lead_id, new_total=1, new_tier="cold", new_qualified=False, reason="event", at=T0
    )
    record_score_changes(
        session,
        [
            {
                "lead_id": other.id,
                "new_total": 1,
                "new_tier": "cold",
                "new_qualified": False,
                "reason": "event",
                "at": T0,
            }
        ],
    )
    session.commit()
    for table, key in (("lead_scores", "lead_id"), ("score_changes", "lead_id")):
        rows = session.connection().exec_driver_sql(f"SELECT * FROM {table} ORDER BY {key}").all()
        single, bulk = (dict(r._mapping) for r in rows)
        for name in ("id", "lead_id"):
            single.pop(name, None)
            bulk.pop(name, None)
        assert single == bulk


def test_bulk_writes_keep_each_rows_values_with_nulls_in_between(
    session: Session, lead_id: int
) -> None:
    """On PostgreSQL a bulk write is one statement over one array per column: a column
    null in some rows (or in all) must still land on the right rows."""
    others = [repo.upsert_lead(session, {"email": f"n{i}@acme.com"}).id for i in range(3)]
    ids = [lead_id] + [i for i in others if i is not None]
    base = {"model": "m", "fit": 1, "engagement": 2, "grade": "D4", "qualified": False}
    activity: list[datetime | None] = [None, T0, None, T0 - timedelta(hours=1)]
    scores = [
        {"lead_id": i, "total": n, "tier": "cold", "last_activity_at": at, **base}
        for n, (i, at) in enumerate(zip(ids, activity, strict=True))
    ]
    assert repo.bulk_save_scores(session, scores) == 4
    assert repo.bulk_save_scores(session, []) == 0
    changes = [
        {"lead_id": i, "new_total": n, "new_tier": "cold", "new_qualified": False, "at": T0}
        | {"reason": "event", "old_total": None if n % 2 else 5.0, "ref": None}
        for n, i in enumerate(ids)
    ]
    record_score_changes(session, changes)
    record_score_changes(session, changes[:1])  # a single row with null columns
    session.commit()
    stored = {s.lead_id: s for s in session.exec(select(LeadScore))}
    assert [(stored[i].total, stored[i].last_activity_at) for i in ids] == list(
        zip([0.0, 1.0, 2.0, 3.0], activity, strict=True)
    )
    old_totals = [[c.old_total for c in repo.score_changes_for_lead(session, i)] for i in ids]
    assert old_totals == [[5.0, 5.0], [None], [5.0], [None]]


def test_json_roundtrip(session: Session, lead_id: int) -> None:
    state = {
        "nested": {"list": [1, 2.5, None, True, "ü"], "empty": {}},
        "unicode": "Zürich — 東京",
        "big": 2**53,
    }
    repo.save_score(
        session,
        lead_id,
        model="m",
        total=1,
        fit=1,
        engagement=1,
        grade="D4",
        tier="cold",
        qualified=False,
        missing=["need"],
        flags=["x"],
        state=state,
    )
    session.commit()
    session.expire_all()
    score = repo.get_score(session, lead_id)
    assert score is not None
    assert score.state == state
    assert (score.missing, score.flags) == (["need"], ["x"])


def test_datetimes_come_back_aware_utc(session: Session, lead_id: int) -> None:
    paris = timezone(timedelta(hours=1))
    local = datetime(2026, 11, 2, 10, 30, 15, 123456, tzinfo=paris)
    repo.add_event(
        session,
        lead_id=lead_id,
        dedupe_key="tz",
        type="page_view",
        occurred_at=local,
        source="api",
    )
    repo.save_score(
        session,
        lead_id,
        model="m",
        total=1,
        fit=1,
        engagement=1,
        grade="D4",
        tier="cold",
        qualified=False,
        last_activity_at=local,
        scored_at=local,
    )
    session.commit()
    session.expire_all()
    event = repo.events_for_lead(session, lead_id)[0]
    score = repo.get_score(session, lead_id)
    lead = repo.get_lead(session, lead_id)
    assert score is not None and lead is not None
    for value in (event.occurred_at, event.received_at, score.last_activity_at, lead.created_at):
        assert value is not None
        assert value.tzinfo is not None and value.utcoffset() == timedelta(0)
    assert event.occurred_at == local
    assert event.occurred_at.hour == 9 and event.occurred_at.microsecond == 123456
    # comparisons in SQL use UTC on both backends
    assert repo.events_for_lead(session, lead_id, since=local) == [event]
    assert repo.events_for_lead(session, lead_id, since=local + timedelta(microseconds=1)) == []


def test_batch_reads_give_what_the_orm_gives(session: Session, lead_id: int) -> None:
    """The batch reads of incremental rescoring go around SQLAlchemy's row processing:
    the records must be those built from the ORM objects (aware UTC times, parsed JSON,
    oldest answer first)."""
    other = repo.upsert_lead(session, {"email": "joe@acme.com"})
    assert other.id is not None
    later = datetime(2026, 11, 3, 18, tzinfo=timezone(timedelta(hours=2)))
    repo.add_answer(session, lead_id, "need", {"level": "high"}, source="cli", answered_at=later)
    repo.add_answer(
        session,
        lead_id,
        "budget",
        {"status": "planned"},
        source="cli",
        raw_text="a plan",
        framework="bant",
        answered_by="U1",
        answered_at=T0,
    )
    state = {"v": 2, "rules": {"demo": [[1796083676.5, "k1", None]]}, "n": 1}
    repo.save_score(
        session,
        lead_id,
        model="m",
        total=81,
        fit=70,
        engagement=90,
        grade="A1",
        tier="hot",
        qualified=True,
        state=state,
    )
    records = answer_records_for_leads(session, [lead_id, other.id, lead_id])
    expected = [to_answer_record(a) for a in repo.answers_for_lead(session, lead_id)]
    assert records == {lead_id: expected, other.id: []}
    assert [a.slot for a in records[lead_id]] == ["budget", "need"]
    assert records[lead_id][1].answered_at == later and later.tzinfo is not None
    assert records[lead_id][1].answered_at.utcoffset() == timedelta(0)
    assert records[lead_id][0].raw_text == "a plan"
    stored = stored_scores(session, [other.id, lead_id])
    versions = scored_at_of(session, [other.id, lead_id])
    assert list(versions) == [lead_id] and versions[lead_id] is not None
    text = dump_json(state)  # the state as stored: its JSON text
    assert stored == {lead_id: StoredScore("m", 81.0, "hot", True, text, versions[lead_id])}


def test_returning_rows_need_the_statement_over_arrays(session: Session, lead_id: int) -> None:
    from bot.storage.events_repo import _NEW_EVENTS

    dialect = session.get_bind().dialect
    row = {"lead_id": lead_id, "dedupe_key": "k-1", "type": "demo_request", "properties": {}}
    bound = _NEW_EVENTS.bind(
        dialect, [{**row, "occurred_at": T0, "received_at": T0, "source": "x"}]
    )
    if dialect.name == "sqlite":  # executemany: one statement per row, which returns nothing
        with pytest.raises(TypeError, match="RETURNING"):
            bound.returned(session.connection())
        assert _event_count(session) == 0
    else:
        assert bound.returned(session.connection()) == [("k-1",)]
        assert bound.returned(session.connection()) == []  # a duplicate now
    assert _NEW_EVENTS.bind(dialect, []).returned(session.connection()) == []
