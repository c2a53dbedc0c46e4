"""Queueing alerts (the outbox): rules evaluated and alert rows written in the caller's
transaction, so a score change and its alert commit or roll back together.

Only new events and new answers call `queue_alerts` (via `bot.scoring_service`); decay
rescores and imports of leads never alert. Nothing is read when alerts are off or when
`scoring.alert_rules.might_fire` says no rule can fire.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.alerts.payload import alert_payload
from bot.metrics import ALERTS_QUEUED
from bot.storage.among import SQLITE_AMONG, rows_among
from bot.storage.column_types import UTCDateTime, dump_json
from bot.storage.leads_repo import LeadRow
from bot.storage.tables import Alert, AlertState, Lead, ScoreChange, metadata
from bot.storage.upsert import ManyRows, insert_for
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
from scoring.stored_rows import stored_time

log = logging.getLogger(__name__)

ROLLUP = "rollup"  # kind of the row that stands for a storm rollup message

_ALERTS = metadata.tables[Alert.__tablename__]
_STATES = metadata.tables[AlertState.__tablename__]
_ALERT_COLUMNS = (
    "lead_id",
    "kind",
    "rule_id",
    "channel",
    "dedupe_key",
    "payload",
    "status",
    "due_at",
    "attempts",
    "created_at",
)


def _state_upsert(dialect: str) -> Any:
    insert = insert_for(dialect, _STATES)
    return insert.on_conflict_do_update(
        index_elements=["lead_id", "rule_id"],
        set_={"active": insert.excluded.active, "changed_at": insert.excluded.changed_at},
    )


# A replayed trigger finds its alert queued already (the dedupe key): nothing is written.
_INSERT_ALERTS = {
    dialect: ManyRows(
        insert_for(dialect, _ALERTS).on_conflict_do_nothing(index_elements=["dedupe_key"]),
        _ALERT_COLUMNS,
    )
    for dialect in ("sqlite", "postgresql")
}
_UPSERT_STATES = {
    dialect: ManyRows(_state_upsert(dialect), [c.name for c in _STATES.columns])
    for dialect in ("sqlite", "postgresql")
}


@dataclass(slots=True)
class AlertInputs:
    """What the alert rules read of a lead besides its new score."""

    states: dict[str, bool] = field(default_factory=dict)  # tier rule id → active
    lows: dict[str, float] = field(default_factory=dict)  # jump rule id → lowest total
    last_alert_at: datetime | None = None  # what the per-lead cooldown counts from


class AlertBatch:
    """The alerts of a set of leads rescored in one transaction.

    The rules' stored inputs (`AlertInputs`) are read for all the leads in three queries
    when first needed, then kept current in memory as score changes are noted and
    alerts queued; the alert rows and rule states are written together by `flush`
    (one statement each, not one per alert).
    """

    def __init__(
        self, session: Session, lead_ids: Iterable[int], config: ScoringConfig, now: datetime
    ) -> None:
        self._session, self._ids, self._config, self._now = session, sorted(lead_ids), config, now
        self._inputs: dict[int, AlertInputs] | None = None
        self._jump_rules = list(jump_windows(config.alerts))
        self._batch_lows: dict[int, float] = {}
        self._alerts: list[dict[str, Any]] = []
        self._states: dict[tuple[int, str], dict[str, Any]] = {}

    def note_change(self, lead_id: int, before: Snapshot | None, after: Snapshot) -> None:
        """Count a score change recorded at `now` (so within every jump window)."""
        if before == after:
            return
        low = after.total if before is None else min(before.total, after.total)
        self._batch_lows[lead_id] = min(self._batch_lows.get(lead_id, low), low)

    def read_inputs(self) -> None:
        """Read the rules' stored inputs now rather than when first needed."""
        if self._inputs is None:
            self._inputs = _read_inputs(self._session, self._ids, self._config, self._now)

    def for_lead(self, lead_id: int) -> AlertInputs:
        self.read_inputs()
        assert self._inputs is not None
        inputs = self._inputs[lead_id]
        low = self._batch_lows.get(lead_id)
        if low is not None:
            for rule_id in self._jump_rules:
                inputs.lows[rule_id] = min(inputs.lows.get(rule_id, low), low)
        return inputs

    def set_state(self, lead_id: int, rule_id: str, active: bool) -> None:
        """Record whether the lead is inside a tier rule (written at `flush`)."""
        self.for_lead(lead_id).states[rule_id] = active
        row = {"lead_id": lead_id, "rule_id": rule_id, "active": active, "changed_at": self._now}
        self._states[lead_id, rule_id] = row

    def queue(self, alert: dict[str, Any]) -> None:
        """Queue an alert row (written at `flush`); the lead's cooldown starts now."""
        self.for_lead(alert["lead_id"]).last_alert_at = self._now
        self._alerts.append(alert)

    def forget(self, lead_ids: Iterable[int]) -> None:
        """Drop what was queued for these leads (their scoring is to be redone)."""
        gone = set(lead_ids)
        self._alerts = [a for a in self._alerts if a["lead_id"] not in gone]
        self._states = {key: row for key, row in self._states.items() if key[0] not in gone}

    def flush(self) -> None:
        """Write the rule states and alert rows queued so far."""
        dialect = self._session.get_bind().dialect
        connection = self._session.connection()
        if self._states:
            states = list(self._states.values())
            _UPSERT_STATES[dialect.name].bind(dialect, states).execute(connection)
            self._states = {}
        if self._alerts:
            _INSERT_ALERTS[dialect.name].bind(dialect, self._alerts).execute(connection)
            for alert in self._alerts:
                ALERTS_QUEUED.labels(alert["rule_id"]).inc()
            self._alerts = []


_STATES_SQL = "SELECT lead_id, rule_id, active FROM alert_states WHERE lead_id {among}"
_LAST_ALERTS_SQL = (
    "SELECT lead_id, max(created_at) FROM alerts"
    f" WHERE lead_id {{among}} AND kind <> '{ROLLUP}' GROUP BY lead_id"
)
# (lead id, lowest old total, lowest new total) of each lead's score changes since a time
# (leads without any may be absent, or have NULLs). On PostgreSQL, per lead (a LATERAL
# subquery over the ids): each is a short range of the (lead_id, at) index. The grouped
# `lead_id = ANY(…) AND at >= …` let it scan every recent change of every lead by the
# `at` index once its statistics lagged behind a busy table. SQLite keeps no statistics
# and takes the (lead_id, at) index for it.
_LOWS_SQL = {
    "postgresql": "SELECT wanted.id, lows.old, lows.new"
    " FROM unnest(%b::integer[]) AS wanted(id) CROSS JOIN LATERAL"
    " (SELECT min(old_total) AS old, min(new_total) AS new FROM score_changes"
    " WHERE lead_id = wanted.id AND at >= %s) AS lows",
    "sqlite": "SELECT lead_id, min(old_total), min(new_total) FROM score_changes"
    f" WHERE lead_id {SQLITE_AMONG} AND at >= ? GROUP BY lead_id",
}
_SINCE = UTCDateTime()


def _read_inputs(
    session: Session, ids: list[int], config: ScoringConfig, now: datetime
) -> dict[int, AlertInputs]:
    """The rules' stored inputs of these leads, read raw (this runs for every batch of
    events; SQLAlchemy's statement building and row processing cost more than the SQL)."""
    inputs = {lead_id: AlertInputs() for lead_id in ids}
    if any(isinstance(r, TierEnteredRule) for r in config.alerts.rules):
        for lead_id, rule_id, active in rows_among(session, _STATES_SQL, ids):
            inputs[lead_id].states[rule_id] = bool(active)
    for rule_id, window in jump_windows(config.alerts).items():
        for lead_id, old, new in _lows_since(session, ids, now - window):
            values = [v for v in (old, new) if v is not None]
            if values:
                inputs[lead_id].lows[rule_id] = min(values)
    for lead_id, at in rows_among(session, _LAST_ALERTS_SQL, ids):
        inputs[lead_id].last_alert_at = stored_time(at)
    return inputs


def _lows_since(session: Session, ids: list[int], since: datetime) -> list[tuple[Any, ...]]:
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name == "postgresql":
        params: tuple[Any, ...] = (ids, since)
        sql = _LOWS_SQL["postgresql"]
    else:
        to_text = _SINCE.bind_processor(dialect)
        params = (dump_json(ids), to_text(since) if to_text else since)
        sql = _LOWS_SQL["sqlite"]
    return list(connection.exec_driver_sql(sql, params).all())


def _note_states(
    batch: AlertBatch, lead_id: int, inputs: AlertInputs, new: dict[str, bool]
) -> None:
    for rule_id, active in new.items():
        if inputs.states.get(rule_id, False) != active:  # absent means inactive (see evaluate)
            batch.set_state(lead_id, rule_id, active)


def before_change(change: ScoreChange) -> Snapshot | None:
    """The score a recorded change moved from (None: the lead had none)."""
    if change.old_total is None or change.old_tier is None:
        return None
    return Snapshot(change.old_total, change.old_tier, bool(change.old_qualified))


def queue_alerts(
    session: Session,
    lead: Lead | LeadRow,
    result: ScoreResult,
    before: Snapshot | None,
    config: ScoringConfig,
    now: datetime,
    trigger: str,
    event: EventRecord | None = None,
    batch: AlertBatch | None = None,
) -> bool:
    """Evaluate the alert rules for a lead just rescored by `event` (or an answer) and
    queue at most one alert row (all rules that fired, as its reasons); return whether
    one was queued.

    `before` is the score before (None: the lead had none; equal to the result: it did
    not move); `trigger` names the cause uniquely ("event:<key>" or "change:<id>") for
    the alert's dedupe key, so a replay cannot queue it twice. `batch` shares the rules'
    stored inputs between the leads of a batch and writes its alerts when the caller
    flushes it; without one, this lead's are read and its alert written at once.
    """
    spec = config.alerts
    if not spec.enabled or not spec.rules or lead.id is None:
        return False
    if batch is None:
        batch = AlertBatch(session, [lead.id], config, now)
        queued = queue_alerts(session, lead, result, before, config, now, trigger, event, batch)
        batch.flush()
        return queued
    model = config.model_for(lead.product)
    after = Snapshot(result.total, result.tier, result.qualified)
    batch.note_change(lead.id, before, after)
    names: set[str] = set()
    if event is not None and any(isinstance(r, NegativeSignalRule) for r in spec.rules):
        names = event_names(model, event.type, event.properties)
    if not might_fire(spec, before, after, model.tiers, names):
        return False
    inputs = batch.for_lead(lead.id)
    evaluation = evaluate(spec, before, after, model.tiers, inputs.states, inputs.lows, names)
    _note_states(batch, lead.id, inputs, evaluation.states)
    if not evaluation.fired:
        return False
    fired = after_cooldown(spec, evaluation.fired, inputs.last_alert_at, now)
    if not fired:
        log.info(
            "alert for lead %s suppressed by cooldown: %s",
            lead.id,
            "; ".join(f.reason for f in evaluation.fired),
        )
        return False
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
    batch.queue(
        {
            "lead_id": lead.id,
            "kind": fired[0].kind,
            "rule_id": fired[0].rule_id,
            "channel": route_channel(spec, lead),
            "dedupe_key": f"{lead.id}:{trigger}",
            "payload": payload,
            "status": "pending",
            "due_at": due_at(spec, now),
            "attempts": 0,
            "created_at": now,
        }
    )
    return True
