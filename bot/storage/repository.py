"""Repository façade: sync functions over a session (async code: `AsyncSession.run_sync`).

The functions take any SQLAlchemy `Session` (sqlmodel's `Session` is one), so
`await async_session.run_sync(upsert_lead, fields)` type-checks too.

None of them commits: the caller owns the transaction (see `database.session_scope`).
JSON columns are not mutation-tracked: assign a new dict/list instead of editing in place.
"""

from bot.storage.answers_repo import add_answer, answers_for_lead, to_answer_record
from bot.storage.events_repo import (
    add_event,
    bulk_insert_events,
    events_for_lead,
    normalize_event_type,
    to_event_record,
)
from bot.storage.leads_repo import (
    LEAD_FIELDS,
    company_key,
    find_leads_by_company_key,
    find_leads_by_domain,
    get_lead,
    get_lead_by_email,
    merge_leads,
    normalize_domain,
    normalize_email,
    to_profile,
    upsert_lead,
)
from bot.storage.scores_repo import (
    SCORE_CHANGE_REASONS,
    bulk_save_scores,
    get_score,
    record_score_change,
    save_score,
    score_changes_for_lead,
)

__all__ = [
    "LEAD_FIELDS",
    "SCORE_CHANGE_REASONS",
    "add_answer",
    "add_event",
    "answers_for_lead",
    "bulk_insert_events",
    "bulk_save_scores",
    "company_key",
    "events_for_lead",
    "find_leads_by_company_key",
    "find_leads_by_domain",
    "get_lead",
    "get_lead_by_email",
    "get_score",
    "merge_leads",
    "normalize_domain",
    "normalize_email",
    "normalize_event_type",
    "record_score_change",
    "save_score",
    "score_changes_for_lead",
    "to_answer_record",
    "to_event_record",
    "to_profile",
    "upsert_lead",
]
