"""Storing imported leads and events (CSV / JSON lines), scoring as they land.

Parsing (with row numbers) is in bot.importing; this module writes what parsed and
reports the rest. A bad row never stops the good ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from sqlmodel import col, select

from bot.importing.errors import RowError
from bot.importing.segment import ParsedEvent, ParsedIdentify, lead_fields_from_traits
from bot.scoring_service import apply_new_event, rescore_lead
from bot.storage.database import session_scope
from bot.storage.events_repo import add_event, normalize_event_type
from bot.storage.leads_repo import LEAD_FIELDS, get_lead_by_email, upsert_lead
from bot.storage.tables import AnonymousEvent, AnonymousId, Event, Lead
from bot.storage.upsert import dialect_insert
from scoring.config import ScoringConfig
from scoring.inputs import EventRecord

BATCH = 500
T = TypeVar("T")


@dataclass(slots=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    duplicates: int = 0  # events already stored (same messageId)
    accepted: int = 0  # events stored
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "created": self.created,
            "updated": self.updated,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "errors": [{"row": e.row, "reason": e.reason} for e in self.errors],
        }


def _batches(items: list[T], size: int) -> Iterable[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_leads(
    engine: Engine,
    rows: list[tuple[int, dict[str, object]]],
    config: ScoringConfig,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Upsert leads by email (a repeated email updates the same lead, keeping its history)
    and score them. `rows` are (row number, fields); unknown fields (e.g. extra identify
    traits) are ignored."""
    report = ImportReport()
    for batch in _batches(rows, BATCH):
        with session_scope(engine) as session:
            for row_number, given in batch:
                fields = {k: v for k, v in given.items() if k in LEAD_FIELDS}
                try:
                    with session.begin_nested():
                        existed = get_lead_by_email(session, str(fields["email"])) is not None
                        lead = upsert_lead(session, fields)
                        assert lead.id is not None
                        rescore_lead(
                            session, lead.id, config, now, reason="import", ref=f"row {row_number}"
                        )
                except ValueError as exc:
                    report.errors.append(RowError(row_number, str(exc)))
                    continue
                if existed:
                    report.updated += 1
                else:
                    report.created += 1
        if progress:
            progress(len(batch))
    return report


@dataclass(slots=True, frozen=True)
class EventToStore:
    """An event for a lead known by `email`, or, without one, by `anonymous_id` only."""

    row: int
    email: str | None
    record: EventRecord
    source: str = "import"
    anonymous_id: str | None = None


@dataclass(slots=True, frozen=True)
class IdentifyToStore:
    """An `identify` call: lead fields (from traits) and an anonymous id to link."""

    row: int
    key: str
    email: str | None
    fields: dict[str, Any] = field(default_factory=dict)
    anonymous_id: str | None = None


def to_store(parsed: ParsedEvent | ParsedIdentify, source: str) -> EventToStore | IdentifyToStore:
    """The store-ready form of a parsed Segment item (raises ValueError on bad traits)."""
    if isinstance(parsed, ParsedIdentify):
        return IdentifyToStore(
            parsed.row or 0,
            parsed.message_id,
            parsed.email,
            lead_fields_from_traits(parsed.traits),
            parsed.anonymous_id,
        )
    return EventToStore(
        parsed.row or 0,
        parsed.email,
        parsed.to_record(),
        source,
        parsed.anonymous_id,
    )


def _unknown_lead(email: str) -> LookupError:
    return LookupError(f"unknown lead: no lead with email {email} (create_leads is off)")


def _store_anonymous(
    session: Session, item: EventToStore, config: ScoringConfig, now: datetime
) -> str:
    anonymous_id = item.anonymous_id
    assert anonymous_id is not None
    link = session.get(AnonymousId, anonymous_id)
    if link is not None:  # already identified: the event goes straight to its lead
        return _store_for_lead(session, link.lead_id, item, now, config)
    key = item.record.key
    if session.scalars(select(Event.id).where(Event.dedupe_key == key)).first() is not None:
        return "duplicate"
    stmt = (
        dialect_insert(session, AnonymousEvent)
        .values(
            anonymous_id=anonymous_id,
            dedupe_key=key,
            type=normalize_event_type(item.record.type),
            properties=dict(item.record.properties),
            occurred_at=item.record.occurred_at,
            received_at=now,
            source=item.source,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(AnonymousEvent.id)
    )
    return "accepted" if session.scalars(stmt).first() is not None else "duplicate"


def _store_for_lead(
    session: Session,
    lead_id: int,
    item: EventToStore,
    now: datetime,
    config: ScoringConfig | None,
) -> str:
    stored = add_event(
        session,
        lead_id=lead_id,
        dedupe_key=item.record.key,
        type=item.record.type,
        occurred_at=item.record.occurred_at,
        source=item.source,
        properties=item.record.properties,
        received_at=now,
    )
    if stored is None:
        return "duplicate"
    if config is not None:
        apply_new_event(session, lead_id, item.record, config, now)
    return "accepted"


def store_event(
    session: Session,
    item: EventToStore,
    config: ScoringConfig,
    now: datetime,
    create_leads: bool,
) -> str:
    """Store one event and update its lead's score: 'accepted' or 'duplicate'.

    An event with only an anonymous id goes to its linked lead, or is kept in
    `anonymous_events` until an identify links the id (see `store_identify`).
    Raises LookupError when the lead is unknown and `create_leads` is off.
    """
    if item.email is None:
        if item.anonymous_id is None:
            raise ValueError("no email and no anonymousId: the event cannot be tied to a lead")
        return _store_anonymous(session, item, config, now)
    lead = get_lead_by_email(session, item.email)
    if lead is None:
        if not create_leads:
            raise _unknown_lead(item.email)
        lead = upsert_lead(session, {"email": item.email})
    assert lead.id is not None
    return _store_for_lead(session, lead.id, item, now, config)


def _attach_anonymous(session: Session, anonymous_id: str, lead_id: int, now: datetime) -> int:
    """Move the events kept for `anonymous_id` to the lead; return how many moved."""
    pending = list(
        session.scalars(
            select(AnonymousEvent)
            .where(AnonymousEvent.anonymous_id == anonymous_id)
            .order_by(col(AnonymousEvent.occurred_at), col(AnonymousEvent.id))
        )
    )
    moved = 0
    for event in pending:
        item = EventToStore(
            0,
            None,
            EventRecord(event.type, event.occurred_at, event.dedupe_key, dict(event.properties)),
            event.source,
        )
        if _store_for_lead(session, lead_id, item, event.received_at, None) == "accepted":
            moved += 1
        session.delete(event)
    session.flush()
    return moved


def store_identify(
    session: Session,
    item: IdentifyToStore,
    config: ScoringConfig,
    now: datetime,
    create_leads: bool,
) -> str:
    """Upsert the lead's traits, link the anonymous id to it (the first link wins) and
    attach the events kept for that id; rescore the lead. 'created' or 'updated'.

    Without an email the traits go to the lead the anonymous id is already linked to.
    Raises LookupError for an unknown lead when `create_leads` is off (or no lead at all).
    """
    link = session.get(AnonymousId, item.anonymous_id) if item.anonymous_id else None
    if item.email is not None:
        lead = get_lead_by_email(session, item.email)
        if lead is None and not create_leads:
            raise _unknown_lead(item.email)
    elif link is not None:
        lead = session.get(Lead, link.lead_id)
    else:
        raise LookupError(
            "identify without an email (traits.email, context.traits.email or an email "
            f"userId) and anonymousId {item.anonymous_id} is not linked to a lead"
        )
    outcome = "created" if lead is None else "updated"
    email = item.email if lead is None else lead.email
    lead = upsert_lead(session, {**item.fields, "email": email})
    assert lead.id is not None
    if item.anonymous_id is not None and link is None:
        session.add(AnonymousId(anonymous_id=item.anonymous_id, lead_id=lead.id, linked_at=now))
        session.flush()
        _attach_anonymous(session, item.anonymous_id, lead.id, now)
    rescore_lead(session, lead.id, config, now, reason="identify", ref=item.key)
    return outcome


def store_item(
    session: Session,
    item: EventToStore | IdentifyToStore,
    config: ScoringConfig,
    now: datetime,
    create_leads: bool,
) -> str:
    """Store an event ('accepted'/'duplicate') or an identify ('created'/'updated')."""
    if isinstance(item, IdentifyToStore):
        return store_identify(session, item, config, now, create_leads)
    return store_event(session, item, config, now, create_leads)


def import_events(
    engine: Engine,
    items: list[EventToStore | IdentifyToStore],
    config: ScoringConfig,
    now: datetime,
    *,
    create_leads: bool = True,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Store events (idempotent on their key) and identifies, in order, scoring each lead
    incrementally; one transaction per batch, one savepoint per item."""
    report = ImportReport()
    for batch in _batches(items, BATCH):
        with session_scope(engine) as session:
            for item in batch:
                try:
                    with session.begin_nested():
                        outcome = store_item(session, item, config, now, create_leads)
                except (LookupError, ValueError) as exc:
                    report.errors.append(RowError(item.row, str(exc).strip("'\"")))
                    continue
                if outcome in ("created", "updated"):
                    setattr(report, outcome, getattr(report, outcome) + 1)
                elif outcome == "accepted":
                    report.accepted += 1
                else:
                    report.duplicates += 1
        if progress:
            progress(len(batch))
    return report
