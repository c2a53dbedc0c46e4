"""Qualification conversations in Slack DMs: `/qualify`, the rep's messages and answer buttons,
retries, a restart halfway, rate limits, App Home.

The story lead (Dana Whitfield, warm, no answers) is qualified by her rep U0REP0001: "she
signs, ~120k a year confirmed" answers budget and authority at once, the need and the
timeline follow, and she ends hot and qualified.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.demo_data import STORY_LEAD_EMAIL
from bot.storage.tables import Answer, Conversation, ConversationMessage, Lead, LeadScore
from tests.slack.harness import CHANNEL, REP, Apps, Slack, answer_payload, buttons, texts
from tests.slack_fake import FakeSlack, app_home_opened_event, new_ts

DM = f"D{REP}"  # the fake's DM channel with the rep
MULTI = "she signs, ~120k a year confirmed"
NEED = "this is killing us, manual reporting takes days"
TIMELINE = "end of next month"
BUDGET_BUTTONS = ["Confirmed", "Being planned", "No budget", "Not sure"]
_msg_ids = itertools.count(1)


def dm(fake: FakeSlack, text: str, user: str = REP) -> dict[str, Any]:
    """The rep writes in the DM: the `message` event Slack sends (with its client_msg_id)."""
    return fake.user_message(text, user=user, client_msg_id=f"c0ffee00-{next(_msg_ids):04d}")


def bot_messages(fake: FakeSlack, channel: str = DM) -> list[dict[str, Any]]:
    """What the app posted in a channel, oldest first (as the fake keeps it, with `channel`)."""
    return [m for m in fake.find_messages(channel=channel) if m.get("bot_id")]


def posted_texts(fake: FakeSlack, channel: str = DM) -> list[str]:
    return [m["text"] for m in bot_messages(fake, channel)]


def answers(engine: Engine, lead_id: int) -> list[Answer]:
    with Session(engine) as session:
        stmt = select(Answer).where(Answer.lead_id == lead_id, col(Answer.conversation_id) > 0)
        return list(session.exec(stmt.order_by(col(Answer.id))))


def score(engine: Engine, lead_id: int) -> LeadScore:
    with Session(engine) as session:
        found = session.get(LeadScore, lead_id)
        assert found is not None
        return found


def conversations(engine: Engine, lead_id: int) -> list[Conversation]:
    with Session(engine) as session:
        stmt = select(Conversation).where(Conversation.lead_id == lead_id)
        return list(session.exec(stmt.order_by(col(Conversation.id))))


def inbound(engine: Engine) -> list[tuple[str, str | None]]:
    with Session(engine) as session:
        stmt = select(ConversationMessage).where(ConversationMessage.direction == "in")
        return [
            (m.text, m.external_id)
            for m in session.exec(stmt.order_by(col(ConversationMessage.id)))
        ]


async def say(slack: Slack, text: str) -> dict[str, Any]:
    """The rep DMs `text`; waits until the app has answered. Returns the event."""
    event = dm(slack.fake, text)
    response = await slack.event(event)
    assert (response.status_code, response.text) == (200, "")
    await slack.settle()
    return event


async def press(slack: Slack, label: str) -> dict[str, Any]:
    """The rep presses the answer button `label` of the newest question; returns the question."""
    question = next(m for m in reversed(bot_messages(slack.fake)) if buttons(m.get("blocks")))
    action = next(a for a, title in buttons(question["blocks"]) if title == label)
    response = await slack.click(question, action)
    assert response.status_code == 200
    await slack.settle()
    return question


async def qualify(slack: Slack, query: str = STORY_LEAD_EMAIL) -> None:
    response = await slack.command("/qualify", query)
    assert (response.status_code, response.text) == (200, "")
    await slack.settle()


async def test_a_whole_bant_conversation_by_messages_and_buttons(
    slack: Slack, fake_slack: FakeSlack, engine: Engine, story_lead: Lead
) -> None:
    lead_id = story_lead.id
    assert lead_id is not None and answers(engine, lead_id) == []
    await qualify(slack)
    [opened] = fake_slack.calls_to("conversations.open")
    assert opened.params["users"] == REP
    [first] = bot_messages(fake_slack)
    assert first["text"].startswith("How did the call with Dana Whitfield go? First, *budget*")
    assert [title for _, title in buttons(first["blocks"])] == BUDGET_BUTTONS
    [conversation] = conversations(engine, lead_id)
    assert (conversation.rep, conversation.channel, conversation.status) == (REP, DM, "active")
    assert answer_payload(first, "Confirmed") == {"c": conversation.id, "p": "budget confirmed"}

    # budget and authority in one DM
    await say(slack, MULTI)
    got_it, need_question = posted_texts(fake_slack)[1:]
    assert got_it == "Got it: Budget: confirmed, 120,000 USD a year; Authority: decision maker."
    assert need_question.startswith("*Need*")

    # the need by a button: the question is updated to show the answer, its buttons go
    question = await press(slack, "Critical")
    [update] = fake_slack.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (DM, question["ts"])
    marked = fake_slack.message(DM, question["ts"])
    assert texts(marked["blocks"]) == f"{need_question}\n✔ You answered: *Critical*"
    assert buttons(marked["blocks"]) == []
    assert posted_texts(fake_slack)[3] == "Got it: Need: critical need."
    assert posted_texts(fake_slack)[4].startswith("*Timeline*")

    # the timeline by DM ends it: thanks, then the score card
    await say(slack, TIMELINE)
    *_, got_timeline, thanks, card = bot_messages(fake_slack)
    assert got_timeline["text"].startswith("Got it: Timeline: decision by ")
    assert thanks["text"] == "Thanks! That's everything I needed for Dana Whitfield."
    after = score(engine, lead_id)
    assert (after.grade, after.tier, after.qualified) == ("A2", "hot", True)
    assert card["text"] == f"Score card: {after.total:.1f} (hot)"
    shown = texts(card["blocks"]).splitlines()
    assert shown[:2] == [
        "*Score card: Dana Whitfield (Northwind Analytics)*",
        f"*47.6* C2 🌤️ warm, not qualified  →  *{after.total:.1f}* A2 🔥 hot, qualified ✅",
    ]
    assert shown[2:5] == [
        "• *Budget*: confirmed, 120,000 USD a year",
        "• *Authority*: decision maker",
        "• *Need*: critical need",
    ]
    assert shown[5].startswith("• *Timeline*: decision by ")

    # stored: every answer with its raw text, given by the rep in this conversation
    rows = answers(engine, lead_id)
    assert {a.slot: a.raw_text for a in rows} == {
        "budget": MULTI,
        "authority": MULTI,
        "need": "critical",  # the button's payload
        "timeline": TIMELINE,
    }
    assert len(rows) == 4
    assert {(a.answered_by, a.framework, a.conversation_id) for a in rows} == {
        (REP, "bant", conversation.id)
    }
    assert {a.source for a in rows} <= {"slack_dm", "slack_button"}
    assert [c.status for c in conversations(engine, lead_id)] == ["done"]
    assert [text for text, _ in inbound(engine)] == [MULTI, "critical", TIMELINE]
    assert fake_slack.calls_to("chat.postEphemeral") == []
    assert all(c.ok for c in fake_slack.calls)


async def test_each_answer_keeps_the_channel_it_came_through(
    slack: Slack, fake_slack: FakeSlack, engine: Engine, story_lead: Lead
) -> None:
    await qualify(slack)
    await say(slack, MULTI)
    await press(slack, "Critical")
    await say(slack, TIMELINE)
    sources = {a.slot: a.source for a in answers(engine, story_lead.id)}  # type: ignore[arg-type]
    assert sources == {
        "budget": "slack_dm",
        "authority": "slack_dm",
        "need": "slack_button",
        "timeline": "slack_dm",
    }


async def test_slack_retries_and_duplicate_deliveries_are_not_doubled(
    slack: Slack, fake_slack: FakeSlack, engine: Engine, story_lead: Lead
) -> None:
    await qualify(slack)
    first = dm(fake_slack, MULTI)
    await slack.event(first, "Ev0MULTI")
    await slack.settle()
    posted = len(bot_messages(fake_slack))
    assert posted == 3

    # Slack's retry (same event id, X-Slack-Retry-Num), and the same message delivered
    # again under another event id: both acknowledged, neither processed again
    for event_id, retry in (("Ev0MULTI", 1), ("Ev0MULTI", 2), ("Ev0OTHER", None)):
        response = await slack.event(first, event_id, retry_num=retry)
        assert response.status_code == 200
    await slack.settle()
    assert len(bot_messages(fake_slack)) == posted
    assert inbound(engine) == [(MULTI, f"msg:{first['client_msg_id']}")]

    # a double click on an answer button answers that question once (not the next one too)
    need_question = bot_messages(fake_slack)[-1]
    clicks = [slack.click_body(need_question, "answer:0") for _ in range(2)]
    await asyncio.gather(*(slack.post(body) for body in clicks))
    await slack.settle()
    got_it, asked = posted_texts(fake_slack)[posted:]  # two messages, not four
    assert got_it == "Got it: Need: critical need."
    assert asked.startswith("*Timeline*")
    assert len(fake_slack.calls_to("chat.update")) == 1

    last = dm(fake_slack, TIMELINE)
    await slack.event(last, "Ev0LAST")
    await slack.settle()
    assert bot_messages(fake_slack)[-1]["text"].startswith("Score card: ")
    done = len(bot_messages(fake_slack))

    # the retry of the message that finished the conversation: still nothing
    await slack.event(last, "Ev0LAST", retry_num=1)
    await slack.settle()
    assert len(bot_messages(fake_slack)) == done
    assert len(answers(engine, story_lead.id)) == 4  # type: ignore[arg-type]
    assert [text for text, _ in inbound(engine)] == [MULTI, "critical", TIMELINE]

    # a button of the (DM-answered) timeline question, pressed after the end: nothing changes
    timeline_question = next(m for m in bot_messages(fake_slack) if m["text"].startswith("*Tim"))
    await slack.click(timeline_question, "answer:0")
    await slack.settle()
    assert len(bot_messages(fake_slack)) == done
    marked = fake_slack.message(DM, timeline_question["ts"])
    assert texts(marked["blocks"]).endswith("This qualification is done: nothing changed.")
    assert len(answers(engine, story_lead.id)) == 4  # type: ignore[arg-type]


async def test_a_restart_mid_conversation_carries_on(
    apps: Apps, fake_slack: FakeSlack, engine: Engine, story_lead: Lead
) -> None:
    before = await apps.start()
    await qualify(before)
    await say(before, MULTI)
    assert posted_texts(fake_slack)[-1].startswith("*Need*")
    await apps.stop(before)  # the process goes away…

    after = await apps.start()  # …a new one (a new build()) starts on the same database
    assert after.bolt is not before.bolt
    await say(after, NEED)
    got_it, asked = posted_texts(fake_slack)[-2:]
    assert got_it == "Got it: Need: critical need: manual reporting takes days."
    assert asked.startswith("*Timeline*")
    assert not any("budget" in t.lower() for t in posted_texts(fake_slack)[3:])  # not re-asked

    await press(after, "This quarter")  # a button of a message the new process posted
    assert bot_messages(fake_slack)[-1]["text"].startswith("Score card: ")
    assert sorted(a.slot for a in answers(engine, story_lead.id)) == [  # type: ignore[arg-type]
        "authority",
        "budget",
        "need",
        "timeline",
    ]
    assert [c.status for c in conversations(engine, story_lead.id)] == ["done"]  # type: ignore[arg-type]


async def test_a_rate_limited_post_is_retried_after_retry_after(
    slack: Slack, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("chat.postMessage", retry_after=1)
    await qualify(slack)
    limited, delivered = fake_slack.calls_to("chat.postMessage")
    assert (limited.status, limited.response) == (429, {"ok": False, "error": "ratelimited"})
    assert delivered.ok and delivered.params == limited.params
    assert delivered.time - limited.time >= 1.0  # waited for Retry-After
    [question] = bot_messages(fake_slack)  # arrived once
    assert question["text"].startswith("How did the call with Dana Whitfield go?")


async def test_qualify_now_button_champ_usage_and_unknown_leads(
    slack: Slack, fake_slack: FakeSlack, engine: Engine, story_lead: Lead, unowned_lead: Lead
) -> None:
    # Qualify now on a /lead card starts a conversation in the clicker's DM
    await slack.command("/lead", unowned_lead.email)
    await slack.settle()
    card = fake_slack.calls_to("chat.postEphemeral")[-1].params["blocks"]
    await slack.click({"ts": new_ts(), "channel": CHANNEL, "blocks": card}, "qualify_now")
    await slack.settle()
    [question] = bot_messages(fake_slack)
    assert "*budget*" in question["text"]
    [conversation] = conversations(engine, unowned_lead.id)  # type: ignore[arg-type]
    assert (conversation.rep, conversation.framework) == (REP, "bant")

    # /qualify LEAD champ: the CHAMP form; bad input gets usage or suggestions, nothing opens
    await qualify(slack, f"{STORY_LEAD_EMAIL} champ")
    [champ] = conversations(engine, story_lead.id)  # type: ignore[arg-type]
    assert champ.framework == "champ"
    assert "*challenges*" in posted_texts(fake_slack)[-1].lower()
    await qualify(slack, "")
    await qualify(slack, "northwnd")
    usage_blocks, unknown_blocks = (
        texts(c.params["blocks"]) for c in fake_slack.calls_to("chat.postEphemeral")[-2:]
    )
    assert usage_blocks == "Usage: `/qualify <email | domain | company> [bant | champ]`"
    assert unknown_blocks.startswith("No lead matches *northwnd*. Did you mean: `Northwind")
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Conversation)).one() == 2


async def test_messages_outside_a_qualification(
    slack: Slack, fake_slack: FakeSlack, engine: Engine
) -> None:
    # a DM with nothing open gets a hint
    await say(slack, "hello?")
    assert posted_texts(fake_slack) == [
        "No qualification is open. Start one with `/qualify <lead>`."
    ]
    # channel messages and the bot's own messages are not answered
    channel_message = fake_slack.user_message("budget is 50k", user=REP, channel=CHANNEL)
    channel_message["channel_type"] = "channel"
    await slack.event(channel_message)
    echo = bot_messages(fake_slack)[0]
    await slack.event({**echo, "channel": DM, "channel_type": "im", "event_ts": echo["ts"]})
    await slack.settle()
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert inbound(engine) == []


async def test_app_home_lists_pending_qualifications(
    slack: Slack, fake_slack: FakeSlack, story_lead: Lead
) -> None:
    await qualify(slack)
    response = await slack.event(app_home_opened_event(REP))
    assert response.status_code == 200
    await slack.settle()
    [publish] = fake_slack.calls_to("views.publish")
    assert publish.ok and publish.params["user_id"] == REP
    home = fake_slack.home_view(REP)
    assert home is not None and home["type"] == "home"
    sections = [texts([b]) for b in home["blocks"] if b["type"] == "section"]
    assert sections[0] == "*Pending qualifications*\n• Dana Whitfield (active)"
    mine = sections[1].splitlines()
    assert mine[0] == "*Your leads by score*" and "*Dana Whitfield*" in mine[1]
    assert len(mine) == 7  # the rep's six demo leads
    assert sections[2].startswith("*Hot this week*\n") and "*David Barnes*" in sections[2]

    # another rep with nothing pending and no leads; the Messages tab publishes nothing
    await slack.event(app_home_opened_event("U0NEWREP"))
    await slack.event(app_home_opened_event(REP, tab="messages"))
    await slack.settle()
    assert len(fake_slack.calls_to("views.publish")) == 2
    other = fake_slack.home_view("U0NEWREP")
    assert other is not None
    shown = texts(other["blocks"])
    assert "Nothing pending. 🎉" in shown and "No leads assigned to you yet." in shown
