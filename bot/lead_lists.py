"""Lead lists for `/leads` and App Home: filters over the stored scores, paged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from bot.storage.tables import OPEN_STATUSES, Conversation, Lead, LeadScore, ScoreChange

LIST_FILTERS = ("hot", "warm", "mine", "stale", "qualified")
STALE_AFTER = timedelta(days=30)
PAGE_SIZE = 10


@dataclass(frozen=True, slots=True)
class LeadRow:
    lead_id: int
    email: str
    name: str | None
    company: str | None
    owner: str | None
    total: float
    grade: str
    tier: str
    qualified: bool
    top_reason: str | None = None  # label of the biggest positive contribution (digests)


@dataclass(frozen=True, slots=True)
class LeadPage:
    rows: list[LeadRow]
    page: int
    total: int

    @property
    def has_next(self) -> bool:
        return (self.page + 1) * PAGE_SIZE < self.total


def list_leads(session: Session, kind: str, user: str, now: datetime, page: int = 0) -> LeadPage:
    """One page of a list: `hot`/`warm` by tier, `mine` owned by `user`, `stale` warm or hot
    with no activity for 30 days, `qualified`; best scored first."""
    if kind not in LIST_FILTERS:
        raise ValueError(f"unknown list '{kind}' (use {', '.join(LIST_FILTERS)})")
    stmt = select(Lead, LeadScore).join(LeadScore, col(LeadScore.lead_id) == col(Lead.id))
    if kind in ("hot", "warm"):
        stmt = stmt.where(col(LeadScore.tier) == kind)
    elif kind == "mine":
        stmt = stmt.where(col(Lead.owner) == user)
    elif kind == "stale":
        last = col(LeadScore.last_activity_at)
        stmt = stmt.where(
            col(LeadScore.tier).in_(("hot", "warm")),
            last.is_(None) | (last < now - STALE_AFTER),
        )
    else:
        stmt = stmt.where(col(LeadScore.qualified).is_(True))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    stmt = stmt.order_by(col(LeadScore.total).desc(), col(Lead.id))
    rows = session.execute(stmt.offset(page * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return LeadPage([lead_row(lead, score) for lead, score in rows], page, int(total))


def lead_row(lead: Lead, score: LeadScore, top_reason: str | None = None) -> LeadRow:
    """A scored lead as a list row."""
    assert lead.id is not None
    return LeadRow(
        lead.id,
        lead.email,
        lead.name,
        lead.company,
        lead.owner,
        score.total,
        score.grade,
        score.tier,
        score.qualified,
        top_reason,
    )


@dataclass(frozen=True, slots=True)
class HomeData:
    """App Home: the rep's pending qualifications, their leads, recent hot leads."""

    pending: list[tuple[int, str, str]]  # (conversation id, lead email/name, status)
    mine: list[LeadRow]
    recent_hot: list[LeadRow]


def home_data(session: Session, user: str, now: datetime, days: int = 7) -> HomeData:
    pending = session.execute(
        select(col(Conversation.id), col(Lead.name), col(Lead.email), col(Conversation.status))
        .join(Lead, col(Lead.id) == col(Conversation.lead_id))
        .where(col(Conversation.rep) == user, col(Conversation.status).in_(OPEN_STATUSES))
        .order_by(col(Conversation.updated_at).desc())
        .limit(10)
    ).all()
    old_tier = col(ScoreChange.old_tier)
    hot_ids = (
        select(col(ScoreChange.lead_id))
        .where(
            col(ScoreChange.new_tier) == "hot", col(ScoreChange.at) >= now - timedelta(days=days)
        )
        .where(old_tier.is_(None) | (old_tier != "hot"))
    )
    recent = session.execute(
        select(Lead, LeadScore)
        .join(LeadScore, col(LeadScore.lead_id) == col(Lead.id))
        .where(col(Lead.id).in_(hot_ids), col(LeadScore.tier) == "hot")
        .order_by(col(LeadScore.total).desc())
        .limit(10)
    ).all()
    return HomeData(
        [(cid or 0, name or email, status) for cid, name, email, status in pending],
        list_leads(session, "mine", user, now).rows,
        [lead_row(lead, score) for lead, score in recent],
    )
