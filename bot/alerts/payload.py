"""What an alert says, as JSON: built once at queue time, rendered by Slack and the CLI.

`bot.slack.alert_blocks` turns it into Block Kit; `bot.cli_render.alert_preview` into a
Rich panel, so the console preview of `qualibot demo` and the Slack alert carry the same
information.
"""

from __future__ import annotations

from typing import Any

from scoring.result import ScoreResult
from scoring.values import describe_value

TOP_CONTRIBUTIONS = 4


def answer_age(days: float) -> str:
    return "today" if days < 1 else f"{days:.0f}d ago"


def alert_payload(
    *,
    lead_id: int,
    name: str | None,
    company: str | None,
    email: str,
    owner: str | None,
    product: str | None,
    result: ScoreResult,
    reasons: list[dict[str, str]],
) -> dict[str, Any]:
    """The message content: who, score, why (top contributions), the rep's answers, owner,
    and `reasons` (the rules that fired: `{"rule_id", "kind", "reason"}`)."""
    return {
        "lead": {
            "id": lead_id,
            "name": name or email,
            "company": company,
            "email": email,
            "owner": owner,
            "product": product,
        },
        "score": {
            "total": round(result.total, 1),
            "grade": result.grade,
            "tier": result.tier,
            "qualified": result.qualified,
            "missing": [m.label for m in result.missing],
        },
        "why": [
            {"label": c.label, "points": round(c.score_points, 1)}
            for c in result.top_contributions(TOP_CONTRIBUTIONS)
        ],
        "answers": [
            {
                "slot": slot,
                "value": describe_value(slot, a.value),
                "age": answer_age(a.age_days),
                "expired": a.expired,
                "by": a.answered_by,
            }
            for slot, a in result.answers.items()
        ],
        "reasons": reasons,
    }


def headline(payload: dict[str, Any]) -> str:
    """One plain line: the text fallback and the rollup line of an alert."""
    lead, score = payload["lead"], payload["score"]
    who = lead["name"] + (f" ({lead['company']})" if lead.get("company") else "")
    text = f"{who} is {score['tier']}: {score['total']:.1f}/100, grade {score['grade']}"
    if score["qualified"]:
        text += ", qualified"
    reasons = "; ".join(r["reason"] for r in payload.get("reasons", []))
    return text + (f" ({reasons})" if reasons else "")
