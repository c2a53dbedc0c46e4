"""`qualibot parse`, `shell` and `demo` end to end (Typer runner, real database)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.demo_data import STORY_LEAD_EMAIL

runner = CliRunner()
NOW = "2026-11-23T12:00"
STORY_ANSWERS = """# a rep after the call
she signs, ~120k a year confirmed
this is killing us, manual reporting takes days
end of next month
"""


def cli(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["--now", NOW, *args], input=stdin)
    return result.exit_code, result.output


def test_parse_json_prints_the_contract_for_every_slot_found() -> None:
    code, out = cli("parse", "CFO signs off, ~80k, want it live by March", "--json")
    assert code == 0, out
    assert json.loads(out) == {
        "slots": {
            "authority": {"role": "influencer", "person": None, "title": "CFO"},
            "budget": {"status": "confirmed", "amount": 80000.0, "currency": "USD", "period": None},
            "timeline": {"status": "known", "date": "2027-03-31", "horizon_days": 128},
        }
    }


@pytest.mark.parametrize(
    ("text", "slot", "expected"),
    [
        (
            "not sure",
            "budget",
            {"status": "unknown", "amount": None, "currency": None, "period": None},
        ),
        ("no", "budget", {"status": "none", "amount": None, "currency": None, "period": None}),
        ("not sure", "priority", {"level": None}),
        ("in 6 weeks", "timeline", {"status": "known", "date": "2027-01-04", "horizon_days": 42}),
    ],
)
def test_parse_with_slot_reads_the_text_as_that_answer(
    text: str, slot: str, expected: dict[str, object]
) -> None:
    code, out = cli("parse", text, "--slot", slot, "--json")
    assert code == 0, out
    assert json.loads(out) == {"slots": {slot: expected}}


def test_parse_free_text_without_cues_and_bad_slot() -> None:
    code, out = cli("parse", "not sure", "--json")
    assert code == 0 and json.loads(out) == {"slots": {}}
    code, out = cli("parse", "🔥🔥🔥")
    assert code == 0 and "Nothing understood (no_words)" in out
    code, out = cli("parse", "80k", "--slot", "money")
    assert code == 2 and "unknown slot 'money'" in out


def test_demo_runs_the_story_from_a_script(tmp_path: Path) -> None:
    script = tmp_path / "answers.txt"
    script.write_text(STORY_ANSWERS)
    db = tmp_path / "demo.db"
    code, out = cli("demo", "--script", str(script), "--db", str(db), "--leads", "40")
    assert code == 0, out
    flat = " ".join(out.split())
    assert "Before the call: 47.6 (C2, warm), not qualified" in flat
    assert "you › she signs, ~120k a year confirmed" in flat  # scripted answers are echoed
    assert "Got it: Budget: confirmed, 120,000 USD a year; Authority: decision maker" in flat
    assert "47.6 C2 warm not qualified → 82.3 A2 hot qualified" in flat
    assert "Alert for the sales channel" in flat and "is hot: 82.3/100" in flat
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT a.slot, a.raw_text, a.source, a.framework FROM answers a"
            " JOIN leads l ON l.id = a.lead_id WHERE l.email = ? ORDER BY a.id",
            (STORY_LEAD_EMAIL,),
        ).fetchall()
        tier = conn.execute(
            "SELECT s.tier, s.qualified FROM lead_scores s JOIN leads l ON l.id = s.lead_id"
            " WHERE l.email = ?",
            (STORY_LEAD_EMAIL,),
        ).fetchone()
        inbound = conn.execute(
            "SELECT text FROM conversation_messages WHERE direction = 'in' ORDER BY id"
        ).fetchall()
    assert [r[0] for r in rows] == ["budget", "authority", "need", "timeline"]
    assert rows[0][1:] == ("she signs, ~120k a year confirmed", "console", "bant")
    assert tier == ("hot", 1)
    assert [r[0] for r in inbound] == [line for line in STORY_ANSWERS.splitlines()[1:]]


def test_demo_reads_answers_from_stdin_and_stops_cleanly_when_they_run_out(
    tmp_path: Path,
) -> None:
    db = tmp_path / "demo.db"
    code, out = cli("demo", "--db", str(db), "--leads", "40", stdin="we have 50k planned\n")
    assert code == 0, out
    flat = " ".join(out.split())
    assert "Budget: planned, 50,000 USD" in flat
    assert "No more answers: the conversation is saved" in flat
    assert "Score card" not in flat


def test_shell_resumes_a_saved_conversation_and_finishes_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    code, out = cli("--database-url", url, "demo-data", "--leads", "30")
    assert code == 0, out
    first = "we have 50k planned\nskip\n"
    code, out = cli(
        "--database-url",
        url,
        "shell",
        "--lead",
        "northwind-analytics.com",
        "--framework",
        "champ",
        "--script",
        "-",
        stdin=first,
    )
    flat = " ".join(out.split())
    assert code == 0, out
    # CHAMP asks Challenges first; the budget in the answer is taken too, then skip.
    assert "Challenges" in flat and "Money: planned, 50,000 USD" in flat
    assert "Skipped Challenges" in flat and "No more answers" in flat

    rest = "she decides\nP1\n"
    code, out = cli(
        "--database-url",
        url,
        "shell",
        "--lead",
        STORY_LEAD_EMAIL,
        "--framework",
        "champ",
        "--script",
        "-",
        stdin=rest,
    )
    flat = " ".join(out.split())
    assert code == 0, out
    assert "Welcome back" in flat
    assert "Score card" in flat and "Prioritization" in flat


def test_shell_rejects_unknown_framework_and_suggests_leads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    code, out = cli("--database-url", url, "shell", "--lead", "x", "--framework", "meddic")
    assert code == 2 and "unknown framework 'meddic'" in out and "bant, champ" in out
    cli("--database-url", url, "demo-data", "--leads", "30")
    code, out = cli(
        "--database-url", url, "shell", "--lead", "northwnd analytics", "--script", "-", stdin=""
    )
    assert code == 0 and "call with Dana Whitfield" in " ".join(out.split())  # typo tolerated
    code, out = cli("--database-url", url, "shell", "--lead", "zzqx-nothing.example")
    assert code == 1 and "no lead matches 'zzqx-nothing.example'" in out
