"""Block Kit for alerts: one hot-lead alert (from its stored payload) and a storm rollup."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.alerts.payload import headline
from bot.slack.blocks import TIER_EMOJI, button, context, section

ROLLUP_LINES = 40  # one section of ≤ 3,000 characters


def _owner(owner: str | None) -> str:
    return f"<@{owner}>" if owner else "unclaimed"


def alert_blocks(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Why the lead alerts (rules, score, top contributions, the rep's answers), who owns
    it, and Claim / Open lead / Qualify now buttons (values: the lead id)."""
    lead, score = payload["lead"], payload["score"]
    who = lead["name"] + (f" ({lead['company']})" if lead.get("company") else "")
    gate = ", ✅ qualified" if score["qualified"] else ""
    head = (
        f"{TIER_EMOJI.get(score['tier'], '')} *{who}* is *{score['tier']}*: "
        f"*{score['total']:.1f}*/100, grade *{score['grade']}*{gate}"
    )
    reasons = "\n".join(f"• {r['reason']}" for r in payload.get("reasons", []))
    blocks = [section(head + (f"\n{reasons}" if reasons else ""))]
    why = "\n".join(f"`{w['points']:+5.1f}` {w['label']}" for w in payload.get("why", []))
    if why:
        blocks.append(section(f"*Why*\n{why}"))
    answers = "\n".join(
        f"• *{a['slot']}*: {a['value']} ({a['age']}{', expired' if a['expired'] else ''})"
        for a in payload.get("answers", [])
    )
    blocks.append(section(f"*Rep's answers*\n{answers or 'none yet'}"))
    blocks.append(context(f"Owner: {_owner(lead.get('owner'))} · {lead['email']}"))
    value = str(lead["id"])
    blocks.append(
        {
            "type": "actions",
            "block_id": f"alert:{lead['id']}",
            "elements": [
                button("Claim", "claim", value, "primary"),
                button("Open lead", "explain", value),
                button("Qualify now", "qualify_now", value),
            ],
        }
    )
    return blocks


def alert_text(payload: dict[str, Any]) -> str:
    """The plain-text fallback (notifications, screen readers)."""
    return f"{TIER_EMOJI.get(payload['score']['tier'], '')} {headline(payload)}".strip()


def rollup_blocks(payloads: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One message for an alert storm: a line per lead (tier, score, reason)."""
    lines = [
        f"{TIER_EMOJI.get(p['score']['tier'], '')} `{p['score']['total']:5.1f}` "
        f"*{p['lead']['name']}*"
        + (f" ({p['lead']['company']})" if p["lead"].get("company") else "")
        + " · "
        + "; ".join(r["reason"] for r in p.get("reasons", []))
        for p in payloads
    ]
    shown = lines[:ROLLUP_LINES]
    more = len(lines) - len(shown)
    blocks = [
        section(f"*{len(payloads)} more alerts* (rolled up to keep this channel readable)"),
        section("\n".join(shown)),
    ]
    if more:
        blocks.append(context(f"…and {more} more: `/leads hot` lists them all."))
    return blocks


def rollup_text(count: int) -> str:
    return f"{count} more lead alerts (rolled up)"
