"""The Edit answers modal: opened from the lead card (and the score card), prefilled with the
answers that count; changed fields are read like DM answers, saved as history and rescored;
a field not understood gets its own error and nothing is saved.

The story lead (Dana Whitfield, no answers) is given a budget answer three days before the
session's NOW first.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.scoring_service import rescore_lead
from bot.storage.answers_repo import add_answer
from bot.storage.tables import Answer, Lead, LeadScore
from scoring.config import ScoringConfig
from tests.slack.conftest import NOW
from tests.slack.harness import CHANNEL, REP, Slack, buttons, texts
from tests.slack.test_qualification import MULTI, NEED, TIMELINE, bot_messages, qualify, say
from tests.slack_fake import FakeSlack, input_value, new_ts, view_submission_body

BUDGET = {"status": "confirmed", "amount": 120000.0, "currency": "USD", "period": "year"}
SLOTS = ["budget", "authority", "need", "timeline", "priority"]


def history(engine: Engine, lead_id: int) -> list[Answer]:
    with Session(engine) as session:
        stmt = select(Answer).where(Answer.lead_id == lead_id).order_by(col(Answer.id))
        return list(session.exec(stmt))


def total(engine: Engine, lead_id: int) -> float:
    with Session(engine) as session:
        score = session.get(LeadScore, lead_id)
        assert score is not None
        return score.total


def given_a_budget(engine: Engine, config: ScoringConfig, lead: Lead, days_ago: int = 3) -> None:
    assert lead.id is not None
    with Session(engine) as session, session.begin():
        add_answer(
            session,
            lead.id,
            "budget",
            BUDGET,
            source="slack_dm",
            raw_text="~120k a year confirmed",
            answered_by=REP,
            answered_at=NOW - timedelta(days=days_ago),
        )
        rescore_lead(session, lead.id, config, NOW)


async def open_modal(slack: Slack, lead: Lead) -> dict[str, Any]:
    """`/lead`, then Edit answers on the card: the modal as Slack keeps it."""
    await slack.command("/lead", lead.email)
    await slack.settle()
    card = slack.fake.calls_to("chat.postEphemeral", ok=True)[-1]
    message = {"ts": new_ts(), "channel": CHANNEL, "blocks": card.params["blocks"]}
    assert ("edit_answers", "Edit answers") in buttons(message["blocks"])
    response = await slack.click(message, "edit_answers", str(lead.id))
    assert response.status_code == 200
    await slack.settle()
    [opened] = slack.fake.calls_to("views.open", ok=True)
    assert opened.response is not None
    view: dict[str, Any] = opened.response["view"]
    return view


def field_values(view: dict[str, Any], **changes: str) -> dict[str, dict[str, Any]]:
    """The submitted state: every input as prefilled, except `changes`."""
    values = {}
    for block in view["blocks"]:
        if block["type"] == "input":
            text = changes.get(block["block_id"], block["element"].get("initial_value", ""))
            values[block["block_id"]] = {"answer": input_value(text)}
    return values


async def submit(slack: Slack, view: dict[str, Any], **changes: str) -> httpx.Response:
    body = view_submission_body(view, field_values(view, **changes), user_id=REP)
    response = await slack.post(body)
    await slack.settle()
    return response


async def test_the_modal_shows_the_current_answers_in_words_with_their_age(
    slack: Slack, engine: Engine, config: ScoringConfig, story_lead: Lead
) -> None:
    given_a_budget(engine, config, story_lead)
    view = await open_modal(slack, story_lead)
    assert (view["type"], view["callback_id"]) == ("modal", "edit_answers")
    assert json.loads(view["private_metadata"])["lead"] == story_lead.id
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == SLOTS
    assert all(b["optional"] for b in inputs.values())
    budget = inputs["budget"]
    assert budget["label"]["text"] == "Budget (Money)"
    assert budget["element"]["initial_value"] == "confirmed, 120,000 USD a year"
    assert budget["hint"]["text"] == 'Answered 3 days ago: "~120k a year confirmed"'
    assert inputs["need"]["label"]["text"] == "Need (Challenges)"
    for slot in SLOTS[1:]:  # never answered: empty, with an example
        assert "initial_value" not in inputs[slot]["element"]
        assert inputs[slot]["element"]["placeholder"]["text"].startswith("e.g.")


async def test_a_changed_answer_is_saved_as_history_and_rescored(
    slack: Slack, fake_slack: FakeSlack, engine: Engine, config: ScoringConfig, story_lead: Lead
) -> None:
    assert story_lead.id is not None
    given_a_budget(engine, config, story_lead)
    before = total(engine, story_lead.id)
    view = await open_modal(slack, story_lead)

    response = await submit(slack, view, authority="she signs, she's the CFO")
    assert (response.status_code, response.text) == (200, "")  # the modal closes
    *_, new = history(engine, story_lead.id)
    assert len(history(engine, story_lead.id)) == 2  # the unchanged budget was not saved again
    assert (new.slot, new.value["role"], new.value["title"]) == (
        "authority",
        "decision_maker",
        "CFO",
    )
    assert (new.source, new.answered_by, new.raw_text) == (
        "slack_modal",
        REP,
        "she signs, she's the CFO",
    )
    after = total(engine, story_lead.id)
    assert after > before

    [confirmation] = bot_messages(fake_slack, f"D{REP}")
    shown = texts(confirmation["blocks"]).splitlines()
    assert shown[0] == "*Answers updated: Dana Whitfield (Northwind Analytics)*"
    assert f"*{before:.1f}*" in shown[1] and f"→  *{after:.1f}*" in shown[1]
    assert shown[2] == "• *Authority*: decision maker (CFO decides)"


async def test_an_answer_not_understood_gets_its_error_and_nothing_is_saved(
    slack: Slack, engine: Engine, config: ScoringConfig, story_lead: Lead
) -> None:
    assert story_lead.id is not None
    given_a_budget(engine, config, story_lead)
    before = total(engine, story_lead.id)
    view = await open_modal(slack, story_lead)

    response = await submit(slack, view, authority="decision maker", timeline="purple giraffes")
    assert response.status_code == 200
    body = response.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == ["timeline"]
    assert body["errors"]["timeline"].startswith("Sorry, I couldn't read a date.")
    assert len(history(engine, story_lead.id)) == 1  # not even the authority
    assert total(engine, story_lead.id) == before
    assert slack.fake.calls_to("chat.postMessage") == []


async def test_a_cleared_answer_becomes_unknown_and_resubmitting_as_shown_changes_nothing(
    slack: Slack, fake_slack: FakeSlack, engine: Engine, config: ScoringConfig, story_lead: Lead
) -> None:
    assert story_lead.id is not None
    given_a_budget(engine, config, story_lead)
    view = await open_modal(slack, story_lead)
    await submit(slack, view)
    assert len(history(engine, story_lead.id)) == 1
    [nothing] = bot_messages(fake_slack, f"D{REP}")
    assert nothing["text"] == "Nothing changed."

    await submit(slack, view, budget="")
    *_, cleared = history(engine, story_lead.id)
    assert (cleared.slot, cleared.value["status"], cleared.raw_text) == ("budget", "unknown", "")


async def test_an_expired_answer_is_asked_again_and_retyping_it_reconfirms_it(
    slack: Slack, engine: Engine, config: ScoringConfig, story_lead: Lead
) -> None:
    assert story_lead.id is not None
    given_a_budget(engine, config, story_lead, days_ago=130)  # budgets expire after 120 days
    before = total(engine, story_lead.id)
    view = await open_modal(slack, story_lead)
    [budget] = [b for b in view["blocks"] if b.get("block_id") == "budget"]
    assert "initial_value" not in budget["element"]
    assert budget["hint"]["text"] == (
        'Expired (answered 130 days ago): "confirmed, 120,000 USD a year". '
        "Still right? Type it again."
    )
    await submit(slack, view, budget="confirmed, 120k a year")
    *_, renewed = history(engine, story_lead.id)
    assert (renewed.slot, renewed.value, renewed.source) == ("budget", BUDGET, "slack_modal")
    assert total(engine, story_lead.id) > before


async def test_the_score_card_at_the_end_of_a_conversation_offers_edit_answers(
    slack: Slack, fake_slack: FakeSlack, story_lead: Lead
) -> None:
    await qualify(slack)
    await say(slack, MULTI)
    await say(slack, NEED)
    await say(slack, TIMELINE)
    card = bot_messages(fake_slack)[-1]
    assert card["text"].startswith("Score card:")
    assert buttons(card["blocks"]) == [("edit_answers", "Edit answers")]
    await slack.click(card, "edit_answers", str(story_lead.id))
    await slack.settle()
    [opened] = fake_slack.calls_to("views.open", ok=True)
    inputs = [b for b in opened.params["view"]["blocks"] if b["type"] == "input"]
    prefilled = {b["block_id"]: b["element"].get("initial_value") for b in inputs}
    assert prefilled["budget"] == "confirmed, 120,000 USD a year"
    assert prefilled["authority"] == "decision maker"
    assert prefilled["need"].startswith("critical need")
    assert prefilled["priority"] is None
