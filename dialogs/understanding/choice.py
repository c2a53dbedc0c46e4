"""Custom slots declared in config.yml with `choices` → `{"choice": ...}` (rapidfuzz match)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rapidfuzz import fuzz, process, utils

from dialogs.understanding.text import UNKNOWN_CUES, Text, leading_bare

MIN_SCORE = 80
_NONE_CHOICES = ("none", "no", "nothing", "n/a")


def extract(text: Text, choices: Sequence[str], *, asked: bool) -> dict[str, Any] | None:
    """The choice the answer names (WRatio ≥ 80), "unknown" for not sure, else None.

    Custom slots are read only when asked: their choices are too generic for free text.
    """
    if not asked or not choices:
        return None
    bare = leading_bare(text)
    if bare == "unknown" or (bare is None and UNKNOWN_CUES.fullmatch(text.norm.strip(" .!"))):
        return {"choice": "unknown"}
    if bare == "none":
        for none in _NONE_CHOICES:
            if none in choices:
                return {"choice": none}
    found = process.extractOne(
        text.norm,
        choices,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=MIN_SCORE,
    )
    if found is not None:
        return {"choice": found[0]}
    if UNKNOWN_CUES.search(text.norm):
        return {"choice": "unknown"}
    return None
