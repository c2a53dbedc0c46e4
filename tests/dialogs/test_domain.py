"""dialogs/domain.yml and dialogs.domain.Domain: forms mirror config.yml, every question's
buttons mean what their titles say, every response renders fully, and a framework added
only in config.yml (MEDDIC with a custom slot) runs end to end through the engine."""

from __future__ import annotations

import json
import re
import string
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.config_file import load_config
from dialogs.domain import Domain, load_domain_file
from dialogs.engine import DialogEngine
from dialogs.understanding import parse_answer
from scoring.config import ScoringConfig
from scoring.config_loader import load_config_text
from scoring.values import CANONICAL_SLOTS, validate_value

ROOT = Path(__file__).resolve().parents[2]
CONFIG_PATH = ROOT / "config.yml"
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
LEAD = {"name": "Jane Doe", "company": "Acme", "email": "jane@acme.com"}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")

# What each quick-reply button of a question means, by (slot, title): the fields its
# payload must yield when read as the answer to that slot. A new button needs a line here.
BUTTON_MEANS: dict[tuple[str, str], dict[str, Any]] = {
    ("budget", "Confirmed"): {"status": "confirmed"},
    ("budget", "Being planned"): {"status": "planned"},
    ("budget", "No budget"): {"status": "none"},
    ("budget", "Not sure"): {"status": "unknown"},
    ("authority", "Decision maker"): {"role": "decision_maker"},
    ("authority", "Influencer"): {"role": "influencer"},
    ("authority", "Champion"): {"role": "champion"},
    ("authority", "User"): {"role": "user"},
    ("authority", "Not sure"): {"role": "unknown"},
    ("need", "Critical"): {"level": "critical"},
    ("need", "High"): {"level": "high"},
    ("need", "Moderate"): {"level": "moderate"},
    ("need", "Low"): {"level": "low"},
    ("need", "No need"): {"level": "none"},
    ("need", "Not sure"): {"level": None},
    ("timeline", "This month"): {"status": "known", "date": "2026-11-30", "horizon_days": 7},
    ("timeline", "This quarter"): {"status": "known", "date": "2026-12-31", "horizon_days": 38},
    ("timeline", "Next quarter"): {"status": "known", "date": "2027-03-31", "horizon_days": 128},
    ("timeline", "No timeline"): {"status": "none", "date": None},
    ("timeline", "Not sure"): {"status": "unknown", "date": None},
    ("priority", "Top priority"): {"level": "top"},
    ("priority", "High"): {"level": "high"},
    ("priority", "Medium"): {"level": "medium"},
    ("priority", "Low"): {"level": "low"},
    ("priority", "Not a priority"): {"level": "none"},
    ("priority", "Not sure"): {"level": None},
}

# The `{names}` the engine fills in for each response beyond lead_name, company,
# slot_label and max_chars (dialogs.engine passes them; see DialogEngine._values).
ENGINE_EXTRAS: dict[str, dict[str, str]] = {
    "utter_hint_choice": {"choices": "quantified, vague, none"},
    "utter_ask_choice": {"choices": "quantified, vague or none"},
    "utter_reconfirm": {"age_days": "130", "old_answer": "confirmed, 50,000 USD a year"},
    "utter_got_it": {"understood": "Budget: confirmed, 80,000 USD"},
    "utter_kept": {"answer": "confirmed, 80,000 USD"},
    "utter_change_unknown_slot": {"slots": "Budget, Authority, Need, Timeline"},
    "utter_summary": {"answers": "• *Budget*: _not yet_", "remaining": "Budget"},
}
BASE_VALUES = {
    "lead_name": "Jane Doe",
    "company": "Acme",
    "slot_label": "Budget",
    "max_chars": "1,000",
}

MEDDIC_SLOT = (
    "  metrics:   {label: Metrics, max_age_days: 120, choices: [quantified, vague, none]}\n"
)
MEDDIC_FRAMEWORK = """\
  meddic:
    label: MEDDIC
    slots: [metrics, authority, need, timeline]
    labels: {authority: Economic buyer, need: Identify pain, timeline: Decision process}
"""
MEDDIC_POINTS = (
    "        custom:\n          metrics: {quantified: 10, vague: 3, none: -5, unknown: 0}\n"
)


def meddic_config_text() -> str:
    """config.yml with a MEDDIC framework and its custom `metrics` slot added (data only)."""
    text = CONFIG_PATH.read_text(encoding="utf-8")
    slots_at = text.index("  priority:  {label: Priority")
    slots_end = text.index("\n", slots_at) + 1
    text = text[:slots_end] + MEDDIC_SLOT + text[slots_end:]
    fw_at = text.index("\n# ---", text.index("frameworks:")) + 1
    text = text[:fw_at] + MEDDIC_FRAMEWORK + "\n" + text[fw_at:]
    points_at = text.index("        priority:  {top: 15")
    points_end = text.index("\n", points_at) + 1
    return text[:points_end] + MEDDIC_POINTS + text[points_end:]


@pytest.fixture(scope="module")
def config() -> ScoringConfig:
    return load_config(CONFIG_PATH)


@pytest.fixture(scope="module")
def domain(config: ScoringConfig) -> Domain:
    return Domain(config)


@pytest.fixture(scope="module")
def meddic() -> ScoringConfig:
    return load_config_text(meddic_config_text(), ScoringConfig, "config.yml+meddic")


def question_buttons(data: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(response, slot, title, payload) for every button of every `utter_ask_*` response."""
    out = []
    for name, variants in data["responses"].items():
        if not name.startswith("utter_ask_") or name == "utter_ask_choice":
            continue
        slot = name.rsplit("_", 1)[-1]
        assert slot in CANONICAL_SLOTS, f"{name}: questions are named utter_ask_[<form>_]<slot>"
        for variant in variants:
            for button in variant.get("buttons") or ():
                out.append((name, slot, str(button["title"]), str(button["payload"])))
    return out


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


# ---------------------------------------------------------------- forms vs config.yml


def test_forms_mirror_the_frameworks_of_config_yml(config: ScoringConfig) -> None:
    data = load_domain_file()
    assert data["forms"] == {
        f"{name}_form": {"required_slots": spec.slots} for name, spec in config.frameworks.items()
    }
    assert data["actions"] == [f"validate_{name}_form" for name in config.frameworks]
    assert set(CANONICAL_SLOTS) <= set(data["slots"])


def test_every_form_slot_has_its_own_question_and_every_slot_a_hint(
    config: ScoringConfig,
) -> None:
    responses = load_domain_file()["responses"]
    for name, spec in config.frameworks.items():
        for slot in spec.slots:
            assert responses.get(f"utter_ask_{name}_form_{slot}"), (name, slot)
    for slot in CANONICAL_SLOTS:
        assert responses.get(f"utter_ask_{slot}"), slot
        assert responses.get(f"utter_hint_{slot}"), slot


def test_rasa_domain_has_a_form_and_an_action_per_framework_and_custom_slots(
    domain: Domain, meddic: ScoringConfig
) -> None:
    shipped = domain.rasa_domain()
    assert shipped["forms"] == load_domain_file()["forms"]
    json.dumps(shipped)  # what the rasa-sdk webhook is sent must be plain JSON

    extended = Domain(meddic).rasa_domain()
    assert extended["forms"]["meddic_form"] == {
        "required_slots": ["metrics", "authority", "need", "timeline"]
    }
    assert "validate_meddic_form" in extended["actions"]
    assert extended["slots"]["metrics"]["type"] == "categorical"
    assert extended["slots"]["metrics"]["values"] == ["quantified", "vague", "none"]
    assert "metrics" not in load_domain_file()["slots"]  # the shared file is not changed


# ---------------------------------------------------------------- buttons


def test_every_button_has_a_stated_meaning() -> None:
    buttons = question_buttons(load_domain_file())
    assert {(slot, title) for _, slot, title, _ in buttons} == set(BUTTON_MEANS)
    reconfirm = load_domain_file()["responses"]["utter_reconfirm"][0]["buttons"]
    assert [b["payload"] for b in reconfirm] == ["yes", "not sure"]


@pytest.mark.parametrize(
    ("response", "slot", "title", "payload"),
    sorted(set(question_buttons(load_domain_file()))),
    ids=lambda v: str(v),
)
def test_button_payload_read_as_the_answer_means_its_title(
    response: str, slot: str, title: str, payload: str
) -> None:
    outcome = parse_answer(payload, NOW, slot)
    assert slot in outcome.slots, f"{response}: {payload!r} says nothing of {slot}"
    value = outcome.slots[slot]
    expected = BUTTON_MEANS[(slot, title)]
    assert {k: value[k] for k in expected} == expected, (title, payload, value)
    assert validate_value(slot, value) == value


# ---------------------------------------------------------------- rendering


def test_responses_use_only_the_names_the_engine_fills_in() -> None:
    for name, variants in load_domain_file()["responses"].items():
        allowed = set(BASE_VALUES) | set(ENGINE_EXTRAS.get(name, {}))
        for variant in variants:
            assert placeholders(variant["text"]) <= allowed, (name, variant["text"])


@pytest.mark.parametrize("name", sorted(load_domain_file()["responses"]))
def test_every_response_and_variant_renders_without_leftover_placeholders(
    domain: Domain, name: str
) -> None:
    variants = load_domain_file()["responses"][name]
    texts = set()
    for seed in range(40):
        reply = domain.render(name, seed, **BASE_VALUES, **ENGINE_EXTRAS.get(name, {}))
        assert not PLACEHOLDER.search(reply.text), reply.text
        assert "None" not in reply.text
        assert reply.kind == name
        texts.add(reply.text)
    assert len(texts) == len(variants)  # the seed reaches every variation


def test_render_is_deterministic_per_seed(
    domain: Domain,
) -> None:
    first = domain.render("utter_ask_bant_form_budget", 7, lead_name="Jane", company="Acme")
    again = domain.render("utter_ask_bant_form_budget", 7, lead_name="Jane", company="Acme")
    assert first == again
    assert "Jane" in first.text
    assert [b.payload for b in first.buttons][:3] == [
        "budget confirmed",
        "budget is being planned",
        "no budget",
    ]
    with pytest.raises(KeyError, match="utter_nope"):
        domain.render("utter_nope")


@pytest.mark.parametrize(
    ("framework", "slot", "label"),
    [
        ("bant", "budget", "Budget"),
        ("champ", "budget", "Money"),
        ("champ", "need", "Challenges"),
        ("champ", "priority", "Prioritization"),
        ("bant", "authority", "Authority"),
    ],
)
def test_questions_and_hints_render_per_framework(
    domain: Domain, framework: str, slot: str, label: str
) -> None:
    assert domain.slot_label(framework, slot) == label
    for seed in range(10):
        question = domain.question(framework, slot, seed, lead_name="Jane Doe", company="Acme")
        assert question.kind == f"utter_ask_{framework}_form_{slot}"
        assert not PLACEHOLDER.search(question.text)
        assert question.buttons
    hint = domain.hint(framework, slot, lead_name="Jane Doe", company="Acme")
    assert hint.kind == f"utter_hint_{slot}"
    assert not PLACEHOLDER.search(hint.text)


def test_question_fallbacks_for_a_config_only_framework(
    meddic: ScoringConfig,
) -> None:
    domain = Domain(meddic)
    shared = domain.question("meddic", "authority", lead_name="Jane Doe", company="Acme")
    assert shared.kind == "utter_ask_authority"
    assert shared.text.startswith("*Economic buyer*:")
    generated = domain.question("meddic", "metrics", lead_name="Jane Doe", company="Acme")
    assert generated.kind == "utter_ask_choice"
    assert "*Metrics*" in generated.text
    assert "quantified, vague or none" in generated.text
    assert [(b.title, b.payload) for b in generated.buttons] == [
        ("Quantified", "quantified"),
        ("Vague", "vague"),
        ("None", "none"),
        ("Not sure", "not sure"),
    ]
    hint = domain.hint("meddic", "metrics")
    assert hint.kind == "utter_hint_choice"
    assert "quantified, vague, none" in hint.text
    assert not PLACEHOLDER.search(generated.text + hint.text)


# ---------------------------------------------------------------- MEDDIC end to end


async def test_meddic_added_in_config_only_runs_end_to_end(meddic: ScoringConfig) -> None:
    engine = DialogEngine(meddic)
    turn = engine.start("meddic", LEAD, [], NOW)
    asked = [turn.state["asked"]]
    assert turn.replies[-1].kind == "utter_ask_choice"
    assert "Jane Doe" in turn.replies[-1].text

    turn = await engine.handle(turn.state, "blorp", NOW)
    assert turn.replies[-1].kind == "utter_hint_choice"
    assert [b.payload for b in turn.replies[-1].buttons] == [
        "quantified",
        "vague",
        "none",
        "not sure",
    ]
    assert turn.state["asked"] == "metrics"

    for text in ("quantifed", "she signs", "killing us, reporting takes days", "by March"):
        turn = await engine.handle(turn.state, text, NOW)
        assert not any(PLACEHOLDER.search(r.text) for r in turn.replies)
        if turn.state["asked"] is not None:
            asked.append(turn.state["asked"])
    assert asked == ["metrics", "authority", "need", "timeline"]
    assert turn.completed
    values = {a.slot: a.value for a in turn.answers}
    assert values == {
        "metrics": {"choice": "quantified"},
        "authority": {"role": "decision_maker", "person": None, "title": None},
        "need": {"level": "critical", "pains": values["need"]["pains"]},
        "timeline": {"status": "known", "date": "2027-03-31", "horizon_days": 128},
    }
    for answer in turn.answers:
        assert validate_value(answer.slot, answer.value) == answer.value


@pytest.mark.parametrize(
    ("typed", "choice"),
    [
        ("quantified", "quantified"),
        ("Vague", "vague"),
        ("none", "none"),
        ("not sure", "unknown"),
        ("qunatified", "quantified"),
    ],
)
async def test_meddic_custom_slot_buttons_and_typos_fill_the_choice(
    meddic: ScoringConfig, typed: str, choice: str
) -> None:
    engine = DialogEngine(meddic)
    turn = engine.start("meddic", LEAD, [], NOW)
    turn = await engine.handle(turn.state, typed, NOW)
    assert [(a.slot, a.value) for a in turn.answers] == [("metrics", {"choice": choice})]
    assert turn.state["asked"] == "authority"


async def test_meddic_answer_right_after_a_pause_is_read_with_the_slot_choices(
    meddic: ScoringConfig,
) -> None:
    engine = DialogEngine(meddic)
    turn = engine.start("meddic", LEAD, [], NOW)
    turn = await engine.handle(turn.state, "later", NOW)
    assert turn.status == "paused"
    turn = await engine.handle(turn.state, "vague", NOW)
    assert turn.status == "active"
    assert [(a.slot, a.value) for a in turn.answers] == [("metrics", {"choice": "vague"})]
    assert turn.state["asked"] == "authority"


async def test_meddic_change_by_its_own_label(meddic: ScoringConfig) -> None:
    engine = DialogEngine(meddic)
    turn = engine.start("meddic", LEAD, [], NOW)
    turn = await engine.handle(turn.state, "vague", NOW)
    turn = await engine.handle(turn.state, "change economic buyer", NOW)
    assert turn.state["asked"] == "authority"
    assert turn.replies[0].text == "Going back to Economic buyer."
    turn = await engine.handle(turn.state, "change metrics", NOW)
    assert turn.state["asked"] == "metrics"


async def test_meddic_custom_slot_not_understood_twice_is_unknown(meddic: ScoringConfig) -> None:
    engine = DialogEngine(meddic)
    turn = engine.start("meddic", LEAD, [], NOW)
    for text in ("blorp", "zzz qqq"):
        turn = await engine.handle(turn.state, text, NOW)
    assert [(a.slot, a.value) for a in turn.answers] == [("metrics", {"choice": "unknown"})]
    assert turn.replies[0].text == "No problem, I've noted Metrics as unknown for now."
    assert turn.state["asked"] == "authority"
