"""The `qualibot` command line (Typer + Rich)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import Engine, select
from sqlmodel import col

from bot.config_file import load_config
from bot.settings import Settings
from scoring.config import ScoringConfig
from scoring.config_loader import ConfigError

app = typer.Typer(
    help="Qualibot: lead qualification and scoring for Slack.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
config_app = typer.Typer(help="Check config.yml.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
import_app = typer.Typer(help="Import leads and behavioural events.", no_args_is_help=True)
rules_app = typer.Typer(help="Try a scoring-rule change before switching.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")
app.add_typer(rules_app, name="rules")

console = Console()
err = Console(stderr=True)


@dataclass
class Context:
    database_url: str
    config_path: Path
    now: datetime
    _config: ScoringConfig | None = None
    _engine: Engine | None = None

    @property
    def config(self) -> ScoringConfig:
        if self._config is None:
            self._config = _load_or_exit(self.config_path)
        return self._config

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from bot.storage.database import make_engine

            self._engine = make_engine(self.database_url)
        return self._engine


def _load_or_exit(path: Path) -> ScoringConfig:
    try:
        return load_config(path)
    except ConfigError as exc:
        for problem in exc.problems:
            err.print(f"[red]error[/] {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _parse_now(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not an ISO date (YYYY-MM-DD[THH:MM])") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@app.callback()
def main_options(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(help="Database URL [env DATABASE_URL; default sqlite:///qualibot.db]"),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="config.yml to use [env QUALIBOT_CONFIG]")
    ] = None,
    now: Annotated[
        str | None, typer.Option(help="Pretend it is this time (ISO date), for reproducible runs")
    ] = None,
) -> None:
    settings = Settings()
    ctx.obj = Context(
        database_url or settings.database_url, config or settings.config_path(), _parse_now(now)
    )


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


# ------------------------------------------------------------------ config and database


@config_app.command("check")
def config_check(ctx: typer.Context, file: Annotated[Path | None, typer.Argument()] = None) -> None:
    """Validate a config file: prints OK, or each problem as FILE:LINE:COLUMN: what."""
    path = file or ctx.obj.config_path
    config = _load_or_exit(path)
    console.print(
        f"[green]OK[/] {path}: {len(config.models)} model(s) "
        f"({', '.join(config.models)}), frameworks {', '.join(config.frameworks)}"
    )


@app.command("init-db")
def init_db(ctx: typer.Context) -> None:
    """Create or upgrade the database schema to the latest migration."""
    from bot.storage.migrate import init_db as run

    revision = run(ctx.obj.database_url)
    console.print(f"[green]database ready[/] at revision {revision}")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, revision: str = "head") -> None:
    """Apply migrations up to REVISION (default head)."""
    from bot.storage.migrate import current, upgrade

    upgrade(ctx.obj.database_url, revision)
    console.print(f"[green]upgraded[/] to {current(ctx.obj.database_url)}")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Show the database's migration revision."""
    from bot.storage.migrate import current

    console.print(current(ctx.obj.database_url) or "empty (run qualibot init-db)")


def _ensure_schema(ctx: typer.Context) -> None:
    from bot.storage.migrate import init_db as run

    run(ctx.obj.database_url)


# ------------------------------------------------------------------ imports


@import_app.command("leads")
def import_leads(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV file")],
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="CSV header=field, e.g. --map 'Work Mail=email' (repeatable)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Import leads from a CSV (upsert by email); bad rows are reported, good rows import."""
    from bot.importing.errors import ImportFileError
    from bot.importing.leads_csv import parse_leads_csv
    from bot.lead_import import import_leads as run

    mapping = {}
    for item in map_ or []:
        header, sep, field = item.partition("=")
        if not sep or not header or not field:
            raise typer.BadParameter(f"--map '{item}': use HEADER=field")
        mapping[header.strip()] = field.strip()
    try:
        with file.open("rb") as stream:
            parsed = parse_leads_csv(stream, mapping or None)
    except ImportFileError as exc:
        err.print(f"[red]error[/] {file}: {exc}")
        raise typer.Exit(2) from None
    _ensure_schema(ctx)
    rows = [(r.row_number, r.fields) for r in parsed.rows]
    with progress_bar() as bar:
        task = bar.add_task(f"importing {file.name}", total=len(rows))
        report = run(
            ctx.obj.engine,
            rows,
            ctx.obj.config,
            ctx.obj.now,
            progress=lambda n: bar.advance(task, n),
        )
    report.errors = sorted([*parsed.errors, *report.errors], key=lambda e: e.row)
    _import_summary(report, as_json, ignored=getattr(parsed, "ignored_columns", []))


def _import_summary(report: Any, as_json: bool, ignored: list[str] | None = None) -> None:
    if as_json:
        _print_json(report.as_dict())
    else:
        console.print(
            f"[green]{report.created}[/] created, [green]{report.updated}[/] updated, "
            f"[green]{report.accepted}[/] events stored, {report.duplicates} "
            f"duplicate(s) skipped, [red]{len(report.errors)}[/] rejected"
        )
        if ignored:
            console.print(f"ignored columns: {', '.join(ignored)}")
        for e in report.errors[:50]:
            console.print(f"  [red]✗[/] row {e.row}: {e.reason}", highlight=False, soft_wrap=True)
        if len(report.errors) > 50:
            console.print(f"  … and {len(report.errors) - 50} more (use --json for all)")
    if report.errors and not (report.created or report.updated or report.accepted):
        raise typer.Exit(1)


@import_app.command("events")
def import_events(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="JSON lines (Segment track/page) or CSV"),
    ],
    fmt: Annotated[
        str | None, typer.Option("--format", help="jsonl or csv (default: guess)")
    ] = None,
    create_leads: Annotated[bool, typer.Option(help="Create leads for unknown emails")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Import behavioural events (idempotent on messageId) and update the leads' scores."""
    from bot.event_store import EventToStore, IdentifyToStore, to_store
    from bot.event_store import import_events as run
    from bot.importing.errors import ImportFileError, RowError
    from bot.importing.events_file import parse_events
    from bot.importing.segment import ParsedEvent, ParsedIdentify

    if fmt not in (None, "jsonl", "csv"):
        raise typer.BadParameter("--format must be jsonl or csv")
    try:
        with file.open("rb") as stream:
            parsed = parse_events(stream, fmt)  # type: ignore[arg-type]
    except ImportFileError as exc:
        err.print(f"[red]error[/] {file}: {exc}")
        raise typer.Exit(2) from None
    _ensure_schema(ctx)
    # File order matters: an identify attaches the anonymous events before it.
    items: list[EventToStore | IdentifyToStore] = []
    bad_traits: list[RowError] = []
    parsed_items: list[ParsedEvent | ParsedIdentify] = [*parsed.events, *parsed.identifies]
    for e in sorted(parsed_items, key=lambda e: e.row or 0):
        try:
            items.append(to_store(e, "import"))
        except ValueError as exc:
            bad_traits.append(RowError(e.row or 0, str(exc)))
    with progress_bar() as bar:
        task = bar.add_task(f"importing {file.name}", total=len(items))
        report = run(
            ctx.obj.engine,
            items,
            ctx.obj.config,
            ctx.obj.now,
            create_leads=create_leads,
            progress=lambda n: bar.advance(task, n),
        )
    report.errors = sorted([*parsed.errors, *bad_traits, *report.errors], key=lambda e: e.row)
    _import_summary(report, as_json)


# ------------------------------------------------------------------ scores


@app.command("demo-data")
def demo_data(
    ctx: typer.Context,
    leads: Annotated[int, typer.Option(min=1, help="How many leads")] = 500,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data)")] = 42,
) -> None:
    """Fill the database with realistic synthetic leads, events and answers, then score."""
    from bot.demo_loader import load_demo_data

    _ensure_schema(ctx)
    with progress_bar() as bar:
        task = bar.add_task("generating leads", total=leads)
        stats = load_demo_data(
            ctx.obj.engine, leads, seed, ctx.obj.now, progress=lambda n: bar.advance(task, n)
        )
    console.print(
        f"[green]{stats.leads:,}[/] leads, {stats.events:,} events, "
        f"{stats.answers:,} answers loaded into {ctx.obj.database_url}",
        soft_wrap=True,  # one line, however narrow the terminal or pipe: scripts read it
    )
    _rescore_all(ctx, workers=None)


def _rescore_all(ctx: typer.Context, workers: int | None, rebuild: bool = False) -> None:
    from bot.bulk_scoring import count_leads, rescore_all

    total = count_leads(ctx.obj.database_url)
    with progress_bar() as bar:
        task = bar.add_task("scoring", total=total)
        summary = rescore_all(
            ctx.obj.database_url,
            ctx.obj.config,
            ctx.obj.now,
            workers=workers,
            progress=lambda n: bar.advance(task, n),
            rebuild=rebuild,
        )
    tiers = ", ".join(f"{summary.tiers.get(t, 0):,} {t}" for t in ("hot", "warm", "cold"))
    console.print(
        f"scored [green]{summary.leads:,}[/] leads ({tiers}); {summary.changed:,} changed",
        soft_wrap=True,
    )


@app.command("score")
def score_cmd(
    ctx: typer.Context,
    lead: Annotated[str | None, typer.Argument(help="email, domain or company")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Recompute every lead")] = False,
    workers: Annotated[
        int | None, typer.Option(help="Processes for --all (default: cores)")
    ] = None,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild",
            help="With --all: recompute engagement from every stored event, even where "
            "the stored engagement state is current",
        ),
    ] = False,
) -> None:
    """Recompute scores from stored events and answers: one lead, or --all."""
    if all_ == (lead is not None):
        raise typer.BadParameter("give a LEAD or --all")
    if rebuild and not all_:
        raise typer.BadParameter("--rebuild goes with --all (one lead is always rebuilt)")
    if all_:
        _rescore_all(ctx, workers, rebuild)
        return
    from bot.scoring_service import rescore_lead
    from bot.storage.database import session_scope

    with session_scope(ctx.obj.engine) as session:
        found = _find_one(session, lead or "")
        result = rescore_lead(session, found.id, ctx.obj.config, ctx.obj.now)
        console.print(f"{found.email}: {result.total:.1f} ({result.grade}, {result.tier})")


def _find_one(session: Any, query: str) -> Any:
    from bot.lead_lookup import find_leads

    found = find_leads(session, query)
    if found.lead is None:
        msg = f"no lead matches '{query}'"
        if found.suggestions:
            msg += "; did you mean: " + ", ".join(found.suggestions) + "?"
        err.print(f"[red]{msg}[/]", highlight=False)
        raise typer.Exit(1)
    if len(found.leads) > 1:
        others = ", ".join(lead.email for lead in found.leads[1:6])
        err.print(
            f"{len(found.leads)} leads match '{query}'; showing the best scored (others: {others})",
            highlight=False,
        )
    return found.lead


@app.command("explain")
def explain(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="email, domain or company (fuzzy)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show why a lead scores what it scores: every contribution, answers, gate, flags."""
    from bot.cli_render import explain_card
    from bot.scoring_service import compute_lead
    from bot.storage.database import session_scope

    with session_scope(ctx.obj.engine) as session:
        found = _find_one(session, lead)
        result = compute_lead(session, found, ctx.obj.config, ctx.obj.now)
        if as_json:
            _print_json({"email": found.email, **result.to_dict()})
        else:
            console.print(explain_card(found, result, ctx.obj.now))


@app.command("top")
def top(
    ctx: typer.Context,
    tier: Annotated[str | None, typer.Option(help="hot, warm or cold")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The best-scored leads (as stored by the last scoring)."""
    from bot.cli_render import lead_json, leads_table
    from bot.storage.database import session_scope
    from bot.storage.tables import Lead, LeadScore

    if tier not in (None, "hot", "warm", "cold"):
        raise typer.BadParameter("--tier must be hot, warm or cold")
    stmt = select(Lead, LeadScore).join(LeadScore, col(LeadScore.lead_id) == col(Lead.id))
    if tier:
        stmt = stmt.where(col(LeadScore.tier) == tier)
    stmt = stmt.order_by(col(LeadScore.total).desc(), col(Lead.id)).limit(limit)
    with session_scope(ctx.obj.engine) as session:
        rows = [(lead, score) for lead, score in session.execute(stmt)]
        if as_json:
            _print_json([lead_json(lead, score) for lead, score in rows])
            return
        if not rows:
            console.print("no scored leads yet: import some, or run `qualibot demo-data`")
            return
        console.print(leads_table(rows, f"Top {len(rows)} {tier or ''} leads".replace("  ", " ")))


@rules_app.command("dry-run")
def rules_dry_run(
    ctx: typer.Context,
    new_config: Annotated[Path, typer.Argument(help="The proposed config.yml")],
    limit: Annotated[int, typer.Option(help="How many moves to list")] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    workers: Annotated[int | None, typer.Option(help="Processes (default: cores)")] = None,
) -> None:
    """Which leads would change tier or qualification under NEW_CONFIG (nothing is written)."""
    from bot.bulk_scoring import count_leads, dry_run
    from bot.cli_render import dry_run_report

    proposed = _load_or_exit(new_config)
    current = ctx.obj.config
    with progress_bar() as bar:
        task = bar.add_task("comparing", total=count_leads(ctx.obj.database_url))
        total, moves = dry_run(
            ctx.obj.database_url,
            current,
            proposed,
            ctx.obj.now,
            workers=workers,
            progress=lambda n: bar.advance(task, n),
        )
    if as_json:
        _print_json(
            {
                "leads": total,
                "changed": len(moves),
                "moves": [asdict(m) for m in moves[:limit]],
            }
        )
    else:
        console.print(dry_run_report(total, moves, limit))


# Conversation commands (parse, shell, demo) and serve live in their own modules.
from bot import cli_dialogs, cli_digest, cli_serve  # noqa: E402, F401


def main() -> None:
    app()
