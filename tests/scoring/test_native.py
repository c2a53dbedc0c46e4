"""The compiled scorer: the install builds it, it scores exactly as the Python sources do,
and an outdated build gives way to the sources."""

from __future__ import annotations

import importlib.machinery
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import scoring
from scoring import native

ROOT = Path(__file__).resolve().parents[2]

# Scores demo leads from their whole history and incrementally, with alert rules and the
# stored breakdown: everything the compiled modules compute, as JSON.
SCORE_DEMO_LEADS = """
import json, sys
from datetime import UTC, datetime
import scoring
from bot.demo_data import generate
from scoring.config_loader import load_config_text
from scoring.config import ScoringConfig
from scoring.engagement import apply_event, empty_state
from scoring.inputs import AnswerRecord, EventRecord, LeadProfile
from scoring.scorer import score, score_from_state
from scoring import engagement

now = datetime(2026, 11, 23, 12, tzinfo=UTC)
config = load_config_text(open(sys.argv[1]).read(), ScoringConfig)
out = {"compiled": scoring.COMPILED, "engagement_file": engagement.__file__, "leads": []}
for bundle in generate(150, seed=5, now=now).bundles:
    lead = bundle.lead
    profile = LeadProfile(lead["email"], lead["domain"], lead["company"], lead["name"],
        lead["title"], lead["industry"], lead["company_size"], lead["country"], lead["product"])
    events = [EventRecord(e["type"], e["timestamp"], e["message_id"], e["properties"])
              for e in bundle.events]
    answers = [AnswerRecord(a["slot"], a["value"], a["answered_at"], i, a["answered_by"],
               a["framework"]) for i, a in enumerate(bundle.answers)]
    full = score(profile, answers, events, config, now)
    model = config.model_for(profile.product)
    state = empty_state(model)
    for event in events:
        state = apply_event(state, event, model)
    step = score_from_state(profile, answers, state, model, config, now)
    out["leads"].append([full.to_dict(), full.breakdown(), step.to_dict()])
json.dump(out, sys.stdout, sort_keys=True)
"""


def _run(code: str, env: dict[str, str], pythonpath: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "config.yml")],
        cwd=pythonpath,  # `python -c` puts the working directory first on sys.path
        env={**_without_pure(os.environ), "PYTHONPATH": str(pythonpath), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _without_pure(env: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k != native.PURE_ENV}


def test_the_install_compiled_the_scorer() -> None:
    status = native.build_status()
    assert status == "compiled", (
        f"compiled scorer: {status}; `pip install -e .` builds it (see README, Scoring)"
    )
    from scoring import engagement

    assert engagement.__file__ is not None
    compiled = engagement.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    assert compiled == scoring.COMPILED == (not os.environ.get(native.PURE_ENV))


def test_compiled_and_python_scorers_give_identical_results() -> None:
    compiled = _run(SCORE_DEMO_LEADS, {"QUALIBOT_PURE_PYTHON": ""})
    source = _run(SCORE_DEMO_LEADS, {"QUALIBOT_PURE_PYTHON": "1"})
    assert compiled.returncode == 0, compiled.stderr
    assert source.returncode == 0, source.stderr
    a, b = json.loads(compiled.stdout), json.loads(source.stdout)
    assert a["compiled"] is True and a["engagement_file"].endswith(".so")
    assert b["compiled"] is False and b["engagement_file"].endswith("engagement.py")
    assert len(a["leads"]) == 150
    assert a["leads"] == b["leads"]


def _copy_package(tmp_path: Path) -> Path:
    """The scoring package and the build's shared library, copied to tmp_path/site."""
    site = tmp_path / "site"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "scoring", site / "scoring", ignore=ignore)
    for shared in ROOT.glob("qualibot_scoring__mypyc*"):
        shutil.copy2(shared, site / shared.name)
    return site


def _import_from(site: Path, env: dict[str, str] | None = None, then: str = "") -> Any:
    """Import the scoring package from `site` in a new interpreter: (whether compiled,
    whether engagement came from its .py, what `then` printed…), and its stderr."""
    code = "import scoring, scoring.engagement as e; "
    code += "print(scoring.COMPILED, e.__file__.endswith('.py'))" + then
    result = _run(code, env or {}, site)
    assert result.returncode == 0, result.stderr
    return result.stdout.split(), result.stderr


def test_a_copy_of_the_build_is_used(tmp_path: Path) -> None:
    site = _copy_package(tmp_path)
    assert native.build_status(site / "scoring") == "compiled"
    assert _import_from(site) == (["True", "False"], "")


def test_an_edited_source_runs_instead_of_the_outdated_build(tmp_path: Path) -> None:
    site = _copy_package(tmp_path)
    engagement = site / "scoring" / "engagement.py"
    engagement.write_text(engagement.read_text() + "\nEDITED = True\n")
    assert native.build_status(site / "scoring") == "outdated"
    printed, stderr = _import_from(site, then="; print(e.EDITED)")
    assert printed == ["False", "True", "True"]
    assert "the compiled scorer was built from other sources" in stderr
    assert "pip install -e ." in stderr


def test_pure_python_on_request(tmp_path: Path) -> None:
    site = _copy_package(tmp_path)
    assert _import_from(site, {"QUALIBOT_PURE_PYTHON": "1"}) == (["False", "True"], "")


def test_without_a_build_the_sources_run_quietly(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOT / "scoring", site / "scoring", ignore=shutil.ignore_patterns("*.so"))
    assert native.build_status(site / "scoring") == "none"
    assert _import_from(site) == (["False", "True"], "")


def test_source_digest_covers_every_compiled_module(tmp_path: Path) -> None:
    site = _copy_package(tmp_path)
    before = native.source_digest(site / "scoring")
    assert before == native.source_digest()
    for name in native.COMPILED_MODULES:
        path = site / "scoring" / f"{name}.py"
        original = path.read_text()
        path.write_text(original + "# edit\n")
        assert native.source_digest(site / "scoring") != before, name
        path.write_text(original)
    assert native.source_digest(site / "scoring") == before


def test_a_build_without_its_sources_is_used(tmp_path: Path) -> None:
    site = _copy_package(tmp_path)
    (site / "scoring" / "fit.py").unlink()
    assert native.build_status(site / "scoring") == "compiled"
    assert _import_from(site) == (["True", "False"], "")
