"""Engagement: behavioural events folded into a compact state, then scored at a time.

The state holds, per rule, the events that can still count (`(timestamp, key, tag)`,
sorted), the time of the last positive activity and `n`, how many events were folded in
(a stored state whose `n` is the lead's stored event count holds all of them). Folding
events in any order gives the same state, so one new event applied to the stored state
(`apply_event`) equals a full recompute (`build_state`) — see
tests/scoring/test_incremental.py.

Pruning is exact: beyond the first `per_day` events of a UTC day nothing can count, and a
`once_per` tag counts only at its first occurrence.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from scoring.compiled import CompiledRule, compile_model, match_event
from scoring.config import ScoringModel
from scoring.inputs import EventRecord
from scoring.result import Contribution

Entry = tuple[float, str, str | None]  # (unix time, event key, once_per tag)
STATE_VERSION = 2  # 2: "n", the number of events folded in
DAY = 86400.0


class StaleStateError(ValueError):
    """The stored state was built with other engagement rules: rebuild it from the events."""


def empty_state(model: ScoringModel) -> dict[str, Any]:
    fingerprint = compile_model(model).fingerprint
    return {"v": STATE_VERSION, "fp": fingerprint, "rules": {}, "last": None, "n": 0}


def _day(ts: float) -> int:
    return int(ts // DAY)


def _week(ts: float) -> int:
    return (_day(ts) + 3) // 7  # ISO weeks start on Monday; 1970-01-01 was a Thursday


def _insert(entries: list[Entry], entry: Entry, rule: CompiledRule) -> list[Entry]:
    """A new sorted list with `entry` added and the prune rules applied."""
    if rule.once_per is not None:
        for i, old in enumerate(entries):
            if old[2] == entry[2]:
                if old <= entry:
                    return entries
                out = entries[:i] + entries[i + 1 :]
                bisect.insort(out, entry)
                return out
    if entry in entries:
        return entries
    out = list(entries)
    bisect.insort(out, entry)
    if rule.per_day is not None:
        day_start = _day(entry[0]) * DAY
        lo = bisect.bisect_left(out, day_start, key=lambda e: e[0])
        hi = bisect.bisect_left(out, day_start + DAY, key=lambda e: e[0])
        if hi - lo > rule.per_day:
            del out[lo + rule.per_day : hi]
    return out


def apply_event(state: dict[str, Any], event: EventRecord, model: ScoringModel) -> dict[str, Any]:
    """The state after one more event (a new dict; `state` is not changed).

    Apply each stored event once: the state counts them (`n`).
    """
    compiled = compile_model(model)
    if state.get("fp") != compiled.fingerprint or state.get("v") != STATE_VERSION:
        raise StaleStateError("engagement state was built with other rules; rebuild it")
    _, rule, tag = match_event(compiled, event.type, event.properties)
    n = state["n"] + 1
    if rule is None:
        return {**state, "n": n}
    ts = event.occurred_at.timestamp()
    entry: Entry = (ts, event.key, tag)
    rules: dict[str, list[Entry]] = dict(state["rules"])
    rules[rule.rule.id] = _insert(rules.get(rule.rule.id, []), entry, rule)
    last = state["last"]
    if rule.positive and (last is None or ts > last):
        last = ts
    return {"v": STATE_VERSION, "fp": state["fp"], "rules": rules, "last": last, "n": n}


def build_state(events: Iterable[EventRecord], model: ScoringModel) -> dict[str, Any]:
    """The state of a whole event history (the full recompute)."""
    compiled = compile_model(model)
    memo = compiled.matches
    per_rule: dict[int, list[Entry]] = {}
    last: float | None = None
    n = 0
    for event in events:
        n += 1
        props = event.properties
        hit = memo.get((event.type, id(props))) or match_event(compiled, event.type, props)
        rule = hit[1]
        if rule is None:
            continue
        ts = event.occurred_at.timestamp()
        entries = per_rule.get(rule.index)
        if entries is None:
            entries = per_rule[rule.index] = []
        entries.append((ts, event.key, hit[2]))
        if rule.positive and (last is None or ts > last):
            last = ts
    out: dict[str, list[Entry]] = {}
    for index in sorted(per_rule):
        rule = compiled.rules[index]
        entries = per_rule[index]
        # One entry is sorted and within every cap (caps allow at least one event).
        out[rule.rule.id] = (
            entries if len(entries) == 1 else _prune_sorted(sorted(set(entries)), rule)
        )
    return {"v": STATE_VERSION, "fp": compiled.fingerprint, "rules": out, "last": last, "n": n}


def _prune_sorted(entries: list[Entry], rule: CompiledRule) -> list[Entry]:
    if rule.once_per is not None:
        seen: set[str | None] = set()
        kept = []
        for e in entries:
            if e[2] not in seen:
                seen.add(e[2])
                kept.append(e)
        return kept
    if rule.per_day is None:
        return entries
    kept, day, n = [], None, 0
    for e in entries:
        d = int(e[0] // DAY)
        n = n + 1 if d == day else 1
        day = d
        if n <= rule.per_day:
            kept.append(e)
    return kept


def is_current(state: dict[str, Any], model: ScoringModel, events_stored: int) -> bool:
    """Whether a stored state holds exactly the lead's `events_stored` events under the
    model's current rules, so scoring from it equals a full recompute."""
    return (
        state.get("v") == STATE_VERSION
        and state.get("fp") == compile_model(model).fingerprint
        and state.get("n") == events_stored
    )


def state_to_json(state: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready copy (tuples become lists)."""
    return {**state, "rules": {k: [list(e) for e in v] for k, v in state["rules"].items()}}


def state_from_json(data: dict[str, Any]) -> dict[str, Any]:
    rules = {k: [(float(e[0]), str(e[1]), e[2]) for e in v] for k, v in data["rules"].items()}
    return {
        "v": data.get("v"),
        "fp": data.get("fp"),
        "rules": rules,
        "last": data.get("last"),
        "n": data.get("n"),
    }


def compact_state(state: dict[str, Any], model: ScoringModel, now: datetime) -> dict[str, Any]:
    """Drop entries that can never count again (whole ISO weeks beyond max_age_days).

    Scores at `now` or later are unchanged: such entries give 0 points, and their week's
    cap can only concern events that are just as old.
    """
    compiled = compile_model(model)
    now_ts = now.timestamp()
    rules: dict[str, list[Entry]] = {}
    for rule_id, entries in state["rules"].items():
        rule = compiled.rules_by_id[rule_id]
        decay = rule.rule.decay
        if rule.once_per is None and decay is not None and decay.max_age_days is not None:
            horizon_week = _week(now_ts - decay.max_age_days * DAY)
            cutoff = (horizon_week * 7 - 3) * DAY  # the Monday that starts that week
            if entries and entries[0][0] < cutoff:
                entries = [e for e in entries if e[0] >= cutoff]
        if entries:
            rules[rule_id] = entries
    return {**state, "rules": rules}


def engagement_contributions(
    state: dict[str, Any], model: ScoringModel, now: datetime
) -> list[Contribution]:
    """Raw-point contributions of every event that counts at `now` (score_points unset)."""
    compiled = compile_model(model)
    if state.get("fp") != compiled.fingerprint:
        raise StaleStateError("engagement state was built with other rules; rebuild it")
    now_ts = now.timestamp()
    out: list[Contribution] = []
    by_rule = state["rules"]
    for rule in compiled.rules:
        entries = by_rule.get(rule.rule.id)
        if not entries:
            continue
        points, label, key, decay, per_week = (
            rule.rule.points,
            rule.rule.label,
            rule.key,
            rule.decay,
            rule.per_week,
        )
        week, n = None, 0
        for ts, ref, _tag in entries:
            if per_week is not None:
                w = (int(ts // DAY) + 3) // 7  # ISO week, as _week
                n = n + 1 if w == week else 1
                week = w
                if n > per_week:
                    continue
            factor = decay((now_ts - ts) / DAY if ts < now_ts else 0.0)
            if factor:
                out.append(Contribution(key, label, points * factor, 0.0, "event", ts, ref))
    inactivity = model.engagement.inactivity
    last = state["last"]
    if inactivity is not None and last is not None:
        idle_days = (now_ts - last) / DAY
        if idle_days >= inactivity.after_days:
            steps = 1
            if inactivity.every_days:
                steps += int((idle_days - inactivity.after_days) // inactivity.every_days)
            penalty = inactivity.points * steps
            if inactivity.max_penalty is not None:
                penalty = max(penalty, inactivity.max_penalty)
            out.append(
                Contribution(
                    "engagement.inactivity",
                    f"No activity for {int(idle_days)} days",
                    penalty,
                    0.0,
                    "inactivity",
                    last,
                    None,
                )
            )
    return out
