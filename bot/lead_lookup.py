"""Finding a lead from what a rep types: an email, a domain, or a (misspelled) company name."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from sqlmodel import col

from bot.storage.leads_repo import company_key, normalize_domain
from bot.storage.tables import Lead, LeadScore

_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+/?$", re.I)
FUZZY_CUTOFF = 70
SHORTLIST_CUTOFF = 50
MAX_MATCHES = 25


@dataclass(slots=True)
class LookupResult:
    """`leads`: the matches, best scored first (empty when unknown); `suggestions`: near misses
    to offer instead; `how`: which kind of match it was."""

    query: str
    how: str  # email, domain, company, fuzzy_company, none
    leads: list[Lead] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)

    @property
    def lead(self) -> Lead | None:
        return self.leads[0] if self.leads else None


class CompanyNames:
    """Distinct company keys, cached per process for fuzzy matching (refreshed every `ttl` s)."""

    def __init__(self, ttl: float = 60.0) -> None:
        self.ttl = ttl
        self._keys: list[str] = []
        self._loaded_at = -1e18
        self._bind_id: int | None = None

    def keys(self, session: Session) -> list[str]:
        bind = session.get_bind()
        if time.monotonic() - self._loaded_at > self.ttl or id(bind) != self._bind_id:
            rows = session.execute(
                select(col(Lead.company_key)).where(col(Lead.company_key).is_not(None)).distinct()
            )
            self._keys = [r[0] for r in rows if r[0] is not None]
            self._loaded_at = time.monotonic()
            self._bind_id = id(bind)
        return self._keys

    def invalidate(self) -> None:
        self._loaded_at = -1e18


COMPANY_NAMES = CompanyNames()


def _ranked(session: Session, where: object) -> list[Lead]:
    stmt = (
        select(Lead)
        .outerjoin(LeadScore, col(LeadScore.lead_id) == col(Lead.id))
        .where(where)  # type: ignore[arg-type]
        .order_by(func.coalesce(LeadScore.total, -1).desc(), col(Lead.id))
        .limit(MAX_MATCHES)
    )
    return list(session.scalars(stmt))


def find_leads(session: Session, query: str, names: CompanyNames = COMPANY_NAMES) -> LookupResult:
    """Resolve `query` to leads, best first; when nothing matches, suggest close names."""
    q = query.strip()
    if not q:
        return LookupResult(q, "none")
    if "@" in q:
        email = q.lower().strip("<>")
        leads = _ranked(session, Lead.email == email)
        if leads:
            return LookupResult(q, "email", leads)
        domain = email.rpartition("@")[2]
        colleagues = _ranked(session, Lead.domain == domain)
        return LookupResult(q, "none", [], [lead.email for lead in colleagues[:5]])
    if _DOMAIN.match(q) and " " not in q:
        domain = normalize_domain(q)
        leads = _ranked(session, Lead.domain == domain)
        if leads:
            return LookupResult(q, "domain", leads)
    key = company_key(q) or ""
    leads = _ranked(session, Lead.company_key == key)
    if leads:
        return LookupResult(q, "company", leads)
    # Prefix via the company_key index ("acme" finds "acme corp").
    prefixed = (
        session.execute(
            text(
                "SELECT DISTINCT company_key FROM leads"
                " WHERE company_key >= :lo AND company_key < :hi LIMIT 6"
            ),
            {"lo": key, "hi": key + "\uffff"},
        )
        .scalars()
        .all()
    )
    if len(prefixed) == 1:
        return LookupResult(q, "company", _ranked(session, Lead.company_key == prefixed[0]))
    # Fast Levenshtein shortlist over every company, then WRatio (tolerates extra words
    # such as a dropped "Corp") on the shortlist only.
    shortlist = process.extract(
        key,
        names.keys(session),
        scorer=fuzz.ratio,
        limit=20,
        score_cutoff=SHORTLIST_CUTOFF,
        processor=None,
    )
    matches = sorted(
        ((k, fuzz.WRatio(key, k, processor=None)) for k, _, _ in shortlist),
        key=lambda m: (-m[1], m[0]),
    )
    matches = [m for m in matches if m[1] >= FUZZY_CUTOFF][:5]
    if matches and not prefixed:
        best, best_score = matches[0][0], matches[0][1]
        runner_up = matches[1][1] if len(matches) > 1 else 0
        if best_score >= 80 and best_score - runner_up >= 10:  # one clear winner: a typo
            return LookupResult(q, "fuzzy_company", _ranked(session, Lead.company_key == best))
    candidates = sorted(
        {*prefixed, *(m[0] for m in matches)},
        key=lambda k: (-fuzz.ratio(key, k), k),
    )
    return LookupResult(q, "none", [], _display_names(session, candidates[:5]))


def _display_names(session: Session, keys: list[str]) -> list[str]:
    if not keys:
        return []
    rows = session.execute(
        select(col(Lead.company_key), func.min(col(Lead.company)))
        .where(col(Lead.company_key).in_(keys))
        .group_by(col(Lead.company_key))
    ).all()
    shown = {k: name for k, name in rows}
    return [shown.get(k) or k for k in keys]
