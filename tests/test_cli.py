"""The qualibot CLI end to end (Typer runner) on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.storage.migrate import head

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()

LEADS_CSV = """Email,First Name,Last Name,Company,Job Title,Employees,Country,Industry
jane@acme.com,Jane,Doe,Acme Corp,CFO,"1,200",United States,Software
bob@,Bob,X,Bad,CEO,10,US,Retail
sam@globex.io,Sam,Lee,Globex,VP Sales,300,Germany,Manufacturing
JANE@acme.com,Jane,Doe,Acme Corp,Chief Financial Officer,1200,US,Software
"""

EVENTS_JSONL = "\n".join(
    [
        '{"type":"track","event":"Page Viewed","messageId":"m1","timestamp":"2026-11-20T10:00:00Z",'
        '"properties":{"path":"/pricing","email":"jane@acme.com"}}',
        '{"type":"track","event":"Demo Requested","messageId":"m2",'
        '"timestamp":"2026-11-21T10:00:00Z",'
        '"context":{"traits":{"email":"jane@acme.com"}}}',
        "not json",
        '{"type":"track","event":"Demo Requested","messageId":"m3",'
        '"timestamp":"2026-11-21T10:00:00Z",'
        '"anonymousId":"anon-1"}',
    ]
)


def run(db_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--database-url", db_url, "--now", "2026-11-23", *args])
    return result.exit_code, result.output


def test_config_check_ok_and_error_with_line(tmp_path: Path) -> None:
    code, out = run("sqlite://", "config", "check", str(ROOT / "config.yml"))
    assert code == 0 and out.startswith("OK")
    bad = tmp_path / "bad.yml"
    bad.write_text(
        (ROOT / "config.yml")
        .read_text()
        .replace("tiers: {hot: 75, warm: 45}", "tiers: {hot: 75, warm: 95}")
    )
    code, out = run("sqlite://", "--config", str(bad), "config", "check")
    assert code == 2
    line = next(i for i, t in enumerate(bad.read_text().splitlines(), 1) if "warm: 95" in t)
    assert f"{bad}:{line}:5: models.default.tiers: warm (95) must be below hot (75)" in out


def test_import_events_attaches_anonymous_events_on_identify(db_url: str, tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    lines = [
        '{"type":"track","event":"Demo Requested","messageId":"a1",'
        '"timestamp":"2026-11-21T10:00:00Z","anonymousId":"anon-1"}',
        '{"type":"identify","messageId":"i1","timestamp":"2026-11-21T10:05:00Z",'
        '"anonymousId":"anon-1","traits":{"email":"ada@acme.com","name":"Ada","title":"CFO"}}',
        '{"type":"page","messageId":"a2","timestamp":"2026-11-21T10:06:00Z",'
        '"anonymousId":"anon-1","properties":{"path":"/pricing"}}',
    ]
    events.write_text("\n".join(lines))
    code, out = run(db_url, "import", "events", str(events), "--json")
    report = json.loads(out[out.index("{") :])
    assert code == 0 and report["errors"] == []
    assert (report["accepted"], report["created"]) == (2, 1)
    code, out = run(db_url, "explain", "ada@acme.com", "--json")
    rules = {c["rule_id"] for c in json.loads(out)["contributions"]}
    assert {"engagement.demo_request", "engagement.pricing_page"} <= rules


def test_import_score_explain_top_and_dry_run(db_url: str, tmp_path: Path) -> None:
    leads, events = tmp_path / "leads.csv", tmp_path / "events.jsonl"
    leads.write_text(LEADS_CSV)
    events.write_text(EVENTS_JSONL)

    code, out = run(db_url, "import", "leads", str(leads), "--json")
    report = json.loads(out[out.index("{") :])
    assert code == 0
    assert (report["created"], report["updated"]) == (2, 1)  # JANE@ merges into jane@
    assert report["errors"] == [{"row": 3, "reason": "email 'bob@' is not a valid email address"}]

    code, out = run(db_url, "import", "events", str(events), "--json")
    report = json.loads(out[out.index("{") :])
    # m3 has only an anonymousId: kept until an identify links it (see the next test)
    assert (report["accepted"], report["duplicates"]) == (3, 0)
    assert [e["row"] for e in report["errors"]] == [3]
    code, out = run(db_url, "import", "events", str(events), "--json")  # idempotent
    report = json.loads(out[out.index("{") :])
    assert (report["accepted"], report["duplicates"]) == (0, 3)

    code, out = run(db_url, "top", "--json")
    top = json.loads(out)
    assert [t["email"] for t in top] == ["jane@acme.com", "sam@globex.io"]
    assert top[0]["engagement"] > 0 and top[1]["engagement"] == 0

    code, out = run(db_url, "explain", "acme crop", "--json")
    card = json.loads(out)
    assert code == 0 and card["email"] == "jane@acme.com" and card["total"] == top[0]["total"]
    rules = {c["rule_id"] for c in card["contributions"]}
    assert {
        "engagement.demo_request",
        "engagement.pricing_page",
        "fit.profile.seniority.c_level",
    } <= rules

    code, out = run(db_url, "explain", "nobody@acme.com")
    assert code == 1 and "did you mean: jane@acme.com" in out

    code, out = run(db_url, "score", "--all", "--workers", "1")
    assert code == 0 and "scored 2 leads" in out and "0 changed" in out
    code, out = run(db_url, "score", "--all", "--rebuild", "--workers", "1")
    assert code == 0 and "scored 2 leads" in out and "0 changed" in out

    proposed = tmp_path / "proposed.yml"
    proposed.write_text(
        (ROOT / "config.yml")
        .read_text()
        .replace("tiers: {hot: 75, warm: 45}", "tiers: {hot: 30, warm: 15}")
    )
    code, out = run(db_url, "rules", "dry-run", str(proposed), "--json", "--workers", "1")
    moves = json.loads(out[out.index("{") :])
    assert moves["leads"] == 2 and moves["changed"] == 2
    assert {m["email"]: (m["old_tier"], m["new_tier"]) for m in moves["moves"]} == {
        "jane@acme.com": ("cold", "hot"),
        "sam@globex.io": ("cold", "warm"),
    }


def test_bad_arguments_get_usage_errors(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    code, out = run(url, "score")
    assert code == 2 and "give a LEAD or --all" in out
    code, out = run(url, "score", "jane@acme.com", "--rebuild")
    assert code == 2 and "--rebuild goes with --all" in out
    code, out = run(url, "top", "--tier", "lukewarm")
    assert code == 2 and "--tier must be hot, warm or cold" in out
    code, out = run(url, "import", "leads", str(tmp_path / "missing.csv"))
    assert code == 2 and "does not exist" in out


@pytest.mark.parametrize("args", [["init-db"], ["db", "current"]])
def test_init_db_and_current(tmp_path: Path, args: list[str]) -> None:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    assert run(url, "init-db")[0] == 0
    code, out = run(url, *args)
    assert code == 0 and head() in out


def test_demo_data_loads_scores_and_is_idempotent(db_url: str) -> None:
    from bot.demo_data import STORY_LEAD_EMAIL

    code, out = run(db_url, "demo-data", "--leads", "40", "--seed", "7")
    assert code == 0, out
    first = " ".join(out.split())
    assert "40 leads," in first and "scored 40 leads" in first
    assert "40 changed" in first  # every lead got its first score
    lines = out.splitlines()  # each summary whole on its line, even piped (80 columns)
    assert any(line.startswith("40 leads,") and line.endswith(db_url) for line in lines)
    assert any(line.startswith("scored 40 leads") for line in lines)

    code, out = run(db_url, "top", "--limit", "100", "--json")
    assert code == 0, out
    top = json.loads(out)
    assert len(top) == 40
    totals = [row["total"] for row in top]
    assert totals == sorted(totals, reverse=True) and max(totals) > 0
    assert STORY_LEAD_EMAIL in {row["email"] for row in top}

    code, out = run(db_url, "explain", STORY_LEAD_EMAIL, "--json")
    assert code == 0, out
    story = json.loads(out)
    # The story lead waits for the rep's answers (`qualibot demo`); its activity scores.
    assert story["tier"] == "warm" and story["answers"] == {}
    event_rules = {c["rule_id"] for c in story["contributions"] if c["source"] == "event"}
    assert any("pricing" in r for r in event_rules) and any("webinar" in r for r in event_rules)

    # Same seed again: nothing new is stored and no score moves.
    code, out = run(db_url, "demo-data", "--leads", "40", "--seed", "7")
    assert code == 0, out
    again = " ".join(out.split())
    assert "40 leads, 0 events, 0 answers" in again and "0 changed" in again
