"""Fit: points from the rep's answers and from the lead's profile."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from scoring.compiled import CompiledModel, seniority_for
from scoring.config import ScoringModel, SlotSpec, ValuePoints
from scoring.inputs import AnswerRecord, LeadProfile
from scoring.result import Contribution, SlotAnswer

DAY = 86400.0


def latest_answers(answers: Iterable[AnswerRecord]) -> dict[str, AnswerRecord]:
    """The newest answer per slot (ties broken by storage order): what counts."""
    latest: dict[str, AnswerRecord] = {}
    for a in answers:
        cur = latest.get(a.slot)
        if cur is None or (a.answered_at, a.seq) > (cur.answered_at, cur.seq):
            latest[a.slot] = a
    return latest


def slot_answers(
    answers: Iterable[AnswerRecord], slots: dict[str, SlotSpec], now: datetime
) -> dict[str, SlotAnswer]:
    """The counting answer per slot with its age and whether it has expired."""
    out: dict[str, SlotAnswer] = {}
    for slot, a in latest_answers(answers).items():
        age = max(0.0, (now - a.answered_at).total_seconds() / DAY)
        spec = slots.get(slot)
        expired = bool(spec and spec.max_age_days is not None and age > spec.max_age_days)
        out[slot] = SlotAnswer(
            slot,
            a.value,
            a.answered_at,
            age,
            expired,
            a.answered_by,
            a.framework,
            a.raw_text,
            slot_category(slot, a.value),
        )
    return out


def timeline_days(value: dict[str, Any], answered_at: datetime, today: date) -> int | None:
    """Days from `today` until the decision date (negative once passed); None if no date."""
    if value.get("status") != "known":
        return None
    raw = value.get("date")
    if raw:
        decision = date.fromisoformat(raw) if isinstance(raw, str) else raw
        return (decision - today).days
    horizon = value.get("horizon_days")
    if horizon is None:
        return None
    return (answered_at.date() - today).days + int(horizon)


def slot_category(slot: str, value: dict[str, Any] | None) -> str:
    """The value's category that points and gates look at ('unknown' when not known)."""
    if value is None:
        return "unknown"
    if slot == "budget":
        return str(value.get("status") or "unknown")
    if slot == "authority":
        return str(value.get("role") or "unknown")
    if slot in ("need", "priority"):
        return str(value.get("level") or "unknown")
    if slot == "timeline":
        return str(value.get("status") or "unknown")
    return str(value.get("choice") or "unknown")


def _annual(value: dict[str, Any]) -> float | None:
    amount = value.get("amount")
    if amount is None:
        return None
    return float(amount) * (12 if value.get("period") == "month" else 1)


def answer_contributions(
    model: ScoringModel, answers: dict[str, SlotAnswer], slots: dict[str, SlotSpec], now: datetime
) -> list[Contribution]:
    """Fit points for each slot's counting answer (expired or absent = unknown)."""
    table = model.fit.answers
    out: list[Contribution] = []

    def add(rule: str, label: str, points: float, slot: str, at: datetime | None) -> None:
        if points:
            ts = None if at is None else at.timestamp()
            out.append(Contribution(f"fit.answer.{rule}", label, points, 0.0, "answer", ts, slot))

    for slot, spec in slots.items():
        ans = answers.get(slot)
        usable = ans is not None and not ans.expired
        value = ans.value if usable and ans else None
        at = ans.answered_at if usable and ans else None
        category = ans.category if usable and ans else "unknown"
        suffix = " (expired)" if ans is not None and ans.expired else ""
        if slot == "timeline":
            tl = table.timeline
            days = timeline_days(value, ans.answered_at, now.date()) if value and ans else None
            if days is None:
                pts = tl.none if category == "none" else tl.unknown
                if pts:
                    add(f"timeline.{category}", f"{spec.label}: {category}{suffix}", pts, slot, at)
            elif days < 0:
                add(
                    "timeline.passed",
                    f"Timeline: date passed {-days} days ago",
                    tl.passed,
                    slot,
                    at,
                )
            else:
                band = next((b for b in tl.bands if days <= b.within_days), None)
                if band is None:
                    add("timeline.later", f"Timeline: decision in {days} days", tl.later, slot, at)
                else:
                    add(
                        f"timeline.within_{band.within_days}",
                        f"Timeline: decision in {days} days (≤ {band.within_days})",
                        band.points,
                        slot,
                        at,
                    )
            continue
        points_table: dict[str, float]
        if slot in ("budget", "authority", "need", "priority"):
            points_table = getattr(table, slot)
        else:
            points_table = table.custom.get(slot, {})
        pts = points_table.get(category, 0.0)
        if pts:
            label = f"{spec.label}: {category.replace('_', ' ')}{suffix}"
            add(f"{slot}.{category}", label, pts, slot, at)
        if slot == "budget" and value and category in ("confirmed", "planned"):
            annual = _annual(value)
            amount_band = next(
                (b for b in table.budget_amount if annual is not None and annual >= b.min), None
            )
            if amount_band is not None and annual is not None:
                cur = value.get("currency") or ""
                add(
                    f"budget_amount.{int(amount_band.min)}",
                    f"Budget of {annual:,.0f} {cur}/year (≥ {amount_band.min:,.0f})".replace(
                        " /", "/"
                    ),
                    amount_band.points,
                    slot,
                    at,
                )
    return out


def _domain(lead: LeadProfile) -> str:
    if lead.domain:
        return lead.domain.lower()
    return lead.email.rsplit("@", 1)[-1].lower() if "@" in lead.email else ""


def profile_contributions(compiled: CompiledModel, lead: LeadProfile) -> list[Contribution]:
    """Fit points from title, industry, company size, country and email domain."""
    profile = compiled.model.fit.profile
    out: list[Contribution] = []

    def add(rule: str, label: str, points: float, ref: str) -> None:
        if points:
            out.append(
                Contribution(f"fit.profile.{rule}", label, points, 0.0, "profile", None, ref)
            )

    if lead.title:
        m = seniority_for(compiled, lead.title)
        if m is not None:  # the first matching rule wins
            add(m.rule, f"{m.label} ({lead.title})", m.points, "title")

    def lookup(
        field: str, label: str, key: str, shown: str, table: dict[str, float], spec: ValuePoints
    ) -> None:
        if key:
            add(
                f"{field}.{key.replace(' ', '_')}",
                f"{label}: {shown}",
                table.get(key, spec.other),
                field,
            )
        else:
            add(f"{field}.missing", f"{label} unknown", spec.missing, field)

    industry = (lead.industry or "").strip()
    lookup(
        "industry",
        "Industry",
        industry.lower(),
        industry,
        compiled.industry_points,
        profile.industry,
    )
    if lead.company_size is not None:
        for band in profile.company_size:
            if band.min <= lead.company_size and (
                band.max is None or lead.company_size <= band.max
            ):
                rng = f"{band.min}-{band.max}" if band.max is not None else f"{band.min}+"
                add(
                    f"company_size.{rng}",
                    f"Company size {lead.company_size:,} ({rng})",
                    band.points,
                    "company_size",
                )
                break
    country = (lead.country or "").strip().upper()
    lookup("country", "Country", country, country, compiled.country_points, profile.country)
    domain = _domain(lead)
    if domain:
        for list_id, label, pts, domains, suffixes in compiled.email_domains:
            if domain in domains or (suffixes and domain.endswith(suffixes)):
                add(f"email_domain.{list_id}", f"{label} ({domain})", pts, "email")
                break
    return out
