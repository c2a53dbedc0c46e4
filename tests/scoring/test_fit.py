"""Fit points from answers (unknown ≠ none, expiry, newest wins) and from the profile."""

from __future__ import annotations

import pytest

from scoring.config import ScoringConfig
from scoring.scorer import score
from tests.scoring.conftest import NOW, answer, lead, points

BUDGET_80K = {"status": "confirmed", "amount": 80000.0, "currency": "USD", "period": "year"}


def test_unknown_and_none_score_differently(config: ScoringConfig) -> None:
    unknown = score(lead(), [answer("budget", {"status": "unknown"})], [], config, NOW)
    none = score(lead(), [answer("budget", {"status": "none"})], [], config, NOW)
    assert points(unknown, "fit.answer.budget.unknown") == 0
    assert points(none, "fit.answer.budget.none") == -10
    need_unknown = score(lead(), [answer("need", {"level": None, "pains": []})], [], config, NOW)
    need_none = score(lead(), [answer("need", {"level": "none", "pains": []})], [], config, NOW)
    assert not any(c.rule_id.startswith("fit.answer.need") for c in need_unknown.contributions)
    assert points(need_none, "fit.answer.need.none") == -20


@pytest.mark.parametrize(
    ("value", "rule", "expected"),
    [
        (BUDGET_80K, "fit.answer.budget_amount.10000", 2),
        ({**BUDGET_80K, "amount": 9000.0, "period": "month"}, "fit.answer.budget_amount.100000", 5),
        ({**BUDGET_80K, "amount": 5000.0}, None, 0),
        ({**BUDGET_80K, "status": "none"}, None, 0),  # an amount with "no budget" earns nothing
    ],
)
def test_budget_amount_bands_use_annualized_amount(
    config: ScoringConfig, value: dict, rule: str | None, expected: float
) -> None:
    result = score(lead(), [answer("budget", value)], [], config, NOW)
    amount_rules = [c for c in result.contributions if c.rule_id.startswith("fit.answer.budget_am")]
    if rule is None:
        assert amount_rules == []
    else:
        assert [(c.rule_id, c.points) for c in amount_rules] == [(rule, expected)]


def test_newest_answer_counts_and_ties_break_by_storage_order(config: ScoringConfig) -> None:
    history = [
        answer("authority", {"role": "user"}, days_ago=10, seq=1),
        answer("authority", {"role": "decision_maker"}, days_ago=2, seq=2),
        answer("authority", {"role": "champion"}, days_ago=2, seq=3),
    ]
    result = score(lead(), history, [], config, NOW)
    assert result.answers["authority"].value == {"role": "champion"}
    assert result.answers["authority"].category == "champion"
    assert points(result, "fit.answer.authority.champion") == 10
    assert points(result, "fit.answer.authority.decision_maker") == 0


def test_expired_answer_counts_as_unknown_and_is_listed(config: ScoringConfig) -> None:
    result = score(lead(), [answer("budget", BUDGET_80K, days_ago=91)], [], config, NOW)
    assert result.expired == ["budget"]
    assert result.answers["budget"].category == "confirmed"  # what it says, though it expired
    assert points(result, "fit.answer.budget.confirmed") == 0
    assert any(m.id == "budget" and "expired" in m.reason for m in result.missing)
    fresh = score(lead(), [answer("budget", BUDGET_80K, days_ago=89)], [], config, NOW)
    assert fresh.expired == [] and points(fresh, "fit.answer.budget.confirmed") == 20


@pytest.mark.parametrize(
    ("value", "rule", "expected"),
    [
        ({"status": "known", "date": "2026-12-20", "horizon_days": 28}, "within_30", 20),
        ({"status": "known", "date": "2026-12-23", "horizon_days": 30}, "within_30", 20),
        ({"status": "known", "date": "2026-12-24", "horizon_days": 31}, "within_90", 10),
        ({"status": "known", "date": "2027-06-01", "horizon_days": 190}, "later", 2),
        ({"status": "known", "date": "2026-11-01", "horizon_days": 0}, "passed", -1),
        ({"status": "none", "date": None, "horizon_days": None}, "none", -10),
    ],
)
def test_timeline_bands_count_days_from_now(
    config: ScoringConfig, value: dict, rule: str, expected: float
) -> None:
    result = score(lead(), [answer("timeline", value)], [], config, NOW)
    assert points(result, f"fit.answer.timeline.{rule}") == expected


def test_custom_slot_points(config: ScoringConfig) -> None:
    result = score(lead(), [answer("metrics", {"choice": "quantified"})], [], config, NOW)
    assert points(result, "fit.answer.metrics.quantified") == 4


@pytest.mark.parametrize(
    ("profile", "rule", "expected"),
    [
        ({"title": "Chief Financial Officer"}, "fit.profile.seniority.c_level", 10),
        ({"title": "VP Sales"}, "fit.profile.seniority.vp", 8),
        ({"title": "Sales Intern"}, "fit.profile.seniority.junior", -10),
        ({"title": "Vice President, Student Programs"}, "fit.profile.seniority.vp", 8),
        ({"industry": "Software"}, "fit.profile.industry.software", 5),
        ({"industry": "Mining"}, "fit.profile.industry.mining", 1),
        ({}, "fit.profile.industry.missing", -1),
        ({"company_size": 10}, "fit.profile.company_size.1-10", -5),
        ({"company_size": 11}, "fit.profile.company_size.11+", 5),
        ({"country": "us"}, "fit.profile.country.US", 3),
        ({"email": "x@rival.com"}, "fit.profile.email_domain.competitor", -50),
        ({"email": "x@cs.stanford.edu"}, "fit.profile.email_domain.student", -20),
        ({"email": "x@gmail.com"}, "fit.profile.email_domain.free_mail", -15),
    ],
)
def test_profile_rules(config: ScoringConfig, profile: dict, rule: str, expected: float) -> None:
    result = score(lead(**profile), [], [], config, NOW)
    assert points(result, rule) == expected
    # title rules: first match wins, so only one seniority contribution
    assert len([c for c in result.contributions if ".seniority." in c.rule_id]) <= 1


def test_word_boundaries_in_title_keywords(config: ScoringConfig) -> None:
    result = score(lead(title="Director of Chiefly Things"), [], [], config, NOW)
    assert not any(".seniority." in c.rule_id for c in result.contributions)


def test_a_title_seen_before_scores_as_the_first_time(config: ScoringConfig) -> None:
    def seniority(title: str) -> list[str]:
        result = score(lead(title=title), [], [], config, NOW)
        return [c.rule_id for c in result.contributions if ".seniority." in c.rule_id]

    first = [seniority(t) for t in ("VP Sales", "Sales Intern", "Account Manager")]
    assert first == [["fit.profile.seniority.vp"], ["fit.profile.seniority.junior"], []]
    assert [seniority(t) for t in ("VP Sales", "Sales Intern", "Account Manager")] == first
