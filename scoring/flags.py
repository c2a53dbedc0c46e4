"""Contradictions worth a human look (they never change the score)."""

from __future__ import annotations

from datetime import datetime

from scoring.compiled import CompiledModel
from scoring.fit import timeline_days
from scoring.inputs import LeadProfile
from scoring.result import Contribution, Flag, SlotAnswer

DAY = 86400.0


def contradiction_flags(
    compiled: CompiledModel,
    lead: LeadProfile,
    answers: dict[str, SlotAnswer],
    event_contributions: list[Contribution],
    last_activity: datetime | None,
    tier: str,
    now: datetime,
) -> list[Flag]:
    spec = compiled.model.flags
    fresh = {s: a for s, a in answers.items() if not a.expired}
    flags: list[Flag] = []
    timeline = fresh.get("timeline")
    days = timeline_days(timeline.value, timeline.answered_at, now.date()) if timeline else None

    if spec.urgent_but_inactive and days is not None and days >= 0:
        rule = spec.urgent_but_inactive
        if days <= rule.timeline_within_days:
            idle = None if last_activity is None else (now - last_activity).total_seconds() / DAY
            if idle is None or idle >= rule.inactive_days:
                since = (
                    "no activity on record" if idle is None else f"no activity for {idle:.0f} days"
                )
                flags.append(
                    Flag(
                        "urgent_but_inactive", f"Rep expects a decision in {days} days, but {since}"
                    )
                )

    authority = fresh.get("authority")
    junior_title = compiled.junior_title if spec.authority_title_mismatch else None
    if authority and junior_title and authority.category == "decision_maker":
        titles = [t for t in (lead.title, authority.value.get("title")) if t]
        junior = next((t for t in titles if junior_title.search(t)), None)
        if junior:
            flags.append(
                Flag(
                    "authority_title_mismatch",
                    f"Marked decision maker, but the title is '{junior}'",
                )
            )

    if spec.budget_without_need and "budget" in fresh and "need" in fresh:
        budget = fresh["budget"].category
        if budget in ("confirmed", "planned") and fresh["need"].category == "none":
            flags.append(Flag("budget_without_need", f"Budget {budget}, but no need stated"))

    if spec.timeline_passed and days is not None and days < 0:
        flags.append(
            Flag("timeline_passed", f"The decision date passed {-days} days ago; ask for a new one")
        )

    if spec.negative_signal and tier in ("hot", "warm"):
        # negative events only: not the cap adjustment nor the inactivity penalty
        negatives = [c for c in event_contributions if c.source == "event" and c.points < 0]
        if negatives:
            last = max(negatives, key=lambda c: c.at or now)
            when = last.at.date().isoformat() if last.at else "recently"
            flags.append(Flag("negative_signal", f"{last.label} on {when} while scoring {tier}"))
    return flags
