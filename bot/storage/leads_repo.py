"""Leads: upsert by email, lookups by email, domain and company, merge of duplicates."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, text, update
from sqlalchemy.orm import Session
from sqlmodel import col, select

from bot.storage.among import rows_among
from bot.storage.column_types import utcnow
from bot.storage.tables import (
    Alert,
    AnonymousId,
    Answer,
    Call,
    Conversation,
    Event,
    Lead,
    LeadScore,
    Outcome,
    ScoreChange,
)
from bot.storage.upsert import dialect_insert
from scoring.inputs import LeadProfile

IMPORT_FIELDS: tuple[str, ...] = (
    "email",
    "domain",
    "company",
    "name",
    "title",
    "industry",
    "company_size",
    "country",
    "product",
    "owner",
    "stage",
)
"""Lead fields an import or a generator fills, in display order."""

LEAD_FIELDS: frozenset[str] = frozenset({*IMPORT_FIELDS, "company_key"})
"""Fields `upsert_lead` accepts."""

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_DOMAIN_RE = re.compile(r"^[\w-]+(\.[\w-]+)+$")
_LEGAL_SUFFIXES = frozenset(
    {
        "inc",
        "incorporated",
        "llc",
        "llp",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "co",
        "company",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "plc",
        "oy",
        "ab",
        "as",
        "aps",
        "pty",
        "kk",
        "pte",
    }
)
_CHILD_TABLES: tuple[Any, ...] = (
    Answer,
    Event,
    AnonymousId,
    Conversation,
    Call,
    Alert,
    Outcome,
)


def normalize_email(email: str) -> str:
    """Trimmed lowercase email; `ValueError` if it does not look like one."""
    value = email.strip().lower()
    if not _EMAIL_RE.match(value):
        raise ValueError(f"invalid email {email!r}")
    return value


def normalize_domain(value: str) -> str:
    """`https://www.Acme.com/x`, `jane@acme.com` or `Acme.com` → `acme.com`."""
    text = value.strip().lower()
    text = text.rpartition("@")[2]
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = re.split(r"[/?#:]", text, maxsplit=1)[0].rstrip(".")
    text = text.removeprefix("www.")
    if not _DOMAIN_RE.match(text):
        raise ValueError(f"invalid domain {value!r}")
    return text


def company_key(company: str | None) -> str | None:
    """Lookup key of a company name: casefolded, no accents or punctuation, no legal suffix.

    `"Acme, Inc."`, `"ACME Inc"` and `"acme"` all give `"acme"`; idempotent.
    """
    if company is None:
        return None
    text = unicodedata.normalize("NFKD", company)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[.'’]", "", text.replace("&", " and "))  # S.A. → sa, O'Neil → oneil
    words = re.sub(r"[^\w]+|_", " ", text).split()
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words) or None


def _clean_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - LEAD_FIELDS
    if unknown:
        raise ValueError(f"unknown lead fields: {', '.join(sorted(unknown))}")
    clean: dict[str, Any] = {}
    for key, raw in fields.items():
        value = raw.strip() if isinstance(raw, str) else raw
        if value is None or value == "":
            continue
        clean[key] = value
    if "email" not in clean:
        raise ValueError("a lead needs an email")
    clean["email"] = normalize_email(clean["email"])
    if "domain" in clean:
        clean["domain"] = normalize_domain(clean["domain"])
    if "company_key" in clean:
        clean["company_key"] = company_key(clean["company_key"])
    elif "company" in clean:
        clean["company_key"] = company_key(clean["company"])
    if "country" in clean:
        country = str(clean["country"]).upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise ValueError(f"country must be an ISO 3166 alpha-2 code, got {clean['country']!r}")
        clean["country"] = country
    if "company_size" in clean:
        size = clean["company_size"]
        if isinstance(size, bool) or not isinstance(size, int | str | float):
            raise ValueError(f"company_size must be a whole number, got {size!r}")
        try:
            number = float(size)
        except ValueError:
            raise ValueError(f"company_size must be a whole number, got {size!r}") from None
        if number < 0 or not number.is_integer():
            raise ValueError(f"company_size must be a whole number ≥ 0, got {size!r}")
        clean["company_size"] = int(number)
    return clean


def get_lead(session: Session, lead_id: int) -> Lead | None:
    """The lead with this id, or None."""
    return session.get(Lead, lead_id)


def get_lead_by_email(session: Session, email: str) -> Lead | None:
    """The lead with this email (case-insensitive), or None."""
    value = email.strip().lower()
    return session.scalars(select(Lead).where(Lead.email == value)).first()


# FOR NO KEY UPDATE: score writers queue on each other, and taking the locks in id order
# they never deadlock; the FOR KEY SHARE of a foreign key check (an alert row the
# dispatcher inserts for the lead, an answer) neither waits for them nor blocks them.
_LOCK_SQL = "SELECT id FROM leads WHERE {where} ORDER BY id FOR NO KEY UPDATE"


def _locks_rows(session: Session) -> bool:
    """Whether leads are locked row by row: on PostgreSQL. SQLite transactions are
    immediate already (one writer at a time): nothing to lock."""
    return session.get_bind().dialect.name == "postgresql"


def lock_leads(session: Session, emails: Iterable[str | None]) -> None:
    """Lock the leads with these emails, in id order, for the rest of the transaction,
    before rescoring them (on PostgreSQL; read raw, as it runs for batches of events)."""
    wanted = {e.strip().lower() for e in emails if e}
    if wanted and _locks_rows(session):
        rows_among(session, _LOCK_SQL.format(where="email {among}"), wanted)


def lock_lead_ids(session: Session, lead_ids: Iterable[int]) -> bool:
    """Lock these leads as `lock_leads` does; whether the database needed it (False on
    SQLite)."""
    wanted = set(lead_ids)
    if not wanted or not _locks_rows(session):
        return False
    rows_among(session, _LOCK_SQL.format(where="id {among}"), wanted)
    return True


def lock_lead_range(session: Session, lo: int, hi: int) -> None:
    """Lock the leads with ids in [lo, hi) as `lock_leads` does."""
    if _locks_rows(session):
        where = text(_LOCK_SQL.format(where="id >= :lo AND id < :hi"))
        session.execute(where, {"lo": lo, "hi": hi}).all()


def find_leads_by_domain(session: Session, domain: str) -> list[Lead]:
    """Leads whose domain is `domain` (a URL or an email is accepted too), oldest first."""
    value = normalize_domain(domain)
    return list(session.scalars(select(Lead).where(Lead.domain == value).order_by(col(Lead.id))))


def find_leads_by_company_key(session: Session, company: str) -> list[Lead]:
    """Leads of a company, given its key or its name (normalized with `company_key`)."""
    key = company_key(company)
    if key is None:
        return []
    stmt = select(Lead).where(Lead.company_key == key).order_by(col(Lead.id))
    return list(session.scalars(stmt))


def upsert_lead(session: Session, fields: Mapping[str, Any]) -> Lead:
    """Create or update the lead identified by `fields["email"]` (case-insensitive).

    Only provided, non-empty fields are written; on creation `domain` defaults to the
    email's domain, and `company_key` always follows `company` unless given. Safe against
    a concurrent insert of the same email. Raises `ValueError` on bad fields.
    """
    clean = _clean_fields(fields)
    email = clean["email"]
    lead = get_lead_by_email(session, email)
    if lead is None:
        values = {"domain": email.rpartition("@")[2], **clean}
        now = utcnow()
        stmt = (
            dialect_insert(session, Lead)
            .values(**values, created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=["email"])
            .returning(Lead)
        )
        created = session.scalars(stmt, execution_options={"populate_existing": True}).first()
        if created is not None:
            return created
        lead = get_lead_by_email(session, email)  # inserted concurrently: update it
        assert lead is not None
    changed = False
    for key, value in clean.items():
        if getattr(lead, key) != value:
            setattr(lead, key, value)
            changed = True
    if lead.domain is None:
        lead.domain = email.rpartition("@")[2]
        changed = True
    if changed:
        lead.updated_at = utcnow()
        session.add(lead)
        session.flush()
    return lead


def merge_leads(session: Session, keep_id: int, drop_id: int) -> Lead:
    """Merge lead `drop_id` into `keep_id` and delete it; return the kept lead.

    Answers, events, anonymous ids, conversations, calls, alerts and outcomes move to `keep`; empty
    fields of `keep` are filled from `drop` (a stage still "new" counts as empty). The
    dropped lead's score and score history are deleted: rescore `keep` afterwards.
    """
    if keep_id == drop_id:
        raise ValueError("cannot merge a lead into itself")
    keep, drop = session.get(Lead, keep_id), session.get(Lead, drop_id)
    if keep is None or drop is None:
        raise LookupError(f"no lead with id {keep_id if keep is None else drop_id}")
    for table in _CHILD_TABLES:
        session.execute(update(table).where(table.lead_id == drop_id).values(lead_id=keep_id))
    session.execute(delete(ScoreChange).where(col(ScoreChange.lead_id) == drop_id))
    session.execute(delete(LeadScore).where(col(LeadScore.lead_id) == drop_id))
    for key in sorted(LEAD_FIELDS - {"email", "stage"}):
        if getattr(keep, key) in (None, "") and getattr(drop, key) not in (None, ""):
            setattr(keep, key, getattr(drop, key))
    if keep.stage == "new" and drop.stage != "new":
        keep.stage = drop.stage
    keep.created_at = min(keep.created_at, drop.created_at)
    keep.updated_at = utcnow()
    session.add(keep)
    session.delete(drop)
    session.flush()
    return keep


@dataclass(slots=True, frozen=True)
class LeadRow:
    """A lead's columns as batch rescoring reads them: no ORM object (see `lead_rows`)."""

    id: int
    email: str
    domain: str | None
    company: str | None
    name: str | None
    title: str | None
    industry: str | None
    company_size: int | None
    country: str | None
    product: str | None
    owner: str | None


def lead_rows(session: Session, lead_ids: Iterable[int]) -> dict[int, LeadRow]:
    """The leads with these ids (one query, read raw: it runs for every batch of events)."""
    rows = rows_among(
        session,
        "SELECT id, email, domain, company, name, title, industry, company_size, country,"
        " product, owner FROM leads WHERE id {among}",
        set(lead_ids),
    )
    return {row[0]: LeadRow(*row) for row in rows}


def lead_ids_by_email(session: Session, emails: Iterable[str]) -> dict[str, int]:
    """The ids of the leads with these (normalised) emails, read raw: it runs for every
    batch of events. Unknown emails are absent."""
    sql = "SELECT email, id FROM leads WHERE email {among}"
    return dict(rows_among(session, sql, set(emails)))


def to_profile(lead: Lead | LeadRow) -> LeadProfile:
    """The scorer's view of a lead."""
    return LeadProfile(
        email=lead.email,
        domain=lead.domain,
        company=lead.company,
        name=lead.name,
        title=lead.title,
        industry=lead.industry,
        company_size=lead.company_size,
        country=lead.country,
        product=lead.product,
    )
