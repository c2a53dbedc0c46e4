"""The Slack app (Bolt `AsyncApp`): slash commands, DM conversations, buttons.

Every listener acknowledges first and works after, so Slack always gets its answer within
3 s. Database work (sync SQLAlchemy) runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import CursorResult, Engine, select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from bot.conversations import ConversationService, Step
from bot.lead_lists import LIST_FILTERS, HomeData, LeadPage, home_data, list_leads
from bot.lead_lookup import LookupResult, find_leads
from bot.scoring_service import compute_lead
from bot.slack import blocks
from bot.storage.database import session_scope
from bot.storage.leads_repo import get_lead
from bot.storage.tables import ConversationMessage, Lead
from dialogs.engine import NewAnswer
from dialogs.understanding import parse_answer
from scoring.config import ScoringConfig
from scoring.result import ScoreResult
from scoring.values import unknown_value

log = logging.getLogger(__name__)
ANSWER_ACTION = re.compile(r"^answer:\d+$")
GONE = "This lead no longer exists."
# chat.postMessage errors that mean "not here": say so instead of failing
CANNOT_POST = frozenset({"not_in_channel", "channel_not_found", "is_archived"})


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SlackContext:
    """What the listeners work with."""

    db: Engine
    config: ScoringConfig
    conversations: ConversationService
    now: Callable[[], datetime] = utc_now
    _rep_locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    # rep → (Slack time zone or None, when it was asked: time.monotonic()); see bot.nudges
    rep_timezones: dict[str, tuple[str | None, float]] = field(default_factory=dict)

    def rep_lock(self, rep: str) -> asyncio.Lock:
        """Serialises one rep's messages and answer buttons, in the order they arrived."""
        return self._rep_locks.setdefault(rep, asyncio.Lock())


def create_app(
    ctx: SlackContext, client: AsyncWebClient, signing_secret: str, **bolt: Any
) -> AsyncApp:
    """The Bolt app with every Qualibot listener (the token lives on `client`)."""
    app = AsyncApp(client=client, signing_secret=signing_secret, **bolt)
    _register_lookup(app, ctx)
    _register_conversations(app, ctx)
    _register_edit_answers(app, ctx)

    @app.error
    async def log_errors(error: Exception, body: dict[str, Any]) -> None:
        what = body.get("command") or (body.get("event") or {}).get("type") or body.get("type")
        user = body.get("user_id") or (body.get("user") or {}).get("id")
        log.error("Slack listener failed on %s from %s: %s", what, user, error, exc_info=error)

    return app


# ------------------------------------------------------------------ lookups


def _lookup(ctx: SlackContext, query: str) -> tuple[LookupResult, ScoreResult | None]:
    with session_scope(ctx.db) as session:
        found = find_leads(session, query)
        result = None
        if found.lead is not None:
            result = compute_lead(session, found.lead, ctx.config, ctx.now())
            session.expunge_all()
        return found, result


def _register_lookup(app: AsyncApp, ctx: SlackContext) -> None:
    @app.command("/lead")
    async def lead_command(ack: Any, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        query = (command.get("text") or "").strip()
        channel, user = command["channel_id"], command["user_id"]
        if not query:
            await _ephemeral(client, channel, user, blocks.text_blocks(blocks.LEAD_USAGE))
            return
        found, result = await asyncio.to_thread(_lookup, ctx, query)
        if found.lead is None or result is None:
            await _ephemeral(
                client, channel, user, blocks.suggestions_blocks(query, found.suggestions)
            )
            return
        card = blocks.lead_card(found.lead, result, ctx.now())
        if len(found.leads) > 1:
            others = ", ".join(lead.email for lead in found.leads[1:4])
            card.insert(
                0, blocks.context(f"{len(found.leads)} leads match; best first. Also: {others}")
            )
        await _ephemeral(client, channel, user, card, f"{found.lead.email}: {result.total:.1f}")

    @app.command("/leads")
    async def leads_command(ack: Any, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        kind = (command.get("text") or "").strip().lower() or "hot"
        channel, user = command["channel_id"], command["user_id"]
        if kind not in LIST_FILTERS:
            await _ephemeral(client, channel, user, blocks.text_blocks(blocks.LEADS_USAGE))
            return
        page = await asyncio.to_thread(_list, ctx, kind, user, 0)
        await _ephemeral(client, channel, user, blocks.leads_list(kind, page), f"{kind} leads")

    @app.action(re.compile(r"^leads_page:"))
    async def leads_page(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any
    ) -> None:
        await ack()
        kind, _, number = action["value"].partition(":")
        if kind not in LIST_FILTERS or not number.isdigit():
            return
        page = await asyncio.to_thread(_list, ctx, kind, body["user"]["id"], int(number))
        await respond(
            blocks=blocks.leads_list(kind, page), text=f"{kind} leads", replace_original=True
        )

    @app.event("app_home_opened")
    async def home(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = event["user"]
        data = await asyncio.to_thread(_home, ctx, user)
        await client.views_publish(user_id=user, view=blocks.home_view(data))

    @app.action("explain")
    async def explain(ack: Any, action: dict[str, Any], respond: Any) -> None:
        await ack()
        found = await asyncio.to_thread(_lead_result, ctx, int(action["value"]))
        if found is None:
            await respond(text=GONE, replace_original=False)
            return
        lead, result = found
        await respond(
            blocks=blocks.explain_blocks(lead, result, ctx.now()),
            text=f"Why {lead.email} scores {result.total:.1f}",
            response_type="ephemeral",
            replace_original=False,
        )

    @app.action("share")
    async def share(
        ack: Any,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: Any,
    ) -> None:
        await ack()
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id") or user
        found = await asyncio.to_thread(_lead_result, ctx, int(action["value"]))
        if found is None:
            await respond(text=GONE, replace_original=False)
            return
        lead, result = found
        try:
            await client.chat_postMessage(
                channel=channel,
                blocks=blocks.lead_card(lead, result, ctx.now(), shared_by=user),
                text=f"{lead.email}: {result.total:.1f} ({result.tier})",
            )
        except SlackApiError as exc:
            if exc.response.get("error") not in CANNOT_POST:
                raise
            await respond(
                text="I can't post in this channel: invite me first (`/invite @Qualibot`).",
                replace_original=False,
            )

    @app.action("claim")
    async def claim(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user = body["user"]["id"]
        lead_id = int(action["value"])
        won, owner = await asyncio.to_thread(_claim, ctx, lead_id, user)
        channel = (body.get("channel") or {}).get("id") or user
        text = (
            f"<@{user}> claimed this lead."
            if won
            else f"Already claimed by <@{owner}>."
            if owner
            else GONE
        )
        message = body.get("message")
        if won and message and not body.get("container", {}).get("is_ephemeral"):
            # the message updates for everyone: who claimed it, and no Claim button any more
            await client.chat_update(
                channel=channel,
                ts=message["ts"],
                text=text,
                blocks=blocks.claimed_blocks(message.get("blocks") or [], user),
            )
        else:
            await _ephemeral(client, channel, user, blocks.text_blocks(text), text)


def _list(ctx: SlackContext, kind: str, user: str, page: int) -> LeadPage:
    with session_scope(ctx.db) as session:
        return list_leads(session, kind, user, ctx.now(), page)


def _home(ctx: SlackContext, user: str) -> HomeData:
    with session_scope(ctx.db) as session:
        return home_data(session, user, ctx.now())


def _lead_result(ctx: SlackContext, lead_id: int) -> tuple[Lead, ScoreResult] | None:
    with session_scope(ctx.db) as session:
        lead = get_lead(session, lead_id)
        if lead is None:
            return None
        result = compute_lead(session, lead, ctx.config, ctx.now())
        session.expunge(lead)
        return lead, result


def _claim(ctx: SlackContext, lead_id: int, user: str) -> tuple[bool, str | None]:
    """Set the owner unless someone has it: one conditional UPDATE, so the first click wins."""
    with session_scope(ctx.db) as session:
        claimed = session.execute(
            update(Lead)
            .where(col(Lead.id) == lead_id, col(Lead.owner).is_(None))
            .values(owner=user, updated_at=ctx.now())
        )
        won = cast(CursorResult[Any], claimed).rowcount == 1
        lead = get_lead(session, lead_id)
        return won, None if lead is None else lead.owner


async def _ephemeral(
    client: AsyncWebClient, channel: str, user: str, body: list[dict[str, Any]], text: str = ""
) -> None:
    await client.chat_postEphemeral(
        channel=channel, user=user, blocks=body, text=text or "Qualibot"
    )


# ------------------------------------------------------------------ conversations


def _register_conversations(app: AsyncApp, ctx: SlackContext) -> None:
    @app.command("/qualify")
    async def qualify_command(ack: Any, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        channel, user = command["channel_id"], command["user_id"]
        words = (command.get("text") or "").split()
        framework = "bant"
        if len(words) > 1 and words[-1].lower() in ctx.config.frameworks:
            framework = words.pop().lower()
        if not words:
            await _ephemeral(client, channel, user, blocks.text_blocks(blocks.QUALIFY_USAGE))
            return
        query = " ".join(words)
        found, _ = await asyncio.to_thread(_lookup, ctx, query)
        if found.lead is None:
            await _ephemeral(
                client, channel, user, blocks.suggestions_blocks(query, found.suggestions)
            )
            return
        assert found.lead.id is not None
        await start_conversation(ctx, client, found.lead.id, user, framework)

    @app.action("qualify_now")
    async def qualify_now(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        await start_conversation(ctx, client, int(action["value"]), body["user"]["id"], "bant")

    @app.event("message")
    async def direct_message(
        event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return
        user, text = event["user"], event.get("text") or ""
        external = event.get("client_msg_id") or f"{event['channel']}:{event.get('ts')}"
        external_id = f"msg:{external}"
        async with ctx.rep_lock(user):  # one rep's messages are handled in arrival order
            # a redelivered message goes to the conversation it was stored in (which may
            # have finished since), so that it is recognised as a duplicate
            conversation_id = await asyncio.to_thread(
                _conversation_for_message, ctx, user, external_id
            )
            if conversation_id is None:
                await client.chat_postMessage(
                    channel=event["channel"],
                    text="No qualification is open. Start one with `/qualify <lead>`.",
                )
                return
            step = await ctx.conversations.reply(
                conversation_id, text, ctx.now(), external_id=external_id, source="slack_dm"
            )
            await post_step(client, event["channel"], step)

    @app.action({"action_id": ANSWER_ACTION})
    async def answer_button(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        try:
            conversation_id, payload = blocks.parse_answer_value(action["value"])
        except ValueError:
            log.warning("ignored a malformed answer button: %s", action.get("value"))
            return
        channel, user = body["channel"]["id"], body["user"]["id"]
        message = body.get("message") or {}
        # one answer per question message: a double click (or a click on a copy of the
        # question) is a redelivery, not an answer to whatever is asked next
        asked_in = message.get("ts") or action.get("action_ts")
        async with ctx.rep_lock(user):
            step = await ctx.conversations.reply(
                conversation_id,
                payload,
                ctx.now(),
                external_id=f"button:{channel}:{asked_in}",
                source="slack_button",
            )
            if step.duplicate:
                return
            if message.get("ts"):  # the question shows the answer; its buttons go
                question = (message.get("blocks") or [{}])[0].get("text", {}).get("text", "")
                closed = not step.replies and step.card is None and step.status != "active"
                await client.chat_update(
                    channel=channel,
                    ts=message["ts"],
                    text=question,
                    blocks=blocks.closed_blocks(question, step.status)
                    if closed
                    else blocks.chosen_blocks(question, action["text"]["text"]),
                )
            await post_step(client, channel, step)


def _conversation_for_message(ctx: SlackContext, rep: str, external_id: str) -> int | None:
    """The conversation a message belongs to: the one it was stored in if it was seen
    before (a redelivery), else the rep's most recent open one."""
    with Session(ctx.db) as session:
        seen = session.execute(
            select(col(ConversationMessage.conversation_id)).where(
                col(ConversationMessage.external_id) == external_id
            )
        ).scalar_one_or_none()
    if seen is not None:
        return int(seen)
    conversation = ctx.conversations.open_conversation(rep)
    return None if conversation is None else conversation.id


async def start_conversation(
    ctx: SlackContext, client: AsyncWebClient, lead_id: int, rep: str, framework: str
) -> Step:
    """Open (or resume) a qualification with `rep` about a lead and DM the first question."""
    opened = await client.conversations_open(users=rep)
    channel = opened["channel"]["id"]
    step = await asyncio.to_thread(
        ctx.conversations.open, lead_id, rep, framework, ctx.now(), channel=channel
    )
    await post_step(client, channel, step)
    return step


async def post_step(client: AsyncWebClient, channel: str, step: Step) -> None:
    """Post what a conversation step produced, in order (replies, then the score card)."""
    if step.duplicate:
        return
    for reply in step.replies:
        await client.chat_postMessage(
            channel=channel,
            text=reply.text,
            blocks=blocks.reply_blocks(reply, step.conversation_id),
        )
    if step.card is not None:
        await client.chat_postMessage(
            channel=channel,
            text=f"Score card: {step.card.result.total:.1f} ({step.card.result.tier})",
            blocks=blocks.score_card_blocks(step.card),
        )


# ------------------------------------------------------------------ Edit answers

EDIT_SOURCE = "slack_modal"


def _digest(text: str) -> str:
    """A short fingerprint of a field's text: the modal keeps what it showed this way."""
    return hashlib.sha1(text.strip().encode()).hexdigest()[:12]


def _register_edit_answers(app: AsyncApp, ctx: SlackContext) -> None:
    @app.action(blocks.EDIT_ACTION)
    async def edit_answers(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user = body["user"]["id"]
        found = await asyncio.to_thread(_lead_result, ctx, int(action["value"]))
        if found is None:
            await client.chat_postMessage(channel=user, text=GONE)
            return
        lead, result = found
        fields = blocks.edit_answer_fields(ctx.config, result, ctx.now())
        shown = {f.slot: _digest(f.current[:1000]) for f in fields}
        metadata = json.dumps({"lead": lead.id, "shown": shown}, separators=(",", ":"))
        await client.views_open(
            trigger_id=body["trigger_id"], view=blocks.edit_answers_modal(lead, fields, metadata)
        )

    @app.view(blocks.EDIT_ACTION)
    async def save_edits(
        ack: Any, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user, now = body["user"]["id"], ctx.now()
        meta = json.loads(view["private_metadata"])
        values = view["state"]["values"]
        edits, errors = await asyncio.to_thread(read_edits, ctx, values, meta["shown"], now)
        if errors:  # the modal stays open with a message under each field not understood
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        try:
            card = await asyncio.to_thread(
                ctx.conversations.save_edits, int(meta["lead"]), edits, user, now
            )
        except LookupError:
            await client.chat_postMessage(channel=user, text=GONE)
            return
        if not card.changes:
            await client.chat_postMessage(
                channel=user,
                text="Nothing changed.",
                blocks=blocks.nothing_changed_blocks(card.lead_name),
            )
            return
        await client.chat_postMessage(
            channel=user,
            text=f"Answers updated: {card.result.total:.1f} ({card.result.tier})",
            blocks=blocks.score_card_blocks(card, title="Answers updated"),
        )


def read_edits(
    ctx: SlackContext,
    values: dict[str, dict[str, Any]],
    shown: dict[str, str],
    now: datetime,
) -> tuple[list[NewAnswer], dict[str, str]]:
    """The changed fields of a submitted Edit answers modal, read like DM answers: (new
    answers, errors by block id). A field left as shown is skipped; one cleared means the
    answer is no longer known."""
    choices = {n: s.choices for n, s in ctx.config.slots.items() if s.choices}
    edits: list[NewAnswer] = []
    errors: dict[str, str] = {}
    for slot, digest in shown.items():
        text = ((values.get(slot) or {}).get(blocks.EDIT_INPUT) or {}).get("value") or ""
        if _digest(text) == digest:
            continue
        if not text.strip():
            edits.append(NewAnswer(slot, unknown_value(slot), "", now, EDIT_SOURCE))
            continue
        value = parse_answer(text, now, slot, choices=choices).slots.get(slot)
        if value is None:
            errors[slot] = _plain(ctx.conversations.dialog.domain.hint("", slot).text)
        else:
            edits.append(NewAnswer(slot, value, text.strip(), now, EDIT_SOURCE))
    return edits, errors


def _plain(mrkdwn: str) -> str:
    return mrkdwn.replace("*", "").replace("`", "")
