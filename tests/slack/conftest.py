"""Fixtures of the end-to-end Slack tests (see `harness.py` for how the app is driven).

The database is a SQLite file per test, copied from a template made once per session: the
first demo leads (the hand-written story leads first) with their activity, scored at the
session's start (`NOW`, the wall clock, because the app reads the wall clock too).

pytest honours `pytest_plugins` only in the root conftest, so the fake's fixtures are imported
here instead (as `tests/slack_fake/conftest.py` does).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.bulk_scoring import rescore_all
from bot.config_file import load_config
from bot.demo_data import STORY_LEAD_EMAIL
from bot.demo_loader import load_demo_data
from bot.storage.database import make_engine
from bot.storage.leads_repo import get_lead_by_email
from bot.storage.migrate import upgrade
from bot.storage.tables import Lead
from scoring.config import ScoringConfig
from tests.slack.harness import Apps, Slack
from tests.slack_fake import FakeSlack
from tests.slack_fake.fixtures import fake_slack, fake_slack_client  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.now(UTC)
N_LEADS = 30


@pytest.fixture(scope="session")
def config() -> ScoringConfig:
    return load_config(ROOT / "config.yml")


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory, config: ScoringConfig) -> Path:
    """A migrated SQLite file with the demo leads scored at NOW (made once per session)."""
    path = tmp_path_factory.mktemp("template") / "qualibot.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    try:
        load_demo_data(engine, N_LEADS, 42, NOW)
        rescore_all(url, config, NOW, workers=1)
        with engine.connect() as conn:  # fold the WAL into the file before it is copied
            raw = conn.connection.driver_connection  # outside a transaction
            assert raw is not None
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return path


@pytest.fixture
def db_url(template_db: Path, tmp_path: Path) -> str:
    path = tmp_path / "qualibot.db"
    shutil.copyfile(template_db, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """The test's own engine on the app's database, for setup and assertions."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def lead_by_email(engine: Engine, email: str) -> Lead:
    with Session(engine) as session:
        lead = get_lead_by_email(session, email)
        assert lead is not None and lead.id is not None
        return lead


@pytest.fixture
def story_lead(engine: Engine) -> Lead:
    """Dana Whitfield: warm, not qualified, no answers; owned by the demo rep U0REP0001."""
    return lead_by_email(engine, STORY_LEAD_EMAIL)


@pytest.fixture
def unowned_lead(engine: Engine) -> Lead:
    with Session(engine) as session:
        lead = session.exec(
            select(Lead).where(col(Lead.owner).is_(None)).order_by(col(Lead.id))
        ).first()
        assert lead is not None and lead.id is not None
        return lead


@pytest.fixture
async def apps(
    fake_slack: FakeSlack,  # noqa: F811
    db_url: str,
    config: ScoringConfig,
) -> AsyncIterator[Apps]:
    factory = Apps(fake_slack, db_url, config)
    try:
        yield factory
    finally:
        await factory.stop_all()


@pytest.fixture
async def slack(apps: Apps) -> Slack:
    """The app in HTTP mode, started."""
    return await apps.start()


@pytest.fixture(autouse=True)
def no_listener_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A listener that fails is logged (Bolt swallows it), so is a request no listener
    handles: fail the test on such a log."""
    caplog.set_level(logging.WARNING)
    yield
    errors = [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.get_records("call")
        if r.name.startswith(("bot", "slack_bolt", "slack_sdk"))
        and (r.levelno >= logging.ERROR or "Unhandled request" in r.getMessage())
    ]
    assert not errors, "errors logged:\n" + "\n".join(errors)
