"""Nudges: a qualification left unanswered is re-asked in the rep's DM after `after_minutes`,
within working hours of the rep's own Slack time zone, at most `max` times, once across
replicas.

The conversation is started through the real app (`/qualify`), then its timestamps are moved
to a fixed Monday (T0) so that `send_due_nudges` can run on a fake clock (`ctx.now`).
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine, update
from sqlmodel import Session

from bot import nudges
from bot.conversations import ConversationService
from bot.nudges import DueNudge, claim_nudge, due_nudges, send_due_nudges
from bot.slack.app import SlackContext
from bot.storage.database import make_engine
from bot.storage.tables import Conversation, ConversationMessage, Lead
from scoring.config import ScoringConfig
from scoring.notify_config import NudgeSpec
from tests.slack.harness import REP, Slack, answer_payload, buttons, texts
from tests.slack.test_qualification import (
    BUDGET_BUTTONS,
    DM,
    MULTI,
    NEED,
    TIMELINE,
    bot_messages,
    conversations,
    press,
    qualify,
    say,
)
from tests.slack_fake import BOT_TOKEN, FakeSlack

MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # 10:00 in Berlin, 01:00 in Los Angeles
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def nudger(engine: Engine, config: ScoringConfig, clock: Clock, **spec: object) -> SlackContext:
    """What the scheduler job runs with: the app's context on a fake clock."""
    if spec:
        config = config.model_copy(update={"nudges": NudgeSpec.model_validate(spec)})
    return SlackContext(engine, config, ConversationService(engine, config), now=clock)


def backdate(engine: Engine, at: datetime) -> None:
    """Every conversation and message happened at `at`."""
    with Session(engine) as session, session.begin():
        session.execute(update(Conversation).values(created_at=at, updated_at=at))
        session.execute(update(ConversationMessage).values(at=at))


def conversation(engine: Engine, lead: Lead) -> Conversation:
    assert lead.id is not None
    [found] = conversations(engine, lead.id)
    return found


def reminders(fake: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in bot_messages(fake) if str(m["text"]).startswith("Reminder:")]


async def started(slack: Slack, engine: Engine, at: datetime, tz: str) -> None:
    """The rep (in time zone `tz`) was asked the first question at `at`."""
    slack.fake.add_user(REP, tz=tz)
    await qualify(slack)
    backdate(engine, at)


async def test_nudged_after_the_delay_with_the_pending_question_and_its_buttons(
    slack: Slack,
    fake_slack: FakeSlack,
    fake_slack_client: AsyncWebClient,
    engine: Engine,
    config: ScoringConfig,
    story_lead: Lead,
) -> None:
    await started(slack, engine, MONDAY_9, "Europe/Berlin")
    clock = Clock(MONDAY_9 + 119 * MINUTE)
    ctx = nudger(engine, config, clock)  # config.yml: after 120 minutes, at most 2
    assert await send_due_nudges(ctx, fake_slack_client) == 0
    assert reminders(fake_slack) == []

    clock.at = MONDAY_9 + 121 * MINUTE
    assert await send_due_nudges(ctx, fake_slack_client) == 1
    [nudge] = reminders(fake_slack)
    first = texts(nudge["blocks"]).splitlines()
    assert (
        first[0] == "👋 A friendly reminder: the qualification of *Dana Whitfield* is still open."
    )
    assert first[1].startswith("How did the call with Dana Whitfield go? First, *budget*")
    assert [title for _, title in buttons(nudge["blocks"])] == BUDGET_BUTTONS
    stored = conversation(engine, story_lead)
    assert (stored.nudges, stored.last_nudged_at) == (1, clock.at)
    assert answer_payload(nudge, "Confirmed") == {"c": stored.id, "p": "budget confirmed"}
    assert [c.params["user"] for c in fake_slack.calls_to("users.info")] == [REP]

    # the delay starts again from the nudge
    clock.at += 60 * MINUTE
    assert await send_due_nudges(ctx, fake_slack_client) == 0

    # the nudge's buttons answer the conversation like the question's
    await press(slack, "Confirmed")
    assert bot_messages(fake_slack)[-2]["text"] == "Got it: Budget: confirmed."
    question = bot_messages(fake_slack)[-1]
    assert ("answer:0", "Decision maker") in buttons(question["blocks"])  # authority is next
    marked = fake_slack.message(DM, nudge["ts"])
    assert texts(marked["blocks"]).endswith("✔ You answered: *Confirmed*")


async def test_outside_the_reps_working_hours_the_nudge_waits(
    slack: Slack,
    fake_slack: FakeSlack,
    fake_slack_client: AsyncWebClient,
    engine: Engine,
    config: ScoringConfig,
    story_lead: Lead,
) -> None:
    asked = MONDAY_9 + 5 * HOUR  # 14:00 UTC, 06:00 in Los Angeles
    await started(slack, engine, asked, "America/Los_Angeles")
    # the working hours are 09:00-18:00 in the rep's zone: 16:30 UTC is 08:30 for them
    clock = Clock(asked + 150 * MINUTE)
    ctx = nudger(engine, config, clock)
    assert await send_due_nudges(ctx, fake_slack_client) == 0
    assert conversation(engine, story_lead).nudges == 0

    clock.at = datetime(2026, 11, 16, 17, 5, tzinfo=UTC)  # 09:05 in Los Angeles
    assert await send_due_nudges(ctx, fake_slack_client) == 1
    assert len(reminders(fake_slack)) == 1
    assert len(fake_slack.calls_to("users.info")) == 1  # the rep's zone is cached


async def test_friday_evening_waits_for_monday_morning(
    slack: Slack,
    fake_slack_client: AsyncWebClient,
    fake_slack: FakeSlack,
    engine: Engine,
    config: ScoringConfig,
    story_lead: Lead,
) -> None:
    friday_5pm = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # 17:00 in Berlin
    await started(slack, engine, friday_5pm, "Europe/Berlin")
    clock = Clock(friday_5pm + 3 * HOUR)
    ctx = nudger(engine, config, clock)
    for at in (friday_5pm + 3 * HOUR, friday_5pm + 24 * HOUR, friday_5pm + 48 * HOUR):
        clock.at = at
        assert await send_due_nudges(ctx, fake_slack_client) == 0
    clock.at = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
    assert await send_due_nudges(ctx, fake_slack_client) == 1


async def test_at_most_max_nudges_and_the_last_one_says_so(
    slack: Slack,
    fake_slack: FakeSlack,
    fake_slack_client: AsyncWebClient,
    engine: Engine,
    config: ScoringConfig,
    story_lead: Lead,
) -> None:
    await started(slack, engine, MONDAY_9, "Europe/Berlin")
    clock = Clock(MONDAY_9)
    ctx = nudger(engine, config, clock, after_minutes=60, max=2)
    sent = []
    for hours in range(1, 7):
        clock.at = MONDAY_9 + hours * HOUR + MINUTE
        sent.append(await send_due_nudges(ctx, fake_slack_client))
    assert sent == [1, 1, 0, 0, 0, 0]
    first, last = (texts(m["blocks"]) for m in reminders(fake_slack))
    assert "`later` to pause" in first and "last reminder" not in first
    assert "This is my last reminder" in last
    assert conversation(engine, story_lead).nudges == 2


async def test_two_replicas_checking_at_once_send_one_nudge(
    monkeypatch: pytest.MonkeyPatch,
    slack: Slack,
    fake_slack: FakeSlack,
    engine: Engine,
    db_url: str,
    config: ScoringConfig,
    story_lead: Lead,
) -> None:
    await started(slack, engine, MONDAY_9, "Europe/Berlin")
    clock = Clock(MONDAY_9 + 3 * HOUR)
    claims: list[bool] = []
    both_read = threading.Barrier(2, timeout=5)

    def due(*args: Any) -> list[DueNudge]:  # each replica finds it due before either claims
        found = due_nudges(*args)
        both_read.wait()
        return found

    def claim(*args: Any) -> bool:
        claims.append(claim_nudge(*args))
        return claims[-1]

    monkeypatch.setattr(nudges, "due_nudges", due)
    monkeypatch.setattr(nudges, "claim_nudge", claim)
    engines = [make_engine(db_url), make_engine(db_url)]
    try:
        replicas = [
            (
                nudger(e, config, clock),
                AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.base_url),
            )
            for e in engines
        ]
        sent = await asyncio.gather(*(send_due_nudges(ctx, client) for ctx, client in replicas))
    finally:
        for e in engines:
            e.dispose()
    assert sorted(sent) == [0, 1]
    assert sorted(claims) == [False, True]  # both tried: the conditional UPDATE decided
    assert len(reminders(fake_slack)) == 1
    assert conversation(engine, story_lead).nudges == 1


def test_a_claim_made_from_a_stale_reading_loses(
    engine: Engine, config: ScoringConfig, story_lead: Lead
) -> None:
    """The guard itself: the second replica read `nudges == 0` too, but the first won."""
    ctx = nudger(engine, config, Clock(MONDAY_9))
    assert story_lead.id is not None
    ctx.conversations.open(story_lead.id, REP, "bant", MONDAY_9, channel=DM)
    at = MONDAY_9 + 3 * HOUR
    [due] = due_nudges(ctx, config.nudges, at)
    assert isinstance(due, DueNudge) and due.nudges == 0
    cutoff = at - timedelta(minutes=config.nudges.after_minutes)
    assert claim_nudge(engine, due, at, cutoff) is True
    assert claim_nudge(engine, due, at, cutoff) is False
    assert due_nudges(ctx, config.nudges, at) == []  # nudged just now

    # due again later, but the rep writes before the claim: no nudge
    at += 3 * HOUR
    [due] = due_nudges(ctx, config.nudges, at)
    with Session(engine) as session, session.begin():
        session.add(
            ConversationMessage(
                conversation_id=due.conversation_id, direction="in", text="hi", at=at
            )
        )
    assert (
        claim_nudge(engine, due, at, at - timedelta(minutes=config.nudges.after_minutes)) is False
    )


async def test_the_pending_question_is_re_asked_and_finished_conversations_are_left_alone(
    slack: Slack,
    fake_slack: FakeSlack,
    fake_slack_client: AsyncWebClient,
    engine: Engine,
    config: ScoringConfig,
    story_lead: Lead,
) -> None:
    fake_slack.add_user(REP, tz="Europe/Berlin")
    await qualify(slack)
    await say(slack, MULTI)  # budget and authority answered: the need is asked
    backdate(engine, MONDAY_9)
    clock = Clock(MONDAY_9 + 3 * HOUR)
    ctx = nudger(engine, config, clock)
    assert await send_due_nudges(ctx, fake_slack_client) == 1
    [nudge] = reminders(fake_slack)
    assert texts(nudge["blocks"]).splitlines()[1].startswith("*Need*")

    await say(slack, NEED)
    await say(slack, TIMELINE)
    assert conversation(engine, story_lead).status == "done"
    backdate(engine, MONDAY_9)
    for hours in (4, 6, 8):
        clock.at = MONDAY_9 + hours * HOUR
        assert await send_due_nudges(ctx, fake_slack_client) == 0
    assert len(reminders(fake_slack)) == 1


async def test_no_nudge_while_a_rep_message_is_unanswered_or_when_disabled(
    slack: Slack,
    fake_slack: FakeSlack,
    fake_slack_client: AsyncWebClient,
    engine: Engine,
    config: ScoringConfig,
    story_lead: Lead,
) -> None:
    await started(slack, engine, MONDAY_9, "Europe/Berlin")
    stored = conversation(engine, story_lead)
    assert stored.id is not None
    with Session(engine) as session, session.begin():  # stored, not processed yet
        session.add(
            ConversationMessage(
                conversation_id=stored.id, direction="in", text="hmm", at=MONDAY_9 + MINUTE
            )
        )
    ctx = nudger(engine, config, Clock(MONDAY_9 + 3 * HOUR))
    assert await send_due_nudges(ctx, fake_slack_client) == 0
    ctx = nudger(engine, config, Clock(MONDAY_9 + 3 * HOUR), enabled=False)
    assert await send_due_nudges(ctx, fake_slack_client) == 0
    assert reminders(fake_slack) == []
    assert conversation(engine, story_lead).nudges == 0
