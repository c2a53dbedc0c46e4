"""Leads: upsert by email, lookups, normalization, merge of duplicates."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, func, select

from bot.storage import repository as repo
from bot.storage.leads_repo import LeadRow, lead_ids_by_email, lead_rows
from bot.storage.tables import Alert, Answer, Call, Conversation, Event, Lead, LeadScore, Outcome
from scoring.inputs import LeadProfile

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_upsert_creates_with_derived_fields(session: Session) -> None:
    lead = repo.upsert_lead(
        session, {"email": " Jane@ACME.com ", "company": "ACME, Inc.", "country": "us"}
    )
    session.commit()
    assert lead.id is not None
    assert lead.email == "jane@acme.com"
    assert lead.domain == "acme.com"
    assert lead.company == "ACME, Inc."
    assert lead.company_key == "acme"
    assert lead.country == "US"
    assert lead.stage == "new"
    assert lead.created_at.tzinfo is not None


def test_upsert_by_email_is_case_insensitive_and_updates_only_given_fields(
    session: Session,
) -> None:
    first = repo.upsert_lead(
        session, {"email": "jane@acme.com", "title": "CFO", "company_size": 250, "owner": "U1"}
    )
    session.commit()
    created_at = first.created_at
    again = repo.upsert_lead(
        session,
        {"email": "JANE@Acme.COM", "title": None, "company_size": "", "industry": "Software"},
    )
    session.commit()
    assert again.id == first.id
    assert _count(session, Lead) == 1
    session.expire_all()
    stored = repo.get_lead_by_email(session, "jane@ACME.com")
    assert stored is not None
    assert (stored.title, stored.company_size, stored.industry, stored.owner) == (
        "CFO",
        250,
        "Software",
        "U1",
    )
    assert stored.created_at == created_at
    assert stored.updated_at >= created_at


def test_upsert_keeps_an_explicit_domain_and_follows_company_changes(session: Session) -> None:
    repo.upsert_lead(session, {"email": "bob@gmail.com", "domain": "https://www.Initech.com/"})
    lead = repo.upsert_lead(session, {"email": "bob@gmail.com", "company": "Initech GmbH"})
    assert lead.domain == "initech.com"
    assert lead.company_key == "initech"
    lead = repo.upsert_lead(session, {"email": "bob@gmail.com", "company": "Initrode"})
    assert lead.company_key == "initrode"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"company": "Acme"}, "needs an email"),
        ({"email": "not-an-email"}, "invalid email"),
        ({"email": "a@b.com", "country": "USA"}, "ISO 3166"),
        ({"email": "a@b.com", "company_size": "lots"}, "company_size"),
        ({"email": "a@b.com", "company_size": -3}, "company_size"),
        ({"email": "a@b.com", "colour": "red"}, "unknown lead fields: colour"),
    ],
)
def test_upsert_rejects_bad_fields(session: Session, fields: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        repo.upsert_lead(session, fields)
    assert _count(session, Lead) == 0


def test_lookups_by_domain_and_company(session: Session) -> None:
    repo.upsert_lead(session, {"email": "jane@acme.com", "company": "Acme Inc"})
    repo.upsert_lead(session, {"email": "joe@acme.com", "company": "ACME"})
    repo.upsert_lead(session, {"email": "ann@globex.com", "company": "Globex Corporation"})
    session.commit()
    by_domain = repo.find_leads_by_domain(session, "https://www.ACME.com/pricing")
    assert [lead.email for lead in by_domain] == ["jane@acme.com", "joe@acme.com"]
    assert [lead.email for lead in repo.find_leads_by_domain(session, "joe@acme.com")] == [
        "jane@acme.com",
        "joe@acme.com",
    ]
    assert [lead.email for lead in repo.find_leads_by_company_key(session, "acme, inc.")] == [
        "jane@acme.com",
        "joe@acme.com",
    ]
    assert [lead.email for lead in repo.find_leads_by_company_key(session, "globex")] == [
        "ann@globex.com"
    ]
    assert repo.find_leads_by_domain(session, "initech.com") == []
    assert repo.get_lead_by_email(session, "nobody@acme.com") is None


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme, Inc.", "acme"),
        ("ACME Corporation", "acme"),
        ("Société Générale S.A.", "societe generale"),
        ("Procter & Gamble Co.", "procter and gamble"),
        ("Co", "co"),
        ("  ", None),
    ],
)
def test_company_key(name: str, key: str | None) -> None:
    assert repo.company_key(name) == key
    if key is not None:
        assert repo.company_key(key) == key  # idempotent


def test_to_profile(session: Session) -> None:
    lead = repo.upsert_lead(
        session,
        {
            "email": "jane@acme.com",
            "company": "Acme",
            "title": "VP Sales",
            "company_size": 80,
            "country": "de",
            "product": "pro",
            "industry": "SaaS",
            "name": "Jane Doe",
        },
    )
    assert repo.to_profile(lead) == LeadProfile(
        email="jane@acme.com",
        domain="acme.com",
        company="Acme",
        name="Jane Doe",
        title="VP Sales",
        industry="SaaS",
        company_size=80,
        country="DE",
        product="pro",
    )


def test_merge_leads_moves_history_and_fills_gaps(session: Session) -> None:
    keep = repo.upsert_lead(session, {"email": "jane@acme.com", "title": "CFO"})
    drop = repo.upsert_lead(
        session,
        {
            "email": "jane.doe@acme.com",
            "title": "Intern",
            "company": "Acme",
            "owner": "U9",
            "stage": "contacted",
        },
    )
    assert keep.id is not None and drop.id is not None
    keep_id, drop_id = keep.id, drop.id
    repo.add_answer(session, drop_id, "priority", {"level": "high"}, source="cli")
    repo.add_event(
        session,
        lead_id=drop_id,
        dedupe_key="m1",
        type="page_view",
        occurred_at=T0,
        source="api",
    )
    call = Call(external_id="c1", lead_id=drop_id, rep="U9", ended_at=T0)
    session.add(call)
    session.flush()
    session.add(Conversation(lead_id=drop_id, rep="U9", framework="bant", call_id=call.id))
    session.add(Alert(lead_id=drop_id, kind="hot", rule_id="r", channel="#s", dedupe_key="a1"))
    session.add(Outcome(lead_id=drop_id, outcome="opportunity", amount=1000.0, at=T0))
    repo.save_score(
        session,
        drop_id,
        model="default",
        total=50,
        fit=40,
        engagement=60,
        grade="B2",
        tier="warm",
        qualified=False,
    )
    repo.record_score_change(
        session, drop_id, new_total=50, new_tier="warm", new_qualified=False, reason="event"
    )
    session.commit()

    merged = repo.merge_leads(session, keep_id, drop_id)
    session.commit()
    session.expire_all()

    assert merged.id == keep_id
    assert repo.get_lead(session, drop_id) is None
    kept = repo.get_lead(session, keep_id)
    assert kept is not None
    assert (kept.title, kept.company, kept.company_key, kept.owner, kept.stage) == (
        "CFO",
        "Acme",
        "acme",
        "U9",
        "contacted",
    )
    for model in (Answer, Event, Call, Conversation, Alert, Outcome):
        lead_ids = session.exec(select(model.lead_id)).all()
        assert lead_ids == [keep_id], model.__name__
    assert session.get(LeadScore, drop_id) is None
    assert repo.score_changes_for_lead(session, drop_id) == []


def test_merge_leads_rejects_bad_ids(session: Session) -> None:
    lead = repo.upsert_lead(session, {"email": "jane@acme.com"})
    assert lead.id is not None
    with pytest.raises(ValueError):
        repo.merge_leads(session, lead.id, lead.id)
    with pytest.raises(LookupError):
        repo.merge_leads(session, lead.id, 999_999)


def test_lead_rows_read_raw_what_the_orm_holds(session: Session) -> None:
    """Batch rescoring reads leads without ORM objects: the same columns, unflushed
    changes included; unknown ids are absent."""
    jane = repo.upsert_lead(
        session,
        {
            "email": "Jane@Acme.com",
            "name": "Jane",
            "title": "CFO",
            "company_size": 250,
            "country": "DE",
            "product": "analytics",
            "owner": "U42",
        },
    )
    joe = repo.upsert_lead(session, {"email": "joe@globex.com"})
    assert jane.id is not None and joe.id is not None
    joe.industry = "Software"  # pending in the session
    rows = lead_rows(session, [joe.id, jane.id, jane.id, 999])
    assert set(rows) == {jane.id, joe.id}
    for lead in (jane, joe):
        assert lead.id is not None
        assert rows[lead.id] == LeadRow(
            lead.id,
            lead.email,
            lead.domain,
            lead.company,
            lead.name,
            lead.title,
            lead.industry,
            lead.company_size,
            lead.country,
            lead.product,
            lead.owner,
        )
    assert rows[joe.id].industry == "Software"
    assert repo.to_profile(rows[jane.id]) == repo.to_profile(jane)


def test_batch_reads_bind_their_ids_as_one_value(session: Session) -> None:
    """Batch reads bind their ids as one value (a JSON array on SQLite, an array on
    PostgreSQL), not a placeholder each, so no build's placeholder limit caps a batch:
    SQLite builds before 3.32 allow 999, the one here is set to that."""
    jane = repo.upsert_lead(session, {"email": "jane@acme.com"})
    joe = repo.upsert_lead(session, {"email": "joe@globex.com"})
    assert jane.id is not None and joe.id is not None
    dbapi = session.connection().connection.driver_connection
    if isinstance(dbapi, sqlite3.Connection):
        dbapi.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    emails = {f"nobody{i}@example.com" for i in range(5_000)} | {"jane@acme.com"}
    assert lead_ids_by_email(session, emails) == {"jane@acme.com": jane.id}
    ids = [*range(10_000_000, 10_005_000), joe.id]
    assert set(lead_rows(session, ids)) == {joe.id}
