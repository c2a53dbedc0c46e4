"""Scoring stored leads on SQLite and PostgreSQL: incremental == full, changes, bulk, lookup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

import bot.bulk_scoring as bulk_scoring
from bot.bulk_scoring import dry_run, rescore_all
from bot.config_file import load_config
from bot.lead_lookup import CompanyNames, find_leads
from bot.scoring_service import (
    apply_new_answer,
    apply_new_event,
    apply_new_events,
    explain_stored,
    rescore_lead,
)
from bot.storage.answers_repo import add_answer
from bot.storage.database import session_scope
from bot.storage.events_repo import add_event
from bot.storage.leads_repo import to_profile, upsert_lead
from bot.storage.scores_repo import get_score, score_changes_for_lead
from bot.storage.tables import Lead, LeadScore
from scoring.config import ScoringConfig
from scoring.config_loader import load_config_text
from scoring.inputs import EventRecord
from scoring.scorer import score
from tests.service.stored_records import store_record

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def config() -> ScoringConfig:
    return load_config(ROOT / "config.yml")


EVENTS = [
    ("Page Viewed", {"path": "/pricing"}, 1),
    ("Page Viewed", {"path": "/pricing"}, 1.1),
    ("Page Viewed", {"path": "/pricing"}, 3),
    ("Demo Requested", {}, 2),
    ("Content Downloaded", {"asset_id": "ebook"}, 10),
    ("Content Downloaded", {"asset_id": "ebook"}, 5),
    ("Email Opened", {}, 40),
    ("Unsubscribed", {}, 0.5),
    ("Webinar Attended", {"webinar_id": "w"}, 20),
]


def _lead(session: Session, email: str = "dana@northwind.io", **kw: object) -> int:
    lead = upsert_lead(
        session,
        {
            "email": email,
            "company": "Northwind Analytics",
            "title": "VP Operations",
            "company_size": 400,
            **kw,
        },
    )
    assert lead.id is not None
    return lead.id


def _add_event(session: Session, lead_id: int, i: int) -> EventRecord:
    """Store EVENTS[i] for the lead (not scored); its record."""
    name, props, days = EVENTS[i]
    return store_record(
        session, lead_id, EventRecord(name, NOW - timedelta(days=days), f"m{i}", props)
    )


def test_events_applied_one_by_one_equal_a_full_rescore(
    session: Session, config: ScoringConfig
) -> None:
    lead_id = _lead(session)
    for i in range(len(EVENTS)):
        incremental = apply_new_event(
            session, lead_id, _add_event(session, lead_id, i), config, NOW
        )
    stored = get_score(session, lead_id)
    assert stored is not None
    incremental_row = (stored.total, stored.state)
    lead = session.get(Lead, lead_id)
    assert lead is not None
    explained = explain_stored(session, lead, stored, config)  # from the stored state
    full = rescore_lead(session, lead_id, config, NOW)
    session.refresh(stored)
    assert (stored.total, stored.state) == incremental_row
    assert full.to_dict() == incremental.to_dict() == explained.to_dict()
    assert explained.by_rule() == full.by_rule()


@pytest.mark.parametrize(
    "unusable",
    [{}, {"v": 2, "fp": "other-rules", "rules": {}, "last": None, "n": 0}],
    ids=["no state", "other rules"],
)
def test_explain_stored_rebuilds_from_the_events_when_the_state_is_unusable(
    session: Session, config: ScoringConfig, unusable: dict[str, Any]
) -> None:
    lead_id = _lead(session)
    for i in range(len(EVENTS)):
        _add_event(session, lead_id, i)
    stored_result = rescore_lead(session, lead_id, config, NOW)
    stored = get_score(session, lead_id)
    lead = session.get(Lead, lead_id)
    assert stored is not None and lead is not None
    stored.state = unusable
    session.flush()
    explained = explain_stored(session, lead, stored, config)
    # as scored (at `scored_at`), not as of now: the events have decayed since
    assert explained.to_dict() == stored_result.to_dict()
    assert explained.by_rule()[0].rule_id == "engagement.demo_request"


def test_answers_rescore_and_changes_are_recorded_only_when_something_moved(
    session: Session, config: ScoringConfig
) -> None:
    lead_id = _lead(session)
    first = rescore_lead(session, lead_id, config, NOW)
    rescore_lead(session, lead_id, config, NOW)  # nothing moved: no second change
    assert len(score_changes_for_lead(session, lead_id)) == 1
    add_answer(
        session,
        lead_id,
        "budget",
        {"status": "confirmed", "amount": 90000, "currency": "USD", "period": "year"},
        source="test",
        answered_at=NOW - timedelta(hours=1),
        raw_text="90k a year",
    )
    after = apply_new_answer(session, lead_id, config, NOW, ref="conversation 1")
    assert after.total > first.total
    changes = score_changes_for_lead(session, lead_id)
    assert [(c.reason, c.old_total, c.new_total) for c in changes] == [
        ("rescore", None, first.total),
        ("answer", first.total, after.total),
    ]
    assert after.answers["budget"].raw_text == "90k a year"


def _stored(engine: Engine) -> dict[int, tuple[Any, ...]]:
    with session_scope(engine) as session:
        rows = session.scalars(select(LeadScore).execution_options(populate_existing=True))
        return {s.lead_id: (s.total, s.state) for s in rows}


def test_rescore_all_in_parallel_matches_single_rescores(
    db_url: str, engine: Engine, config: ScoringConfig
) -> None:
    with session_scope(engine) as session:
        ids = [
            _lead(session, f"p{i}@co{i}.com", company=f"Co {i}", company_size=20 + i * 50)
            for i in range(30)
        ]
        for n, lead_id in enumerate(ids):
            for j, (name, props, days) in enumerate(EVENTS[: n % len(EVENTS)]):
                add_event(
                    session,
                    lead_id=lead_id,
                    dedupe_key=f"{n}-{j}",
                    type=name,
                    occurred_at=NOW - timedelta(days=days),
                    source="test",
                    properties=props,
                )
    seen: list[int] = []
    summary = rescore_all(db_url, config, NOW, workers=2, chunk=7, progress=seen.append)
    assert summary.leads == 30 == sum(seen) and summary.changed == 30
    assert sum(summary.tiers.values()) == 30
    bulk = _stored(engine)
    with session_scope(engine) as session:
        for lead_id in ids:
            rescore_lead(session, lead_id, config, NOW)
    assert bulk == _stored(engine) and len(bulk) == 30
    again = rescore_all(db_url, config, NOW, workers=1)
    assert again.changed == 0  # same inputs, same time: nothing moves


def test_an_event_scored_while_rescore_all_runs_is_not_overwritten(
    db_url: str, engine: Engine, config: ScoringConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks are read outside the write transaction; one whose lead got an event
    in between is read again inside it."""
    with session_scope(engine) as session:
        lead_id = _lead(session, "late@acme.com", company="Acme")
        rescore_lead(session, lead_id, config, NOW)
    reads: list[int] = []
    real_load = bulk_scoring.load_chunk

    def load_then_event(conn: Any, lo: int, hi: int, reuse: Any = None) -> Any:
        chunk = real_load(conn, lo, hi, reuse)
        reads.append(lo)
        if len(reads) == 1:  # between this read and the chunk's write, an event lands
            with session_scope(engine) as session:
                record = EventRecord("Demo Requested", NOW, "late-demo", {})
                add_event(
                    session,
                    lead_id=lead_id,
                    dedupe_key=record.key,
                    type=record.type,
                    occurred_at=NOW,
                    source="test",
                )
                apply_new_event(session, lead_id, record, config, NOW + timedelta(seconds=1))
        return chunk

    monkeypatch.setattr(bulk_scoring, "load_chunk", load_then_event)
    rescore_all(db_url, config, NOW, workers=1)
    with session_scope(engine) as session:
        stored = get_score(session, lead_id)
        assert stored is not None and "late-demo" in str(stored.state)
        assert stored.total == rescore_lead(session, lead_id, config, NOW).total
    assert len(reads) == 2  # read again in the write transaction


def test_rescore_all_starts_from_current_stored_states_and_rebuilds_the_others(
    db_url: str, engine: Engine, config: ScoringConfig
) -> None:
    with session_scope(engine) as session:
        ids = [_lead(session, f"s{i}@co{i}.com", company=f"Co {i}") for i in range(4)]
        for n, lead_id in enumerate(ids):
            for j, (name, props, days) in enumerate(EVENTS):
                add_event(
                    session,
                    lead_id=lead_id,
                    dedupe_key=f"{n}-{j}",
                    type=name,
                    occurred_at=NOW - timedelta(days=days + 2),
                    source="test",
                    properties=props,
                )
    rescore_all(db_url, config, NOW - timedelta(days=2), workers=1)
    current, added, other_rules, tampered = ids
    with session_scope(engine) as session:
        # an event stored without scoring it (as bulk loads do): the stored count is ahead
        add_event(
            session,
            lead_id=added,
            dedupe_key="unscored",
            type="Demo Requested",
            occurred_at=NOW - timedelta(hours=3),
            source="test",
        )
        scores = {s.lead_id: s for s in session.scalars(select(LeadScore))}
        scores[other_rules].state = {**scores[other_rules].state, "fp": "older-rules"}
        # a state that still claims every event but lost them: only --rebuild repairs it
        scores[tampered].state = {**scores[tampered].state, "rules": {}}
    with engine.connect() as conn:
        reused = {
            lead.id: lead for lead in bulk_scoring.load_chunk(conn, ids[0], ids[-1] + 1, config)
        }
        fresh = bulk_scoring.load_chunk(conn, ids[0], ids[-1] + 1)
    assert {i for i, lead in reused.items() if lead.state is not None} == {current, tampered}
    assert all(not reused[i].events for i in (current, tampered))
    assert [len(reused[i].events) for i in (added, other_rules)] == [len(EVENTS) + 1, len(EVENTS)]
    assert all(lead.state is None and lead.events for lead in fresh)

    rescore_all(db_url, config, NOW, workers=1)
    reused_rows = _stored(engine)
    with session_scope(engine) as session:
        for lead_id in ids:
            rescore_lead(session, lead_id, config, NOW)
    full_rows = _stored(engine)
    assert "unscored" in str(reused_rows[added][1])
    assert {i: reused_rows[i] for i in ids if i != tampered} == {
        i: full_rows[i] for i in ids if i != tampered
    }
    assert reused_rows[tampered][0] < full_rows[tampered][0]

    with session_scope(engine) as session:
        session.get(LeadScore, tampered).state = reused_rows[tampered][1]  # type: ignore[union-attr]
    rescore_all(db_url, config, NOW, workers=1, rebuild=True)
    assert _stored(engine) == full_rows


def test_a_lead_without_a_usable_state_is_rebuilt_up_to_each_event_of_a_batch(
    session: Session, config: ScoringConfig
) -> None:
    lead_id = _lead(session)
    records = [
        EventRecord("Demo Requested", NOW - timedelta(days=1), "b1", {}),
        EventRecord("Webinar Attended", NOW - timedelta(hours=2), "b2", {"webinar_id": "w"}),
    ]
    for r in records:
        store_record(session, lead_id, r)
    result = apply_new_events(session, {lead_id: records}, config, NOW)[lead_id]
    lead = session.get(Lead, lead_id)
    assert lead is not None
    only_first = score(to_profile(lead), [], records[:1], config, NOW)
    changes = score_changes_for_lead(session, lead_id)
    assert [(c.ref, c.new_total) for c in changes] == [
        ("b1", only_first.total),
        ("b2", result.total),
    ]
    assert only_first.total < result.total and result.state["n"] == 2


def test_dry_run_lists_leads_that_would_change_tier(
    db_url: str, engine: Engine, config: ScoringConfig
) -> None:
    with session_scope(engine) as session:
        for i in range(5):
            lead_id = _lead(session, f"x{i}@acme{i}.com", company=f"Acme {i}")
            add_event(
                session,
                lead_id=lead_id,
                dedupe_key=f"d{i}",
                type="Demo Requested",
                occurred_at=NOW - timedelta(days=1),
                source="test",
            )
    text = (
        (ROOT / "config.yml")
        .read_text()
        .replace("tiers: {hot: 75, warm: 45}", "tiers: {hot: 75, warm: 20}")
    )
    proposed = load_config_text(text, ScoringConfig)
    total, moves = dry_run(db_url, config, proposed, NOW, workers=1)
    assert total == 5 and len(moves) == 5
    assert {(m.old_tier, m.new_tier) for m in moves} == {("cold", "warm")}
    with session_scope(engine) as session:  # a dry run writes nothing
        assert session.scalar(select(func.count()).select_from(LeadScore)) == 0


def test_lookup_by_email_domain_company_typo_and_suggestions(session: Session) -> None:
    _lead(session, "dana@northwind.io")
    _lead(session, "lee@northwind.io")
    _lead(session, "kim@globex.com", company="Globex Corporation")
    _lead(session, "ann@initech.com", company="Initech")
    names = CompanyNames()
    assert find_leads(session, "Dana@Northwind.io", names).lead.email == "dana@northwind.io"  # type: ignore[union-attr]
    by_domain = find_leads(session, "https://www.northwind.io/", names)
    assert by_domain.how == "domain" and len(by_domain.leads) == 2
    assert find_leads(session, "initech", names).how == "company"
    assert find_leads(session, "globex", names).lead.email == "kim@globex.com"  # type: ignore[union-attr]
    typo = find_leads(session, "Initehc", names)
    assert typo.how == "fuzzy_company" and typo.lead.email == "ann@initech.com"  # type: ignore[union-attr]
    unknown = find_leads(session, "zoe@northwind.io", names)
    assert unknown.lead is None and set(unknown.suggestions) == {
        "dana@northwind.io",
        "lee@northwind.io",
    }
    nothing = find_leads(session, "Umbrella", names)
    assert nothing.lead is None and nothing.how == "none"


def test_camel_case_event_names_score_the_same_incrementally_and_in_full(
    session: Session, config: ScoringConfig
) -> None:
    lead_id = _lead(session)
    at = NOW - timedelta(days=1)
    add_event(
        session,
        lead_id=lead_id,
        dedupe_key="c1",
        type="DemoRequested",
        occurred_at=at,
        source="test",
    )
    incremental = apply_new_event(
        session, lead_id, EventRecord("DemoRequested", at, "c1"), config, NOW
    )
    assert any(c.rule_id == "engagement.demo_request" for c in incremental.contributions)
    assert rescore_lead(session, lead_id, config, NOW).to_dict() == incremental.to_dict()
