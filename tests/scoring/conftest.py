"""A small scoring config with round numbers, so tests can assert exact points."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from scoring.config import ScoringConfig
from scoring.config_loader import load_config_text
from scoring.inputs import AnswerRecord, EventRecord, LeadProfile

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday

TEST_CONFIG = """
slots:
  budget:    {label: Budget, max_age_days: 90}
  authority: {label: Authority}
  need:      {label: Need}
  timeline:  {label: Timeline, max_age_days: 60}
  priority:  {label: Priority}
  metrics:   {label: Metrics, choices: [quantified, vague, none]}
frameworks:
  bant: {label: BANT, slots: [budget, authority, need, timeline]}
  champ: {label: CHAMP, slots: [need, authority, budget, priority], labels: {need: Challenges}}
products:
  Big Plan: enterprise
models:
  default:
    weights: {fit: 0.5, engagement: 0.5}
    tiers: {hot: 70, warm: 40}
    grades:
      fit: {first: 75, second: 50, third: 25}
      engagement: {first: 75, second: 50, third: 25}
    fit:
      max_points: 100
      answers:
        budget: {confirmed: 20, planned: 10, unknown: 0, none: -10}
        budget_amount: [{min: 100000, points: 5}, {min: 10000, points: 2}]
        authority: {decision_maker: 20, champion: 10, influencer: 5, user: 1}
        need: {critical: 20, high: 15, moderate: 5, low: 1, none: -20}
        timeline:
          bands: [{within_days: 30, points: 20}, {within_days: 90, points: 10}]
          later: 2
          passed: -1
          unknown: 0
          none: -10
        priority: {top: 10, high: 5, none: -5}
        custom: {metrics: {quantified: 4, none: -2}}
      profile:
        seniority:
          - {id: c_level, label: C-level, points: 10, keywords: [ceo, cfo, chief]}
          - {id: vp, label: VP, points: 8, keywords: [vp, vice president]}
          - {id: junior, label: Junior, points: -10, keywords: [intern, student]}
        industry: {points: {software: 5}, other: 1, missing: -1}
        company_size: [{min: 1, max: 10, points: -5}, {min: 11, points: 5}]
        country: {points: {US: 3}, other: 0}
        email_domains:
          competitor: {label: Competitor, points: -50, domains: [rival.com]}
          student: {label: Student, points: -20, suffixes: [.edu]}
          free_mail: {label: Free mail, points: -15, domains: [gmail.com]}
    engagement:
      max_points: 100
      rules:
        - {id: pricing, label: Pricing page, event: page_viewed, points: 10,
           where: {path: {starts_with: /pricing}}, cap: {per_day: 1, per_week: 2}}
        - {id: visit, label: Visit, event: page_viewed, points: 1}
        - {id: demo, label: Demo, event: [demo_requested], points: 40,
           decay: {steps: [{after_days: 10, factor: 0.5}], max_age_days: 30}}
        - {id: email_open, label: Email open, event: email_opened, points: 4,
           decay: {half_life_days: 10, max_age_days: 40}}
        - {id: download, label: Download, event: content_downloaded, points: 6,
           cap: {once_per: asset_id}}
        - {id: video, label: Video, event: video_watched, points: 5,
           where: {percent_watched: {gte: 50}, "meta.kind": product}}
        - {id: unsubscribe, label: Unsubscribed, event: unsubscribed, points: -30}
      inactivity: {after_days: 30, points: -5, every_days: 10, max_penalty: -15}
    qualification:
      - {id: budget, label: Budget, slot: budget, in: [confirmed, planned]}
      - {id: authority, label: Authority, slot: authority, in: [decision_maker]}
      - {id: timeline, label: Timeline, slot: timeline, within_days: 90}
      - {id: fit, label: Fit, min_fit: 30}
    flags:
      urgent_but_inactive: {timeline_within_days: 30, inactive_days: 60}
      authority_title_mismatch: {junior_keywords: [intern, student]}
  enterprise:
    extends: default
    weights: {fit: 0.8, engagement: 0.2}
"""


@pytest.fixture(scope="session")
def config() -> ScoringConfig:
    return load_config_text(TEST_CONFIG, ScoringConfig, "test.yml")


def lead(**kw: Any) -> LeadProfile:
    kw.setdefault("email", "pat@acme.com")
    return LeadProfile(**kw)


def answer(slot: str, value: dict[str, Any], days_ago: float = 1, seq: int = 0) -> AnswerRecord:
    return AnswerRecord(slot, value, NOW - timedelta(days=days_ago), seq)


def event(name: str, days_ago: float, key: str | None = None, **props: Any) -> EventRecord:
    at = NOW - timedelta(days=days_ago)
    return EventRecord(name, at, key or f"{name}-{days_ago}-{sorted(props.items())}", props)


def points(result: Any, rule_id: str) -> float:
    """Raw points a rule contributed (summed over its contributions)."""
    return round(sum(c.points for c in result.contributions if c.rule_id == rule_id), 4)
