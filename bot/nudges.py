"""Nudges: remind a rep of a qualification left unanswered (config.yml `nudges`).

A conversation is due when it is open, its DM is waiting for the rep (the newest message
is the bot's), and its last activity (the rep's last answer, or the last nudge) is older
than `after_minutes`. It is nudged only while the rep's own Slack time zone is within
`working_hours` (outside them it waits), at most `max` times per conversation. Each nudge
is claimed with a conditional UPDATE first, so two replicas checking at once send it once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import CursorResult, Engine, exists, or_, update
from sqlmodel import Session, col, select

from bot.metrics import NUDGES_SENT
from bot.slack import blocks
from bot.slack.app import SlackContext
from bot.storage.database import session_scope
from bot.storage.tables import OPEN_STATUSES, Conversation, ConversationMessage
from dialogs.domain import Reply
from scoring.notify_config import NudgeSpec
from scoring.time_windows import in_window

log = logging.getLogger(__name__)
TZ_TTL_SECONDS = 12 * 3600  # a rep's time zone is asked again after this (they travel)


@dataclass(frozen=True, slots=True)
class DueNudge:
    """An open conversation waiting for its rep, with the question to ask again."""

    conversation_id: int
    rep: str
    channel: str
    nudges: int  # sent so far: the claim succeeds only if it is still this
    newest_message: int  # id of the conversation's newest message when it was found due
    lead_name: str
    question: Reply


async def send_due_nudges(ctx: SlackContext, client: AsyncWebClient) -> int:
    """Nudge every conversation that is due now; returns how many nudges were sent."""
    spec = ctx.config.nudges
    if not spec.enabled or spec.max <= 0:
        return 0
    now = ctx.now()
    due = await asyncio.to_thread(due_nudges, ctx, spec, now)
    sent = 0
    for nudge in due:
        tz = await rep_timezone(ctx, client, nudge.rep)
        if not in_window(spec.working_hours, now, tz):
            continue  # it waits for the rep's working hours
        cutoff = now - timedelta(minutes=spec.after_minutes)
        if not await asyncio.to_thread(claim_nudge, ctx.db, nudge, now, cutoff):
            continue  # another replica sent it, or the rep answered meanwhile
        if await _post(ctx, client, nudge, last=nudge.nudges + 1 >= spec.max):
            sent += 1
    NUDGES_SENT.inc(sent)
    return sent


def due_nudges(ctx: SlackContext, spec: NudgeSpec, now: datetime) -> list[DueNudge]:
    """Open Slack conversations whose rep has been silent for `after_minutes` since the
    last question or nudge, with nudges left (working hours are checked by the caller)."""
    cutoff = now - timedelta(minutes=spec.after_minutes)
    with Session(ctx.db) as session:
        candidates = session.exec(
            select(Conversation)
            .where(col(Conversation.status).in_(OPEN_STATUSES))
            .where(col(Conversation.channel).is_not(None))
            .where(col(Conversation.nudges) < spec.max)
            .where(col(Conversation.updated_at) <= cutoff)
            .where(
                or_(
                    col(Conversation.last_nudged_at).is_(None),
                    col(Conversation.last_nudged_at) <= cutoff,
                )
            )
            .order_by(col(Conversation.id))
        ).all()
        newest = {c.id: _newest_message(session, c) for c in candidates}
    due = [_due(ctx, c, newest[c.id]) for c in candidates if newest[c.id] is not None]
    return [n for n in due if n is not None]


def _newest_message(session: Session, conversation: Conversation) -> int | None:
    """The id of the newest message if it is the bot's (waiting for the rep), else None
    (a rep message not answered yet, or no message at all)."""
    newest = session.exec(
        select(ConversationMessage)
        .where(ConversationMessage.conversation_id == conversation.id)
        .order_by(col(ConversationMessage.id).desc())
        .limit(1)
    ).first()
    return newest.id if newest is not None and newest.direction == "out" else None


def _due(ctx: SlackContext, conversation: Conversation, newest: int | None) -> DueNudge | None:
    """The nudge of a conversation: its pending question, rendered as when it was asked."""
    if not conversation.state or conversation.state.get("asked") is None:
        return None
    turn = ctx.conversations.dialog.resume(conversation.state)  # state is not saved
    if turn.completed or not turn.replies:
        return None
    assert conversation.id is not None and conversation.channel is not None
    lead = conversation.state.get("lead") or {}
    return DueNudge(
        conversation.id,
        conversation.rep,
        conversation.channel,
        conversation.nudges,
        newest or 0,
        lead.get("name") or lead.get("email") or "your lead",
        turn.replies[-1],
    )


def claim_nudge(db: Engine, nudge: DueNudge, now: datetime, cutoff: datetime) -> bool:
    """Count the nudge before it is sent: one conditional UPDATE, so one replica wins; it
    fails too when the rep wrote, or the conversation closed, since it was found due."""
    newer = (
        select(ConversationMessage.id)
        .where(ConversationMessage.conversation_id == nudge.conversation_id)
        .where(col(ConversationMessage.id) > nudge.newest_message)
    )
    with session_scope(db) as session:
        claimed = session.execute(
            update(Conversation)
            .where(col(Conversation.id) == nudge.conversation_id)
            .where(col(Conversation.nudges) == nudge.nudges)
            .where(col(Conversation.status).in_(OPEN_STATUSES))
            .where(col(Conversation.updated_at) <= cutoff)
            .where(~exists(newer))
            .values(nudges=nudge.nudges + 1, last_nudged_at=now)
        )
        return cast(CursorResult[Any], claimed).rowcount == 1


async def _post(ctx: SlackContext, client: AsyncWebClient, nudge: DueNudge, last: bool) -> bool:
    """Post the nudge in the rep's DM and keep it with the conversation's messages."""
    body = blocks.nudge_blocks(nudge.question, nudge.conversation_id, nudge.lead_name, last)
    text = f"Reminder: the qualification of {nudge.lead_name} is still open."
    try:
        await client.chat_postMessage(channel=nudge.channel, text=text, blocks=body)
    except SlackApiError as exc:  # counted anyway: a DM that fails now is not retried
        log.warning("nudge of conversation %s not sent: %s", nudge.conversation_id, exc)
        return False
    await asyncio.to_thread(_store_nudge, ctx.db, nudge, text, ctx.now())
    return True


def _store_nudge(db: Engine, nudge: DueNudge, text: str, now: datetime) -> None:
    with session_scope(db) as session:
        session.add(
            ConversationMessage(
                conversation_id=nudge.conversation_id,
                direction="out",
                text=f"{text}\n{nudge.question.text}",
                at=now,
            )
        )


async def rep_timezone(ctx: SlackContext, client: AsyncWebClient, rep: str) -> str | None:
    """The rep's Slack time zone (`users.info`), cached per rep in this process for
    TZ_TTL_SECONDS; None when unknown (working hours then use their own time zone)."""
    cached = ctx.rep_timezones.get(rep)
    if cached is not None and time.monotonic() - cached[1] < TZ_TTL_SECONDS:
        return cached[0]
    try:
        info = await client.users_info(user=rep)
    except SlackApiError as exc:
        log.warning("time zone of %s unknown (users.info: %s)", rep, exc.response.get("error"))
        return None
    tz = _known_zone((info.get("user") or {}).get("tz"))
    ctx.rep_timezones[rep] = (tz, time.monotonic())
    return tz


def _known_zone(name: Any) -> str | None:
    try:
        return str(ZoneInfo(name).key) if isinstance(name, str) and name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None
