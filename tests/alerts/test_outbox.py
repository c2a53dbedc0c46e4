"""The outbox on SQLite and PostgreSQL: alert rows written in the scoring transaction."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, delete, event, func, select
from sqlmodel import Session, col

from bot.bulk_scoring import rescore_all
from bot.event_store import EventToStore, IdentifyToStore, import_events
from bot.scoring_service import apply_new_answer, apply_new_event, rescore_lead
from bot.storage.scores_repo import get_score, record_score_change
from bot.storage.tables import Alert, AlertState, Lead
from scoring.config import ScoringConfig
from scoring.inputs import EventRecord
from tests.alerts.conftest import (
    HOT_EVENTS,
    NOW,
    answer_all,
    make_lead,
    store_event,
    with_alerts,
)


def _alerts(session: Session) -> list[Alert]:
    return list(session.scalars(select(Alert).order_by(col(Alert.id))))


def _warm_lead(
    session: Session, config: ScoringConfig, at: datetime = NOW, email: str = "dana@northwind.io"
) -> int:
    """A qualified warm lead (55.0), scored like an import (no alert)."""
    lead_id = make_lead(session, email)
    answer_all(session, lead_id, at)
    rescore_lead(session, lead_id, config, at, "import")
    return lead_id


def _events(
    session: Session, lead_id: int, config: ScoringConfig, items: Any, at: datetime = NOW
) -> None:
    for i, (type_, props) in enumerate(items):
        record = store_event(session, lead_id, f"{type_}-{i}-{at.isoformat()}", type_, props, at)
        assert record is not None
        apply_new_event(session, lead_id, record, config, at)


def test_entering_hot_queues_one_alert_with_what_the_message_needs(
    session: Session, config: ScoringConfig
) -> None:
    lead_id = _warm_lead(session, config)
    _events(session, lead_id, config, HOT_EVENTS)
    session.commit()
    [alert] = _alerts(session)
    assert (alert.kind, alert.rule_id, alert.status) == ("tier_entered", "became_hot", "pending")
    assert alert.channel == "#sales-alerts"  # US, 400 employees: no route matches
    assert alert.due_at == NOW and alert.created_at == NOW
    assert alert.dedupe_key == f"{lead_id}:event:Webinar Attended-2-{NOW.isoformat()}"
    p = alert.payload
    assert p["lead"] == {
        "id": lead_id,
        "name": "Dana Whitfield",
        "company": "Northwind",
        "email": "dana@northwind.io",
        "owner": None,
        "product": None,
    }
    assert p["score"]["tier"] == "hot" and p["score"]["total"] == 77.5
    assert p["reasons"] == [
        {"rule_id": "became_hot", "kind": "tier_entered", "reason": "entered hot (77.5 ≥ 75)"}
    ]
    assert len(p["why"]) == 4 and all(isinstance(w["points"], float) for w in p["why"])
    assert [a["slot"] for a in p["answers"]] == ["budget", "authority", "need", "timeline"]
    assert {(a["age"], a["by"]) for a in p["answers"]} == {("today", "U0REP")}
    state = session.get(AlertState, (lead_id, "became_hot"))
    assert state is not None and state.active


def test_routing_and_quiet_hours_are_applied_at_queue_time(
    session: Session, config: ScoringConfig
) -> None:
    quiet = {
        "start": time(21).isoformat(),
        "end": time(7).isoformat(),
        "timezone": "America/New_York",
    }
    routed = with_alerts(config, quiet_hours=quiet)
    night = datetime(2026, 11, 24, 3, tzinfo=UTC)  # 22:00 in New York
    lead_id = _warm_lead(session, routed, night)
    row = session.get(Lead, lead_id)
    assert row is not None
    row.country = "DE"  # emea → #sales-emea
    session.flush()
    _events(session, lead_id, routed, HOT_EVENTS, night)
    [alert] = _alerts(session)
    assert alert.channel == "#sales-emea"
    assert alert.due_at == datetime(2026, 11, 24, 12, tzinfo=UTC)  # 07:00 New York: deferred


def test_a_rollback_leaves_neither_score_nor_alert(engine: Engine, config: ScoringConfig) -> None:
    with Session(engine) as session:
        lead_id = _warm_lead(session, config)
        _events(session, lead_id, config, HOT_EVENTS[:2])
        session.commit()
        _events(session, lead_id, config, HOT_EVENTS[2:])
        assert len(_alerts(session)) == 1  # visible inside the transaction
        session.rollback()
    with Session(engine) as session:
        assert _alerts(session) == []
        score = get_score(session, lead_id)
        assert score is not None and (score.total, score.tier) == (72.1, "warm")
        assert session.get(AlertState, (lead_id, "became_hot")) is None


def test_a_replayed_event_does_not_alert_twice(engine: Engine, config: ScoringConfig) -> None:
    with Session(engine) as session:
        lead_id = _warm_lead(session, config)
        session.commit()
    items = [
        EventToStore(i, "dana@northwind.io", EventRecord(t, NOW, f"m-{i}", p))
        for i, (t, p) in enumerate(HOT_EVENTS)
    ]
    first = import_events(engine, list(items), config, NOW)
    again = import_events(engine, list(items), config, NOW)
    assert (first.accepted, again.accepted, again.duplicates) == (3, 0, 3)
    with Session(engine) as session:
        [alert] = _alerts(session)
        # even applied twice by mistake, the same event cannot queue a second alert
        session.execute(delete(AlertState).where(col(AlertState.lead_id) == lead_id))
        rescore_lead(session, lead_id, config, NOW, "rescore")
        apply_new_event(session, lead_id, items[2].record, config, NOW)
        session.commit()
        assert [a.id for a in _alerts(session)] == [alert.id]


def test_imports_and_decay_rescores_never_alert(
    engine: Engine, db_url: str, config: ScoringConfig
) -> None:
    with Session(engine) as session:
        lead_id = make_lead(session)
        answer_all(session, lead_id)
        for i, (t, p) in enumerate(HOT_EVENTS):
            store_event(session, lead_id, f"k{i}", t, p, NOW)
        assert rescore_lead(session, lead_id, config, NOW, "import").tier == "hot"
        session.commit()
    later = NOW + timedelta(days=60)
    assert rescore_all(db_url, config, later, workers=1).leads == 1
    with Session(engine) as session:
        score = get_score(session, lead_id)
        assert score is not None and score.tier != "hot"  # decayed
        assert _alerts(session) == []


def test_negative_signal_on_a_hot_lead_bypasses_the_cooldown(
    session: Session, config: ScoringConfig
) -> None:
    cooled = with_alerts(config, cooldown_minutes=240)
    lead_id = _warm_lead(session, cooled)
    _events(session, lead_id, cooled, HOT_EVENTS)
    _events(session, lead_id, cooled, [("Unsubscribed", {})], NOW + timedelta(minutes=5))
    kinds = [(a.kind, a.payload["reasons"][0]["reason"]) for a in _alerts(session)]
    assert kinds == [
        ("tier_entered", "entered hot (77.5 ≥ 75)"),
        ("negative_signal", "unsubscribe while hot (68.5 now)"),
    ]


def test_cooldown_holds_a_second_alert_for_the_lead(
    session: Session, config: ScoringConfig
) -> None:
    rules = [*config.alerts.model_dump(mode="json")["rules"], {"id": "q", "kind": "qualified"}]
    cooled = with_alerts(config, cooldown_minutes=240, rules=rules)
    lead_id = make_lead(session)
    rescore_lead(session, lead_id, cooled, NOW, "import")
    answer_all(session, lead_id)
    apply_new_answer(session, lead_id, cooled, NOW, ref="conversation:1")
    _events(session, lead_id, cooled, HOT_EVENTS, NOW + timedelta(hours=1))
    assert [a.rule_id for a in _alerts(session)] == ["q"]
    state = session.get(AlertState, (lead_id, "became_hot"))
    assert state is not None and state.active  # consumed: no stale alert after the cooldown


def test_no_alert_reads_when_nothing_can_fire(engine: Engine, config: ScoringConfig) -> None:
    seen: list[str] = []

    def record(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        seen.append(statement.lower())

    with Session(engine) as session:
        lead_id = _warm_lead(session, config)
        cold = make_lead(session, "sam@example.org")
        rescore_lead(session, cold, config, NOW, "import")
        off = with_alerts(config, enabled=False)
        event.listen(engine, "before_cursor_execute", record)
        try:
            _events(session, lead_id, off, HOT_EVENTS)  # hot, but alerts are off
            _events(session, cold, config, [("Page Viewed", {"path": "/blog"})])  # stays cold
        finally:
            event.remove(engine, "before_cursor_execute", record)
        assert get_score(session, lead_id) is not None
    touching = [s for s in seen if "alert" in s or ("score_changes" in s and "min(" in s)]
    assert touching == []
    assert len(seen) > 0
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 0


def test_a_jump_counts_each_leads_own_score_changes_within_its_window(
    engine: Engine, config: ScoringConfig
) -> None:
    jump = {"id": "surge", "kind": "jump", "points": 20, "window_hours": 24}
    surge = with_alerts(config, rules=[jump])
    emails = ["recent@northwind.io", "old@northwind.io", "none@northwind.io"]
    with Session(engine) as session:
        leads = {
            email: _warm_lead(session, surge, NOW - timedelta(days=3), email) for email in emails
        }
        # each was at 40 once: an hour ago (within the 24 h window), or two days ago
        for email, ago in (("recent@northwind.io", 1), ("old@northwind.io", 48)):
            record_score_change(
                session,
                leads[email],
                at=NOW - timedelta(hours=ago),
                old_total=40.0,
                new_total=55.0,
                old_tier="cold",
                new_tier="warm",
                old_qualified=True,
                new_qualified=True,
                reason="event",
            )
        session.commit()
    # one batch, so the window's lows of all three leads are read together
    items: list[EventToStore | IdentifyToStore] = [
        EventToStore(i, email, EventRecord("Demo Requested", NOW, f"demo-{i}", {}))
        for i, email in enumerate(emails)
    ]
    assert import_events(engine, items, surge, NOW).accepted == 3  # each 55.0 → 68.5
    with Session(engine) as session:
        assert [(a.lead_id, a.payload["reasons"][0]["reason"]) for a in _alerts(session)] == [
            (leads["recent@northwind.io"], "up 28.5 points within 24h (40.0 → 68.5)")
        ]
