"""Block Kit builders: every Slack message and view Qualibot sends is built here."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.conversations import ScoreCard
from bot.lead_lists import PAGE_SIZE, HomeData, LeadPage, LeadRow
from bot.storage.tables import Lead
from dialogs.domain import Reply
from scoring.config import ScoringConfig
from scoring.result import ScoreResult, SlotAnswer
from scoring.values import CANONICAL_SLOTS, describe_value

TIER_EMOJI = {"hot": "🔥", "warm": "🌤️", "cold": "❄️"}
MAX_TEXT = 2900  # Slack's section text limit is 3,000 characters

LEAD_USAGE = (
    "Usage: `/lead <email | domain | company>`, e.g. `/lead jane@acme.com`, "
    "`/lead acme.com` or `/lead Acme`."
)
QUALIFY_USAGE = "Usage: `/qualify <email | domain | company> [bant | champ]`"
EDIT_ACTION = "edit_answers"  # the button and the modal's callback_id
EDIT_INPUT = "answer"  # the action_id of every input of the Edit answers modal


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:MAX_TEXT]}}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:MAX_TEXT]}]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    built: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text[:75], "emoji": True},
        "action_id": action_id,
        "value": value[:2000],
    }
    if style:
        built["style"] = style
    return built


def text_blocks(text: str) -> list[dict[str, Any]]:
    return [section(text)]


# ------------------------------------------------------------------ conversations


def answer_value(conversation_id: int, payload: str) -> str:
    """The `value` of an answer button: which conversation, what it answers."""
    return json.dumps({"c": conversation_id, "p": payload}, separators=(",", ":"))


def parse_answer_value(value: str) -> tuple[int, str]:
    """(conversation id, payload) of an answer button; ValueError when malformed."""
    try:
        data = json.loads(value)
        return int(data["c"]), str(data["p"])
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"malformed answer button value: {value[:100]!r}") from None


def reply_blocks(reply: Reply, conversation_id: int) -> list[dict[str, Any]]:
    """A bot reply in a DM: its text and, for a question, quick-reply buttons."""
    blocks = [section(reply.text)]
    if reply.buttons:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"answers:{conversation_id}",
                "elements": [
                    button(b.title, f"answer:{i}", answer_value(conversation_id, b.payload))
                    for i, b in enumerate(reply.buttons)
                ],
            }
        )
    return blocks


def chosen_blocks(question_text: str, chosen: str) -> list[dict[str, Any]]:
    """The question message once a button was pressed (the buttons go away)."""
    return [section(question_text), context(f"✔ You answered: *{chosen}*")]


def closed_blocks(question_text: str, status: str) -> list[dict[str, Any]]:
    """A question answered by a button after its conversation ended: nothing was changed."""
    return [section(question_text), context(f"This qualification is {status}: nothing changed.")]


def nudge_blocks(
    reply: Reply, conversation_id: int, lead_name: str, last: bool
) -> list[dict[str, Any]]:
    """A reminder of an unanswered qualification: the pending question again, with its
    buttons (the question comes first, so an answer button marks it as answered)."""
    intro = f"👋 A friendly reminder: the qualification of *{lead_name}* is still open."
    footer = (
        "This is my last reminder: reply whenever you're ready, or say `cancel` to drop it."
        if last
        else "Reply here whenever you're ready (`later` to pause, `cancel` to drop it)."
    )
    question = Reply(f"{intro}\n{reply.text}", reply.buttons, reply.kind)
    return [*reply_blocks(question, conversation_id), context(footer)]


def score_card_blocks(card: ScoreCard, title: str = "Score card") -> list[dict[str, Any]]:
    """The end of a conversation (or an edit): before → after, what changed, Edit answers."""
    r = card.result
    after = _snapshot(r.total, r.grade, r.tier, r.qualified)
    before = (
        "not scored"
        if card.before is None
        else _snapshot(
            card.before.total, card.before.grade, card.before.tier, card.before.qualified
        )
    )
    who = card.lead_name + (f" ({card.company})" if card.company else "")
    lines = [f"*{title}: {who}*", f"{before}  →  {after}"]
    changes = "\n".join(
        f"• *{c.label}*: {c.before + ' → ' if c.before else ''}{c.after}" for c in card.changes
    )
    blocks = [section("\n".join(lines))]
    if changes:
        blocks.append(section(changes))
    if r.missing:
        blocks.append(context("Missing to qualify: " + "; ".join(m.label for m in r.missing)))
    blocks.append(
        {
            "type": "actions",
            "block_id": f"card:{card.lead_id}",
            "elements": [button("Edit answers", EDIT_ACTION, str(card.lead_id))],
        }
    )
    return blocks


def _snapshot(total: float, grade: str, tier: str, qualified: bool) -> str:
    gate = "qualified ✅" if qualified else "not qualified"
    return f"*{total:.1f}* {grade} {TIER_EMOJI.get(tier, '')} {tier}, {gate}"


# ------------------------------------------------------------------ Edit answers


@dataclass(frozen=True, slots=True)
class EditField:
    """One answer in the Edit answers modal."""

    slot: str
    label: str
    current: str  # the answer in words; "" when never answered
    hint: str  # e.g. "answered 3d ago by <name>"; "" for none
    placeholder: str
    multiline: bool = False


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit], "emoji": True}


def edit_input(field: EditField) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": EDIT_INPUT,
        "multiline": field.multiline,
        "max_length": 1000,
        "placeholder": _plain(field.placeholder, 150),
    }
    if field.current:
        element["initial_value"] = field.current[:1000]
    block: dict[str, Any] = {
        "type": "input",
        "block_id": field.slot,
        "optional": True,
        "label": _plain(field.label, 2000),
        "element": element,
    }
    if field.hint:
        block["hint"] = _plain(field.hint, 2000)
    return block


def edit_answers_modal(
    lead: Lead, fields: Sequence[EditField], private_metadata: str
) -> dict[str, Any]:
    """The Edit answers modal: one optional input per slot, prefilled with its answer."""
    who = " · ".join(x for x in (lead.name, lead.company) if x) or lead.email
    intro = (
        f"*{who}*\nChange an answer in plain words, as you would in the DM "
        '(e.g. "80k a year, confirmed"); leave the others as they are.'
    )
    return {
        "type": "modal",
        "callback_id": EDIT_ACTION,
        "private_metadata": private_metadata,
        "title": _plain("Edit answers", 24),
        "submit": _plain("Save", 24),
        "close": _plain("Cancel", 24),
        "blocks": [section(intro), *(edit_input(f) for f in fields)][:100],
    }


PLACEHOLDERS = {
    "budget": "e.g. confirmed, 80k a year",
    "authority": "e.g. decision maker, or: the CFO signs",
    "need": "e.g. critical: manual reporting takes days",
    "timeline": "e.g. by end of March, in 6 weeks",
    "priority": "e.g. top priority",
}


def edit_slots(config: ScoringConfig) -> list[str]:
    """The slots the modal shows: the canonical five, then custom slots of the frameworks."""
    custom = [s for fw in config.frameworks.values() for s in fw.slots if s not in CANONICAL_SLOTS]
    return [*CANONICAL_SLOTS, *dict.fromkeys(custom)]


def _slot_label(config: ScoringConfig, slot: str) -> str:
    """ "Need (Challenges)": the slot's label and what frameworks call it otherwise."""
    label = config.slots[slot].label
    others = [fw.labels[slot] for fw in config.frameworks.values() if slot in fw.labels]
    others = [o for o in dict.fromkeys(others) if o != label]
    return f"{label} ({', '.join(others)})" if others else label


def _answer_hint(slot: str, answer: SlotAnswer, now: datetime) -> str:
    days = (now - answer.answered_at).days
    age = "today" if days < 1 else "yesterday" if days == 1 else f"{days} days ago"
    if answer.expired:  # it counts as unknown: shown here, typed again if still right
        was = describe_value(slot, answer.value)
        return f'Expired (answered {age}): "{was}". Still right? Type it again.'
    return f'Answered {age}: "{answer.raw_text[:200]}"' if answer.raw_text else f"Answered {age}"


def edit_answer_fields(
    config: ScoringConfig, result: ScoreResult, now: datetime
) -> list[EditField]:
    """The modal's inputs for a lead: each slot's answer in words, with its age (an expired
    answer is left out of the input, which then asks for it again, and shown in the hint)."""
    fields = []
    for slot in edit_slots(config):
        answer = result.answers.get(slot)
        choices = config.slots[slot].choices
        fields.append(
            EditField(
                slot,
                _slot_label(config, slot),
                "" if answer is None or answer.expired else describe_value(slot, answer.value),
                "" if answer is None else _answer_hint(slot, answer, now),
                PLACEHOLDERS.get(slot) or "one of: " + ", ".join(choices or []),
                multiline=slot == "need",
            )
        )
    return fields


def nothing_changed_blocks(lead_name: str) -> list[dict[str, Any]]:
    return [section(f"No answer of *{lead_name}* changed: nothing was saved.")]


# ------------------------------------------------------------------ lookups


def _age(at: datetime | None, now: datetime) -> str:
    if at is None:
        return ""
    days = (now - at).days
    return "today" if days < 1 else f"{days}d ago"


def lead_card(
    lead: Lead, result: ScoreResult, now: datetime, shared_by: str | None = None
) -> list[dict[str, Any]]:
    """`/lead`: score, grade, tier, gate, top contributions, answers, activity, buttons
    (`shared_by`: the rep who shared it to a channel)."""
    who = " · ".join(x for x in (lead.name, lead.title, lead.company) if x) or lead.email
    gate = (
        "✅ qualified"
        if result.qualified
        else "not qualified: missing " + ", ".join(m.label for m in result.missing)
    )
    head = (
        f"*{who}*  <mailto:{lead.email}|{lead.email}>\n"
        f"*{result.total:.1f}*/100 · grade *{result.grade}* · "
        f"{TIER_EMOJI.get(result.tier, '')} *{result.tier}* · {gate}"
    )
    top = "\n".join(f"`{c.score_points:+5.1f}` {c.label}" for c in result.top_contributions(5))
    answers = "\n".join(
        f"• *{slot}*: {describe_value(slot, a.value)} ({_age(a.answered_at, now)}"
        + (", expired" if a.expired else "")
        + ")"
        for slot, a in result.answers.items()
    )
    activity = sorted(
        (c for c in result.contributions if c.source == "event" and c.at is not None),
        key=lambda c: c.at or now,
        reverse=True,
    )[:5]
    recent = "\n".join(f"• {c.label} ({_age(c.at, now)})" for c in activity)
    blocks = [section(head)]
    if top:
        blocks.append(section(f"*Why*\n{top}"))
    blocks.append(section(f"*Answers*\n{answers}" if answers else "*Answers*\nnone yet"))
    if recent:
        blocks.append(section(f"*Recent activity*\n{recent}"))
    footer = f"Owner: {f'<@{lead.owner}>' if lead.owner else 'unclaimed'}"
    if result.flags:
        footer += " · " + " · ".join(f"⚑ {f.message}" for f in result.flags)
    if shared_by:
        footer += f" · shared by <@{shared_by}>"
    blocks.append(context(footer))
    blocks.append(lead_actions(lead))
    return blocks


def lead_actions(lead: Lead) -> dict[str, Any]:
    value = str(lead.id)
    return {
        "type": "actions",
        "block_id": f"lead:{lead.id}",
        "elements": [
            button("Qualify now", "qualify_now", value, "primary"),
            button("Claim", "claim", value),
            button("Explain in full", "explain", value),
            button("Share to channel", "share", value),
            button("Edit answers", EDIT_ACTION, value),
        ],
    }


def explain_blocks(lead: Lead, result: ScoreResult, now: datetime) -> list[dict[str, Any]]:
    """ "Explain in full": every rule that contributed (summed per rule), the gate and flags,
    so any number on the card can be traced to its rules."""
    who = lead.name or lead.email
    head = (
        f"*Why {who} scores {result.total:.1f}* ({result.model} model)\n"
        f"fit *{result.fit:.1f}* · engagement *{result.engagement:.1f}* · grade *{result.grade}*"
        f" · {TIER_EMOJI.get(result.tier, '')} {result.tier}"
    )
    rows = [
        f"`{r.score_points:+5.1f}` {r.label}"
        + (f" ×{r.count}" if r.count > 1 else "")
        + f" _({r.source}"
        + (f", {_age(r.last_at, now)}" if r.last_at else "")
        + ")_"
        for r in result.by_rule()
    ]
    out = [section(head)]
    chunk: list[str] = []
    for row in rows or ["No rule contributed."]:
        if sum(len(x) + 1 for x in chunk) + len(row) > MAX_TEXT:
            out.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(row)
    out.append(section("\n".join(chunk)))
    gate = (
        "✅ Qualified: every required criterion is met."
        if result.qualified
        else "*Missing to qualify*\n"
        + "\n".join(f"• {m.label}: {m.reason}" for m in result.missing)
    )
    out.append(section(gate))
    if result.flags:
        out.append(section("*Flags*\n" + "\n".join(f"⚑ {f.message}" for f in result.flags)))
    return out[:50]


def claimed_blocks(message_blocks: list[dict[str, Any]], user: str) -> list[dict[str, Any]]:
    """A message with a Claim button once `user` claimed its lead: the Claim button goes,
    a line says who claimed it."""
    out = []
    for block in message_blocks:
        if block.get("type") == "actions":
            elements = [e for e in block.get("elements", []) if e.get("action_id") != "claim"]
            if not elements:
                continue
            block = {**block, "elements": elements}
        out.append(block)
    return [*out[:49], context(f"✔ Claimed by <@{user}>")]


def suggestions_blocks(query: str, suggestions: Sequence[str]) -> list[dict[str, Any]]:
    text = f"No lead matches *{query}*."
    if suggestions:
        text += " Did you mean: " + ", ".join(f"`{s}`" for s in suggestions) + "?"
    return [section(text), context(LEAD_USAGE)]


# ------------------------------------------------------------------ lists and App Home

LEADS_USAGE = "Usage: `/leads [hot | warm | mine | stale | qualified]` (default: hot)"
LIST_TITLES = {
    "hot": "Hot leads",
    "warm": "Warm leads",
    "mine": "Your leads",
    "stale": "Stale leads (no activity for 30 days)",
    "qualified": "Qualified leads",
}
EMPTY_LISTS = {
    "hot": "No hot leads right now.",
    "warm": "No warm leads right now.",
    "mine": "You own no leads yet: claim one from a card or an alert.",
    "stale": "No stale leads. 🎉",
    "qualified": "No qualified leads yet.",
}


def _row_text(row: LeadRow) -> str:
    who = row.name or row.email
    company = f" · {row.company}" if row.company else ""
    gate = " ✅" if row.qualified else ""
    owner = f" · <@{row.owner}>" if row.owner else " · unclaimed"
    return (
        f"`{row.total:5.1f}` {row.grade} {TIER_EMOJI.get(row.tier, '')} *{who}*{company}"
        f"{gate}{owner}"
    )


def leads_list(kind: str, page: LeadPage) -> list[dict[str, Any]]:
    """`/leads`: one page of a list, with paging buttons."""
    if not page.rows:
        return [section(EMPTY_LISTS.get(kind, f"No {kind} leads.")), context(LEADS_USAGE)]
    first = page.page * PAGE_SIZE + 1
    last = first + len(page.rows) - 1
    out = [
        section(f"*{LIST_TITLES.get(kind, kind)}* ({first}–{last} of {page.total})"),
        section("\n".join(_row_text(r) for r in page.rows)),
    ]
    buttons = []
    if page.page > 0:
        buttons.append(button("‹ Previous", "leads_page:prev", f"{kind}:{page.page - 1}"))
    if page.has_next:
        buttons.append(button("Next ›", "leads_page:next", f"{kind}:{page.page + 1}"))
    if buttons:
        out.append({"type": "actions", "block_id": f"leads:{kind}", "elements": buttons})
    return out


def home_view(data: HomeData) -> dict[str, Any]:
    """The App Home tab."""
    pending = (
        "\n".join(f"• {who} ({status})" for _, who, status in data.pending) or "Nothing pending. 🎉"
    )
    mine = "\n".join(_row_text(r) for r in data.mine) or "No leads assigned to you yet."
    hot = "\n".join(_row_text(r) for r in data.recent_hot) or "No new hot leads this week."
    return {
        "type": "home",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Qualibot"}},
            section(f"*Pending qualifications*\n{pending}"),
            {"type": "divider"},
            section(f"*Your leads by score*\n{mine}"),
            {"type": "divider"},
            section(f"*Hot this week*\n{hot}"),
            context("`/lead <email|domain|company>` · `/leads hot` · `/qualify <lead>`"),
        ],
    }
