"""The lead card's buttons: Explain in full, Share to channel, Claim (first click wins)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from bot.demo_data import STORY_LEAD_EMAIL
from bot.storage.tables import Lead
from tests.slack.harness import CHANNEL, REP, Slack, buttons, texts
from tests.slack_fake import FakeSlack, new_ts

ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "U0CAROL"


async def lead_card(slack: Slack, query: str) -> dict[str, Any]:
    """`/lead query`; the ephemeral card as a message of the channel (for clicks)."""
    await slack.command("/lead", query)
    await slack.settle()
    card = slack.fake.calls_to("chat.postEphemeral", ok=True)[-1]
    return {"ts": new_ts(), "channel": CHANNEL, "blocks": card.params["blocks"]}


async def share(slack: Slack, query: str, user: str = REP) -> dict[str, Any]:
    """Share a lead's card to the channel; the posted channel message (as Slack keeps it)."""
    card = await lead_card(slack, query)
    await slack.click(card, "share", user=user)
    await slack.settle()
    [posted] = slack.fake.find_messages(
        channel=CHANNEL, where=lambda m: "shared by" in texts(m.get("blocks"))
    )
    return posted


def owner(engine: Engine, lead_id: int) -> str | None:
    with Session(engine) as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead.owner


async def test_explain_in_full_lists_every_rule_privately(
    slack: Slack, fake_slack: FakeSlack
) -> None:
    card = await lead_card(slack, STORY_LEAD_EMAIL)
    response = await slack.click(card, "explain", response_url="explain")
    assert response.status_code == 200
    await slack.settle()
    [reply] = fake_slack.responses_to("explain")
    assert reply.body["response_type"] == "ephemeral"
    assert reply.body["replace_original"] is False  # the card stays
    explained = texts(reply.body["blocks"])
    assert explained.startswith("*Why Dana Whitfield scores 47.6* (")
    assert "fit *" in explained and "engagement *" in explained and "grade *C2*" in explained
    rows = [line for line in explained.splitlines() if line.startswith("`")]
    assert "` +6.6` VP or head of (VP Operations) _(profile)_" in rows
    assert any("Visited the pricing page ×" in r and "(event, today)" in r for r in rows)
    assert len(rows) > 5  # more than the card's top five
    assert "*Missing to qualify*\n• Budget confirmed or planned: " in explained
    assert fake_slack.calls_to("chat.postMessage") == []


async def test_share_to_channel_posts_the_card_for_everyone(
    slack: Slack, fake_slack: FakeSlack, unowned_lead: Lead
) -> None:
    posted = await share(slack, unowned_lead.email)
    shown = texts(posted["blocks"])
    assert f"<mailto:{unowned_lead.email}|{unowned_lead.email}>" in shown
    assert f"Owner: unclaimed · shared by <@{REP}>" in shown
    assert ("claim", "Claim") in buttons(posted["blocks"])
    assert posted["text"].startswith(f"{unowned_lead.email}: ")

    # a channel the bot is not in: the rep is told how to fix it, nothing fails
    fake_slack.fail_next("chat.postMessage", "not_in_channel")
    card = await lead_card(slack, unowned_lead.email)
    await slack.click(card, "share", response_url="share")
    await slack.settle()
    [reply] = fake_slack.responses_to("share")
    assert "invite me" in reply.body["text"] and reply.body["replace_original"] is False
    assert len(fake_slack.find_messages(channel=CHANNEL)) == 1


async def test_claim_race_first_click_wins(
    slack: Slack, fake_slack: FakeSlack, engine: Engine, unowned_lead: Lead
) -> None:
    assert unowned_lead.id is not None and owner(engine, unowned_lead.id) is None
    posted = await share(slack, unowned_lead.email)

    # two reps click Claim on the same message at the same time
    clicks = [slack.click_body(posted, "claim", user=u) for u in (ALICE, BOB)]
    responses = await asyncio.gather(*(slack.post(body) for body in clicks))
    assert [r.status_code for r in responses] == [200, 200]
    await slack.settle()

    winner = owner(engine, unowned_lead.id)
    assert winner in (ALICE, BOB)
    loser = BOB if winner == ALICE else ALICE
    [update] = fake_slack.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (CHANNEL, posted["ts"])
    message = fake_slack.message(CHANNEL, posted["ts"])
    assert texts(message["blocks"]).endswith(f"✔ Claimed by <@{winner}>")
    assert "claim" not in [action for action, _ in buttons(message["blocks"])]
    assert ("qualify_now", "Qualify now") in buttons(message["blocks"])
    [refusal] = fake_slack.calls_to("chat.postEphemeral")[-1:]
    assert refusal.params["user"] == loser
    assert refusal.params["text"] == f"Already claimed by <@{winner}>."

    # a late click (from a copy of the card that still has the button) changes nothing
    await slack.click(posted, "claim", user=CAROL)
    await slack.settle()
    assert owner(engine, unowned_lead.id) == winner
    assert len(fake_slack.calls_to("chat.update")) == 1
    late = fake_slack.calls_to("chat.postEphemeral")[-1]
    assert (late.params["user"], late.params["text"]) == (CAROL, f"Already claimed by <@{winner}>.")
