"""Qualification conversations on SQLite and PostgreSQL (bot.conversations).

Every test starts from a scored database (the demo data's hand-written story leads with
their activity, then a bulk rescore) and qualifies the demo's story lead: a warm lead with
no answers yet, whom a whole BANT conversation makes hot and qualified. Times are fixed
(NOW, then a minute per message) so values and scores are exact.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.bulk_scoring import rescore_all
from bot.config_file import load_config
from bot.conversations import AnswerChange, ConversationService, ScoreSnapshot, Step
from bot.demo_data import STORY_LEAD_EMAIL, STORY_LEADS
from bot.demo_loader import load_demo_data
from bot.scoring_service import compute_lead
from bot.storage.database import make_engine
from bot.storage.leads_repo import get_lead, get_lead_by_email
from bot.storage.tables import Answer, Conversation, ConversationMessage, LeadScore, ScoreChange
from dialogs.engine import DialogEngine
from scoring.config import ScoringConfig

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
REP = "U042REP"
MULTI = "she signs, ~120k a year confirmed"  # budget and authority in one message
NEED = "this is killing us, manual reporting takes days"
TIMELINE = "end of next month"

BUDGET = {"status": "confirmed", "amount": 120000.0, "currency": "USD", "period": "year"}
AUTHORITY = {"role": "decision_maker", "person": None, "title": None}
NEED_VALUE = {"level": "critical", "pains": ["manual reporting takes days"]}
TIMELINE_VALUE = {"status": "known", "date": "2026-12-31", "horizon_days": 38}
UNKNOWN_BUDGET = {"status": "unknown", "amount": None, "currency": None, "period": None}
SLOT_ORDER = ["budget", "authority", "need", "timeline", "priority"]


def at(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


@pytest.fixture(scope="module")
def config() -> ScoringConfig:
    return load_config(ROOT / "config.yml")


@pytest.fixture
def lead_id(db_url: str, engine: Engine, config: ScoringConfig) -> int:
    """The story lead, in a database of demo leads scored at NOW."""
    load_demo_data(engine, len(STORY_LEADS), 42, NOW)
    rescore_all(db_url, config, NOW, workers=1)
    with Session(engine) as session:
        lead = get_lead_by_email(session, STORY_LEAD_EMAIL)
        assert lead is not None and lead.id is not None
        return lead.id


@pytest.fixture
def service(engine: Engine, config: ScoringConfig) -> ConversationService:
    return ConversationService(engine, config)


# ---------------------------------------------------------------------- reading back


def answers(engine: Engine, lead_id: int) -> list[Answer]:
    with Session(engine) as session:
        stmt = select(Answer).where(Answer.lead_id == lead_id).order_by(col(Answer.id))
        return list(session.exec(stmt))


def conversation(engine: Engine, conversation_id: int) -> Conversation:
    with Session(engine) as session:
        found = session.get(Conversation, conversation_id)
        assert found is not None
        return found


def conversations(engine: Engine, lead_id: int) -> list[Conversation]:
    with Session(engine) as session:
        stmt = select(Conversation).where(Conversation.lead_id == lead_id)
        return list(session.exec(stmt.order_by(col(Conversation.id))))


def messages(engine: Engine, conversation_id: int, direction: str) -> list[ConversationMessage]:
    with Session(engine) as session:
        stmt = select(ConversationMessage).where(
            ConversationMessage.conversation_id == conversation_id,
            ConversationMessage.direction == direction,
        )
        return list(session.exec(stmt.order_by(col(ConversationMessage.id))))


def score(engine: Engine, lead_id: int) -> LeadScore:
    with Session(engine) as session:
        found = session.get(LeadScore, lead_id)
        assert found is not None
        return found


def changes(engine: Engine, lead_id: int) -> list[ScoreChange]:
    with Session(engine) as session:
        stmt = select(ScoreChange).where(ScoreChange.lead_id == lead_id)
        return list(session.exec(stmt.order_by(col(ScoreChange.id))))


def count(engine: Engine, table: Any) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


def by_slot(rows: list[Answer], *fields: str) -> dict[str, tuple[Any, ...]]:
    """Answer rows by slot (one row per slot expected), with the given fields."""
    found = {a.slot: tuple(getattr(a, f) for f in fields) for a in rows}
    assert len(found) == len(rows), f"several answers for one slot: {[a.slot for a in rows]}"
    return found


def kinds(step: Step) -> list[str]:
    return [r.kind for r in step.replies]


def asked(step: Step) -> str:
    """The response the step ends on (the question asked, usually)."""
    return step.replies[-1].kind


async def qualify_the_story_lead(service: ConversationService, lead_id: int) -> Step:
    """The whole BANT conversation (at NOW, a minute per answer); its last step."""
    cid = service.open(lead_id, REP, "bant", NOW).conversation_id
    for i, text in enumerate((MULTI, NEED, TIMELINE), start=1):
        last = await service.reply(cid, text, at(i), source="slack_dm")
    assert last.status == "done"
    return last


# ---------------------------------------------------------------------- tests


async def test_a_whole_bant_conversation_stores_answers_rescores_and_returns_the_card(
    engine: Engine, service: ConversationService, config: ScoringConfig, lead_id: int
) -> None:
    before = score(engine, lead_id)
    assert (before.total, before.grade, before.tier, before.qualified) == (
        47.6,
        "C2",
        "warm",
        False,
    )
    changes_before = changes(engine, lead_id)

    opened = service.open(lead_id, REP, "bant", NOW, channel="D042")
    assert opened.status == "active" and opened.card is None
    assert kinds(opened) == ["utter_ask_bant_form_budget"]
    assert "Dana Whitfield" in opened.replies[0].text
    stored = conversation(engine, opened.conversation_id)
    assert (stored.lead_id, stored.rep, stored.framework, stored.status, stored.channel) == (
        lead_id,
        REP,
        "bant",
        "active",
        "D042",
    )
    assert stored.state["asked"] == "budget" and stored.completed_at is None
    cid = opened.conversation_id

    step = await service.reply(cid, MULTI, at(1), external_id="Ev1", source="slack_dm")
    assert step.status == "active" and step.card is None and not step.duplicate
    assert kinds(step) == ["utter_got_it", "utter_ask_bant_form_need"]
    assert "120,000 USD a year" in step.replies[0].text and "decision maker" in step.replies[0].text
    state = conversation(engine, cid).state  # saved after the step
    assert state["asked"] == "need" and set(state["answers"]) == {"budget", "authority"}
    assert answers(engine, lead_id) == []  # stored when the form completes

    step = await service.reply(cid, NEED, at(2), external_id="Ev2", source="slack_dm")
    assert asked(step) == "utter_ask_bant_form_timeline"
    assert conversation(engine, cid).state["asked"] == "timeline"

    step = await service.reply(cid, TIMELINE, at(3), external_id="Ev3", source="slack_dm")
    assert step.status == "done" and kinds(step)[-1] == "utter_done"
    card = step.card
    assert card is not None

    # the answers, as history with their raw text and provenance
    rows = answers(engine, lead_id)
    assert by_slot(rows, "value", "raw_text", "answered_at") == {
        "budget": (BUDGET, MULTI, at(1)),
        "authority": (AUTHORITY, MULTI, at(1)),
        "need": (NEED_VALUE, NEED, at(2)),
        "timeline": (TIMELINE_VALUE, TIMELINE, at(3)),
    }
    assert {(a.framework, a.answered_by, a.conversation_id, a.source) for a in rows} == {
        ("bant", REP, cid, "slack_dm")
    }

    # the card: before, after, what this conversation changed
    assert (card.lead_id, card.lead_name, card.email) == (
        lead_id,
        "Dana Whitfield",
        STORY_LEAD_EMAIL,
    )
    assert card.before == ScoreSnapshot(47.6, "C2", "warm", False)
    result = card.result
    assert (result.grade, result.tier, result.qualified, result.missing) == ("A2", "hot", True, [])
    assert result.total > before.total
    with Session(engine) as session:
        lead = get_lead(session, lead_id)
        assert lead is not None
        assert result.to_dict() == compute_lead(session, lead, config, at(3)).to_dict()
    assert {s: a.raw_text for s, a in result.answers.items()} == {
        "budget": MULTI,
        "authority": MULTI,
        "need": NEED,
        "timeline": TIMELINE,
    }
    assert sorted(card.changes, key=lambda c: SLOT_ORDER.index(c.slot)) == [
        AnswerChange("budget", "Budget", None, "confirmed, 120,000 USD a year"),
        AnswerChange("authority", "Authority", None, "decision maker"),
        AnswerChange("need", "Need", None, "critical need: manual reporting takes days"),
        AnswerChange("timeline", "Timeline", None, "decision by 31 Dec 2026"),
    ]

    # the stored score and its change record
    after = score(engine, lead_id)
    assert (after.total, after.grade, after.tier, after.qualified, after.scored_at) == (
        result.total,
        "A2",
        "hot",
        True,
        at(3),
    )
    new = changes(engine, lead_id)[len(changes_before) :]
    assert [
        (c.reason, c.ref, c.old_total, c.new_total, c.old_tier, c.new_tier, c.at) for c in new
    ] == [("answer", f"conversation:{cid}", 47.6, result.total, "warm", "hot", at(3))]
    assert (new[0].old_qualified, new[0].new_qualified) == (False, True)

    # the conversation is closed, every rep message kept raw
    done = conversation(engine, cid)
    assert (done.status, done.completed_at, done.updated_at) == ("done", at(3), at(3))
    inbound = messages(engine, cid, "in")
    assert [(m.text, m.external_id, m.at) for m in inbound] == [
        (MULTI, "Ev1", at(1)),
        (NEED, "Ev2", at(2)),
        (TIMELINE, "Ev3", at(3)),
    ]
    outbound = [m.text for m in messages(engine, cid, "out")]
    assert outbound[0] == opened.replies[0].text and outbound[-1] == step.replies[-1].text

    # a message to a finished conversation is kept but changes nothing
    late = await service.reply(cid, "actually 200k", at(4), external_id="Ev4")
    assert (late.status, late.replies, late.card) == ("done", [], None)
    assert len(answers(engine, lead_id)) == 4 and len(messages(engine, cid, "in")) == 4


async def test_every_message_is_stored_raw_before_it_is_processed(
    engine: Engine,
    service: ConversationService,
    lead_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cid = service.open(lead_id, REP, "bant", NOW).conversation_id
    state_before = conversation(engine, cid).state
    out_before = len(messages(engine, cid, "out"))
    real_handle = service.dialog.handle

    async def crash_after_the_engine(
        state: dict[str, Any], text: str, now: datetime, source: str | None = None
    ) -> Any:
        await real_handle(state, text, now, source)  # the engine got through the message…
        raise RuntimeError("worker killed")  # …and the process died before saving

    monkeypatch.setattr(service.dialog, "handle", crash_after_the_engine)
    with pytest.raises(RuntimeError, match="worker killed"):
        await service.reply(cid, MULTI, at(1), external_id="Ev1", source="slack_dm")

    inbound = messages(engine, cid, "in")
    assert [(m.text, m.external_id, m.at) for m in inbound] == [(MULTI, "Ev1", at(1))]
    unchanged = conversation(engine, cid)
    assert unchanged.state == state_before and unchanged.status == "active"
    assert unchanged.updated_at == NOW
    assert len(messages(engine, cid, "out")) == out_before
    assert answers(engine, lead_id) == []

    # the redelivery of the message that never got processed is processed, once
    monkeypatch.undo()
    step = await service.reply(cid, MULTI, at(2), external_id="Ev1", source="slack_dm")
    assert not step.duplicate and asked(step) == "utter_ask_bant_form_need"
    state = conversation(engine, cid).state
    assert set(state["answers"]) == {"budget", "authority"}
    assert {(a["raw"], a["at"]) for a in state["answers"].values()} == {
        (MULTI, at(1).isoformat())  # read as of when it was first sent
    }
    again = await service.reply(cid, MULTI, at(3), external_id="Ev1", source="slack_dm")
    assert again.duplicate and again.replies == []
    assert len(messages(engine, cid, "in")) == 1
    assert conversation(engine, cid).state == state


async def test_a_redelivered_message_changes_nothing(
    engine: Engine, service: ConversationService, lead_id: int
) -> None:
    cid = service.open(lead_id, REP, "bant", NOW).conversation_id
    await service.reply(cid, MULTI, at(1), external_id="Ev1", source="slack_dm")
    await service.reply(cid, NEED, at(2), external_id="Ev2", source="slack_dm")
    state = conversation(engine, cid).state
    counts = (len(messages(engine, cid, "in")), len(messages(engine, cid, "out")))

    for when in (at(3), at(4)):
        dup = await service.reply(cid, NEED, when, external_id="Ev2", source="slack_dm")
        assert dup.duplicate and dup.replies == [] and dup.card is None
    # same external id, another text (a retry never differs, but a clash must not count)
    dup = await service.reply(cid, TIMELINE, at(5), external_id="Ev2", source="slack_dm")
    assert dup.duplicate

    stored = conversation(engine, cid)
    assert stored.state == state and stored.updated_at == at(2)
    assert (len(messages(engine, cid, "in")), len(messages(engine, cid, "out"))) == counts
    assert state["asked"] == "timeline" and "need" in state["answers"]

    # the next real message carries on; the redelivered answers were not doubled
    step = await service.reply(cid, TIMELINE, at(6), external_id="Ev3", source="slack_dm")
    assert step.status == "done"
    assert sorted(a.slot for a in answers(engine, lead_id)) == sorted(SLOT_ORDER[:4])
    late = await service.reply(cid, TIMELINE, at(7), external_id="Ev3", source="slack_dm")
    assert late.duplicate and late.card is None
    assert len(answers(engine, lead_id)) == 4


async def test_reply_to_an_unknown_conversation_is_an_error(
    engine: Engine, service: ConversationService, lead_id: int
) -> None:
    with pytest.raises(LookupError):
        await service.reply(999, MULTI, at(1))
    with pytest.raises(LookupError):
        await service.reply(999, MULTI, at(1), external_id="Ev1")
    assert count(engine, ConversationMessage) == 0


async def test_after_a_restart_the_conversation_continues_where_it_was(
    db_url: str, engine: Engine, service: ConversationService, config: ScoringConfig, lead_id: int
) -> None:
    opened = service.open(lead_id, REP, "bant", NOW)
    cid = opened.conversation_id
    await service.reply(cid, MULTI, at(1), external_id="Ev1", source="slack_dm")

    # a new process: its own database engine, dialog engine and service
    engine2 = make_engine(db_url)
    try:
        restarted = ConversationService(engine2, config)
        assert restarted.dialog is not service.dialog
        step = await restarted.reply(cid, NEED, at(2), external_id="Ev2", source="slack_dm")
        assert kinds(step) == ["utter_got_it", "utter_ask_bant_form_timeline"]

        # /qualify again for the same lead and rep: the open conversation, not a second one
        resumed = restarted.open(lead_id, REP, "bant", at(3))
        assert resumed.conversation_id == cid and resumed.status == "active"
        assert kinds(resumed) == ["utter_resumed", "utter_ask_bant_form_timeline"]
        assert [c.id for c in conversations(engine, lead_id)] == [cid]
        assert restarted.open_conversation(REP, lead_id).id == cid  # type: ignore[union-attr]

        # another process restarts again and finishes it
        third = ConversationService(engine2, config, DialogEngine(config))
        done = await third.reply(cid, TIMELINE, at(4), external_id="Ev3", source="slack_dm")
        assert done.status == "done" and done.card is not None
        assert done.card.before == ScoreSnapshot(47.6, "C2", "warm", False)
        assert done.card.result.tier == "hot" and done.card.result.qualified
    finally:
        engine2.dispose()
    assert by_slot(answers(engine, lead_id), "raw_text", "conversation_id") == {
        "budget": (MULTI, cid),
        "authority": (MULTI, cid),
        "need": (NEED, cid),
        "timeline": (TIMELINE, cid),
    }

    # once it is done, /qualify opens a fresh conversation (nothing left to ask under BANT)
    fresh = service.open(lead_id, REP, "bant", at(5))
    assert fresh.conversation_id != cid and fresh.status == "done"
    assert len(answers(engine, lead_id)) == 4


async def test_another_rep_gets_a_conversation_of_their_own(
    engine: Engine, service: ConversationService, lead_id: int
) -> None:
    mine = service.open(lead_id, REP, "bant", NOW)
    await service.reply(mine.conversation_id, MULTI, at(1))
    theirs = service.open(lead_id, "U099OTHER", "bant", at(2))
    assert theirs.conversation_id != mine.conversation_id
    assert kinds(theirs) == ["utter_ask_bant_form_budget"]  # nothing stored yet
    assert len(conversations(engine, lead_id)) == 2


async def test_bant_answers_count_under_champ(
    engine: Engine, service: ConversationService, lead_id: int
) -> None:
    last = await qualify_the_story_lead(service, lead_id)
    assert last.card is not None
    bant, hot = last.conversation_id, last.card.result

    later = NOW + timedelta(days=1)
    champ = service.open(lead_id, REP, "champ", later)
    assert champ.conversation_id != bant and champ.status == "active"
    assert kinds(champ) == ["utter_ask_champ_form_priority"]  # need, authority, money known
    assert conversation(engine, champ.conversation_id).state["queue"] == ["priority"]

    step = await service.reply(champ.conversation_id, "top priority", later, source="slack_dm")
    assert step.status == "done" and step.card is not None
    assert step.card.changes == [
        AnswerChange("priority", "Prioritization", None, "top priority"),
    ]
    # "before" is the lead at the time of the answer, without it (a day of decay later)
    assert step.card.before == ScoreSnapshot(81.3, hot.grade, hot.tier, hot.qualified)
    assert hot.total == 82.3
    rows = answers(engine, lead_id)
    assert by_slot(rows, "framework") == {
        "budget": ("bant",),
        "authority": ("bant",),
        "need": ("bant",),
        "timeline": ("bant",),
        "priority": ("champ",),
    }
    assert rows[-1].slot == "priority"  # the newest row
    assert rows[-1].value == {"level": "top"}
    assert rows[-1].conversation_id == champ.conversation_id
    assert set(step.card.result.answers) == {"budget", "authority", "need", "timeline", "priority"}


async def test_an_expired_answer_is_reconfirmed_and_kept_as_history(
    engine: Engine, service: ConversationService, lead_id: int
) -> None:
    first = (await qualify_the_story_lead(service, lead_id)).conversation_id
    later = NOW + timedelta(days=70)  # the timeline (60 days) expired, the rest did not

    opened = service.open(lead_id, REP, "bant", later)
    # Its date (31 Dec 2026) has passed: asked afresh, not "is that still right?".
    assert kinds(opened) == ["utter_ask_bant_form_timeline"]
    step = await service.reply(
        opened.conversation_id, "no, it slipped to end of March", later, source="slack_dm"
    )
    assert step.status == "done" and step.card is not None
    assert step.card.changes == [
        AnswerChange("timeline", "Timeline", "decision by 31 Dec 2026", "decision by 31 Mar 2027")
    ]
    rows = answers(engine, lead_id)
    assert [(a.slot, a.conversation_id) for a in rows if a.slot == "timeline"] == [
        ("timeline", first),  # the old answer stays in the history
        ("timeline", opened.conversation_id),
    ]
    assert rows[-1].value == {"status": "known", "date": "2027-03-31", "horizon_days": 58}
    assert step.card.result.answers["timeline"].value == rows[-1].value  # the newest counts
    assert len(rows) == 5


async def test_cancel_stores_no_answers_and_no_score_change(
    engine: Engine, service: ConversationService, lead_id: int
) -> None:
    stored_score = score(engine, lead_id)
    n_changes = len(changes(engine, lead_id))
    cid = service.open(lead_id, REP, "bant", NOW).conversation_id
    await service.reply(cid, MULTI, at(1))
    await service.reply(cid, NEED, at(2))

    step = await service.reply(cid, "cancel", at(3))
    assert step.status == "cancelled" and step.card is None
    assert kinds(step) == ["utter_cancelled"]
    cancelled = conversation(engine, cid)
    assert (cancelled.status, cancelled.completed_at) == ("cancelled", None)
    assert answers(engine, lead_id) == []
    assert len(changes(engine, lead_id)) == n_changes
    unchanged = score(engine, lead_id)
    assert (unchanged.total, unchanged.scored_at) == (stored_score.total, stored_score.scored_at)

    # nothing more happens in it; /qualify starts over from the first question
    ignored = await service.reply(cid, TIMELINE, at(4))
    assert (ignored.status, ignored.replies) == ("cancelled", [])
    again = service.open(lead_id, REP, "bant", at(5))
    assert again.conversation_id != cid and kinds(again) == ["utter_ask_bant_form_budget"]
    assert answers(engine, lead_id) == []


async def test_later_pauses_the_conversation_and_it_resumes(
    engine: Engine, service: ConversationService, lead_id: int
) -> None:
    cid = service.open(lead_id, REP, "bant", NOW).conversation_id
    await service.reply(cid, MULTI, at(1))

    paused = await service.reply(cid, "later", at(2))
    assert paused.status == "paused" and kinds(paused) == ["utter_paused"]
    assert conversation(engine, cid).status == "paused"
    assert service.open_conversation(REP, lead_id).id == cid  # type: ignore[union-attr]

    # reopening picks it up at the question it stopped at
    resumed = service.open(lead_id, REP, "bant", at(3))
    assert resumed.conversation_id == cid and resumed.status == "active"
    assert kinds(resumed) == ["utter_resumed", "utter_ask_bant_form_need"]
    assert conversation(engine, cid).status == "active"

    # paused again, then simply answering resumes it and counts the answer
    await service.reply(cid, "finish later", at(4))
    assert conversation(engine, cid).status == "paused"
    step = await service.reply(cid, NEED, at(5))
    assert step.status == "active"
    assert kinds(step) == ["utter_resumed", "utter_got_it", "utter_ask_bant_form_timeline"]
    assert answers(engine, lead_id) == []

    done = await service.reply(cid, TIMELINE, at(6))
    assert done.status == "done" and done.card is not None
    assert by_slot(answers(engine, lead_id), "value") == {
        "budget": (BUDGET,),
        "authority": (AUTHORITY,),
        "need": (NEED_VALUE,),
        "timeline": (TIMELINE_VALUE,),
    }
    assert len(conversations(engine, lead_id)) == 1


async def test_bad_input_never_stores_a_wrong_value(
    engine: Engine, service: ConversationService, lead_id: int
) -> None:
    cid = service.open(lead_id, REP, "bant", NOW).conversation_id

    def state() -> dict[str, Any]:
        return conversation(engine, cid).state

    # emoji only: not an attempt, just asked again
    step = await service.reply(cid, "🤷‍♀️🔥🔥", at(1))
    assert kinds(step) == ["utter_empty"]
    assert step.replies[0].buttons  # the question's buttons come with the re-ask
    assert state()["asked"] == "budget" and state()["tries"] == {} and state()["answers"] == {}

    # another language: a first failed try, a hint
    step = await service.reply(cid, "¿Cuánto? Todavía no lo sabemos", at(2))
    assert kinds(step) == ["utter_hint_budget"]
    assert state()["tries"] == {"budget": 1} and state()["answers"] == {}

    # nonsense: the second failed try, noted as unknown, on to the next question
    step = await service.reply(cid, "blorp flarg zindle", at(3))
    assert kinds(step) == ["utter_gave_up", "utter_ask_bant_form_authority"]
    assert state()["answers"]["budget"]["value"] == UNKNOWN_BUDGET

    # authority: not understood once (Japanese), then understood
    step = await service.reply(cid, "日本語のテキスト", at(4))
    assert kinds(step) == ["utter_hint_authority"] and "authority" not in state()["answers"]
    step = await service.reply(cid, "she's the decision maker", at(5))
    assert kinds(step) == ["utter_got_it", "utter_ask_bant_form_need"]
    assert answers(engine, lead_id) == []  # nothing reaches the history before the end

    await service.reply(cid, NEED, at(6))
    done = await service.reply(cid, TIMELINE, at(7))
    assert done.status == "done" and done.card is not None

    assert by_slot(answers(engine, lead_id), "value", "raw_text") == {
        "budget": (UNKNOWN_BUDGET, "blorp flarg zindle"),
        "authority": (AUTHORITY, "she's the decision maker"),
        "need": (NEED_VALUE, NEED),
        "timeline": (TIMELINE_VALUE, TIMELINE),
    }
    # every message, understood or not, is in the conversation's raw log
    assert [m.text for m in messages(engine, cid, "in")] == [
        "🤷‍♀️🔥🔥",
        "¿Cuánto? Todavía no lo sabemos",
        "blorp flarg zindle",
        "日本語のテキスト",
        "she's the decision maker",
        NEED,
        TIMELINE,
    ]
    # an unknown budget is not a confirmed one: the lead is not qualified on budget
    assert done.card.result.answers["budget"].value["status"] == "unknown"
    assert not done.card.result.qualified


async def test_a_very_long_answer_is_capped_and_said_so_but_kept_raw(
    engine: Engine, service: ConversationService, lead_id: int
) -> None:
    cid = service.open(lead_id, REP, "bant", NOW).conversation_id
    long_text = "we have 50k planned. " + "blah " * 2000
    step = await service.reply(cid, long_text, at(1))
    assert kinds(step)[0] == "utter_too_long"
    assert "utter_got_it" in kinds(step)
    assert conversation(engine, cid).state["answers"]["budget"]["value"]["status"] == "planned"
    assert [m.text for m in messages(engine, cid, "in")] == [long_text]
