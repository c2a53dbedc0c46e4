"""Scoring stored leads: full recompute, or new events/an answer applied to the stored state.

Every path stores the score with its engagement state (`save_result`, or one bulk write
for a batch of events) and records a score change when total, tier or qualification
moved. The breakdown is not stored: `explain_stored` recomputes a stored score's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.alerts.outbox import AlertBatch, before_change, queue_alerts
from bot.decoded_states import DECODED_STATES
from bot.metrics import SCORES_REDONE
from bot.storage.answers_repo import (
    answer_records_for_leads,
    answers_for_lead,
    to_answer_record,
)
from bot.storage.events_repo import NewEventsInsert, events_for_lead, to_event_record
from bot.storage.leads_repo import LeadRow, get_lead, lead_rows, lock_lead_ids, to_profile
from bot.storage.scores_repo import (
    StoredScore,
    bulk_save_scores,
    get_score,
    record_score_change,
    record_score_changes,
    save_score,
    scored_at_of,
    stored_scores,
)
from bot.storage.tables import Lead, LeadScore, ScoreChange
from scoring.alert_rules import Snapshot
from scoring.config import ScoringConfig
from scoring.engagement import (
    StaleStateError,
    apply_event,
    build_state,
    compact_state,
    state_from_json,
)
from scoring.inputs import AnswerRecord, EventRecord, LeadProfile
from scoring.result import ScoreResult
from scoring.scorer import score_from_state


def score_row_values(result: ScoreResult) -> dict[str, Any]:
    """The lead_scores columns for a result (shared by single and bulk saves)."""
    return {
        "model": result.model,
        "total": result.total,
        "fit": result.fit,
        "engagement": result.engagement,
        "grade": result.grade,
        "tier": result.tier,
        "qualified": result.qualified,
        "missing": [{"id": m.id, "label": m.label, "reason": m.reason} for m in result.missing],
        "flags": [{"code": f.code, "message": f.message} for f in result.flags],
        "state": result.state,  # entries are tuples; they serialise as JSON arrays
        "last_activity_at": result.last_activity_at,
    }


def save_result(
    session: Session,
    lead_id: int,
    result: ScoreResult,
    now: datetime,
    reason: str,
    ref: str | None = None,
) -> ScoreChange | None:
    """Store the lead's new score; return the score change recorded, if it moved."""
    old = get_score(session, lead_id)
    before = None if old is None else Snapshot(old.total, old.tier, old.qualified)
    save_score(session, lead_id, scored_at=now, **score_row_values(result))
    after = Snapshot(result.total, result.tier, result.qualified)
    if after == before:
        return None
    return record_score_change(session, **score_change(lead_id, before, after, now, reason, ref))


def _answers(session: Session, lead_id: int) -> list[AnswerRecord]:
    return [to_answer_record(a) for a in answers_for_lead(session, lead_id)]


def _lead(session: Session, lead_id: int) -> Lead:
    lead = get_lead(session, lead_id)
    if lead is None:
        raise LookupError(f"no lead with id {lead_id}")
    return lead


def score_history(
    profile: LeadProfile,
    answers: list[AnswerRecord],
    events: list[EventRecord],
    config: ScoringConfig,
    now: datetime,
    state: dict[str, Any] | None = None,
) -> ScoreResult:
    """Full recompute from a lead's whole history, with the state compacted for storage.

    A `state` that holds every stored event under the current rules (see
    `scoring.engagement.is_current`) stands in for `events`: the result is the same.
    """
    model = config.model_for(profile.product)
    if state is None:
        state = build_state(events, model)
    state = compact_state(state, model, now)
    return score_from_state(profile, answers, state, model, config, now)


def compute_lead(session: Session, lead: Lead, config: ScoringConfig, now: datetime) -> ScoreResult:
    """Full recompute from every stored answer and event (nothing is saved)."""
    assert lead.id is not None
    events = [to_event_record(e) for e in events_for_lead(session, lead.id)]
    return score_history(to_profile(lead), _answers(session, lead.id), events, config, now)


def rescore_lead(
    session: Session,
    lead_id: int,
    config: ScoringConfig,
    now: datetime,
    reason: str = "rescore",
    ref: str | None = None,
) -> ScoreResult:
    """Recompute a lead from everything stored and save it (never alerts).

    The lead is locked first (`lock_lead_ids`), so a concurrent writer's score is read,
    not overwritten; so is every other read-modify-write of a score here."""
    lock_lead_ids(session, [lead_id])
    result = compute_lead(session, _lead(session, lead_id), config, now)
    save_result(session, lead_id, result, now, reason, ref)
    return result


def apply_new_event(
    session: Session, lead_id: int, event: EventRecord, config: ScoringConfig, now: datetime
) -> ScoreResult:
    """`apply_new_events` for one event of one lead."""
    return apply_new_events(session, {lead_id: [event]}, config, now)[lead_id]


def explain_stored(
    session: Session, lead: Lead, score: LeadScore, config: ScoringConfig
) -> ScoreResult:
    """The result a stored score was computed as (at its `scored_at`), contributions and
    all (see `_from_stored`)."""
    return _from_stored(session, lead, score, config, score.scored_at)


def _from_stored(
    session: Session, lead: Lead, stored: LeadScore | None, config: ScoringConfig, now: datetime
) -> ScoreResult:
    """The lead scored at `now` from its stored engagement state, or from its whole
    history when that state is unusable (the same result, see `apply_new_events`)."""
    assert lead.id is not None
    model = config.model_for(lead.product)
    state = _usable_state(stored, model.name)
    if state is not None:
        try:
            return score_from_state(
                to_profile(lead), _answers(session, lead.id), state, model, config, now
            )
        except StaleStateError:  # built with other engagement rules
            pass
    return compute_lead(session, lead, config, now)


def _usable_state(stored: LeadScore | None, model_name: str) -> dict[str, Any] | None:
    if stored is None or stored.model != model_name or not stored.state:
        return None
    return state_from_json(stored.state)


def apply_new_events(
    session: Session,
    events: Mapping[int, Sequence[EventRecord]],
    config: ScoringConfig,
    now: datetime,
    storing: NewEventsInsert | None = None,
) -> dict[int, ScoreResult]:
    """Update the scores of leads for their newly stored events (each lead's in the given
    order) and queue the alerts they cause, in the caller's transaction; return each
    lead's new result.

    The leads, their stored scores and their answers are read in three raw queries (no
    ORM objects: this runs for every batch of events), and each lead's score is written
    once. Every event is still scored and checked against the alert rules on its own, so
    score changes and alerts are those of one event at a time.
    A lead whose stored engagement state is unusable (none yet, or built with other
    rules) is recomputed from its stored events up to the event being applied; the
    result is the same either way (property-tested).

    `storing` is the insert of these very events, not run yet: it runs while the leads
    are scored (`NewEventsInsert.in_flight`). A lead with an event it found stored
    already (a duplicate) is then scored again without it, or left alone if none of its
    events was new; only the new events' leads get a result.

    On PostgreSQL the leads are read and scored before they are locked, so that
    replicas writing at once overlap but for the writes; once locked, a lead scored by
    someone else meanwhile (its `scored_at` moved) is read and scored again (tested).
    """
    parts = [_score_in_memory(session, sorted(events), events, config, now, storing)]
    if storing is not None:
        new = {i: [e for e in batch if e.key in storing.inserted] for i, batch in events.items()}
        again = [i for i in sorted(new) if len(new[i]) < len(events[i])]
        events = new
        if again:
            parts[0].forget(again)
            if rescore := [i for i in again if events[i]]:
                parts.append(_score_in_memory(session, rescore, events, config, now))
    ids = sorted(i for part in parts for i in part.results)
    if lock_lead_ids(session, ids):
        current = scored_at_of(session, ids)
        read = {i: at for part in parts for i, at in part.read.items()}
        moved = [i for i in ids if current.get(i) != read.get(i)]
        if moved:
            SCORES_REDONE.inc(len(moved))
            for part in parts:
                part.forget(moved)
            parts.append(_score_in_memory(session, moved, events, config, now))
    results: dict[int, ScoreResult] = {}
    for part in parts:
        part.alerts.flush()
        results.update(part.results)
    rows = []
    for i in ids:
        row = {"lead_id": i, "scored_at": now, **score_row_values(results[i])}
        row["state"] = DECODED_STATES.encode(i, results[i].state)
        rows.append(row)
    bulk_save_scores(session, rows)
    record_score_changes(session, [change for part in parts for change in part.changes])
    return results


@dataclass(slots=True)
class _Scored:
    """New events applied to some leads in memory, nothing written yet: their results,
    score changes and queued alerts, and each lead's `scored_at` as read."""

    results: dict[int, ScoreResult]
    changes: list[dict[str, Any]]
    alerts: AlertBatch
    read: dict[int, Any]

    def forget(self, lead_ids: list[int]) -> None:
        """Drop these leads' part, if any (they are scored again, or not at all)."""
        gone = set(lead_ids)
        for lead_id in gone:
            self.results.pop(lead_id, None)
        self.changes = [c for c in self.changes if c["lead_id"] not in gone]
        self.alerts.forget(gone)


def _score_in_memory(
    session: Session,
    ids: list[int],
    events: Mapping[int, Sequence[EventRecord]],
    config: ScoringConfig,
    now: datetime,
    storing: NewEventsInsert | None = None,
) -> _Scored:
    """Read the leads and apply their events in memory, while `storing` runs if given.

    Nothing is read while it runs (see `NewEventsInsert.in_flight`): the alert rules'
    inputs are read before, and a lead whose state must be rebuilt from its stored events
    is scored after.
    """
    leads = lead_rows(session, ids)
    stored = stored_scores(session, ids)
    answers = answer_records_for_leads(session, ids)
    scored = _Scored({}, [], AlertBatch(session, ids, config, now), {})
    if storing is not None:
        scored.alerts.read_inputs()

    def score(lead_id: int, can_read: bool) -> bool:
        lead = leads.get(lead_id)
        if lead is None:
            raise LookupError(f"no lead with id {lead_id}")
        old, batch = stored.get(lead_id), events[lead_id]
        return _score_lead(
            session, scored, lead, old, answers[lead_id], batch, config, now, can_read
        )

    with storing.in_flight() if storing is not None else nullcontext():
        rebuilt = [i for i in ids if not score(i, can_read=storing is None)]
    for lead_id in rebuilt:
        score(lead_id, can_read=True)
    return scored


def _score_lead(
    session: Session,
    scored: _Scored,
    lead: LeadRow,
    old: StoredScore | None,
    answers: list[AnswerRecord],
    batch: Sequence[EventRecord],
    config: ScoringConfig,
    now: datetime,
    can_read: bool,
) -> bool:
    """Apply a lead's new events in turn into `scored`. False, with nothing done, if its
    stored state is unusable and `can_read` is off (the rebuild reads its events)."""
    lead_id = lead.id
    model = config.model_for(lead.product)
    state = (
        None
        if old is None or old.model != model.name
        else DECODED_STATES.decode(lead_id, old.state)
    )
    before = None if old is None else Snapshot(old.total, old.tier, old.qualified)
    profile = to_profile(lead)
    for i, event in enumerate(batch):
        try:
            if state is None:
                raise StaleStateError("no usable state")
            state = apply_event(state, event, model)
        except StaleStateError:
            # A state is unusable from the first event on (once rebuilt, it fits).
            if not can_read:
                return False
            # Rebuild from what is stored up to this event: the batch's later events
            # are stored already but are still to be applied one at a time.
            later = {e.key for e in batch[i + 1 :]}
            stored_events = [
                to_event_record(e)
                for e in events_for_lead(session, lead_id)
                if e.dedupe_key not in later
            ]
            state = build_state(stored_events, model)
        state = compact_state(state, model, now)
        result = scored.results[lead_id] = score_from_state(
            profile, answers, state, model, config, now
        )
        after = Snapshot(result.total, result.tier, result.qualified)
        if after != before:
            scored.changes.append(score_change(lead_id, before, after, now, "event", event.key))
        trigger = f"event:{event.key}"
        queue_alerts(session, lead, result, before, config, now, trigger, event, scored.alerts)
        before = after
    if old is not None:
        scored.read[lead_id] = old.scored_at
    return True


def score_change(
    lead_id: int,
    before: Snapshot | None,
    after: Snapshot,
    now: datetime,
    reason: str,
    ref: str | None,
) -> dict[str, Any]:
    """A score change from `before` (None: never scored) to `after`, as the keyword
    arguments of `record_score_change` (with `lead_id`)."""
    return {
        "lead_id": lead_id,
        "at": now,
        "new_total": after.total,
        "new_tier": after.tier,
        "new_qualified": after.qualified,
        "old_total": before.total if before else None,
        "old_tier": before.tier if before else None,
        "old_qualified": before.qualified if before else None,
        "reason": reason,
        "ref": ref,
    }


def apply_new_answer(
    session: Session, lead_id: int, config: ScoringConfig, now: datetime, ref: str | None = None
) -> ScoreResult:
    """Rescore after an answer was stored (engagement from the stored state as is) and
    queue the alerts it causes (same transaction)."""
    lock_lead_ids(session, [lead_id])
    lead = _lead(session, lead_id)
    result = _from_stored(session, lead, get_score(session, lead_id), config, now)
    change = save_result(session, lead_id, result, now, "answer", ref)
    if change is not None:  # answers carry no negative signal: no change, nothing to fire
        before = before_change(change)
        queue_alerts(session, lead, result, before, config, now, f"change:{change.id}")
    return result
