"""`qualibot demo-data`: store the synthetic leads of bot.demo_data (scoring is done after)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from bot.demo_data import iter_leads
from bot.storage.answers_repo import add_answer
from bot.storage.database import session_scope
from bot.storage.events_repo import bulk_insert_events
from bot.storage.leads_repo import get_lead_by_email, upsert_lead

BATCH = 500


@dataclass(slots=True)
class DemoStats:
    leads: int = 0
    events: int = 0
    answers: int = 0


def load_demo_data(
    engine: Engine,
    n_leads: int,
    seed: int,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> DemoStats:
    """Insert `n_leads` generated leads with their events and answers (idempotent on emails
    and event ids, so running it twice with the same seed adds nothing new)."""
    stats = DemoStats()
    bundles = iter_leads(n_leads, seed=seed, now=now)
    done = False
    while not done:
        with session_scope(engine) as session:
            for _ in range(BATCH):
                bundle = next(bundles, None)
                if bundle is None:
                    done = True
                    break
                existed = get_lead_by_email(session, bundle.lead["email"]) is not None
                lead = upsert_lead(session, bundle.lead)
                assert lead.id is not None
                stats.leads += 1
                stats.events += bulk_insert_events(
                    session,
                    [
                        {
                            "lead_id": lead.id,
                            "dedupe_key": e["message_id"],
                            "type": e["event"],
                            "occurred_at": e["timestamp"],
                            "properties": e["properties"],
                            "source": "demo",
                        }
                        for e in bundle.events
                    ],
                )
                for a in [] if existed else bundle.answers:
                    add_answer(
                        session,
                        lead.id,
                        a["slot"],
                        a["value"],
                        source=a["source"],
                        raw_text=a["raw_text"],
                        framework=a["framework"],
                        answered_by=a["answered_by"],
                        answered_at=a["answered_at"],
                    )
                    stats.answers += 1
                if progress:
                    progress(1)
    return stats
