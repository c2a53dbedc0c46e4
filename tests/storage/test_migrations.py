"""The packaged Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from subprocess import PIPE
from typing import Any, cast

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import JSON, column, event, insert, inspect, select, table
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from bot.storage.column_types import UTCDateTime
from bot.storage.database import make_engine
from bot.storage.leads_repo import upsert_lead
from bot.storage.migrate import current, downgrade, head, init_db, upgrade
from bot.storage.tables import LeadScore, metadata
from scoring.result import RuleTotal


def _diff(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_fresh_database_upgrades_to_the_model_schema(empty_db_url: str) -> None:
    assert current(empty_db_url) is None
    upgrade(empty_db_url)
    assert current(empty_db_url) == head() == "0010"
    assert _tables(empty_db_url) == set(metadata.tables) | {"alembic_version"}
    assert _diff(empty_db_url) == []


def test_downgrade_to_base_and_up_again(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    downgrade(empty_db_url, "base")
    assert current(empty_db_url) is None
    assert _tables(empty_db_url) == {"alembic_version"}
    assert init_db(empty_db_url) == head()
    assert _diff(empty_db_url) == []


def test_init_db_is_idempotent(db_url: str) -> None:
    assert init_db(db_url) == head()
    assert current(db_url) == head()


def test_current_does_not_create_a_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "q.db"
    assert current(f"sqlite:///{path}") is None
    assert not path.exists()


def test_an_upgrade_from_empty_is_one_transaction(empty_db_url: str) -> None:
    """A replica that waits for the migration lock must never see a half-migrated
    database (Alembic commits each revision on its own on SQLite unless the transaction
    is ours)."""
    commits: list[str] = []

    def on_commit(conn: Connection) -> None:
        commits.append(conn.dialect.name)

    event.listen(Engine, "commit", on_commit)
    try:
        upgrade(empty_db_url)
    finally:
        event.remove(Engine, "commit", on_commit)
    assert current(empty_db_url) == head()
    assert len(commits) == 1


def test_replicas_starting_together_all_upgrade(empty_db_url: str) -> None:
    code = "import sys; from bot.storage.migrate import upgrade; upgrade(sys.argv[1])"
    root = Path(__file__).resolve().parents[2]
    procs = [
        subprocess.Popen([sys.executable, "-c", code, empty_db_url], cwd=root, stderr=PIPE)
        for _ in range(3)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
    assert current(empty_db_url) == head()
    assert _diff(empty_db_url) == []


OLD_BREAKDOWN = [
    {
        "rule_id": "engagement.demo_request",
        "label": "Requested a demo",
        "source": "event",
        "count": 2,
        "points": 51.0,
        "score_points": 22.95,
        "last_at": "2026-11-21T16:47:52.359306+00:00",
    },
    {
        "rule_id": "fit.profile.industry.education",
        "label": "Industry: Education",
        "source": "profile",
        "count": 1,
        "points": -3.0,
        "score_points": -1.65,
        "last_at": None,
    },
]


# lead_scores as revisions 0001-0009 had it (0010 dropped `breakdown`)
_OLD_SCORES = table(
    "lead_scores",
    *(column(n) for n in ("lead_id", "model", "total", "fit", "engagement", "grade", "tier")),
    column("qualified"),
    *(column(n, JSON) for n in ("missing", "flags", "breakdown", "state")),
    column("scored_at", UTCDateTime()),
)


def _breakdowns(url: str) -> dict[int, object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(_OLD_SCORES.c.lead_id, _OLD_SCORES.c.breakdown)).all()
            return {lead_id: breakdown for lead_id, breakdown in rows}
    finally:
        engine.dispose()


def _insert_score(session: Session, lead_id: int, **json_columns: object) -> None:
    """A lead and its score row, written as the schema of revisions before 0010 stood
    (`json_columns`: missing, flags, breakdown and state)."""
    assert upsert_lead(session, {"email": f"p{lead_id}@acme.com"}).id == lead_id
    session.execute(
        insert(_OLD_SCORES),
        {
            "lead_id": lead_id,
            "model": "default",
            "total": 40.0,
            "fit": 30.0,
            "engagement": 50.0,
            "grade": "B2",
            "tier": "warm",
            "qualified": False,
            **json_columns,
            "scored_at": datetime(2026, 11, 23, tzinfo=UTC),
        },
    )


def test_0005_compacts_stored_breakdowns_and_back(empty_db_url: str) -> None:
    upgrade(empty_db_url, "0004")
    engine = make_engine(empty_db_url)
    with Session(engine) as session, session.begin():
        for lead_id, breakdown in [(1, OLD_BREAKDOWN), (2, [])]:
            _insert_score(session, lead_id, missing=[], flags=[], breakdown=breakdown, state={})
    engine.dispose()
    upgrade(empty_db_url, "0005")
    compact = _breakdowns(empty_db_url)
    assert compact[2] == []
    demo, industry = (RuleTotal.from_json(row) for row in compact[1])  # type: ignore[attr-defined]
    assert demo == RuleTotal(
        "engagement.demo_request",
        "Requested a demo",
        "event",
        2,
        51.0,
        22.95,
        datetime(2026, 11, 21, 16, 47, 52, 359306, tzinfo=UTC).timestamp(),
    )
    assert demo.last_at == datetime(2026, 11, 21, 16, 47, 52, 359306, tzinfo=UTC)
    assert industry.last_ts is None and industry.score_points == -1.65
    downgrade(empty_db_url, "0004")
    assert _breakdowns(empty_db_url) == {1: OLD_BREAKDOWN, 2: []}


def _rows(url: str, sql: str) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.exec_driver_sql(sql).all())
    finally:
        engine.dispose()


def _compression(url: str) -> dict[str, str]:
    rows = _rows(
        url,
        "SELECT attname, attcompression FROM pg_attribute "
        "WHERE attrelid = 'lead_scores'::regclass AND attname IN "
        "('missing', 'flags', 'breakdown', 'state', 'model')",
    )
    return {name: str(method) for name, method in rows}


def test_0006_compresses_score_json_with_lz4_on_postgresql(empty_db_url: str) -> None:
    upgrade(empty_db_url, "0006")
    if not empty_db_url.startswith("postgresql"):
        assert current(empty_db_url) == "0006"  # nothing to change on SQLite
        return
    lz4 = {"missing": "l", "flags": "l", "breakdown": "l", "state": "l", "model": ""}
    assert _compression(empty_db_url) == lz4
    downgrade(empty_db_url, "0005")
    assert set(_compression(empty_db_url).values()) == {""}  # the server's default


def _table_options(url: str) -> list[str] | None:
    sql = "SELECT reloptions FROM pg_class WHERE oid = 'lead_scores'::regclass"
    [(options,)] = _rows(url, sql)
    return cast(list[str] | None, options)


def test_0007_leaves_free_space_in_score_pages_on_postgresql(empty_db_url: str) -> None:
    upgrade(empty_db_url, "0007")
    if not empty_db_url.startswith("postgresql"):
        assert current(empty_db_url) == "0007"  # nothing to change on SQLite
        return
    assert _table_options(empty_db_url) == ["fillfactor=70"]
    downgrade(empty_db_url, "0006")
    assert _table_options(empty_db_url) is None


def _json_columns(url: str) -> dict[str, str]:
    rows = _rows(
        url,
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = 'lead_scores' AND data_type IN ('json', 'jsonb')",
    )
    return dict(rows)


def _score_json(url: str) -> tuple[object, ...]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            c = _OLD_SCORES.c
            row = conn.execute(select(c.missing, c.flags, c.breakdown, c.state)).one()
            return tuple(row)
    finally:
        engine.dispose()


def test_0008_stores_score_json_as_json_text_on_postgresql(empty_db_url: str) -> None:
    upgrade(empty_db_url, "0007")
    engine = make_engine(empty_db_url)
    values = (
        [{"id": "budget", "label": "Budget confirmed", "reason": "budget not asked yet"}],
        [{"code": "stale", "message": "No activity in 90 days"}],
        [["engagement.demo_request", "Requested a demo", "event", 2, 51.0, 22.95, 1.8e9]],
        {"v": 2, "n": 1, "rules": {"demo_request": [[1.8e9, "k-1", None]]}},
    )
    with Session(engine) as session, session.begin():
        columns = ("missing", "flags", "breakdown", "state")
        _insert_score(session, 1, **dict(zip(columns, values, strict=True)))
    engine.dispose()
    upgrade(empty_db_url, "0008")
    assert _score_json(empty_db_url) == values
    if not empty_db_url.startswith("postgresql"):
        return  # nothing to change on SQLite
    lz4 = {**dict.fromkeys(columns, "l"), "model": ""}  # 0006's compression is kept
    assert _json_columns(empty_db_url) == dict.fromkeys(columns, "json")
    assert _compression(empty_db_url) == lz4
    downgrade(empty_db_url, "0007")
    assert _json_columns(empty_db_url) == dict.fromkeys(columns, "jsonb")
    assert _compression(empty_db_url) == lz4
    assert _score_json(empty_db_url) == values


def _score_columns(url: str) -> dict[str, str]:
    engine = make_engine(url)
    try:
        columns = inspect(engine).get_columns("lead_scores")
        return {c["name"]: str(c["type"]).lower() for c in columns}
    finally:
        engine.dispose()


def test_0010_drops_the_stored_breakdown_and_keeps_the_rest(empty_db_url: str) -> None:
    upgrade(empty_db_url, "0009")
    engine = make_engine(empty_db_url)
    missing = [{"id": "budget", "label": "Budget confirmed", "reason": "budget not asked yet"}]
    flags = [{"code": "stale", "message": "No activity in 90 days"}]
    breakdown = [["engagement.demo_request", "Requested a demo", "event", 2, 51.0, 22.95, 1.8e9]]
    state = {"v": 2, "n": 1, "rules": {"demo_request": [[1.8e9, "k-1", None]]}}
    with Session(engine) as session, session.begin():
        for lead_id in (1, 2):
            _insert_score(
                session, lead_id, missing=missing, flags=flags, breakdown=breakdown, state=state
            )
    engine.dispose()

    upgrade(empty_db_url)
    assert "breakdown" not in _score_columns(empty_db_url)
    assert _diff(empty_db_url) == []  # SQLite's rebuilt table kept its indexes and keys
    engine = make_engine(empty_db_url)
    with Session(engine) as session:
        kept = session.get(LeadScore, 1)
        assert kept is not None
        assert (kept.total, kept.tier, kept.missing, kept.flags, kept.state) == (
            40.0,
            "warm",
            missing,
            flags,
            state,
        )
        assert kept.scored_at == datetime(2026, 11, 23, tzinfo=UTC)
    with engine.begin() as conn:  # the foreign key still cascades
        conn.exec_driver_sql("DELETE FROM leads WHERE id = 2")
        assert conn.exec_driver_sql("SELECT lead_id FROM lead_scores").scalars().all() == [1]
    engine.dispose()

    downgrade(empty_db_url, "0009")
    assert _breakdowns(empty_db_url) == {1: []}  # back, empty until the next rescore
    if empty_db_url.startswith("postgresql"):
        assert _score_columns(empty_db_url)["breakdown"] == "json"
        assert _compression(empty_db_url)["breakdown"] == "l"
