"""Process settings from the environment (see README: Running)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_CONFIG = Path(__file__).resolve().parent.parent / "config.yml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str = "sqlite:///qualibot.db"
    qualibot_config: str | None = None
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None  # set: Socket Mode; unset: HTTP at /slack/events
    slack_api_url: str = "https://slack.com/api/"
    ingest_token: str | None = None  # bearer token of the HTTP API (/calls, /events)

    def config_path(self) -> Path:
        """QUALIBOT_CONFIG, else ./config.yml, else the config.yml shipped beside the code."""
        if self.qualibot_config:
            return Path(self.qualibot_config)
        local = Path("config.yml")
        return local if local.exists() else REPO_CONFIG
