"""`qualibot digest NAME`: print a digest (`--dry-run`) or post it now, exactly once."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Group
from rich.table import Table

from bot.cli import _parse_now, _print_json, app, console, err
from bot.digests import Change, Digest, PendingCall, Section
from bot.lead_lists import LeadRow


@app.command("digest")
def digest_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A digest configured under `digests:`")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print it; post nothing, record no run")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    at: Annotated[
        str | None,
        typer.Option(help="Its scheduled time (ISO; default now): the run's key and window end"),
    ] = None,
) -> None:
    """Print a digest (--dry-run) or post it to its channel now (once per NAME and --at)."""
    config = ctx.obj.config
    spec = config.digests.get(name)
    if spec is None:
        known = ", ".join(sorted(config.digests)) or "none"
        err.print(f"[red]error[/] unknown digest '{name}' (configured: {known})", highlight=False)
        raise typer.Exit(2)
    when = _parse_now(at) if at else ctx.obj.now
    if dry_run:
        from sqlmodel import Session

        from bot.digests import build_digest

        with Session(ctx.obj.engine) as session:
            digest = build_digest(session, name, spec, when, config)
        if as_json:
            _print_json(digest.to_dict())
        else:
            console.print(render_digest(digest))
        return
    _post(ctx, name, when, as_json)


def _post(ctx: typer.Context, name: str, when: datetime, as_json: bool) -> None:
    from bot.digest_runs import post_digest
    from bot.settings import Settings
    from bot.slack.client import make_client

    settings = Settings()
    if not settings.slack_bot_token:
        err.print("[red]error[/] set SLACK_BOT_TOKEN to post (or use --dry-run)")
        raise typer.Exit(2)
    config = ctx.obj.config
    spec = config.digests[name]
    client = make_client(settings.slack_bot_token, settings.slack_api_url)
    outcome = asyncio.run(
        post_digest(ctx.obj.engine, client, name, config, when, lambda: datetime.now(UTC))
    )
    if as_json:
        _print_json({"name": name, "scheduled_for": when.isoformat(), **asdict(outcome)})
    elif outcome.status == "posted":
        console.print(f"[green]posted[/] {name} to {spec.channel} (ts {outcome.message_ts})")
    elif outcome.status == "found":
        console.print(f"{name} for {when.isoformat()} was already posted (ts {outcome.message_ts})")
    elif outcome.status == "refused":
        console.print(f"{name} for {when.isoformat()} already ran or is running: not posted")
    if outcome.status == "failed":
        err.print(f"[red]error[/] posting {name} failed (see the log)")
        raise typer.Exit(1)


# ------------------------------------------------------------------ Rich rendering


def render_digest(digest: Digest) -> Group:
    fmt = "%Y-%m-%d %H:%M UTC"
    head = (
        f"[bold]{digest.name}[/] → {digest.channel} · scheduled {digest.scheduled_for:{fmt}}"
        f" · changes since {digest.since:{fmt}}"
    )
    return Group(head, *(_section_table(part) for part in digest.sections))


def _who(name: str | None, email: str, company: str | None) -> str:
    return (name or email) + (f" ({company})" if company else "")


def _section_table(part: Section) -> Table | str:
    if not part.rows:
        return f"\n[bold]{part.title}[/]: [dim]{part.empty_text}[/]"
    more = part.total - len(part.rows)
    caption = f"…and {more} more" if more > 0 else None
    table = Table(title=part.title, title_justify="left", caption=caption)
    first = part.rows[0]
    if isinstance(first, LeadRow):
        for column in ("total", "grade", "tier", "lead", "owner", "top reason"):
            table.add_column(column, justify="right" if column == "total" else "left")
        for r in part.rows:
            assert isinstance(r, LeadRow)
            table.add_row(
                f"{r.total:.1f}",
                r.grade,
                r.tier,
                _who(r.name, r.email, r.company),
                r.owner or "unclaimed",
                r.top_reason or "",
            )
    elif isinstance(first, Change):
        for column in ("change", "from", "to", "tier", "lead", "owner", "reason"):
            table.add_column(column)
        for r in part.rows:
            assert isinstance(r, Change)
            table.add_row(
                f"{r.delta:+.1f}",
                f"{r.old_total:.1f}",
                f"{r.new_total:.1f}",
                r.old_tier if r.old_tier == r.new_tier else f"{r.old_tier} → {r.new_tier}",
                _who(r.lead.name, r.lead.email, r.lead.company),
                r.lead.owner or "unclaimed",
                r.reason,
            )
    else:
        for column in ("call", "lead", "rep", "age (h)", "qualification"):
            table.add_column(column)
        for r in part.rows:
            assert isinstance(r, PendingCall)
            table.add_row(
                r.external_id,
                _who(r.name, r.email, r.company),
                r.rep,
                f"{r.age_hours:.1f}",
                r.conversation_status or "not started",
            )
    return table
