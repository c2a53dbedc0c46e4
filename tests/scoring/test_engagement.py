"""Engagement rules: filters, first match, decay, caps, negatives, floor, inactivity."""

from __future__ import annotations

import json
import math
from datetime import timedelta

import pytest

from scoring.config import ScoringConfig
from scoring.decay import decay_factor
from scoring.inputs import EventRecord
from scoring.result import RuleTotal, ScoreResult
from scoring.scorer import score
from tests.scoring.conftest import NOW, answer, event, lead, points


def run(config: ScoringConfig, *events: EventRecord) -> ScoreResult:
    return score(lead(), [], list(events), config, NOW)


def engagement(result: ScoreResult) -> list[str]:
    return [c.rule_id for c in result.contributions if c.rule_id.startswith("engagement.")]


def test_property_filter_and_first_matching_rule(config: ScoringConfig) -> None:
    result = run(
        config,
        event("Page Viewed", 1, path="/pricing/teams"),
        event("page_viewed", 1.5, path="/blog"),
    )
    assert points(result, "engagement.pricing") == pytest.approx(10)
    assert points(result, "engagement.visit") == 1  # the blog visit; pricing is not counted twice


def test_numeric_and_nested_conditions(config: ScoringConfig) -> None:
    watched = run(config, event("Video Watched", 1, percent_watched="75", meta={"kind": "product"}))
    short = run(config, event("Video Watched", 1, percent_watched=20, meta={"kind": "product"}))
    other = run(config, event("Video Watched", 1, percent_watched=90, meta={"kind": "hr"}))
    assert points(watched, "engagement.video") == 5
    assert points(short, "engagement.video") == 0
    assert points(other, "engagement.video") == 0


def test_unknown_events_are_ignored(config: ScoringConfig) -> None:
    assert engagement(run(config, event("Logged In", 1))) == []


def test_half_life_decay(config: ScoringConfig) -> None:
    result = run(config, event("Email Opened", 10))
    assert points(result, "engagement.email_open") == pytest.approx(2.0)  # one half-life
    assert "engagement.email_open" not in engagement(run(config, event("Email Opened", 41)))


def test_step_decay() -> None:
    from scoring.config import Decay

    decay = Decay.model_validate(
        {"steps": [{"after_days": 30, "factor": 0.5}, {"after_days": 90, "factor": 0.1}]}
    )
    assert [decay_factor(decay, d) for d in (0, 29.9, 30, 89, 90, 400)] == [
        1,
        1,
        0.5,
        0.5,
        0.1,
        0.1,
    ]
    assert decay_factor(Decay(half_life_days=7, max_age_days=14), 14) == pytest.approx(0.25)
    assert decay_factor(Decay(half_life_days=7, max_age_days=14), 14.01) == 0
    assert math.isclose(decay_factor(None, 1000), 1)


def test_caps_per_day_and_per_week(config: ScoringConfig) -> None:
    # NOW is Monday noon. Three visits today count once (per_day 1); last week (Mon-Sun)
    # had four visits on separate days: only the first two count (per_week 2).
    today = [event("Page Viewed", h / 24, f"t{h}", path="/pricing") for h in (1, 2, 3)]
    last_week = [event("Page Viewed", d, f"w{d}", path="/pricing") for d in (2, 3, 4, 5)]
    result = run(config, *today, *last_week)
    counted = [c for c in result.contributions if c.rule_id == "engagement.pricing"]
    assert sorted(str(c.ref) for c in counted) == ["t3", "w4", "w5"]  # earliest of each window


def test_once_per_asset(config: ScoringConfig) -> None:
    result = run(
        config,
        event("Content Downloaded", 5, "a", asset_id="ebook"),
        event("Content Downloaded", 2, "b", asset_id="ebook"),
        event("Content Downloaded", 1, "c", asset_id="guide"),
    )
    counted = sorted(str(c.ref) for c in result.contributions if c.rule_id == "engagement.download")
    assert counted == ["a", "c"]


def test_negative_events_and_floor_at_zero(config: ScoringConfig) -> None:
    result = run(config, event("Unsubscribed", 1), event("Page Viewed", 1, path="/docs"))
    assert points(result, "engagement.unsubscribe") == -30
    assert points(result, "engagement.floor") == 29  # -30 + 1 floored to 0, visibly
    assert result.engagement == 0
    assert sum(c.score_points for c in result.contributions) == pytest.approx(
        result.total, abs=0.05
    )


def test_engagement_capped_at_max_points(config: ScoringConfig) -> None:
    demos = [event("Demo Requested", d / 10, f"d{d}") for d in range(5)]
    result = run(config, *demos)
    assert points(result, "engagement.demo") == 200
    assert points(result, "engagement.cap") == -100
    assert result.engagement == 100


@pytest.mark.parametrize(("idle", "penalty"), [(29, 0), (30, -5), (39, -5), (40, -10), (80, -15)])
def test_inactivity_penalty(config: ScoringConfig, idle: float, penalty: float) -> None:
    result = run(config, event("Content Downloaded", idle, asset_id="x"))
    assert points(result, "engagement.inactivity") == penalty


def test_negative_events_do_not_count_as_activity(config: ScoringConfig) -> None:
    result = run(config, event("Content Downloaded", 45, asset_id="x"), event("Unsubscribed", 1))
    assert points(result, "engagement.inactivity") == -10  # 30 days, then one more 10-day step
    assert result.last_activity_at is not None and (NOW - result.last_activity_at).days == 45


def test_all_operators_of_one_condition_must_hold() -> None:
    from scoring.compiled import _rule_predicate
    from scoring.config import EngagementRule

    rule = EngagementRule.model_validate(
        {
            "id": "mid",
            "label": "Mid",
            "event": "x",
            "points": 1,
            "where": {"percent": {"gte": 25, "lt": 75}, "path": {"in": ["/A", "/b"]}},
        }
    )
    matches = _rule_predicate(rule)
    assert matches({"percent": 50, "path": "/a"})
    assert not matches({"percent": 80, "path": "/a"})
    assert not matches({"percent": 10, "path": "/b"})
    assert not matches({"percent": 50, "path": "/c"})
    assert not matches({"path": "/a"})


def test_contributions_say_when(config: ScoringConfig) -> None:
    demo = event("Demo Requested", 2.25)
    result = score(lead(), [answer("need", {"level": "high"}, days_ago=3.5)], [demo], config, NOW)
    by_source = {c.source: c for c in result.contributions}
    assert by_source["event"].at == demo.occurred_at and by_source["event"].ref == demo.key
    assert by_source["answer"].at == NOW - timedelta(days=3.5)
    assert by_source["profile"].at is None
    shown = {c["source"]: c for c in result.to_dict()["contributions"]}
    assert shown["event"]["at"] == demo.occurred_at.isoformat() and "ts" not in shown["event"]
    totals = {t.source: t for t in result.by_rule()}
    assert totals["event"].last_at == demo.occurred_at
    assert totals["event"].last_ts == demo.occurred_at.timestamp()
    assert totals["profile"].last_at is None


def test_breakdown_sums_each_rule_and_stores_compact_rows(config: ScoringConfig) -> None:
    events = [event("Demo Requested", d) for d in (1.5, 9.0, 20.0)]
    result = score(lead(), [answer("need", {"level": "high"}, days_ago=3.5)], events, config, NOW)
    totals = result.by_rule()
    demo = next(t for t in totals if t.rule_id == "engagement.demo")
    parts = [c for c in result.contributions if c.rule_id == "engagement.demo"]
    assert demo.count == len(parts) == 3
    assert demo.points == round(sum(c.points for c in parts), 2)
    assert demo.score_points == round(sum(c.score_points for c in parts), 2)
    assert demo.last_at == events[0].occurred_at  # the latest of the three
    effects = [(-abs(t.score_points), t.rule_id) for t in totals]
    assert effects == sorted(effects)
    assert sum(t.score_points for t in totals) == pytest.approx(result.total, abs=0.1)
    stored = result.breakdown()
    assert stored[totals.index(demo)] == [
        "engagement.demo",
        demo.label,
        "event",
        3,
        demo.points,
        demo.score_points,
        demo.last_ts,
    ]
    assert [RuleTotal.from_json(row) for row in json.loads(json.dumps(stored))] == totals
