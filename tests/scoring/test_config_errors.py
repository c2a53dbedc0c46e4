"""config.yml problems are reported with file, line and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.config import ScoringConfig
from scoring.config_loader import ConfigError, load_config_text
from tests.scoring.conftest import TEST_CONFIG

SHIPPED = (Path(__file__).resolve().parents[2] / "config.yml").read_text()


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config_text(text, ScoringConfig, "config.yml")
    return [str(p) for p in info.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_shipped_config_is_valid_and_has_two_models() -> None:
    config = load_config_text(SHIPPED, ScoringConfig)
    assert set(config.models) == {"default", "enterprise"}
    assert set(config.frameworks) == {"bant", "champ"}
    assert config.model_for("Qualibot Enterprise").name == "enterprise"
    assert config.model_for("something else").name == "default"
    assert config.model_for(None).name == "default"
    # inherited from default, overridden where enterprise says so
    enterprise = config.models["enterprise"]
    assert enterprise.weights.fit == 0.7
    assert enterprise.engagement == config.models["default"].engagement


def test_misspelled_key_names_the_line() -> None:
    bad = SHIPPED.replace("    tiers: {hot: 75, warm: 45}", "    teirs: {hot: 75, warm: 45}")
    found = problems(bad)
    line = line_of(bad, "teirs:")
    assert f"config.yml:{line}:5: models.default.teirs: unknown key (typo?)" in found
    assert any("models.default.tiers: Field required" in p for p in found)


def test_wrong_type_and_bad_value() -> None:
    bad = TEST_CONFIG.replace("points: 10,\n           where", "points: ten,\n           where")
    found = problems(bad)
    assert any("engagement.rules[0].points: Input should be a valid number" in p for p in found)
    assert found[0].startswith(f"config.yml:{line_of(bad, 'points: ten')}:")


def test_unknown_slot_value_in_points_table() -> None:
    bad = TEST_CONFIG.replace("budget: {confirmed: 20,", "budget: {confirmd: 20,")
    found = problems(bad)
    assert len(found) == 1, found  # reported once, though `enterprise` inherits it
    assert f"config.yml:{line_of(bad, 'confirmd')}:" in found[0]
    assert "fit.answers.budget.confirmd" in found[0]


def test_error_in_inherited_setting_points_at_the_parent_block() -> None:
    bad = TEST_CONFIG.replace("tiers: {hot: 70, warm: 40}", "tiers: {hot: 30, warm: 40}")
    found = problems(bad)
    assert found == [
        f"config.yml:{line_of(bad, 'hot: 30')}:5: models.default.tiers: "
        "warm (40) must be below hot (30)"
    ]


def test_duplicate_key_and_yaml_syntax() -> None:
    dup = TEST_CONFIG.replace("tiers: {hot: 70, warm: 40}", "tiers: {hot: 70, hot: 80, warm: 40}")
    assert problems(dup) == [
        f"config.yml:{line_of(dup, 'hot: 80')}:22: invalid YAML: duplicate key 'hot'"
    ]
    broken = TEST_CONFIG.replace("weights: {fit: 0.5, engagement: 0.5}", "weights: {fit: 0.5")
    (msg,) = problems(broken)
    assert msg.startswith("config.yml:") and "invalid YAML" in msg


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "weights: {fit: 0.5, engagement: 0.5}",
            "weights: {fit: 0.6, engagement: 0.5}",
            "fit + engagement must be 1",
        ),
        ("Big Plan: enterprise", "Big Plan: enterprize", "unknown model 'enterprize'"),
        (
            "bant: {label: BANT, slots: [budget,",
            "bant: {label: BANT, slots: [budgit,",
            "unknown slot 'budgit'",
        ),
        ("extends: default", "extends: missing", "unknown model 'missing'"),
        (
            "cap: {once_per: asset_id}",
            "cap: {once_per: asset_id, per_day: 2}",
            "once_per cannot be combined",
        ),
        (
            "custom: {metrics: {quantified: 4,",
            "custom: {metrics: {quantifyed: 4,",
            "unknown choice(s) quantifyed",
        ),
        (
            "{id: fit, label: Fit, min_fit: 30}",
            "{id: fit, label: Fit}",
            "a criterion needs exactly one of slot, min_fit, min_engagement",
        ),
        ("half_life_days: 10,", "half_life_days: 10, steps: [],", "either half_life_days or steps"),
        (
            "first: 75, second: 50, third: 25}\n      engagement",
            "first: 50, second: 75, third: 25}\n      engagement",
            "bands must decrease",
        ),
    ],
)
def test_semantic_errors(old: str, new: str, expected: str) -> None:
    assert old in TEST_CONFIG
    found = problems(TEST_CONFIG.replace(old, new))
    assert any(expected in p for p in found), found
    assert all(p.startswith("config.yml") for p in found)


def test_empty_and_non_mapping() -> None:
    assert problems("") == ["config.yml:1:1: the file is empty"]
    assert problems("- a\n- b\n") == ["config.yml:1:1: the top level must be a mapping"]
