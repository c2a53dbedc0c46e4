"""Reading config.yml from disk (the parsing itself is pure, in scoring.config_loader)."""

from __future__ import annotations

from pathlib import Path

from scoring.config import ScoringConfig
from scoring.config_loader import ConfigError, ConfigProblem, load_config_text


def load_config(path: str | Path) -> ScoringConfig:
    """Load and validate a config file; raise ConfigError naming the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            [ConfigProblem(str(path), None, None, "", f"cannot read: {exc.strerror}")]
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [ConfigProblem(str(path), None, None, "", f"not UTF-8 text ({exc.reason})")]
        ) from None
    return load_config_text(text, ScoringConfig, str(path))
