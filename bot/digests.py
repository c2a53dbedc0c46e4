"""Digest contents: one query per section, assembled into a pure-data `Digest`.

A digest covers the window (`since`, `until`]: `until` is the scheduled time, `since` the
scheduled time of the previous successful run of the same digest (24 hours earlier for a
first run). `movers` and `cooled` read the score changes inside that window (net change
per lead, first old value → last new value); the other sections show the current state.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased
from sqlmodel import col

from bot.lead_lists import LeadRow, lead_row
from bot.scoring_service import explain_stored
from bot.storage.tables import Call, Conversation, DigestRun, Lead, LeadScore, ScoreChange
from scoring.config import ScoringConfig
from scoring.notify_config import DigestSpec

FIRST_WINDOW = timedelta(hours=24)  # window of a digest's first run
CALLS_WINDOW = timedelta(days=14)  # older unqualified calls are left out
MIN_MOVE = 1.0  # net changes smaller than this (daily decay drift) are not movers
TIER_RANK = {"cold": 0, "warm": 1, "hot": 2}

TITLES = {
    "top_hot": "Top hot leads",
    "movers": "Biggest movers",
    "qualified_unclaimed": "Qualified, unclaimed",
    "calls_unqualified": "Calls still unqualified",
    "cooled": "Cooled down",
}
EMPTY = {
    "top_hot": "No hot leads right now.",
    "movers": "No big score changes.",
    "qualified_unclaimed": "Every qualified lead has an owner.",
    "calls_unqualified": "Every recent call is qualified.",
    "cooled": "No lead dropped a tier.",
}


@dataclass(frozen=True, slots=True)
class Change:
    """A lead's net score change inside the window (movers and cooled)."""

    lead: LeadRow
    old_total: float
    new_total: float
    old_tier: str
    new_tier: str
    reason: str  # reason of the last change in the window, e.g. "decay", "event"

    @property
    def delta(self) -> float:
        return round(self.new_total - self.old_total, 2)


@dataclass(frozen=True, slots=True)
class PendingCall:
    call_id: int
    external_id: str
    lead_id: int
    email: str
    name: str | None
    company: str | None
    rep: str
    ended_at: datetime
    age_hours: float
    conversation_status: str | None  # None: no qualification started


Row = LeadRow | Change | PendingCall


@dataclass(frozen=True, slots=True)
class Section:
    kind: str
    title: str
    total: int  # matching rows in all (rows holds at most `limit`)
    rows: list[Row] = field(default_factory=list)

    @property
    def empty_text(self) -> str:
        return EMPTY[self.kind]


@dataclass(frozen=True, slots=True)
class Digest:
    name: str
    channel: str
    scheduled_for: datetime
    since: datetime
    sections: list[Section]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (datetimes as ISO strings); changes carry their `delta`."""
        out = asdict(self)
        for section, data in zip(self.sections, out["sections"], strict=True):
            for row, row_data in zip(section.rows, data["rows"], strict=True):
                if isinstance(row, Change):
                    row_data["delta"] = row.delta
        return _iso(out)


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value


# ------------------------------------------------------------------ building


def window_start(session: Session, name: str, until: datetime) -> datetime:
    """Scheduled time of the previous successful run of `name` before `until`, else 24h."""
    previous = session.execute(
        select(func.max(col(DigestRun.scheduled_for))).where(
            col(DigestRun.name) == name,
            col(DigestRun.status) == "done",
            col(DigestRun.scheduled_for) < until,
        )
    ).scalar_one_or_none()
    return until - FIRST_WINDOW if previous is None else previous


def build_digest(
    session: Session, name: str, spec: DigestSpec, until: datetime, config: ScoringConfig
) -> Digest:
    """The digest `name` as of its scheduled time `until` (read-only); `config` explains
    the leads' stored scores (their top reasons)."""
    since = window_start(session, name, until)
    rows = _Rows(session, config)
    builders = {
        "top_hot": lambda: _top_hot(rows, spec.limit),
        "movers": lambda: _changes(rows, "movers", since, until, spec.limit),
        "qualified_unclaimed": lambda: _qualified_unclaimed(rows, spec.limit),
        "calls_unqualified": lambda: _calls_unqualified(session, until, spec.limit),
        "cooled": lambda: _changes(rows, "cooled", since, until, spec.limit),
    }
    sections = [builders[kind]() for kind in spec.sections]
    return Digest(name, spec.channel, until, since, sections)


def _count(session: Session, stmt: Any) -> int:
    return int(session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())


@dataclass(frozen=True, slots=True)
class _Rows:
    """Reads scored leads as digest rows, each with its top reason."""

    session: Session
    config: ScoringConfig

    def row(self, lead: Lead, score: LeadScore) -> LeadRow:
        return lead_row(lead, score, self.top_reason(lead, score))

    def top_reason(self, lead: Lead, score: LeadScore) -> str | None:
        """The label of the rule that added the most to the stored score."""
        result = explain_stored(self.session, lead, score, self.config)
        best = max(
            (t for t in result.by_rule() if t.score_points > 0),
            key=lambda t: t.score_points,
            default=None,
        )
        return None if best is None else best.label


def _scored_leads() -> Any:
    return select(Lead, LeadScore).join(LeadScore, col(LeadScore.lead_id) == col(Lead.id))


def _lead_section(rows: _Rows, kind: str, stmt: Any, limit: int) -> Section:
    total = _count(rows.session, stmt)
    found = rows.session.execute(
        stmt.order_by(col(LeadScore.total).desc(), col(Lead.id)).limit(limit)
    ).all()
    return Section(kind, TITLES[kind], total, [rows.row(lead, score) for lead, score in found])


def _top_hot(rows: _Rows, limit: int) -> Section:
    stmt = _scored_leads().where(col(LeadScore.tier) == "hot")
    return _lead_section(rows, "top_hot", stmt, limit)


def _qualified_unclaimed(rows: _Rows, limit: int) -> Section:
    stmt = _scored_leads().where(col(LeadScore.qualified).is_(True), col(Lead.owner).is_(None))
    return _lead_section(rows, "qualified_unclaimed", stmt, limit)


def _rank(tier: Any) -> Any:
    return case(*((tier == name, rank) for name, rank in TIER_RANK.items()), else_=0)


def _changes(rows: _Rows, kind: str, since: datetime, until: datetime, limit: int) -> Section:
    """Net change per lead over the window: first change's old values → last change's new.

    `movers`: |net total change| >= MIN_MOVE, leads scored before the window only;
    `cooled`: the tier at the end is lower than at the start.
    """
    window = (
        select(
            col(ScoreChange.lead_id).label("lead_id"),
            func.min(col(ScoreChange.id)).label("first_id"),
            func.max(col(ScoreChange.id)).label("last_id"),
        )
        .where(col(ScoreChange.at) > since, col(ScoreChange.at) <= until)
        .group_by(col(ScoreChange.lead_id))
        .subquery()
    )
    first, last = aliased(ScoreChange), aliased(ScoreChange)
    old_total, old_tier = col(first.old_total), col(first.old_tier)
    new_total, new_tier = col(last.new_total), col(last.new_tier)
    delta = new_total - old_total
    stmt: Any = (
        select(window.c.lead_id, old_total, new_total, old_tier, new_tier, col(last.reason))
        .join(first, col(first.id) == window.c.first_id)
        .join(last, col(last.id) == window.c.last_id)
        .where(old_total.is_not(None), old_tier.is_not(None))
    )
    if kind == "movers":
        stmt = stmt.where(func.abs(delta) >= MIN_MOVE)
        order = [func.abs(delta).desc(), window.c.lead_id]
    else:
        drop = _rank(old_tier) - _rank(new_tier)
        stmt = stmt.where(drop > 0)
        order = [drop.desc(), delta, window.c.lead_id]
    total = _count(rows.session, stmt)
    found = rows.session.execute(stmt.order_by(*order).limit(limit)).all()
    leads = _leads_by_id(rows, [r.lead_id for r in found])
    changes: list[Row] = [
        Change(leads[r.lead_id], r.old_total, r.new_total, r.old_tier, r.new_tier, r.reason)
        for r in found
        if r.lead_id in leads
    ]
    return Section(kind, TITLES[kind], total, changes)


def _leads_by_id(rows: _Rows, ids: list[int]) -> dict[int, LeadRow]:
    if not ids:
        return {}
    found = rows.session.execute(_scored_leads().where(col(Lead.id).in_(ids))).all()
    return {lead.id: rows.row(lead, score) for lead, score in found}


def _calls_unqualified(session: Session, until: datetime, limit: int) -> Section:
    """Calls of the last CALLS_WINDOW whose qualification is not done, oldest first."""
    stmt: Any = (
        select(Call, Lead, col(Conversation.status))
        .join(Lead, col(Lead.id) == col(Call.lead_id))
        .outerjoin(Conversation, col(Conversation.id) == col(Call.conversation_id))
        .where(
            col(Call.ended_at) > until - CALLS_WINDOW,
            col(Call.ended_at) <= until,
            col(Conversation.status).is_(None) | (col(Conversation.status) != "done"),
        )
    )
    total = _count(session, stmt)
    found = session.execute(stmt.order_by(col(Call.ended_at), col(Call.id)).limit(limit)).all()
    rows: list[Row] = []
    for call, lead, status in found:
        assert call.id is not None and lead.id is not None
        age = round((until - call.ended_at).total_seconds() / 3600, 1)
        rows.append(
            PendingCall(
                call.id,
                call.external_id,
                lead.id,
                lead.email,
                lead.name,
                lead.company,
                call.rep,
                call.ended_at,
                age,
                status,
            )
        )
    return Section("calls_unqualified", TITLES["calls_unqualified"], total, rows)
