"""Scoring every lead: `qualibot score --all` and `qualibot rules dry-run`.

Leads are processed in chunks of consecutive ids, each read with a few plain queries
(leads + current score, event counts, events, answers) and, for a rescore, written back
in one short transaction. Memory stays bounded by the chunk size, whatever the number of
leads, and chunks are spread over worker processes (one per core by default).

A rescore starts from a lead's stored engagement state when that state holds all the
lead's stored events under the current rules (`scoring.engagement.is_current`): the result
equals a full recompute, without reading the events. Other leads (never scored, new
rules, events stored without scoring, or `rebuild=True`) are recomputed from every event.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from bot.gc_pause import without_gc
from bot.scoring_service import score_change, score_history, score_row_values
from bot.storage.column_types import driver_json
from bot.storage.database import make_engine, read_only
from bot.storage.leads_repo import lock_lead_range
from bot.storage.scores_repo import bind_score_changes, bind_scores
from bot.storage.upsert import BoundRows
from scoring.alert_rules import Snapshot
from scoring.config import ScoringConfig
from scoring.engagement import is_current, state_from_json
from scoring.inputs import AnswerRecord, EventRecord, LeadProfile
from scoring.result import ScoreResult
from scoring.stored_rows import answers_by_lead, events_by_lead

CHUNK = 4000

_LEADS = (
    "SELECT l.id, l.email, l.domain, l.company, l.name, l.title, l.industry, l.company_size,"
    " l.country, l.product, s.total, s.tier, s.qualified, s.scored_at, s.state"
    " FROM leads l LEFT JOIN lead_scores s ON s.lead_id = l.id"
    " WHERE l.id >= {p} AND l.id < {p} ORDER BY l.id"
)
_EVENTS = (
    "SELECT lead_id, type, occurred_at, dedupe_key, properties FROM events"
    " WHERE lead_id >= {p} AND lead_id < {p}"
)
_EVENT_COUNTS = (
    "SELECT lead_id, COUNT(*) FROM events WHERE lead_id >= {p} AND lead_id < {p} GROUP BY lead_id"
)
_ANSWERS = (
    "SELECT lead_id, id, slot, value, answered_at, answered_by, framework FROM answers"
    " WHERE lead_id >= {p} AND lead_id < {p}"
)


@dataclass(slots=True)
class StoredLead:
    id: int
    profile: LeadProfile
    old: Snapshot | None  # the stored score
    scored_at: Any  # as the driver gives it: what tells a concurrent rescore
    answers: list[AnswerRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)  # empty when `state` is set
    state: dict[str, Any] | None = None  # the stored engagement state, when current


def load_chunk(
    conn: Connection, lo: int, hi: int, reuse: ScoringConfig | None = None
) -> list[StoredLead]:
    """Leads with lo <= id < hi, with their answers and events.

    With `reuse`, a lead whose stored engagement state is current under that config
    gets the state instead of its events. Reads go through the raw DB-API cursor:
    SQLAlchemy's row processing cost more than the scoring itself on large rescores.
    """
    placeholder = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:

        def rows(sql: str) -> Any:
            cursor.execute(sql.format(p=placeholder), (lo, hi))
            return cursor.fetchall()

        leads: dict[int, StoredLead] = {}
        stored_states: dict[int, Any] = {}
        for r in rows(_LEADS):
            profile = LeadProfile(r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9])
            old = None if r[10] is None else Snapshot(float(r[10]), r[11], bool(r[12]))
            leads[r[0]] = StoredLead(r[0], profile, old, r[13])
            if reuse is not None and r[14] is not None:
                stored_states[r[0]] = r[14]
        if stored_states:
            assert reuse is not None
            counts: dict[int, int] = dict(rows(_EVENT_COUNTS))
            for lead_id, raw in stored_states.items():
                state = driver_json(raw)
                model = reuse.model_for(leads[lead_id].profile.product)
                if is_current(state, model, counts.get(lead_id, 0)):
                    leads[lead_id].state = state_from_json(state)
        unscored = {lead.id for lead in leads.values() if lead.state is None}
        if unscored:
            for lead_id, events in events_by_lead(rows(_EVENTS), unscored).items():
                leads[lead_id].events = events
        for lead_id, answers in answers_by_lead(rows(_ANSWERS)).items():
            if lead_id in leads:
                leads[lead_id].answers = answers
    finally:
        cursor.close()
    return list(leads.values())


def bind_chunk(
    dialect: Any, scored: list[tuple[StoredLead, ScoreResult]], now: datetime, reason: str
) -> tuple[BoundRows, BoundRows]:
    """The score upserts and the score changes (for leads that moved) of a scored chunk,
    bound for `dialect`: what its write transaction runs."""
    scores = bind_scores(
        dialect,
        [{"lead_id": lead.id, "scored_at": now, **score_row_values(r)} for lead, r in scored],
    )
    changes = []
    for lead, r in scored:
        after = Snapshot(r.total, r.tier, r.qualified)
        if lead.old != after:
            changes.append(score_change(lead.id, lead.old, after, now, reason, None))
    return scores, bind_score_changes(dialect, changes)


def id_chunks(engine: Engine, chunk: int = CHUNK) -> list[tuple[int, int]]:
    """[lo, hi) id ranges covering every lead."""
    with engine.connect() as conn:
        lo, hi = conn.execute(text("SELECT MIN(id), MAX(id) FROM leads")).one()
    if lo is None:
        return []
    return [(start, min(start + chunk, hi + 1)) for start in range(lo, hi + 1, chunk)]


# ------------------------------------------------------------------ worker processes

_worker: dict[str, Any] = {}


def _init_worker(
    url: str,
    config: ScoringConfig,
    new_config: ScoringConfig | None,
    now: datetime,
    reason: str = "rescore",
    rebuild: bool = False,
) -> None:
    _worker.update(
        engine=make_engine(url),
        config=config,
        new_config=new_config,
        now=now,
        reason=reason,
        rebuild=rebuild,
    )


def _scored_since(conn: Connection, leads: list[StoredLead], lo: int, hi: int) -> bool:
    """Whether a lead of the chunk was scored since it was read (a new event, answer…)."""
    rows = conn.exec_driver_sql(
        "SELECT lead_id, scored_at FROM lead_scores WHERE lead_id >= {p} AND lead_id < {p}".format(
            p="?" if conn.dialect.paramstyle == "qmark" else "%s"
        ),
        (lo, hi),
    )
    current: dict[int, Any] = {lead_id: at for lead_id, at in rows}
    return any(current.get(lead.id) != lead.scored_at for lead in leads)


@without_gc
def _rescore_range(bounds: tuple[int, int]) -> tuple[int, int, Counter[str]]:
    engine, config, now = _worker["engine"], _worker["config"], _worker["now"]

    reuse = None if _worker["rebuild"] else config

    def score_all(leads: list[StoredLead]) -> list[tuple[StoredLead, ScoreResult]]:
        return [
            (lead, score_history(lead.profile, lead.answers, lead.events, config, now, lead.state))
            for lead in leads
        ]

    def bound(scored: list[tuple[StoredLead, ScoreResult]]) -> tuple[BoundRows, BoundRows]:
        return bind_chunk(engine.dialect, scored, now, _worker["reason"])

    # Read, score and bind outside the write transaction, so that workers overlap on
    # SQLite (one writer at a time); redo the chunk should a lead have been scored
    # meanwhile (checked with the chunk's leads locked, so none is scored after).
    with read_only(engine).connect() as conn:
        leads = load_chunk(conn, *bounds, reuse)
    scored = score_all(leads)
    scores, changes = bound(scored)
    with Session(engine) as session, session.begin():
        lock_lead_range(session, *bounds)
        if _scored_since(session.connection(), leads, *bounds):
            leads = load_chunk(session.connection(), *bounds, reuse)
            scored = score_all(leads)
            scores, changes = bound(scored)
        scores.execute(session.connection())
        changed = changes.execute(session.connection())
    return len(leads), changed, Counter(r.tier for _, r in scored)


@dataclass(slots=True, frozen=True)
class Move:
    """How one lead would move under a new config (for dry-runs)."""

    lead_id: int
    email: str
    old_total: float
    new_total: float
    old_tier: str
    new_tier: str
    old_qualified: bool
    new_qualified: bool


@without_gc
def _dry_run_range(bounds: tuple[int, int]) -> tuple[int, list[Move]]:
    engine, now = _worker["engine"], _worker["now"]
    old_config, new_config = _worker["config"], _worker["new_config"]
    moves = []
    with read_only(engine).connect() as conn:
        leads = load_chunk(conn, *bounds)
    for lead in leads:
        before = score_history(lead.profile, lead.answers, lead.events, old_config, now)
        after = score_history(lead.profile, lead.answers, lead.events, new_config, now)
        if (before.tier, before.qualified) != (after.tier, after.qualified):
            moves.append(
                Move(
                    lead.id,
                    lead.profile.email,
                    before.total,
                    after.total,
                    before.tier,
                    after.tier,
                    before.qualified,
                    after.qualified,
                )
            )
    return len(leads), moves


def _run(
    url: str,
    task: Callable[[tuple[int, int]], Any],
    config: ScoringConfig,
    new_config: ScoringConfig | None,
    now: datetime,
    workers: int | None,
    chunk: int,
    reason: str = "rescore",
    rebuild: bool = False,
) -> Iterator[Any]:
    """Run `task` over every lead-id range, in `workers` processes; yield the results."""
    engine = make_engine(url)
    ranges = id_chunks(engine, chunk)
    engine.dispose()  # never share a connection with forked workers
    workers = workers or default_workers()
    args = (url, config, new_config, now, reason, rebuild)
    if workers <= 1 or len(ranges) <= 1:
        _init_worker(*args)
        try:
            yield from map(task, ranges)
        finally:
            _worker["engine"].dispose()
        return
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, initializer=_init_worker, initargs=args) as pool:
        yield from pool.imap_unordered(task, ranges)


@dataclass(slots=True)
class RescoreSummary:
    leads: int = 0
    changed: int = 0
    tiers: Counter[str] = field(default_factory=Counter)


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def rescore_all(
    url: str,
    config: ScoringConfig,
    now: datetime,
    *,
    workers: int | None = None,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
    reason: str = "rescore",
    rebuild: bool = False,
) -> RescoreSummary:
    """Recompute and store every lead's score from its events and answers (from its
    stored engagement state where that is current, unless `rebuild`).

    Changes are recorded as score changes with `reason` ("decay" for the scheduled daily
    rescore, so digests can tell leads that cooled down). No alerts are written here.
    """
    summary = RescoreSummary()
    runs = _run(url, _rescore_range, config, None, now, workers, chunk, reason, rebuild)
    for n, changed, tiers in runs:
        summary.leads += n
        summary.changed += changed
        summary.tiers.update(tiers)
        if progress:
            progress(n)
    return summary


def dry_run(
    url: str,
    current: ScoringConfig,
    proposed: ScoringConfig,
    now: datetime,
    *,
    workers: int | None = None,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, list[Move]]:
    """Score every lead under both configs at the same `now`; nothing is written."""
    total, moves = 0, []
    for n, chunk_moves in _run(url, _dry_run_range, current, proposed, now, workers, chunk):
        total += n
        moves.extend(chunk_moves)
        if progress:
            progress(n)
    return total, sorted(moves, key=lambda m: (-abs(m.new_total - m.old_total), m.lead_id))


def count_leads(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        n = int(conn.execute(text("SELECT COUNT(*) FROM leads")).scalar_one())
    engine.dispose()
    return n
