"""Queueing alerts (the outbox): rules evaluated and alert rows written in the caller's
transaction, so a score change and its alert commit or roll back together.

Only new events and new answers call `queue_alerts` (via `bot.scoring_service`); decay
rescores and imports of leads never alert. Nothing is read when alerts are off or when
`scoring.alert_rules.might_fire` says no rule can fire.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from bot.alerts.payload import alert_payload
from bot.metrics import ALERTS_QUEUED
from bot.storage.tables import Alert, AlertState, Lead, ScoreChange
from bot.storage.upsert import dialect_insert
from scoring.alert_rules import (
    Snapshot,
    after_cooldown,
    due_at,
    evaluate,
    event_names,
    jump_windows,
    might_fire,
    route_channel,
)
from scoring.config import ScoringConfig
from scoring.inputs import EventRecord
from scoring.notify_config import NegativeSignalRule, TierEnteredRule
from scoring.result import ScoreResult

log = logging.getLogger(__name__)

ROLLUP = "rollup"  # kind of the row that stands for a storm rollup message


def _before(change: ScoreChange | None, after: Snapshot) -> Snapshot | None:
    if change is None:
        return after
    if change.old_total is None or change.old_tier is None:
        return None
    return Snapshot(change.old_total, change.old_tier, bool(change.old_qualified))


def _states(session: Session, lead_id: int) -> dict[str, bool]:
    rows = session.execute(
        select(col(AlertState.rule_id), col(AlertState.active)).where(
            col(AlertState.lead_id) == lead_id
        )
    )
    return {rule_id: active for rule_id, active in rows}


def _save_states(
    session: Session, lead_id: int, old: dict[str, bool], new: dict[str, bool], now: datetime
) -> None:
    for rule_id, active in new.items():
        if old.get(rule_id, False) == active:  # absent means inactive (see evaluate)
            continue
        stmt = dialect_insert(session, AlertState).values(
            lead_id=lead_id, rule_id=rule_id, active=active, changed_at=now
        )
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["lead_id", "rule_id"],
                set_={"active": active, "changed_at": now},
            )
        )


def _lows(session: Session, lead_id: int, config: ScoringConfig, now: datetime) -> dict[str, float]:
    lows: dict[str, float] = {}
    for rule_id, window in jump_windows(config.alerts).items():
        old, new = session.execute(
            select(func.min(ScoreChange.old_total), func.min(ScoreChange.new_total)).where(
                col(ScoreChange.lead_id) == lead_id, col(ScoreChange.at) >= now - window
            )
        ).one()
        values = [v for v in (old, new) if v is not None]
        if values:
            lows[rule_id] = min(values)
    return lows


def last_alert_at(session: Session, lead_id: int) -> datetime | None:
    """When the lead's latest alert was queued (what the per-lead cooldown counts from)."""
    return session.execute(
        select(func.max(Alert.created_at)).where(
            col(Alert.lead_id) == lead_id, col(Alert.kind) != ROLLUP
        )
    ).scalar_one_or_none()


def queue_alerts(
    session: Session,
    lead: Lead,
    result: ScoreResult,
    change: ScoreChange | None,
    config: ScoringConfig,
    now: datetime,
    trigger: str,
    event: EventRecord | None = None,
) -> int | None:
    """Evaluate the alert rules for a lead just rescored by `event` (or an answer) and
    queue at most one alert row (all rules that fired, as its reasons); return its id.

    `change` is the score change just recorded (None: the score did not move); `trigger`
    names the cause uniquely ("event:<key>" or "change:<id>") for the alert's dedupe key,
    so a replay cannot queue it twice.
    """
    spec = config.alerts
    if not spec.enabled or not spec.rules or lead.id is None:
        return None
    model = config.model_for(lead.product)
    after = Snapshot(result.total, result.tier, result.qualified)
    before = _before(change, after)
    names: set[str] = set()
    if event is not None and any(isinstance(r, NegativeSignalRule) for r in spec.rules):
        names = event_names(model, event.type, event.properties)
    if not might_fire(spec, before, after, model.tiers, names):
        return None
    has_tier_rules = any(isinstance(r, TierEnteredRule) for r in spec.rules)
    states = _states(session, lead.id) if has_tier_rules else {}
    lows = _lows(session, lead.id, config, now)
    evaluation = evaluate(spec, before, after, model.tiers, states, lows, names)
    _save_states(session, lead.id, states, evaluation.states, now)
    if not evaluation.fired:
        return None
    fired = after_cooldown(spec, evaluation.fired, last_alert_at(session, lead.id), now)
    if not fired:
        log.info(
            "alert for lead %s suppressed by cooldown: %s",
            lead.id,
            "; ".join(f.reason for f in evaluation.fired),
        )
        return None
    reasons = [{"rule_id": f.rule_id, "kind": f.kind, "reason": f.reason} for f in fired]
    payload = alert_payload(
        lead_id=lead.id,
        name=lead.name,
        company=lead.company,
        email=lead.email,
        owner=lead.owner,
        product=lead.product,
        result=result,
        reasons=reasons,
    )
    stmt = (
        dialect_insert(session, Alert)
        .values(
            lead_id=lead.id,
            kind=fired[0].kind,
            rule_id=fired[0].rule_id,
            channel=route_channel(spec, lead),
            dedupe_key=f"{lead.id}:{trigger}",
            payload=payload,
            status="pending",
            due_at=due_at(spec, now),
            attempts=0,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(col(Alert.id))
    )
    alert_id: int | None = session.execute(stmt).scalar_one_or_none()
    if alert_id is not None:
        ALERTS_QUEUED.labels(fired[0].rule_id).inc()
    return alert_id
