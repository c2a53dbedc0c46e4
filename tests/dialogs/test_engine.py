"""The dialog engine (dialogs.engine.DialogEngine) over the shipped config.yml: question
order, multi-slot answers, re-asks and give-ups, input problems, commands, known and
expired answers, the JSON state and what a finished conversation hands back."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config_file import load_config
from dialogs.domain import Domain, load_domain_file
from dialogs.engine import DialogEngine, KnownAnswer, Turn
from dialogs.understanding import MAX_ANSWER_CHARS
from scoring.config import ScoringConfig
from scoring.values import describe_value, is_unknown, validate_value
from tests.dialogs.test_domain import BUTTON_MEANS, question_buttons

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
LEAD = {"name": "Jane Doe", "company": "Acme", "email": "jane@acme.com"}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")

# one plain answer per slot, and the value it gives (asked, at NOW)
ANSWERS: dict[str, tuple[str, dict[str, Any]]] = {
    "budget": (
        "80k",
        {"status": "confirmed", "amount": 80000.0, "currency": "USD", "period": None},
    ),
    "authority": ("I sign", {"role": "decision_maker", "person": None, "title": None}),
    "need": ("critical", {"level": "critical", "pains": []}),
    "timeline": ("by March", {"status": "known", "date": "2027-03-31", "horizon_days": 128}),
    "priority": ("top priority", {"level": "top"}),
}
UNKNOWN: dict[str, dict[str, Any]] = {
    "budget": {"status": "unknown", "amount": None, "currency": None, "period": None},
    "authority": {"role": "unknown", "person": None, "title": None},
    "need": {"level": None, "pains": []},
    "timeline": {"status": "unknown", "date": None, "horizon_days": None},
    "priority": {"level": None},
}
NONSENSE = ("purple elephant", "asdf qwerty")
MULTI = "CFO signs off, ~80k, want it live by March"


@pytest.fixture(scope="module")
def config() -> ScoringConfig:
    return load_config(ROOT / "config.yml")


@pytest.fixture(scope="module")
def engine(config: ScoringConfig) -> DialogEngine:
    return DialogEngine(config)


def check(turn: Turn) -> Turn:
    """What must hold after every step: plain-JSON state, fully rendered replies, every
    stored value valid for its slot."""
    assert json.loads(json.dumps(turn.state)) == turn.state
    for reply in turn.replies:
        assert not PLACEHOLDER.search(reply.text), reply.text
        assert reply.text.strip()
    for slot, answer in turn.state["answers"].items():
        assert answer["slot"] == slot
        assert validate_value(slot, answer["value"]) == answer["value"]
    return turn


class Chat:
    """One conversation: start it, then `say` messages; keeps the latest turn."""

    def __init__(
        self,
        engine: DialogEngine,
        framework: str,
        known: Iterable[KnownAnswer] = (),
        now: datetime = NOW,
    ) -> None:
        self.engine = engine
        self.turn = check(engine.start(framework, LEAD, list(known), now))
        self.asked_log = [self.asked]

    async def say(self, *texts: str, now: datetime = NOW) -> Turn:
        for text in texts:
            self.turn = check(await self.engine.handle(self.turn.state, text, now))
            self.asked_log.append(self.asked)
        return self.turn

    async def skip_to(self, slot: str) -> None:
        while self.asked != slot:
            assert self.asked is not None, f"never asked {slot}"
            await self.say("skip")

    @property
    def asked(self) -> str | None:
        return self.turn.state["asked"]

    @property
    def kinds(self) -> list[str]:
        return [r.kind for r in self.turn.replies]

    @property
    def values(self) -> dict[str, dict[str, Any]]:
        return {a.slot: a.value for a in self.turn.answers}

    @property
    def question(self) -> Any:
        return self.turn.replies[-1]


def question_of(engine: DialogEngine, framework: str, slot: str) -> Any:
    return engine.domain.question(framework, slot, lead_name="x", company="y")


def known(slot: str, value: dict[str, Any], days_ago: int, expired: bool) -> KnownAnswer:
    return KnownAnswer(slot, validate_value(slot, value), NOW - timedelta(days=days_ago), expired)


# ---------------------------------------------------------------- asking in order


@pytest.mark.parametrize("framework", ["bant", "champ"])
async def test_asks_the_framework_slots_in_order_one_question_each(
    engine: DialogEngine, config: ScoringConfig, framework: str
) -> None:
    slots = config.frameworks[framework].slots
    chat = Chat(engine, framework)
    assert chat.kinds == [f"utter_ask_{framework}_form_{slots[0]}"]
    assert "Jane Doe" in chat.question.text
    for slot in slots:
        assert chat.asked == slot
        assert chat.question.kind == f"utter_ask_{framework}_form_{slot}"
        assert chat.question.buttons
        await chat.say(ANSWERS[slot][0])
        assert chat.kinds[0] == "utter_got_it"
    assert chat.asked_log == [*slots, None]
    assert chat.turn.completed and chat.turn.status == "done"
    assert chat.kinds[-1] == "utter_done"
    assert chat.values == {slot: ANSWERS[slot][1] for slot in slots}
    with pytest.raises(ValueError, match="done"):
        await engine.handle(chat.turn.state, "hello?", NOW)


async def test_one_message_fills_several_slots_and_they_are_not_asked_again(
    engine: DialogEngine,
) -> None:
    chat = Chat(engine, "bant")
    await chat.say(MULTI)
    assert chat.values == {
        "budget": ANSWERS["budget"][1],
        "authority": {"role": "influencer", "person": None, "title": "CFO"},
        "timeline": ANSWERS["timeline"][1],
    }
    got_it = chat.turn.replies[0]
    assert got_it.kind == "utter_got_it"
    for said in ("Budget: confirmed, 80,000 USD", "Authority: influencer", "31 Mar 2027"):
        assert said in got_it.text
    assert chat.asked == "need"
    await chat.say("this is killing us, manual reporting takes days")
    assert chat.turn.completed
    assert chat.asked_log == ["budget", "need", None]
    assert chat.values["need"] == {"level": "critical", "pains": ["manual reporting takes days"]}


async def test_an_answer_for_another_slot_is_kept_and_the_question_asked_again(
    engine: DialogEngine,
) -> None:
    chat = Chat(engine, "bant")
    await chat.say("80k")
    assert chat.asked == "authority"
    await chat.say("they want it by March")  # answers the timeline, not who decides
    assert chat.values["timeline"] == ANSWERS["timeline"][1]
    assert chat.kinds == ["utter_got_it", "utter_ask_bant_form_authority"]
    assert chat.turn.state["tries"] == {}  # understood, so not a failed try
    await chat.say("I sign", "critical")
    assert chat.turn.completed
    assert chat.asked_log == ["budget", "authority", "authority", "need", None]


# ---------------------------------------------------------------- not understood


@pytest.mark.parametrize(
    ("framework", "slot"),
    [
        ("bant", "budget"),
        ("bant", "authority"),
        ("bant", "need"),
        ("bant", "timeline"),
        ("champ", "priority"),
    ],
)
async def test_not_understood_gets_the_hint_then_unknown_is_noted(
    engine: DialogEngine, framework: str, slot: str
) -> None:
    chat = Chat(engine, framework)
    await chat.skip_to(slot)
    question = chat.question
    await chat.say(NONSENSE[0])
    assert chat.kinds == [f"utter_hint_{slot}"]
    assert chat.question.text != question.text
    assert chat.question.buttons == question.buttons  # the hint carries the question's buttons
    assert chat.asked == slot and slot not in chat.values

    await chat.say(NONSENSE[1])
    assert chat.kinds[0] == "utter_gave_up"
    assert chat.turn.replies[0].text == (
        f"No problem, I've noted {engine.domain.slot_label(framework, slot)} as unknown for now."
    )
    assert chat.values[slot] == UNKNOWN[slot]
    assert is_unknown(slot, chat.values[slot])
    assert chat.asked != slot  # moved on
    assert chat.turn.answers[-1].raw_text == NONSENSE[1]


@pytest.mark.parametrize("text", ["", "   \n ", "😀👍", "🙂🙂🙂", "...", "!!"])
async def test_empty_or_emoji_answers_re_ask_without_counting_a_try(
    engine: DialogEngine, text: str
) -> None:
    chat = Chat(engine, "bant")
    for _ in range(3):
        await chat.say(text)
        assert chat.kinds == ["utter_empty"]
        assert chat.question.buttons == question_of(engine, "bant", "budget").buttons
        assert chat.asked == "budget"
    await chat.say(NONSENSE[0])  # the first real try: a hint, not giving up
    assert chat.kinds == ["utter_hint_budget"]
    assert chat.values == {}


FILLER = "We chatted about the office move and the weather in Leeds. "


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("Budget is 80k. " + FILLER * 25, True),
        ((FILLER * 20)[:MAX_ANSWER_CHARS] + " Budget is 80k. " + FILLER * 8, False),
    ],
    ids=["amount-in-the-first-1000", "amount-after-1000"],
)
async def test_a_very_long_answer_is_cut_and_the_rep_told(
    engine: DialogEngine, text: str, read: bool
) -> None:
    assert 1400 <= len(text) <= 1600
    chat = Chat(engine, "bant")
    await chat.say(text)
    notice = chat.turn.replies[0]
    assert notice.kind == "utter_too_long"
    assert "1,000 characters" in notice.text
    if read:
        assert chat.values == {"budget": ANSWERS["budget"][1]}
        assert chat.turn.answers[0].raw_text == text  # stored whole, read in part
        assert chat.asked == "authority"
    else:
        assert chat.values == {}
        assert chat.kinds[1:] == ["utter_hint_budget"]


# ---------------------------------------------------------------- commands


async def test_skip_moves_on_and_leaves_the_slot_unanswered(engine: DialogEngine) -> None:
    chat = Chat(engine, "bant")
    await chat.say("skip")
    assert chat.kinds == ["utter_skipped", "utter_ask_bant_form_authority"]
    assert chat.turn.replies[0].text == "Skipped Budget."
    await chat.say("I sign", "critical", "by March")
    assert chat.turn.completed
    assert set(chat.values) == {"authority", "need", "timeline"}
    assert chat.asked_log == ["budget", "authority", "need", "timeline", None]


async def test_back_reasks_the_previous_question_and_a_new_answer_replaces_it(
    engine: DialogEngine,
) -> None:
    chat = Chat(engine, "bant")
    await chat.say("back")
    assert chat.kinds == ["utter_nothing_to_go_back_to", "utter_ask_bant_form_budget"]
    await chat.say("80k", "back")
    assert chat.kinds == ["utter_back", "utter_ask_bant_form_budget"]
    assert chat.turn.replies[0].text == "Going back to Budget."
    await chat.say("50k")
    assert chat.values["budget"]["amount"] == 50000.0
    assert chat.asked == "authority"
    await chat.say("I sign", "critical", "by March")
    assert chat.turn.completed
    assert [a.raw_text for a in chat.turn.answers if a.slot == "budget"] == ["50k"]


async def test_back_after_a_skip_returns_to_the_skipped_question(engine: DialogEngine) -> None:
    chat = Chat(engine, "bant")
    await chat.say("80k", "skip")
    assert chat.asked == "need"
    await chat.say("back")
    assert chat.asked == "authority"
    await chat.say("back")
    assert chat.asked == "budget"
    assert chat.turn.state["queue"] == ["budget", "authority", "need", "timeline"]


async def test_back_after_a_multi_slot_answer_returns_to_the_question_answered(
    engine: DialogEngine,
) -> None:
    chat = Chat(engine, "bant")
    await chat.say(MULTI, "back")
    assert chat.asked == "budget"


async def test_reopening_then_skipping_keeps_the_earlier_answer(engine: DialogEngine) -> None:
    chat = Chat(engine, "bant")
    await chat.say("80k", "I sign", "change budget", "skip")
    assert chat.kinds == ["utter_kept", "utter_ask_bant_form_need"]
    assert chat.turn.replies[0].text == "OK, keeping Budget: confirmed, 80,000 USD."
    assert chat.values["budget"] == ANSWERS["budget"][1]
    # and two failed tries on a reopened question keep it too, instead of "unknown"
    await chat.say("change budget", *NONSENSE)
    assert chat.values["budget"] == ANSWERS["budget"][1]
    assert chat.asked == "need"


@pytest.mark.parametrize(
    ("framework", "command", "slot", "label"),
    [
        ("bant", "change budget", "budget", "Budget"),
        ("bant", "Change the budget.", "budget", "Budget"),
        ("champ", "change money", "budget", "Money"),
        ("champ", "change budget", "budget", "Money"),
        ("bant", "change money", "budget", "Budget"),  # CHAMP's name works in BANT too
        ("bant", "chnage budget", "budget", "Budget"),  # a typo in the command
        ("bant", "change buget", "budget", "Budget"),  # a typo in the slot
        ("champ", "change challenges", "need", "Challenges"),
        ("champ", "edit challenge", "need", "Challenges"),
        ("bant", "update authority", "authority", "Authority"),
    ],
)
async def test_change_reopens_the_named_slot(
    engine: DialogEngine,
    config: ScoringConfig,
    framework: str,
    command: str,
    slot: str,
    label: str,
) -> None:
    chat = Chat(engine, framework)
    slots = config.frameworks[framework].slots
    for s in slots[:3]:
        await chat.say(ANSWERS[s][0])
    assert chat.asked == slots[3]
    await chat.say(command)
    assert chat.kinds == ["utter_back", f"utter_ask_{framework}_form_{slot}"]
    assert chat.turn.replies[0].text == f"Going back to {label}."
    assert chat.asked == slot
    await chat.say("not sure")
    assert chat.values[slot] == UNKNOWN[slot]
    assert chat.asked == slots[3]  # back where we were
    await chat.say(ANSWERS[slots[3]][0])
    assert chat.turn.completed


@pytest.mark.parametrize("command", ["change the weather", "change it", "change"])
async def test_change_of_something_unknown_lists_what_can_change(
    engine: DialogEngine, command: str
) -> None:
    chat = Chat(engine, "champ")
    await chat.say(command)
    assert chat.kinds == ["utter_change_unknown_slot", "utter_ask_champ_form_need"]
    assert chat.turn.replies[0].text == (
        "I can change: Challenges, Authority, Money, Prioritization."
    )
    assert chat.turn.state["tries"] == {}


async def test_a_typo_that_is_not_a_change_command_is_read_as_an_answer(
    engine: DialogEngine,
) -> None:
    chat = Chat(engine, "bant")
    await chat.say("chance is slim")
    assert chat.kinds == ["utter_hint_budget"]  # a (failed) answer, not "I can change: …"


async def test_summary_shows_answers_skips_and_what_is_left(engine: DialogEngine) -> None:
    chat = Chat(engine, "champ", known=[known("authority", ANSWERS["authority"][1], 3, False)])
    await chat.say("critical, manual reporting takes days")
    await chat.say("summary")
    assert chat.kinds == ["utter_summary", "utter_ask_champ_form_budget"]
    assert chat.turn.replies[0].text == (
        "Here's what I have so far:\n"
        "• *Challenges*: critical need: manual reporting takes days\n"
        "• *Authority*: decision maker _(already known)_\n"
        "• *Money*: _not yet_\n"
        "• *Prioritization*: _not yet_\n"
        "Still to go: Money, Prioritization."
    )
    await chat.say("skip", "status")
    assert "• *Money*: _skipped_" in chat.turn.replies[0].text
    assert chat.turn.replies[0].text.endswith("Still to go: Prioritization.")
    assert chat.asked == "priority"


async def test_summary_shows_an_expired_answer_waiting_for_reconfirmation(
    engine: DialogEngine,
) -> None:
    chat = Chat(engine, "bant", known=[known("budget", OLD_BUDGET, 130, True)])
    await chat.say("summary")
    assert "• *Budget*: confirmed, 50,000 USD a year _(to reconfirm)_" in chat.turn.replies[0].text
    assert chat.kinds == ["utter_summary", "utter_reconfirm"]


async def test_later_pauses_and_a_greeting_re_asks_without_counting_a_try(
    engine: DialogEngine,
) -> None:
    chat = Chat(engine, "bant")
    await chat.say(NONSENSE[0])  # one failed try on budget
    await chat.say("later")
    assert chat.turn.status == "paused"
    assert chat.kinds == ["utter_paused"]
    assert chat.asked == "budget"
    await chat.say("hi, I'm back")
    assert chat.turn.status == "active"
    assert chat.kinds == ["utter_resumed", "utter_ask_bant_form_budget"]
    await chat.say(NONSENSE[1])  # the second try: now it gives up
    assert chat.kinds[0] == "utter_gave_up"
    assert chat.values == {"budget": UNKNOWN["budget"]}


async def test_an_answer_right_after_a_pause_counts(engine: DialogEngine) -> None:
    chat = Chat(engine, "bant")
    await chat.say("later", "80k")
    assert chat.kinds[:2] == ["utter_resumed", "utter_got_it"]
    assert chat.values == {"budget": ANSWERS["budget"][1]}
    assert chat.asked == "authority"


async def test_resume_after_a_pause_asks_the_current_question(engine: DialogEngine) -> None:
    chat = Chat(engine, "champ")
    await chat.say("critical", "later")
    resumed = check(engine.resume(chat.turn.state))
    assert resumed.status == "active"
    assert [r.kind for r in resumed.replies] == ["utter_resumed", "utter_ask_champ_form_authority"]
    assert chat.turn.status == "paused"  # resume works on a copy


@pytest.mark.parametrize("paused", [False, True])
async def test_cancel_stops_and_hands_back_no_answers(engine: DialogEngine, paused: bool) -> None:
    chat = Chat(engine, "bant")
    await chat.say(MULTI)
    assert chat.turn.answers
    if paused:
        await chat.say("later")
    await chat.say("cancel")
    assert chat.turn.cancelled and chat.turn.status == "cancelled"
    assert not chat.turn.completed
    assert chat.kinds == ["utter_cancelled"]  # no "welcome back" on the way out
    assert chat.turn.answers == []
    assert chat.asked is None
    with pytest.raises(ValueError, match="cancelled"):
        await engine.handle(chat.turn.state, "80k", NOW)


@pytest.mark.parametrize("word", ["cancelled", "cancle"])
async def test_cancel_is_never_guessed_from_a_near_miss(engine: DialogEngine, word: str) -> None:
    chat = Chat(engine, "bant")
    await chat.say(word)
    assert chat.turn.status == "active"


@pytest.mark.parametrize("command", ["help", "?", "commands"])
async def test_help_explains_the_commands_and_re_asks(engine: DialogEngine, command: str) -> None:
    chat = Chat(engine, "bant")
    await chat.say("80k", command)
    assert chat.kinds == ["utter_help", "utter_ask_bant_form_authority"]
    for word in ("skip", "back", "change budget", "summary", "later", "cancel"):
        assert word in chat.turn.replies[0].text
    assert chat.turn.state["tries"] == {}


# ---------------------------------------------------------------- known answers


async def test_answers_known_and_fresh_are_never_asked(engine: DialogEngine) -> None:
    chat = Chat(
        engine,
        "champ",
        known=[
            known("budget", ANSWERS["budget"][1], 10, False),
            known("authority", ANSWERS["authority"][1], 10, False),
            known("need", {"level": "high", "pains": ["slow reports"]}, 10, False),
        ],
    )
    assert chat.kinds == ["utter_ask_champ_form_priority"]
    await chat.say("top priority")
    assert chat.turn.completed
    assert chat.values == {"priority": {"level": "top"}}


async def test_answers_given_under_bant_count_under_champ(engine: DialogEngine) -> None:
    bant = Chat(engine, "bant")
    await bant.say(MULTI, "critical")
    assert bant.turn.completed
    carried = [KnownAnswer(a.slot, a.value, a.answered_at, False) for a in bant.turn.answers]
    champ = Chat(engine, "champ", known=carried, now=NOW + timedelta(days=1))
    assert champ.asked_log == ["priority"]
    await champ.say("high priority")
    assert champ.values == {"priority": {"level": "high"}}


async def test_everything_known_completes_at_once(engine: DialogEngine) -> None:
    chat = Chat(engine, "bant", known=[known(s, ANSWERS[s][1], 1, False) for s in ANSWERS])
    assert chat.turn.completed
    assert chat.kinds == ["utter_done"]
    assert chat.turn.answers == []


async def test_a_known_but_unknown_answer_is_asked_again(engine: DialogEngine) -> None:
    chat = Chat(
        engine,
        "champ",
        known=[
            known("need", UNKNOWN["need"], 5, False),
            known("authority", UNKNOWN["authority"], 5, False),
            known("budget", ANSWERS["budget"][1], 5, False),
        ],
    )
    assert chat.kinds == ["utter_ask_champ_form_need"]  # the question, not a reconfirmation
    await chat.say("critical")
    assert chat.asked == "authority"
    await chat.say("I sign")
    assert chat.asked == "priority"


OLD_BUDGET = {"status": "confirmed", "amount": 50000.0, "currency": "USD", "period": "year"}


@pytest.mark.parametrize("reply", ["yes", "Yes, still right.", "yep", "still correct", "no change"])
async def test_an_expired_answer_is_reconfirmed_and_yes_keeps_it(
    engine: DialogEngine, reply: str
) -> None:
    chat = Chat(engine, "champ", known=[known("budget", OLD_BUDGET, 130, True)])
    await chat.say("critical", "I sign")
    assert chat.asked == "budget"
    question = chat.question
    assert question.kind == "utter_reconfirm"
    assert question.text.startswith("Last time (130 days ago) *Money* was: confirmed, 50,000 USD")
    assert [b.payload for b in question.buttons] == ["yes", "not sure"]
    await chat.say(reply)
    assert chat.values["budget"] == OLD_BUDGET
    budget = next(a for a in chat.turn.answers if a.slot == "budget")
    assert (budget.raw_text, budget.answered_at) == (reply, NOW)
    assert chat.turn.replies[0].text == "Got it: Money still confirmed, 50,000 USD a year."
    assert chat.asked == "priority"


@pytest.mark.parametrize(
    ("reply", "value"),
    [
        ("we now have 90k", {"amount": 90000.0, "status": "confirmed"}),
        ("no budget any more", {"status": "none", "amount": None}),
        ("not sure", {"status": "unknown", "amount": None}),
    ],
)
async def test_an_expired_answer_is_replaced_by_a_new_one(
    engine: DialogEngine, reply: str, value: dict[str, Any]
) -> None:
    chat = Chat(engine, "bant", known=[known("budget", OLD_BUDGET, 130, True)])
    assert chat.question.kind == "utter_reconfirm"
    await chat.say(reply)
    assert {k: chat.values["budget"][k] for k in value} == value
    assert chat.asked == "authority"


@pytest.mark.parametrize("reply", ["no", "No, it changed.", "nope"])
async def test_no_to_a_reconfirmation_asks_the_question_itself(
    engine: DialogEngine, reply: str
) -> None:
    chat = Chat(engine, "bant", known=[known("budget", OLD_BUDGET, 130, True)])
    await chat.say(reply)
    assert chat.values == {}  # "no" is not "no budget"
    assert chat.kinds == ["utter_ask_bant_form_budget"]
    await chat.say("120k")
    assert chat.values["budget"]["amount"] == 120000.0


async def test_a_reconfirmed_timeline_counts_its_horizon_from_now(engine: DialogEngine) -> None:
    old_at = NOW - timedelta(days=70)
    deadline = date(2027, 1, 31)
    old = {"status": "known", "date": deadline.isoformat(), "horizon_days": 139}
    assert (deadline - old_at.date()).days == 139
    chat = Chat(engine, "bant", known=[KnownAnswer("timeline", old, old_at, True)])
    await chat.say("80k", "I sign", "critical")
    assert chat.question.kind == "utter_reconfirm"
    assert "70 days ago" in chat.question.text
    await chat.say("yes")
    assert chat.values["timeline"] == {
        "status": "known",
        "date": "2027-01-31",
        "horizon_days": (deadline - NOW.date()).days,
    }


async def test_an_expired_timeline_whose_date_passed_is_asked_afresh(
    engine: DialogEngine,
) -> None:
    old_at = NOW - timedelta(days=70)
    old = {"status": "known", "date": "2026-11-01", "horizon_days": 55}
    chat = Chat(engine, "bant", known=[KnownAnswer("timeline", old, old_at, True)])
    await chat.say("80k", "I sign", "critical")
    assert chat.asked == "timeline"
    assert chat.question.kind == "utter_ask_bant_form_timeline"  # not "is that still right?"


async def test_a_fresh_known_answer_can_still_be_changed(engine: DialogEngine) -> None:
    chat = Chat(engine, "champ", known=[known("authority", ANSWERS["authority"][1], 3, False)])
    await chat.say("critical")
    assert chat.asked == "budget"
    await chat.say("change authority")
    assert chat.asked == "authority"
    await chat.say("needs CFO approval")
    assert chat.values["authority"]["role"] == "influencer"
    assert chat.asked == "budget"


# ---------------------------------------------------------------- state, completion


SCRIPT = [
    "hmm",
    "80k",
    "later",
    "hi",
    "back",
    "we have 95k a year",
    "skip",
    "summary",
    "critical, onboarding takes weeks",
    "change authority",
    "needs CFO approval",
    "not sure",
]


async def test_state_survives_json_and_a_new_engine_mid_conversation(
    config: ScoringConfig, engine: DialogEngine
) -> None:
    straight = Chat(engine, "bant")
    transcript = []
    for i, text in enumerate(SCRIPT):
        await straight.say(text, now=NOW + timedelta(minutes=i))
        transcript.append(straight.turn.replies)

    state = json.loads(json.dumps(engine.start("bant", LEAD, [], NOW).state))
    replayed = []
    current = engine
    for i, text in enumerate(SCRIPT):
        if i == len(SCRIPT) // 2:
            current = DialogEngine(config)  # "after a restart"
        turn = await current.handle(state, text, NOW + timedelta(minutes=i))
        replayed.append(turn.replies)
        state = json.loads(json.dumps(turn.state))

    assert replayed == transcript
    assert state == straight.turn.state
    assert straight.turn.completed
    assert set(straight.values) == {"budget", "need", "authority", "timeline"}


async def test_completion_hands_back_values_raw_text_and_answer_times(
    engine: DialogEngine,
) -> None:
    chat = Chat(engine, "bant")
    t1, t2 = NOW + timedelta(minutes=1), NOW + timedelta(minutes=3)
    await chat.say(MULTI, now=t1)
    await chat.say("big problem: manual reporting takes days", now=t2)
    assert chat.turn.completed
    got = {a.slot: (a.raw_text, a.answered_at) for a in chat.turn.answers}
    assert got == {
        "budget": (MULTI, t1),
        "authority": (MULTI, t1),
        "timeline": (MULTI, t1),
        "need": ("big problem: manual reporting takes days", t2),
    }
    for answer in chat.turn.answers:
        assert answer.answered_at.tzinfo is not None
        assert validate_value(answer.slot, answer.value) == answer.value
        assert describe_value(answer.slot, answer.value)


async def test_relative_dates_resolve_against_the_message_time(engine: DialogEngine) -> None:
    chat = Chat(engine, "bant", known=[known(s, ANSWERS[s][1], 1, False) for s in ("budget",)])
    later = datetime(2027, 4, 2, 9, 0, tzinfo=UTC)
    await chat.say("I sign", "critical", now=NOW)
    await chat.say("in 6 weeks", now=later)
    assert chat.values["timeline"] == {"status": "known", "date": "2027-05-14", "horizon_days": 42}


BUTTONS = sorted(
    {
        (name, slot, title, payload)
        for name, slot, title, payload in question_buttons(load_domain_file())
        if "_form_" in name
    }
)


@pytest.mark.parametrize(("response", "slot", "title", "payload"), BUTTONS, ids=str)
async def test_pressing_a_question_button_fills_the_value_its_title_means(
    engine: DialogEngine, response: str, slot: str, title: str, payload: str
) -> None:
    framework = response.removeprefix("utter_ask_").split("_form_")[0]
    chat = Chat(engine, framework)
    await chat.skip_to(slot)
    assert payload in [b.payload for b in chat.question.buttons]
    await chat.say(payload)
    expected = BUTTON_MEANS[(slot, title)]
    assert {k: chat.values[slot][k] for k in expected} == expected
    assert chat.asked != slot


@pytest.mark.parametrize("payload", ["yes", "not sure"])
async def test_pressing_a_reconfirm_button(engine: DialogEngine, payload: str) -> None:
    chat = Chat(engine, "bant", known=[known("budget", OLD_BUDGET, 130, True)])
    await chat.say(payload)
    assert chat.values["budget"] == (OLD_BUDGET if payload == "yes" else UNKNOWN["budget"])


def test_an_unknown_framework_is_refused_naming_the_available_ones(engine: DialogEngine) -> None:
    with pytest.raises(ValueError, match=r"'spiced'.*bant, champ"):
        engine.start("spiced", LEAD, [], NOW)


def test_the_engine_words_everything_from_domain_yml(config: ScoringConfig) -> None:
    # a domain with other texts changes what the engine says: no hard-wired questions
    data = load_domain_file()
    custom = {**data, "responses": {**data["responses"]}}
    custom["responses"]["utter_ask_bant_form_budget"] = [{"text": "Money for {company}?"}]
    engine = DialogEngine(config, Domain(config, custom))
    turn = engine.start("bant", LEAD, [], NOW)
    assert [r.text for r in turn.replies] == ["Money for Acme?"]
