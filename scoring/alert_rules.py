"""Hot-lead alert rules, routing, cooldown and quiet hours: pure functions, no I/O.

The caller (bot.alerts.outbox) supplies the lead's score before and after a change, the
stored hysteresis states and, for jump rules, the lowest total of each rule's window
(`jump_windows` says which windows; one `min()` over score_changes each).
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from scoring.compiled import compile_model, match_rule
from scoring.config import ScoringModel, Tiers, normalize_event_name
from scoring.notify_config import (
    AlertsSpec,
    JumpRule,
    NegativeSignalRule,
    QualifiedRule,
    Route,
    TierEnteredRule,
)
from scoring.time_windows import window_end

TIER_RANK = {"cold": 0, "warm": 1, "hot": 2}


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A lead's score at one moment: what the rules compare."""

    total: float
    tier: str
    qualified: bool


@dataclass(frozen=True, slots=True)
class Fired:
    """A rule that fires, with a short human reason."""

    rule_id: str
    kind: str
    reason: str


@dataclass(frozen=True, slots=True)
class Evaluation:
    fired: list[Fired]
    states: dict[str, bool]  # tier rule id → active, for every tier rule evaluated


class LeadFacts(Protocol):
    """What routing reads from a lead (`bot.storage.tables.Lead` has these)."""

    @property
    def product(self) -> str | None: ...
    @property
    def company_size(self) -> int | None: ...
    @property
    def country(self) -> str | None: ...
    @property
    def owner(self) -> str | None: ...


def _rank(tier: str | None) -> int:
    return TIER_RANK.get(tier or "", 0)


def _threshold(tiers: Tiers, tier: str) -> float:
    return float(tiers.hot if tier == "hot" else tiers.warm)


def event_names(model: ScoringModel, event_type: str, properties: Mapping[str, Any]) -> set[str]:
    """Names a negative-signal rule may list for an event: its normalised type and the id of
    the engagement rule that counts it (config lists e.g. `unsubscribe`, a rule id)."""
    names = {normalize_event_name(event_type)}
    rule = match_rule(compile_model(model), event_type, dict(properties))
    if rule is not None:
        names.add(rule.rule.id)
    return names


def _negative_hit(rule: NegativeSignalRule, names: AbstractSet[str], tier: str) -> bool:
    return bool(names & set(rule.events)) and _rank(tier) >= _rank(rule.min_tier)


def might_fire(
    spec: AlertsSpec,
    before: Snapshot | None,
    after: Snapshot,
    tiers: Tiers,
    names: AbstractSet[str] = frozenset(),
) -> bool:
    """Cheap pre-check (no stored state needed): False when no rule can fire and no
    hysteresis state can change, so the caller can skip every read."""
    if not spec.enabled:
        return False
    was = before or Snapshot(0.0, "cold", False)
    for rule in spec.rules:
        if isinstance(rule, NegativeSignalRule):
            if _negative_hit(rule, names, was.tier if before else after.tier):
                return True
            continue
        if before == after:
            continue
        if isinstance(rule, QualifiedRule):
            if after.qualified and not was.qualified:
                return True
        elif isinstance(rule, JumpRule):
            if after.total > was.total and after.total >= rule.points:
                return True
        elif max(was.total, after.total) >= _threshold(tiers, rule.tier) - rule.leave_margin:
            return True
    return False


def jump_windows(spec: AlertsSpec) -> dict[str, timedelta]:
    """Jump rule id → its window: the caller passes the lowest total within each."""
    return {r.id: timedelta(hours=r.window_hours) for r in spec.rules if isinstance(r, JumpRule)}


def _tier_rule(
    rule: TierEnteredRule,
    before: Snapshot | None,
    after: Snapshot,
    tiers: Tiers,
    stored: bool | None,
) -> tuple[Fired | None, bool]:
    threshold = _threshold(tiers, rule.tier)
    leave = threshold - rule.leave_margin
    # no stored state: the lead counts as inside when it already was (imports, old leads)
    active = stored if stored is not None else before is not None and before.total >= threshold
    # re-arm when it left the band, also through paths that don't evaluate (decay rescore)
    if active and (before is None or before.total < leave or after.total < leave):
        active = False
    if not active and _rank(after.tier) >= _rank(rule.tier):
        return Fired(
            rule.id, rule.kind, f"entered {rule.tier} ({after.total:.1f} ≥ {threshold:g})"
        ), True
    return None, active


def evaluate(
    spec: AlertsSpec,
    before: Snapshot | None,
    after: Snapshot,
    tiers: Tiers,
    states: Mapping[str, bool],
    lows: Mapping[str, float] | None = None,
    names: AbstractSet[str] = frozenset(),
) -> Evaluation:
    """Which rules fire for a change `before` → `after`, and the new hysteresis states.

    `states`: stored tier-rule states (absent = never stored); `lows`: jump rule id → the
    lowest total within its window; `names`: the triggering event's names (`event_names`),
    empty for answers.
    """
    fired: list[Fired] = []
    new_states: dict[str, bool] = {}
    was = before or Snapshot(0.0, "cold", False)
    for rule in spec.rules:
        if isinstance(rule, TierEnteredRule):
            hit, new_states[rule.id] = _tier_rule(rule, before, after, tiers, states.get(rule.id))
        elif isinstance(rule, QualifiedRule):
            hit = None
            if after.qualified and not was.qualified:
                hit = Fired(rule.id, rule.kind, "qualified: every required criterion is met")
        elif isinstance(rule, JumpRule):
            low = min((lows or {}).get(rule.id, was.total), was.total)
            hit = None
            if after.total - low >= rule.points > was.total - low:
                hit = Fired(
                    rule.id,
                    rule.kind,
                    f"up {after.total - low:.1f} points within {rule.window_hours:g}h "
                    f"({low:.1f} → {after.total:.1f})",
                )
        else:
            tier = was.tier if before else after.tier
            hit = None
            if _negative_hit(rule, names, tier):
                what = "/".join(sorted(names & set(rule.events)))
                hit = Fired(rule.id, rule.kind, f"{what} while {tier} ({after.total:.1f} now)")
        if hit is not None:
            fired.append(hit)
    return Evaluation(fired, new_states)


# ---------------------------------------------------------------- delivery decisions


def bypasses_cooldown(fired: Fired) -> bool:
    """Negative signals (a hot lead unsubscribing) are news of another kind: they are sent
    even within the cooldown that follows a positive alert."""
    return fired.kind == "negative_signal"


def after_cooldown(
    spec: AlertsSpec, fired: list[Fired], last_alert_at: datetime | None, now: datetime
) -> list[Fired]:
    """The fired rules still to alert given the lead's last alert (cooldown is per lead)."""
    if last_alert_at is None or now - last_alert_at >= timedelta(minutes=spec.cooldown_minutes):
        return fired
    return [f for f in fired if bypasses_cooldown(f)]


def due_at(spec: AlertsSpec, now: datetime) -> datetime:
    """When an alert queued `now` may be posted: the end of quiet hours, else now."""
    return now if spec.quiet_hours is None else window_end(spec.quiet_hours, now)


def segment_of(spec: AlertsSpec, company_size: int | None) -> set[str]:
    """Names of the segments a company size falls in."""
    if company_size is None:
        return set()
    return {
        name
        for name, s in spec.segments.items()
        if (s.min is None or company_size >= s.min) and (s.max is None or company_size <= s.max)
    }


def territory_of(spec: AlertsSpec, country: str | None) -> set[str]:
    if not country:
        return set()
    code = country.strip().upper()
    return {name for name, codes in spec.territories.items() if code in codes}


def _matches(route: Route, spec: AlertsSpec, lead: LeadFacts) -> bool:
    if route.product is not None and lead.product not in route.product:
        return False
    if route.owner is not None and lead.owner not in route.owner:
        return False
    if route.segment is not None and not segment_of(spec, lead.company_size) & set(route.segment):
        return False
    return route.territory is None or bool(territory_of(spec, lead.country) & set(route.territory))


def route_channel(spec: AlertsSpec, lead: LeadFacts) -> str:
    """The channel of the first route whose every given criterion matches, else the default."""
    for route in spec.routes:
        if _matches(route, spec, lead):
            return route.channel
    return spec.channel
