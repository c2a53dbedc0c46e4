"""Digest sections on a small seeded database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from bot.config_file import load_config
from bot.digests import Change, PendingCall, build_digest
from bot.lead_lists import LeadRow
from bot.slack.digest_blocks import digest_blocks, digest_text
from bot.storage.tables import DigestRun
from scoring.notify_config import DigestSpec
from tests.scheduling.conftest import MORNING, ROOT

CONFIG = load_config(ROOT / "config.yml")

ALL = ["top_hot", "movers", "qualified_unclaimed", "calls_unqualified", "cooled"]


def _spec(limit: int = 5, sections: list[str] | None = None) -> DigestSpec:
    return DigestSpec.model_validate(
        {"cron": "0 8 * * *", "channel": "#sales", "sections": sections or ALL, "limit": limit}
    )


def _build(engine: Engine, spec: DigestSpec, at=MORNING):
    with Session(engine) as s:
        digest = build_digest(s, "morning", spec, at, CONFIG)
    return digest, {p.kind: p for p in digest.sections}


def test_sections(engine: Engine, seeded: dict[str, int]) -> None:
    digest, parts = _build(engine, _spec())
    assert [p.kind for p in digest.sections] == ALL
    assert digest.since == MORNING - timedelta(hours=24)  # first run: the last 24 hours

    hot = parts["top_hot"].rows
    assert [r.email for r in hot if isinstance(r, LeadRow)] == ["hot1@acme.com", "hot2@acme.com"]
    first = hot[0]
    assert isinstance(first, LeadRow)
    assert (first.total, first.grade, first.owner, first.top_reason) == (
        90,
        "A1",
        None,
        "Requested a demo",
    )

    # cold4 fell 55, hot2 rose 20; warm3's 0.5 drift and new5's first score are not movers
    drop, mover = parts["movers"].rows
    assert isinstance(drop, Change) and isinstance(mover, Change)
    assert (drop.lead.email, drop.delta) == ("cold4@acme.com", -55)
    assert (mover.lead.lead_id, mover.old_total, mover.new_total, mover.delta) == (
        seeded["hot2"],
        60,
        80,
        20,
    )
    assert (mover.old_tier, mover.new_tier) == ("warm", "hot")  # the later +19 is after `until`
    assert mover.lead.owner == "U1"

    unclaimed = parts["qualified_unclaimed"].rows
    assert [r.lead_id for r in unclaimed if isinstance(r, LeadRow)] == [
        seeded["hot1"],
        seeded["warm3"],
    ]

    calls = parts["calls_unqualified"].rows
    assert all(isinstance(c, PendingCall) for c in calls)
    assert [(c.external_id, c.rep, c.age_hours, c.conversation_status) for c in calls] == [
        ("c-open", "U1", 26.0, "active"),
        ("c-new", "U1", 5.0, None),
    ]

    [cooled] = parts["cooled"].rows
    assert isinstance(cooled, Change)
    assert (cooled.lead.email, cooled.old_tier, cooled.new_tier, cooled.reason) == (
        "cold4@acme.com",
        "hot",
        "cold",
        "decay",
    )
    assert cooled.delta == -55


def test_limit_and_totals(engine: Engine, seeded: dict[str, int]) -> None:
    _, parts = _build(engine, _spec(limit=1))
    assert {k: (len(p.rows), p.total) for k, p in parts.items()} == {
        "top_hot": (1, 2),
        "movers": (1, 2),
        "qualified_unclaimed": (1, 2),
        "calls_unqualified": (1, 2),
        "cooled": (1, 1),
    }


def test_window_starts_at_previous_successful_run(engine: Engine, seeded: dict[str, int]) -> None:
    with Session(engine) as s:
        s.add(
            DigestRun(name="morning", scheduled_for=MORNING - timedelta(minutes=90), status="done")
        )
        s.add(
            DigestRun(
                name="morning", scheduled_for=MORNING - timedelta(minutes=30), status="failed"
            )
        )
        s.add(DigestRun(name="other", scheduled_for=MORNING - timedelta(minutes=10), status="done"))
        s.commit()
    digest, parts = _build(engine, _spec())
    assert digest.since == MORNING - timedelta(minutes=90)
    # hot2 moved 3h ago, before the last run; cold4's net change counts from 62 only
    assert [(r.lead.email, r.delta) for r in parts["movers"].rows] == [("cold4@acme.com", -42)]
    [cooled] = parts["cooled"].rows  # only the decay step warm → cold is inside the window
    assert isinstance(cooled, Change)
    assert (cooled.old_tier, cooled.new_tier, cooled.old_total) == ("warm", "cold", 62)


def test_empty_database_says_so(engine: Engine) -> None:
    digest, parts = _build(engine, _spec())
    assert all(p.rows == [] and p.total == 0 for p in parts.values())
    text = "\n".join(b["text"]["text"] for b in digest_blocks(digest) if b["type"] == "section")
    assert "No hot leads right now." in text and "No lead dropped a tier." in text


def test_blocks_and_json(engine: Engine, seeded: dict[str, int]) -> None:
    digest, _ = _build(engine, _spec(limit=1))
    blocks = digest_blocks(digest)
    assert len(blocks) == 2 + len(ALL)
    top = blocks[2]["text"]["text"]
    assert "*Hot1* · Acme ✅ · unclaimed — Requested a demo" in top
    assert "…and 1 more" in top
    assert "Morning digest" in digest_text(digest)
    data = digest.to_dict()
    assert data["scheduled_for"] == MORNING.isoformat()
    movers = next(p for p in data["sections"] if p["kind"] == "movers")
    assert movers["rows"][0]["delta"] == -55
    assert movers["rows"][0]["lead"]["email"] == "cold4@acme.com"
