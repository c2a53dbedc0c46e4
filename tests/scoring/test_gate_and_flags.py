"""Grades, tiers, the qualified gate and contradiction flags, at their edges."""

from __future__ import annotations

import pytest

from scoring.config import ScoringConfig
from scoring.gate import band_index, grade, tier
from scoring.scorer import score
from tests.scoring.conftest import NOW, answer, event, lead

QUALIFYING = [
    answer("budget", {"status": "planned", "amount": None, "currency": None, "period": None}),
    answer("authority", {"role": "decision_maker", "person": None, "title": None}),
    answer("timeline", {"status": "known", "date": "2027-02-21", "horizon_days": 90}),
    answer("need", {"level": "critical", "pains": ["manual reporting"]}),
]


@pytest.mark.parametrize(
    ("value", "index"), [(100, 0), (75, 0), (74.99, 1), (50, 1), (25, 2), (24.9, 3), (0, 3)]
)
def test_band_edges(config: ScoringConfig, value: float, index: int) -> None:
    assert band_index(config.models["default"].grades.fit, value) == index


def test_grade_letter_from_fit_digit_from_engagement(config: ScoringConfig) -> None:
    model = config.models["default"]
    assert grade(model, 80, 10) == "A4"
    assert grade(model, 10, 80) == "D1"
    assert grade(model, 50, 50) == "B2"


@pytest.mark.parametrize(
    ("total", "expected"), [(70, "hot"), (69.9, "warm"), (40, "warm"), (39.9, "cold")]
)
def test_tier_edges(config: ScoringConfig, total: float, expected: str) -> None:
    assert tier(config.models["default"], total) == expected


def test_qualified_when_every_criterion_holds(config: ScoringConfig) -> None:
    result = score(lead(), QUALIFYING, [], config, NOW)
    # planned 10 + decision maker 20 + decision in 90 days 10 + critical 20 - industry missing 1
    assert result.fit == 59.0
    assert result.total == 29.5  # half fit, half (zero) engagement
    assert result.qualified and result.missing == []


def test_missing_criteria_say_why(config: ScoringConfig) -> None:
    answers = [
        answer("budget", {"status": "none"}),
        answer("timeline", {"status": "known", "date": "2027-06-01", "horizon_days": 190}),
    ]
    result = score(lead(), answers, [], config, NOW)
    reasons = {m.id: m.reason for m in result.missing}
    assert reasons == {
        "budget": "budget is none (needs confirmed or planned)",
        "authority": "authority not asked yet",
        "timeline": "decision in 190 days (needs ≤ 90)",
        "fit": "fit 0 is below 30",
    }
    assert not result.qualified


def test_urgent_timeline_without_activity_is_flagged(config: ScoringConfig) -> None:
    soon = answer("timeline", {"status": "known", "date": "2026-12-10", "horizon_days": 17})
    idle = score(lead(), [soon], [event("Email Opened", 61)], config, NOW)
    active = score(lead(), [soon], [event("Email Opened", 3)], config, NOW)
    assert [f.code for f in idle.flags] == ["urgent_but_inactive"]
    assert "no activity for 61 days" in idle.flags[0].message
    assert active.flags == []


def test_decision_maker_with_junior_title_is_flagged(config: ScoringConfig) -> None:
    dm = answer("authority", {"role": "decision_maker", "person": None, "title": None})
    result = score(lead(title="Marketing Intern"), [dm], [], config, NOW)
    assert [f.code for f in result.flags] == ["authority_title_mismatch"]
    assert score(lead(title="CEO"), [dm], [], config, NOW).flags == []


def test_budget_without_need_and_passed_timeline(config: ScoringConfig) -> None:
    answers = [
        answer(
            "budget",
            {"status": "confirmed", "amount": 5000.0, "currency": "EUR", "period": "one_time"},
        ),
        answer("need", {"level": "none", "pains": []}),
        answer("timeline", {"status": "known", "date": "2026-11-01", "horizon_days": 10}, 30),
    ]
    codes = {f.code for f in score(lead(), answers, [], config, NOW).flags}
    assert codes == {"budget_without_need", "timeline_passed"}


def test_negative_signal_on_warm_lead(config: ScoringConfig) -> None:
    events = [
        event("Demo Requested", 1, "d1"),
        event("Demo Requested", 2, "d2"),
        event("Unsubscribed", 1),
    ]
    result = score(
        lead(title="CEO", industry="Software", company_size=50, country="US"),
        QUALIFYING,
        events,
        config,
        NOW,
    )
    assert result.tier in ("warm", "hot")
    assert "negative_signal" in {f.code for f in result.flags}


def test_capped_engagement_and_inactivity_are_no_negative_signal(config: ScoringConfig) -> None:
    """Only a negative event (unsubscribe, hard bounce) is one: not the cap adjustment
    of a very engaged lead, nor the inactivity penalty."""
    demos = [event("Demo Requested", day, f"d{day}") for day in range(1, 9)]
    hot = score(
        lead(title="CEO", industry="Software", company_size=50, country="US"),
        QUALIFYING,
        demos + [event("Pricing Page Viewed", day, f"p{day}") for day in range(1, 9)],
        config,
        NOW,
    )
    assert hot.tier == "hot"
    assert "engagement.cap" in {c.rule_id for c in hot.contributions}
    assert "negative_signal" not in {f.code for f in hot.flags}

    idle = score(
        lead(title="CEO", industry="Software", company_size=50, country="US"),
        QUALIFYING,
        [event("Demo Requested", 70, "d70")],
        config,
        NOW,
    )
    assert idle.tier in ("warm", "hot")
    assert "engagement.inactivity" in {c.rule_id for c in idle.contributions}
    assert "negative_signal" not in {f.code for f in idle.flags}
