"""Storing an `EventRecord` as an event row (not scored), for the service tests."""

from __future__ import annotations

from sqlmodel import Session

from bot.storage.events_repo import add_event
from scoring.inputs import EventRecord


def store_record(session: Session, lead_id: int, record: EventRecord) -> EventRecord:
    """Store `record` for the lead, not scored (it must be new); return it."""
    stored = add_event(
        session,
        lead_id=lead_id,
        dedupe_key=record.key,
        type=record.type,
        occurred_at=record.occurred_at,
        source="test",
        properties=record.properties,
    )
    assert stored is not None, f"event {record.key} was stored already"
    return record
