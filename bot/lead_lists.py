"""Lead lists for `/leads` and App Home: filters over the stored scores, paged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.storage.tables import Conversation, Lead, LeadScore, ScoreChange

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
    stmt = select(Lead, LeadScore).join(LeadScore, LeadScore.lead_id == Lead.id)  # type: ignore[arg-type]
    if kind in ("hot", "warm"):
        stmt = stmt.where(LeadScore.tier == kind)
    elif kind == "mine":
        stmt = stmt.where(Lead.owner == user)
    elif kind == "stale":
        cutoff = now - STALE_AFTER
        stmt = stmt.where(
            LeadScore.tier.in_(("hot", "warm")),  # type: ignore[attr-defined]
            (LeadScore.last_activity_at.is_(None)) | (LeadScore.last_activity_at < cutoff),  # type: ignore[union-attr, operator]
        )
    else:
        stmt = stmt.where(LeadScore.qualified.is_(True))  # type: ignore[attr-defined]
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    stmt = stmt.order_by(LeadScore.total.desc(), Lead.id)  # type: ignore[attr-defined]
    rows = session.execute(stmt.offset(page * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return LeadPage([_row(lead, score) for lead, score in rows], page, int(total))


def _row(lead: Lead, score: LeadScore) -> LeadRow:
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
    )


@dataclass(frozen=True, slots=True)
class HomeData:
    """App Home: the rep's pending qualifications, their leads, recent hot leads."""

    pending: list[tuple[int, str, str]]  # (conversation id, lead email/name, status)
    mine: list[LeadRow]
    recent_hot: list[LeadRow]


def home_data(session: Session, user: str, now: datetime, days: int = 7) -> HomeData:
    pending = session.execute(
        select(Conversation.id, Lead.name, Lead.email, Conversation.status)
        .join(Lead, Lead.id == Conversation.lead_id)  # type: ignore[arg-type]
        .where(Conversation.rep == user, Conversation.status.in_(("active", "paused")))  # type: ignore[attr-defined]
        .order_by(Conversation.updated_at.desc())  # type: ignore[attr-defined]
        .limit(10)
    ).all()
    hot_ids = (
        select(ScoreChange.lead_id)
        .where(ScoreChange.new_tier == "hot", ScoreChange.at >= now - timedelta(days=days))
        .where((ScoreChange.old_tier.is_(None)) | (ScoreChange.old_tier != "hot"))  # type: ignore[union-attr]
    )
    recent = session.execute(
        select(Lead, LeadScore)
        .join(LeadScore, LeadScore.lead_id == Lead.id)  # type: ignore[arg-type]
        .where(Lead.id.in_(hot_ids), LeadScore.tier == "hot")  # type: ignore[union-attr]
        .order_by(LeadScore.total.desc())  # type: ignore[attr-defined]
        .limit(10)
    ).all()
    return HomeData(
        [(cid, name or email, status) for cid, name, email, status in pending],
        list_leads(session, "mine", user, now).rows,
        [_row(lead, score) for lead, score in recent],
    )
