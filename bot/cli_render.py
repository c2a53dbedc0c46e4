"""Rich renderings for the CLI: the explain card, lead tables, dry-run reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.bulk_scoring import Move
from bot.storage.tables import Lead, LeadScore
from scoring.result import ScoreResult
from scoring.values import describe_value

if TYPE_CHECKING:
    from bot.conversations import ScoreCard

TIER_STYLE = {"hot": "bold red", "warm": "yellow", "cold": "cyan"}


def tier_text(tier: str) -> Text:
    return Text(tier, style=TIER_STYLE.get(tier, ""))


def _age(days: float) -> str:
    if days < 1:
        return "today"
    return f"{days:.0f}d ago"


def explain_card(lead: Lead, result: ScoreResult, now: datetime) -> Group:
    """Everything behind a lead's score: contributions, answers with age, gate, flags."""
    who = " · ".join(x for x in (lead.name, lead.title, lead.company, lead.email) if x)
    status = "[green]qualified[/]" if result.qualified else "[red]not qualified[/]"
    head = Text.from_markup(
        f"[bold]{result.total:.1f}[/] / 100   grade [bold]{result.grade}[/]   "
        f"tier [{TIER_STYLE.get(result.tier, '')}]{result.tier}[/]   {status}\n"
        f"fit {result.fit:.1f} · engagement {result.engagement:.1f} · model {result.model}"
        f" · owner {lead.owner or '—'} · product {lead.product or '—'}"
    )
    contributions = Table(title="Contributions", expand=True)
    for col in ("rule", "what", "points", "score", "when"):
        contributions.add_column(col, justify="right" if col in ("points", "score") else "left")
    for c in sorted(
        result.contributions, key=lambda c: (c.source != "answer", c.rule_id, c.at or now)
    ):
        contributions.add_row(
            c.rule_id,
            c.label,
            f"{c.points:+.2f}",
            f"{c.score_points:+.2f}",
            c.at.date().isoformat() if c.at else "",
        )
    contributions.add_row("", "[bold]total[/]", "", f"[bold]{result.total:.1f}[/]", "")
    answers = Table(title="Answers", expand=True)
    for col in ("slot", "value", "answered", "by", "rep's words"):
        answers.add_column(col)
    for slot, a in result.answers.items():
        when = _age(a.age_days) + (" [red](expired)[/]" if a.expired else "")
        answers.add_row(
            slot, describe_value(slot, a.value), when, a.answered_by or "", a.raw_text or ""
        )
    parts: list[Any] = [head, contributions]
    parts.append(answers if result.answers else Text("No answers from the rep yet.", style="dim"))
    if result.missing:
        parts.append(Text("Missing to qualify:", style="bold"))
        parts.extend(Text(f"  • {m.label}: {m.reason}") for m in result.missing)
    if result.flags:
        parts.append(Text("Flags:", style="bold"))
        parts.extend(Text(f"  ⚑ {f.message}", style="magenta") for f in result.flags)
    return Group(Panel(Group(*parts), title=who, title_align="left"))


def leads_table(rows: Sequence[tuple[Lead, LeadScore]], title: str) -> Table:
    table = Table(title=title)
    for col in ("#", "score", "grade", "tier", "qualified", "lead", "company", "owner"):
        table.add_column(col, justify="right" if col in ("#", "score") else "left")
    for i, (lead, score) in enumerate(rows, 1):
        table.add_row(
            str(i),
            f"{score.total:.1f}",
            score.grade,
            tier_text(score.tier),
            "yes" if score.qualified else "no",
            lead.email,
            lead.company or "",
            lead.owner or "",
        )
    return table


def lead_json(lead: Lead, score: LeadScore) -> dict[str, Any]:
    return {
        "email": lead.email,
        "name": lead.name,
        "company": lead.company,
        "owner": lead.owner,
        "product": lead.product,
        "total": score.total,
        "fit": score.fit,
        "engagement": score.engagement,
        "grade": score.grade,
        "tier": score.tier,
        "qualified": score.qualified,
        "missing": score.missing,
        "flags": score.flags,
        "scored_at": score.scored_at.isoformat(),
    }


def dry_run_report(total: int, moves: list[Move], limit: int) -> Group:
    def count(pred: Any) -> int:
        return sum(1 for m in moves if pred(m))

    summary = Table(title=f"Dry run over {total:,} leads: {len(moves):,} would change")
    summary.add_column("change")
    summary.add_column("leads", justify="right")
    transitions: dict[str, int] = {}
    for m in moves:
        if m.old_tier != m.new_tier:
            key = f"{m.old_tier} → {m.new_tier}"
            transitions[key] = transitions.get(key, 0) + 1
    for key, n in sorted(transitions.items(), key=lambda kv: -kv[1]):
        summary.add_row(key, f"{n:,}")
    summary.add_row("becomes qualified", f"{count(lambda m: m.new_qualified > m.old_qualified):,}")
    summary.add_row(
        "loses qualification", f"{count(lambda m: m.new_qualified < m.old_qualified):,}"
    )
    detail = Table(title=f"Largest moves (first {min(limit, len(moves))})")
    for col in ("lead", "score", "tier", "qualified"):
        detail.add_column(col)
    for m in moves[:limit]:
        detail.add_row(
            m.email,
            f"{m.old_total:.1f} → {m.new_total:.1f}",
            f"{m.old_tier} → {m.new_tier}",
            f"{m.old_qualified} → {m.new_qualified}"
            if m.old_qualified != m.new_qualified
            else str(m.new_qualified),
        )
    return Group(summary, detail)


def _snapshot(total: float, grade: str, tier: str, qualified: bool) -> str:
    style = TIER_STYLE.get(tier, "")
    gate = "[green]qualified[/]" if qualified else "[red]not qualified[/]"
    return f"[bold]{total:.1f}[/] {grade} [{style}]{tier}[/] {gate}"


def score_card(card: ScoreCard) -> Panel:
    """The end of a conversation: before → after, what changed, what is still missing."""
    r = card.result
    before = (
        "not scored"
        if card.before is None
        else _snapshot(
            card.before.total, card.before.grade, card.before.tier, card.before.qualified
        )
    )
    lines = [f"{before}  →  {_snapshot(r.total, r.grade, r.tier, r.qualified)}", ""]
    changes = Table(box=None, show_header=True, pad_edge=False)
    for col in ("answer", "before", "now"):
        changes.add_column(col)
    for c in card.changes:
        changes.add_row(c.label, c.before or "[dim]—[/]", c.after)
    tail: list[Any] = []
    if r.missing:
        tail.append(Text("Missing to qualify: " + "; ".join(m.label for m in r.missing)))
    if r.flags:
        tail.extend(Text(f"⚑ {f.message}", style="magenta") for f in r.flags)
    title = f"Score card · {card.lead_name}" + (f" ({card.company})" if card.company else "")
    return Panel(
        Group(Text.from_markup("\n".join(lines)), changes, *tail),
        title=title,
        title_align="left",
    )


def alert_preview(card: ScoreCard, owner: str | None) -> Panel:
    """The hot-lead alert a sales channel would get for this lead, rendered for a terminal
    from the same payload the Slack alert is built from (`bot.alerts.payload`)."""
    from bot.alerts.payload import alert_payload

    p = alert_payload(
        lead_id=card.lead_id,
        name=card.lead_name,
        company=card.company,
        email=card.email,
        owner=owner,
        product=None,
        result=card.result,
        reasons=[],
    )
    lead, score = p["lead"], p["score"]
    who = lead["name"] + (f" ({lead['company']})" if lead["company"] else "")
    head = (
        f"🔥 [bold]{escape(who)}[/] is [bold]{score['tier']}[/]: {score['total']:.1f}/100, "
        f"grade {score['grade']}" + (", qualified" if score["qualified"] else "")
    )
    why = [f"  {w['points']:+.1f}  {escape(w['label'])}" for w in p["why"]]
    answers = [
        f"  {escape(a['slot'])}: {escape(a['value'])} [dim]({a['age']})[/]" for a in p["answers"]
    ]
    body = "\n".join(
        [
            head,
            "",
            "[bold]Why[/]",
            *why,
            "",
            "[bold]Rep's answers[/]",
            *answers,
            "",
            f"Owner: {escape(owner) if owner else 'unclaimed'}",
            "[reverse] Claim [/]  [reverse] Open lead [/]  [reverse] Qualify now [/]",
        ]
    )
    return Panel(Text.from_markup(body), title="Alert for the sales channel", title_align="left")
