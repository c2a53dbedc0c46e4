"""Pure alert rules on a fake clock: hysteresis, qualified, jump, negative signal, routing,
cooldown, quiet hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from scoring.alert_rules import (
    Snapshot,
    after_cooldown,
    due_at,
    evaluate,
    might_fire,
    route_channel,
)
from scoring.config import Tiers
from scoring.notify_config import AlertsSpec, TimeWindow

TIERS = Tiers(hot=75, warm=45)
NOW = datetime(2026, 11, 23, 15, tzinfo=UTC)  # a Monday, 10:00 in New York


def spec(**kw: object) -> AlertsSpec:
    base: dict[str, object] = {
        "rules": [
            {"id": "became_hot", "kind": "tier_entered", "tier": "hot", "leave_margin": 10},
            {"id": "became_qualified", "kind": "qualified"},
            {"id": "surge", "kind": "jump", "points": 20, "window_hours": 24},
            {
                "id": "hot_unsub",
                "kind": "negative_signal",
                "events": ["unsubscribe"],
                "min_tier": "hot",
            },
        ]
    }
    return AlertsSpec.model_validate({**base, **kw})


def snap(total: float, qualified: bool = False) -> Snapshot:
    tier = "hot" if total >= 75 else "warm" if total >= 45 else "cold"
    return Snapshot(total, tier, qualified)


def run_series(totals: list[float]) -> list[list[str]]:
    """Feed a lead's totals one by one, keeping the hysteresis state like the outbox does."""
    s = spec(rules=[{"id": "hot", "kind": "tier_entered", "tier": "hot", "leave_margin": 10}])
    states: dict[str, bool] = {}
    fired = []
    before: Snapshot | None = None
    for total in totals:
        after = snap(total)
        ev = evaluate(s, before, after, TIERS, states)
        states.update(ev.states)
        fired.append([f.reason for f in ev.fired])
        before = after
    return fired


def test_bouncing_around_the_threshold_alerts_once() -> None:
    fired = run_series([60, 76, 73, 77, 70, 80, 66, 79])
    assert fired[1] == ["entered hot (76.0 ≥ 75)"]
    assert sum(len(f) for f in fired) == 1


def test_falling_below_the_margin_rearms() -> None:
    fired = run_series([60, 80, 64, 70, 78])
    assert [i for i, f in enumerate(fired) if f] == [1, 4]


def test_rearmed_by_a_drop_the_rules_never_saw() -> None:
    """Decay rescores don't evaluate rules: a stored-active state re-arms when the score the
    next event starts from is below the margin."""
    s = spec()
    ev = evaluate(s, snap(50), snap(80), TIERS, {"became_hot": True})
    assert [f.rule_id for f in ev.fired] == ["became_hot", "surge"]
    assert ev.states == {"became_hot": True}


def test_a_lead_already_hot_without_state_does_not_alert() -> None:
    ev = evaluate(spec(), snap(80), snap(85), TIERS, {})
    assert ev.fired == [] and ev.states == {"became_hot": True}


def test_qualified_fires_on_the_transition_only() -> None:
    s = spec()
    assert [f.rule_id for f in evaluate(s, snap(50), snap(52, True), TIERS, {}).fired] == [
        "became_qualified"
    ]
    assert evaluate(s, snap(50, True), snap(52, True), TIERS, {}).fired == []


def test_jump_within_window_fires_when_the_rise_crosses_the_points() -> None:
    s = spec()
    # the lowest total of the last 24 h was 30: 30 → 44 → 52 crosses +20 at 52
    assert evaluate(s, snap(30), snap(44), TIERS, {}, {"surge": 30}).fired == []
    ev = evaluate(s, snap(44), snap(52), TIERS, {}, {"surge": 30})
    assert [(f.rule_id, f.reason) for f in ev.fired] == [
        ("surge", "up 22.0 points within 24h (30.0 → 52.0)")
    ]
    # already above +20 before this change: no second surge alert
    assert evaluate(s, snap(52), snap(56), TIERS, {}, {"surge": 30}).fired == []
    # nothing lower in the window: only this change counts
    assert evaluate(s, snap(44), snap(52), TIERS, {}, {}).fired == []


def test_negative_signal_on_a_hot_lead() -> None:
    s = spec()
    ev = evaluate(s, snap(82), snap(70), TIERS, {"became_hot": True}, names={"unsubscribe"})
    assert [(f.rule_id, f.reason) for f in ev.fired] == [
        ("hot_unsub", "unsubscribe while hot (70.0 now)")
    ]
    assert evaluate(s, snap(50), snap(40), TIERS, {}, names={"unsubscribe"}).fired == []
    assert might_fire(s, snap(82), snap(82), TIERS, {"unsubscribe"})


def test_might_fire_skips_changes_no_rule_can_use() -> None:
    s = spec()
    assert not might_fire(s, snap(20), snap(20), TIERS)  # nothing moved
    assert not might_fire(s, snap(20), snap(15), TIERS)  # a cold lead cooling
    assert might_fire(s, snap(64), snap(66), TIERS)  # inside the hysteresis band
    assert not might_fire(spec(enabled=False), snap(50), snap(90), TIERS)


@dataclass
class FakeLead:
    product: str | None = None
    company_size: int | None = None
    country: str | None = None
    owner: str | None = None


ROUTING = {
    "channel": "#sales-alerts",
    "segments": {"smb": {"max": 200}, "enterprise": {"min": 1001}},
    "territories": {"emea": ["GB", "DE"], "na": ["US", "CA"]},
    "routes": [
        {"product": ["enterprise"], "channel": "#enterprise-deals"},
        {"owner": ["U0VIP"], "channel": "#vip"},
        {"territory": ["emea"], "segment": ["enterprise"], "channel": "#emea-enterprise"},
        {"territory": ["emea"], "channel": "#sales-emea"},
        {"segment": ["smb"], "channel": "#sales-velocity"},
    ],
}


def test_routing_first_matching_route_wins() -> None:
    s = spec(**ROUTING)
    assert route_channel(s, FakeLead(product="enterprise", country="DE")) == "#enterprise-deals"
    assert route_channel(s, FakeLead(owner="U0VIP", company_size=50)) == "#vip"
    assert route_channel(s, FakeLead(country="de", company_size=5000)) == "#emea-enterprise"
    assert route_channel(s, FakeLead(country="GB", company_size=500)) == "#sales-emea"
    assert route_channel(s, FakeLead(country="US", company_size=80)) == "#sales-velocity"
    assert route_channel(s, FakeLead(country="US", company_size=500)) == "#sales-alerts"
    assert route_channel(s, FakeLead()) == "#sales-alerts"  # unknown size/country


def test_cooldown_is_per_lead_and_negative_signals_bypass_it() -> None:
    s = spec(cooldown_minutes=240)
    ev = evaluate(s, snap(60, False), snap(80, True), TIERS, {})
    last = NOW - timedelta(minutes=239)
    assert after_cooldown(s, ev.fired, last, NOW) == []
    assert after_cooldown(s, ev.fired, NOW - timedelta(minutes=240), NOW) == ev.fired
    assert after_cooldown(s, ev.fired, None, NOW) == ev.fired
    neg = evaluate(s, snap(82), snap(70), TIERS, {"became_hot": True}, names={"unsubscribe"})
    assert after_cooldown(s, neg.fired, last, NOW) == neg.fired


def test_quiet_hours_defer_to_their_end() -> None:
    quiet = TimeWindow(start=time(21), end=time(7), timezone="America/New_York")
    s = spec(quiet_hours=quiet.model_dump())
    assert due_at(s, NOW) == NOW  # 10:00 in New York
    night = datetime(2026, 11, 24, 3, tzinfo=UTC)  # 22:00 in New York
    assert due_at(s, night) == datetime(2026, 11, 24, 12, tzinfo=UTC)  # 07:00 next morning
    assert due_at(spec(), night) == night
