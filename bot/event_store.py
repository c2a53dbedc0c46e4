"""Storing Segment events and identifies, a batch at a time, scoring as they land.

Shared by `POST /events` and `qualibot import events`. A batch is stored in order in the
caller's transaction: consecutive events for leads known by email go in set-based
(`_store_events`: one insert, one rescore per lead), identifies and anonymous events one
at a time in a savepoint each. A bad item is reported and never stops the good ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeGuard

from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col, select

from bot.gc_pause import without_gc
from bot.importing.errors import RowError
from bot.importing.segment import ParsedEvent, ParsedIdentify, lead_fields_from_traits
from bot.lead_import import BATCH, ImportReport, batches
from bot.scoring_service import apply_new_event, apply_new_events, rescore_lead
from bot.storage.database import session_scope
from bot.storage.events_repo import NewEventsInsert, add_event, normalize_event_type
from bot.storage.leads_repo import (
    get_lead_by_email,
    lead_ids_by_email,
    lock_leads,
    upsert_lead,
)
from bot.storage.tables import AnonymousEvent, AnonymousId, Event, Lead
from bot.storage.upsert import dialect_insert
from scoring.config import ScoringConfig
from scoring.inputs import EventRecord

Outcome = str | Exception
"""'accepted' / 'duplicate' (events), 'created' / 'updated' (identifies), or why the
item was rejected."""


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


# Advisory lock space of anonymous ids (two-int keys: apart from the migration lock).
_ANONYMOUS_LOCKS = 0x416E6F6E  # "Anon"


def _lock_anonymous_id(session: Session, anonymous_id: str) -> None:
    """On PostgreSQL, hold the anonymous id until commit, so an event kept for it and the
    identify linking it go one after the other: otherwise the identify could miss the
    event another transaction has not committed yet, stranding it. (SQLite transactions
    are immediate: one writer at a time.)"""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, hashtext(:id))"),
            {"space": _ANONYMOUS_LOCKS, "id": anonymous_id},
        )


def _unknown_lead(email: str) -> LookupError:
    return LookupError(f"unknown lead: no lead with email {email} (create_leads is off)")


def _store_anonymous(
    session: Session, item: EventToStore, config: ScoringConfig, now: datetime
) -> str:
    anonymous_id = item.anonymous_id
    assert anonymous_id is not None
    _lock_anonymous_id(session, anonymous_id)
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
    link = None
    if item.anonymous_id:
        _lock_anonymous_id(session, item.anonymous_id)
        link = session.get(AnonymousId, item.anonymous_id)
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


def reject_reason(exc: Exception) -> str:
    """The reason given for a rejected item."""
    if isinstance(exc, IntegrityError):  # e.g. a concurrent request linked the same anonymousId
        return "conflict with a concurrent request: send the item again"
    return str(exc).strip("'\"")


def _store_one(
    session: Session,
    item: EventToStore | IdentifyToStore | Exception,
    config: ScoringConfig,
    now: datetime,
    create_leads: bool,
) -> Outcome:
    if isinstance(item, Exception):
        return item
    try:
        with session.begin_nested():
            return store_item(session, item, config, now, create_leads)
    except (IntegrityError, LookupError, ValueError) as exc:
        return exc


@without_gc
def store_items(
    session: Session,
    items: Sequence[EventToStore | IdentifyToStore | Exception],
    config: ScoringConfig,
    now: datetime,
    create_leads: bool,
) -> list[Outcome]:
    """Store a batch in order, in the caller's transaction; return each item's outcome.

    An item given as an exception (it did not parse) is returned as its own outcome.
    On PostgreSQL, a batch of events for leads known by email locks its leads only to
    write their scores (`apply_new_events`: one round, in id order); a batch with
    identifies or anonymous events, which lock and write one at a time, locks all its
    leads first, in id order, so that concurrent batches on the same leads queue rather
    than deadlock. The cyclic GC is paused meanwhile (`bot.gc_pause`).
    """
    if not all(isinstance(i, Exception) or _by_email(i) for i in items):
        lock_leads(session, [i.email for i in items if not isinstance(i, Exception)])
    outcomes: list[Outcome] = []
    run: list[EventToStore] = []
    for item in items:
        if _by_email(item):
            run.append(item)
            continue
        outcomes += _store_events(session, run, config, now, create_leads)
        run = []
        outcomes.append(_store_one(session, item, config, now, create_leads))
    outcomes += _store_events(session, run, config, now, create_leads)
    return outcomes


def _by_email(item: object) -> TypeGuard[EventToStore]:
    """Whether the item is an event for a lead known by email (stored set-based)."""
    return isinstance(item, EventToStore) and item.email is not None


def _store_events(
    session: Session,
    run: list[EventToStore],
    config: ScoringConfig,
    now: datetime,
    create_leads: bool,
) -> list[Outcome]:
    """Consecutive events for leads known by email, set-based; should the set-based
    write fail, they are stored again one at a time, so the error lands on its item."""
    if not run:
        return []
    try:
        with session.begin_nested():
            return _store_events_at_once(session, run, config, now, create_leads)
    except (IntegrityError, LookupError, ValueError):
        return [_store_one(session, item, config, now, create_leads) for item in run]


def _lead_ids(session: Session, emails: set[str], create_leads: bool) -> dict[str, int | Exception]:
    """Lead id (or why there is none) per email, creating unknown leads if allowed."""
    found: dict[str, int | Exception] = {**lead_ids_by_email(session, emails)}
    for email in sorted(emails - found.keys()):
        if not create_leads:
            found[email] = _unknown_lead(email)
            continue
        try:
            with session.begin_nested():
                lead_id = upsert_lead(session, {"email": email}).id
                assert lead_id is not None
                found[email] = lead_id
        except ValueError as exc:
            found[email] = exc
    return found


def _store_events_at_once(
    session: Session,
    run: list[EventToStore],
    config: ScoringConfig,
    now: datetime,
    create_leads: bool,
) -> list[Outcome]:
    lead_ids = _lead_ids(session, {_email(item) for item in run}, create_leads)
    outcomes: list[Outcome | None] = []
    new: dict[str, tuple[int, int]] = {}  # dedupe key → (index in run, lead id), first only
    for index, item in enumerate(run):
        lead_id = lead_ids[_email(item)]
        if isinstance(lead_id, Exception):
            outcomes.append(lead_id)
        elif item.record.key in new:
            outcomes.append("duplicate")
        else:
            new[item.record.key] = (index, lead_id)
            outcomes.append(None)  # accepted or duplicate: known once inserted
    storing = NewEventsInsert(
        session,
        [
            {
                "lead_id": lead_id,
                "dedupe_key": key,
                "type": run[index].record.type,
                "occurred_at": run[index].record.occurred_at,
                "source": run[index].source,
                "properties": run[index].record.properties,
                "received_at": now,
            }
            for key, (index, lead_id) in new.items()
        ],
    )
    by_lead: dict[int, list[EventRecord]] = {}
    for index, lead_id in new.values():
        by_lead.setdefault(lead_id, []).append(run[index].record)
    if by_lead:  # inserted while the leads are scored
        apply_new_events(session, by_lead, config, now, storing)
    for key, (index, _) in new.items():
        outcomes[index] = "accepted" if key in storing.inserted else "duplicate"
    return [out for out in outcomes if out is not None]


def _email(item: EventToStore) -> str:
    assert item.email is not None
    return item.email.strip().lower()


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
    incrementally; one transaction per batch (see `store_items`)."""
    report = ImportReport()
    for batch in batches(items, BATCH):
        with session_scope(engine) as session:
            outcomes = store_items(session, batch, config, now, create_leads)
        for item, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Exception):
                report.errors.append(RowError(item.row, reject_reason(outcome)))
            elif outcome in ("created", "updated", "accepted"):
                setattr(report, outcome, getattr(report, outcome) + 1)
            else:
                report.duplicates += 1
        if progress:
            progress(len(batch))
    return report
