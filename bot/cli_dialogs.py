"""`qualibot parse`, `qualibot shell` and `qualibot demo`: conversations in the terminal."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from bot.cli import _ensure_schema, _find_one, _print_json, app, console, err, progress_bar

DEMO_DB = Path("qualibot-demo.db")


@app.command("parse")
def parse(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help='A rep\'s answer, e.g. "CFO signs, ~80k"')],
    slot: Annotated[
        str | None, typer.Option(help="Read TEXT as the answer to this slot's question")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show what Qualibot understands in an answer (the JSON contract of stored answers)."""
    from dialogs.understanding import MAX_ANSWER_CHARS, parse_answer
    from scoring.values import describe_value

    config = ctx.obj.config
    if slot is not None and slot not in config.slots:
        raise typer.BadParameter(
            f"unknown slot '{slot}' (config.yml has: {', '.join(config.slots)})",
            param_hint="--slot",
        )
    choices = {name: spec.choices for name, spec in config.slots.items() if spec.choices}
    outcome = parse_answer(text, ctx.obj.now, slot, choices=choices)
    slots = outcome.slots if slot is None else {k: v for k, v in outcome.slots.items() if k == slot}
    if outcome.capped:
        err.print(f"note: only the first {MAX_ANSWER_CHARS:,} characters were read")
    if as_json:
        _print_json({"slots": slots})
        return
    if not slots:
        console.print(f"Nothing understood ({outcome.problem or 'not_understood'}).")
        return
    for name, value in slots.items():
        console.print(f"[bold]{name}[/]: {escape(describe_value(name, value))}")


def _script(path: Path | None) -> Iterator[str] | None:
    """The scripted answers: a file, `-` for stdin, stdin when it is not a terminal."""
    from dialogs.shell import script_lines

    if path is not None and str(path) != "-":
        try:
            return script_lines(path.read_text(encoding="utf-8").splitlines())
        except OSError as exc:
            raise typer.BadParameter(f"cannot read {path}: {exc.strerror}") from None
    if path is not None or not sys.stdin.isatty():
        return script_lines(sys.stdin)
    return None


def _framework(ctx: typer.Context, framework: str) -> str:
    if framework not in ctx.obj.config.frameworks:
        raise typer.BadParameter(
            f"unknown framework '{framework}' "
            f"(config.yml has: {', '.join(ctx.obj.config.frameworks)})",
            param_hint="--framework",
        )
    return framework


def _converse(
    ctx: typer.Context, engine: Any, lead: Any, rep: str, framework: str, script: Any
) -> Any:
    """Run the conversation in the terminal; return the score card when it completes."""
    from bot.conversations import ConversationService
    from dialogs.shell import ChatConsole, chat

    service = ConversationService(engine, ctx.obj.config)
    opened = service.open(lead.id, rep, framework, ctx.obj.now)
    card = opened.card
    if card is not None:
        ChatConsole(console).show(opened.replies)
        return card

    async def send(text: str) -> tuple[list[Any], bool]:
        nonlocal card
        step = await service.reply(opened.conversation_id, text, ctx.obj.now, source="console")
        card = step.card
        return step.replies, step.status != "active"

    finished = asyncio.run(chat(ChatConsole(console, script, rep), opened.replies, send))
    if not finished:
        console.print(
            "[dim]No more answers: the conversation is saved. Resume it with "
            f"`qualibot --database-url {engine.url.render_as_string(hide_password=True)} "
            f"shell --lead {lead.email} --rep {rep}`.[/]"
        )
    return card


def _show_outcome(card: Any, owner: str | None) -> None:
    from bot.cli_render import alert_preview, score_card

    console.print(score_card(card))
    r, before = card.result, card.before
    crossed = (
        before is None
        or (r.tier == "hot" and before.tier != "hot")
        or (r.qualified and not before.qualified)
    )
    if r.tier == "hot" and crossed:
        console.print(alert_preview(card, owner))
    else:
        console.print("[dim]No alert: the lead did not cross into hot or qualified.[/]")


@app.command("shell")
def shell(
    ctx: typer.Context,
    lead: Annotated[str | None, typer.Option(help="email, domain or company")] = None,
    framework: Annotated[str, typer.Option(help="bant, champ or one from config.yml")] = "bant",
    rep: Annotated[
        str, typer.Option(help="Who is answering (stored with the answers)")
    ] = "console",
    script: Annotated[
        Path | None, typer.Option(help="Answers from a file (one per line), or - for stdin")
    ] = None,
) -> None:
    """Qualify a lead in the terminal: the same conversation reps get in Slack."""
    from bot.storage.database import session_scope

    _framework(ctx, framework)
    _ensure_schema(ctx)
    answers = _script(script)
    query = lead
    if query is None:
        query = next(answers, None) if answers is not None else console.input("Which lead? ")
        if not query:
            raise typer.BadParameter("no lead given", param_hint="--lead")
    with session_scope(ctx.obj.engine) as session:
        found = _find_one(session, query)
        session.expunge(found)
    card = _converse(ctx, ctx.obj.engine, found, rep, framework, answers)
    if card is not None:
        _show_outcome(card, found.owner)


@app.command("demo")
def demo(
    ctx: typer.Context,
    script: Annotated[
        Path | None, typer.Option(help="Answers from a file (one per line), or - for stdin")
    ] = None,
    framework: Annotated[str, typer.Option(help="bant or champ")] = "bant",
    leads: Annotated[int, typer.Option(min=10, help="Sample leads to generate")] = 300,
    db: Annotated[Path, typer.Option(help="Demo SQLite file (recreated)")] = DEMO_DB,
) -> None:
    """Try Qualibot without Slack: sample data, then qualify a lead after a call."""
    from bot.bulk_scoring import rescore_all
    from bot.demo_data import STORY_LEAD_EMAIL
    from bot.demo_loader import load_demo_data
    from bot.storage.database import make_engine, session_scope
    from bot.storage.leads_repo import get_lead_by_email
    from bot.storage.migrate import init_db

    _framework(ctx, framework)
    answers = _script(script)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    init_db(url)
    engine = make_engine(url)
    with progress_bar() as bar:
        task = bar.add_task("sample leads", total=leads)
        load_demo_data(engine, leads, 42, ctx.obj.now, progress=lambda n: bar.advance(task, n))
        scoring = bar.add_task("scoring", total=leads)
        rescore_all(url, ctx.obj.config, ctx.obj.now, progress=lambda n: bar.advance(scoring, n))
    with session_scope(engine) as session:
        lead = get_lead_by_email(session, STORY_LEAD_EMAIL)
        assert lead is not None, "the demo data always has its story lead"
        session.expunge(lead)
    _story_intro(ctx, engine, lead)
    card = _converse(ctx, engine, lead, "you", framework, answers)
    if card is not None:
        _show_outcome(card, lead.owner)
    console.print(
        f"[dim]The demo database is {db}: try `qualibot --database-url {url} top` or "
        f"`qualibot --database-url {url} explain {lead.email}`.[/]"
    )
    engine.dispose()


def _story_intro(ctx: typer.Context, engine: Any, lead: Any) -> None:
    from bot.scoring_service import compute_lead
    from bot.storage.database import session_scope

    with session_scope(engine) as session:
        result = compute_lead(session, lead, ctx.obj.config, ctx.obj.now)
    who = f"{lead.name}, {lead.title} at {lead.company}"
    console.rule(f"[bold]Your call with {escape(who)} just ended")
    console.print(
        f"Before the call: [bold]{result.total:.1f}[/] ({result.grade}, {result.tier}), "
        + ("qualified" if result.qualified else "not qualified")
        + ". Recent activity:"
    )
    events = [c for c in result.contributions if c.source == "event"]
    for c in sorted(events, key=lambda c: c.at or ctx.obj.now, reverse=True)[:5]:
        when = c.at.date().isoformat() if c.at else ""
        console.print(f"  {when}  {escape(c.label)}  [dim]{c.score_points:+.1f}[/]")
    console.print("Qualibot sends you a DM to qualify the lead while it is fresh:\n")
