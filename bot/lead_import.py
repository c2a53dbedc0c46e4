"""Storing imported leads (CSV), scoring as they land; the import report and batching
shared with event imports (`bot.event_store`).

Parsing (with row numbers) is in bot.importing; this module writes what parsed and
reports the rest. A bad row never stops the good ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Engine

from bot.importing.errors import RowError
from bot.scoring_service import rescore_lead
from bot.storage.database import session_scope
from bot.storage.leads_repo import LEAD_FIELDS, get_lead_by_email, upsert_lead
from scoring.config import ScoringConfig

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


def batches(items: list[T], size: int) -> Iterable[list[T]]:
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
    for batch in batches(rows, BATCH):
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
