"""The scoring config of an app under test: its schedules cannot run during the test."""

from __future__ import annotations

from scoring.config import ScoringConfig


def without_catch_up(config: ScoringConfig) -> ScoringConfig:
    """`config` without digests and with a 1 s misfire grace: at start-up `serve` catches
    up any run missed within the grace, so a test starting within the hour after the
    decay rescore's time (03:30 UTC) saw every stored score rewritten under it."""
    jobs = config.jobs.model_copy(update={"misfire_grace_seconds": 1})
    return config.model_copy(update={"jobs": jobs, "digests": {}})
