"""Which slot a clause talks about, so a "not sure" or "no" lands on the right slot."""

from __future__ import annotations

import re

from dialogs.understanding.text import Text, phrases

_TOPICS: dict[str, re.Pattern[str]] = {
    "budget": phrases(
        r"budget\w*",
        r"money",
        r"funds?",
        r"funding",
        r"spend\w*",
        r"pric(?:e|ing)",
        r"costs?",
        r"afford\w*",
        r"pay(?:ing)?",
        r"amount",
        r"allocat\w+",
        r"approv\w+",
        r"dollars?",
        r"cash",
        r"\$",
    ),
    "authority": phrases(
        r"who",
        r"decision[- ]?makers?",
        r"dm",
        r"signs?",
        r"signer",
        r"signing",
        r"signature",
        r"sign[- ]off",
        r"approv\w+",
        r"authority",
        r"boss",
        r"final say",
        r"buying committee",
        r"influence\w*",
        r"champion",
    ),
    "need": phrases(
        r"needs?", r"pains?", r"painful", r"problems?", r"issues?", r"challenges?", r"struggl\w+"
    ),
    "timeline": phrases(
        r"timeline",
        r"timing",
        r"time ?frame",
        r"deadline",
        r"when",
        r"dates?",
        r"go[- ]live",
        r"close date",
        r"schedule",
        r"how soon",
    ),
    "priority": phrases(r"priorit\w*"),
}
_DECIDE = phrases(r"decid\w*", r"decision")
_WHO = phrases(r"who")
_WHEN = phrases(r"when", r"timeline", r"timing", r"date")


def clause_topics(clause: str) -> set[str]:
    """The slots a clause mentions by keyword ("budget", "who signs", "timeline"...)."""
    found = {slot for slot, pattern in _TOPICS.items() if pattern.search(clause)}
    if _DECIDE.search(clause):
        if _WHEN.search(clause) and not _WHO.search(clause):
            found.add("timeline")
        else:
            found.add("authority")
    return found


def clauses_for(text: Text, slot: str, *, asked: bool) -> list[str]:
    """Clauses that speak about `slot`: by keyword, or about nothing in particular when the slot
    was asked or the clause goes on from one about the slot ("budget is there, not confirmed")."""
    chosen = []
    follows = False
    for clause in text.clauses:
        found = clause_topics(clause)
        if slot in found or (not found and (asked or follows)):
            chosen.append(clause)
        follows = slot in found or (follows and not found)
    return chosen


_SLOT_LABELS: dict[str, str] = {
    "budget": "budget",
    "money": "budget",
    "authority": "authority",
    "decision maker": "authority",
    "dm": "authority",
    "need": "need",
    "needs": "need",
    "challenge": "need",
    "challenges": "need",
    "pain": "need",
    "pains": "need",
    "timeline": "timeline",
    "timing": "timeline",
    "priority": "priority",
    "prioritization": "priority",
    "prioritisation": "priority",
}
_LABEL = re.compile(
    r"(?:^|(?<=[\s.;,|/]))(?P<label>"
    + "|".join(sorted(map(re.escape, _SLOT_LABELS), key=len, reverse=True))
    + r")\s*[:=]\s*"
)


def labelled_parts(text: Text) -> dict[str, Text]:
    """Parts of a form-like answer ("Budget: 45k. Priority: high"), by slot.

    Each part reads like the answer to its slot's question.
    """
    labels = list(_LABEL.finditer(text.norm))
    parts: dict[str, Text] = {}
    for i, match in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(text.norm)
        part = text.norm[match.end() : end].strip(" .;,|/")
        slot = _SLOT_LABELS[match.group("label")]
        if part and slot not in parts:
            parts[slot] = Text(raw=text.raw, norm=part)
    return parts
