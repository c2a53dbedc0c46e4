"""Conversation commands a rep can type instead of an answer (`skip`, `change budget`…)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

COMMANDS = ("skip", "back", "change", "summary", "later", "cancel", "help")
_ALIASES = {
    "next": "skip",
    "pass": "skip",
    "undo": "back",
    "previous": "back",
    "go back": "back",
    "status": "summary",
    "progress": "summary",
    "pause": "later",
    "not now": "later",
    "finish later": "later",
    "stop": "cancel",
    "quit": "cancel",
    "abort": "cancel",
    "?": "help",
    "commands": "help",
}
_CHANGE = re.compile(r"^(?:change|edit|fix|update|redo)\s+(?:the\s+)?(?P<slot>[\w\s-]+?)\s*$", re.I)


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    argument: str | None = None  # the slot to change, as typed


def parse_command(text: str) -> Command | None:
    """The command `text` is, if the whole message is one (small typos allowed)."""
    cleaned = " ".join(text.strip().lower().strip("!.").split())
    if not cleaned or len(cleaned) > 40:
        return None
    if m := _CHANGE.match(cleaned):
        return Command("change", m["slot"])
    if cleaned in _ALIASES:
        return Command(_ALIASES[cleaned])
    if " " in cleaned or len(cleaned) < 4:
        return Command(cleaned) if cleaned in COMMANDS else None
    best = process.extractOne(cleaned, COMMANDS, scorer=fuzz.ratio, score_cutoff=80)
    return Command(best[0]) if best else None


def match_slot(typed: str, labels: dict[str, str]) -> str | None:
    """The slot a rep means by `typed` ("budget", "money", "buget"); `labels` maps slot →
    its label(s) in the conversation's framework."""
    names = {slot: slot for slot in labels} | {
        label.lower(): slot for slot, label in labels.items()
    }
    best = process.extractOne(typed.lower(), list(names), scorer=fuzz.WRatio, score_cutoff=80)
    return names[best[0]] if best else None
