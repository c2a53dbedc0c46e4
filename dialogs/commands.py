"""Conversation commands a rep can type instead of an answer (`skip`, `change budget`…)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

COMMANDS = ("skip", "back", "change", "summary", "later", "cancel", "help")
# Commands a one-word typo may trigger. `cancel` throws the conversation away, so it must
# be typed as is ("cancelled" may well be an answer).
_FUZZY_COMMANDS = ("skip", "back", "summary", "later", "help")
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
_CHANGE_VERBS = ("change", "edit", "fix", "update", "redo")
_CHANGE = re.compile(r"^(?P<verb>[a-z]+)\s+(?:the\s+)?(?P<slot>[\w\s-]+?)\s*$")


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    argument: str | None = None  # the slot to change, as typed
    # The command word was a typo ("chnage budget"): only a command if the argument
    # names a slot; otherwise the message is an answer.
    fuzzy: bool = False


def parse_command(text: str) -> Command | None:
    """The command `text` is, if the whole message is one (small typos allowed)."""
    cleaned = " ".join(text.strip().lower().strip("!.").split())
    if not cleaned or len(cleaned) > 40:
        return None
    if cleaned in _ALIASES:
        return Command(_ALIASES[cleaned])
    if m := _CHANGE.match(cleaned):
        verb = m["verb"]
        if verb in _CHANGE_VERBS:
            return Command("change", m["slot"])
        if len(verb) >= 5 and fuzz.ratio(verb, "change") >= 80:
            return Command("change", m["slot"], fuzzy=True)
    if " " in cleaned or len(cleaned) < 4:
        return Command(cleaned) if cleaned in COMMANDS else None
    if cleaned in COMMANDS:
        return Command(cleaned)
    best = process.extractOne(cleaned, _FUZZY_COMMANDS, scorer=fuzz.ratio, score_cutoff=80)
    return Command(best[0]) if best else None


def match_slot(typed: str, labels: Mapping[str, str | Iterable[str]]) -> str | None:
    """The slot a rep means by `typed` ("budget", "money", "buget"); `labels` maps slot →
    its label, or several names (e.g. its label in every framework)."""
    names: dict[str, str] = {}
    for slot, label in labels.items():
        names[slot.replace("_", " ")] = slot
        for name in [label] if isinstance(label, str) else label:
            names.setdefault(name.lower(), slot)
    typed = typed.lower().strip()
    if typed in names:
        return names[typed]
    if len(typed) < 4:  # "it", "that": too short to guess from
        return None
    best = process.extractOne(typed, list(names), scorer=fuzz.WRatio, score_cutoff=80)
    return names[best[0]] if best else None
