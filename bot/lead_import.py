"""Storing imported leads and events (CSV / JSON lines), scoring as they land.

Parsing (with row numbers) is in bot.importing; this module writes what parsed and
reports the rest. A bad row never stops the good ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.importing.errors import RowError
from bot.scoring_service import apply_new_event, rescore_lead
from bot.storage.database import session_scope
from bot.storage.events_repo import add_event
from bot.storage.leads_repo import LEAD_FIELDS, get_lead_by_email, upsert_lead
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
    row: int
    email: str
    record: EventRecord
    source: str = "import"


def store_event(
    session: Session,
    item: EventToStore,
    config: ScoringConfig,
    now: datetime,
    create_leads: bool,
) -> str:
    """Store one event and update its lead's score: 'accepted' or 'duplicate'.

    Raises LookupError when the lead is unknown and `create_leads` is off.
    """
    lead = get_lead_by_email(session, item.email)
    if lead is None:
        if not create_leads:
            raise LookupError(f"no lead with email {item.email} (import leads first)")
        lead = upsert_lead(session, {"email": item.email})
    assert lead.id is not None
    stored = add_event(
        session,
        lead_id=lead.id,
        dedupe_key=item.record.key,
        type=item.record.type,
        occurred_at=item.record.occurred_at,
        source=item.source,
        properties=item.record.properties,
        received_at=now,
    )
    if stored is None:
        return "duplicate"
    apply_new_event(session, lead.id, item.record, config, now)
    return "accepted"


def import_events(
    engine: Engine,
    items: list[EventToStore],
    config: ScoringConfig,
    now: datetime,
    *,
    create_leads: bool = True,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Store events (idempotent on their key), scoring each lead incrementally."""
    report = ImportReport()
    for batch in _batches(items, BATCH):
        with session_scope(engine) as session:
            for item in batch:
                try:
                    with session.begin_nested():
                        outcome = store_event(session, item, config, now, create_leads)
                except (LookupError, ValueError) as exc:
                    report.errors.append(RowError(item.row, str(exc).strip("'\"")))
                    continue
                if outcome == "accepted":
                    report.accepted += 1
                else:
                    report.duplicates += 1
        if progress:
            progress(len(batch))
    return report
