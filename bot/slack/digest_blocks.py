"""Block Kit for scheduled digests: a heading, then one section block per digest section."""

from __future__ import annotations

from typing import Any

from bot.digests import Change, Digest, PendingCall, Row, Section
from bot.lead_lists import LeadRow
from bot.slack.blocks import MAX_TEXT, TIER_EMOJI, context, section

TITLE_EMOJI = {
    "top_hot": "🔥",
    "movers": "📈",
    "qualified_unclaimed": "🙋",
    "calls_unqualified": "📞",
    "cooled": "🧊",
}


def _who(name: str | None, email: str, company: str | None) -> str:
    return f"*{name or email}*" + (f" · {company}" if company else "")


def _owner(owner: str | None) -> str:
    return f"<@{owner}>" if owner else "unclaimed"


def _tier(tier: str) -> str:
    return f"{TIER_EMOJI.get(tier, '')} {tier}".strip()


def _age(hours: float) -> str:
    return f"{hours:.0f}h ago" if hours < 48 else f"{hours / 24:.0f}d ago"


def row_text(row: Row) -> str:
    """One line of a digest section (mrkdwn)."""
    if isinstance(row, LeadRow):
        reason = f" — {row.top_reason}" if row.top_reason else ""
        gate = " ✅" if row.qualified else ""
        return (
            f"`{row.total:5.1f}` {row.grade} {TIER_EMOJI.get(row.tier, '')} "
            f"{_who(row.name, row.email, row.company)}{gate} · {_owner(row.owner)}{reason}"
        )
    if isinstance(row, Change):
        lead = row.lead
        tiers = (
            f" {_tier(row.old_tier)} → {_tier(row.new_tier)}"
            if row.old_tier != row.new_tier
            else ""
        )
        return (
            f"`{row.delta:+5.1f}` {_who(lead.name, lead.email, lead.company)}: "
            f"{row.old_total:.1f} → {row.new_total:.1f}{tiers} ({row.reason})"
            f" · {_owner(lead.owner)}"
        )
    assert isinstance(row, PendingCall)
    status = row.conversation_status or "not started"
    return (
        f"{_who(row.name, row.email, row.company)} · <@{row.rep}>, call {_age(row.age_hours)}"
        f" · qualification {status}"
    )


def section_text(part: Section) -> str:
    head = f"{TITLE_EMOJI.get(part.kind, '')} *{part.title}*"
    if not part.rows:
        return f"{head}\n_{part.empty_text}_"
    lines = [head]
    for row in part.rows:
        line = f"• {row_text(row)}"
        if sum(len(x) + 1 for x in lines) + len(line) > MAX_TEXT - 40:
            break
        lines.append(line)
    more = part.total - (len(lines) - 1)
    if more > 0:
        lines.append(f"_…and {more} more_")
    return "\n".join(lines)


def digest_title(digest: Digest) -> str:
    return f"{digest.name.replace('_', ' ').capitalize()} digest"


def digest_text(digest: Digest) -> str:
    """Plain-text fallback (notifications, clients without blocks)."""
    counts = ", ".join(f"{p.title.lower()}: {p.total}" for p in digest.sections)
    return f"{digest_title(digest)}: {counts}"


def digest_blocks(digest: Digest) -> list[dict[str, Any]]:
    when = int(digest.scheduled_for.timestamp())
    since = int(digest.since.timestamp())
    blocks = [
        section(f"*{digest_title(digest)}*"),
        context(
            f"<!date^{when}^{{date_short_pretty}} {{time}}|{digest.scheduled_for.isoformat()}>"
            f" · changes since <!date^{since}^{{date_short_pretty}} {{time}}|"
            f"{digest.since.isoformat()}>"
        ),
    ]
    blocks += [section(section_text(part)) for part in digest.sections]
    return blocks[:50]
