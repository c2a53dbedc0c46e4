"""Priority (CHAMP "Prioritization") answers → `{"level"}`; level None means not sure."""

from __future__ import annotations

import re
from typing import Any

from dialogs.understanding.text import UNKNOWN_CUES, Text, leading_bare, phrases
from dialogs.understanding.topics import clauses_for

_PRIO = r"(?:priorit(?:y|ies|ised|ized))"
# (level, cues said anywhere, cues that only count when priority was asked), first match wins.
_LEVELS: list[tuple[str, re.Pattern[str], re.Pattern[str] | None]] = [
    (
        "none",
        phrases(
            rf"(?:not|isn't|is not|no longer|never) (?:a |really a |even a |their |any )?{_PRIO}"
            r"(?: (?:right now|now|at the moment|at all|for them|this year|currently))?",
            rf"no {_PRIO}",
            rf"zero {_PRIO}",
            r"not (?:even )?on (?:their|the|his|her|our) radar",
            r"off (?:their|the) radar",
            r"(?:de-?prioriti[sz]ed|not prioriti[sz]ed)",
            rf"{_PRIO} (?:is )?(?:none|zero|nil)",
        ),
        phrases(r"not (?:at all|really)", r"nope", r"none"),
    ),
    (
        "top",
        phrases(
            rf"(?:top|highest|first|number one|number 1|#1|no\.? ?1|main|biggest|key|critical|"
            rf"absolute|utmost|overriding) {_PRIO}",
            rf"{_PRIO} (?:one|1|#1|number one|zero|0)",
            rf"{_PRIO} is (?:top|highest|critical)",
            r"(?:#1|number one|no\. ?1)(?! (?:problem|pain|issue|challenge|headache|complaint))",
            r"p0",
            r"their (?:main|primary|top|#1|number one|first) (?:focus|goal|initiative|project)",
            r"(?:main|primary|sole|only) focus",
            r"everything else (?:waits|can wait|is on hold)",
            r"(?:top|first) (?:of|on) (?:the|their) (?:list|agenda)",
            r"highest on (?:the|their) list",
            r"top of mind",
            r"(?:ceo|board)[- ]level (?:initiative|mandate|priority)",
            r"drop everything",
        ),
        phrases(r"top", r"highest", r"critical", r"the top", r"urgent", r"top one"),
    ),
    (
        "high",
        phrases(
            rf"high(?:er)? {_PRIO}",
            r"(?:very |quite |pretty )?important(?: (?:to|for) (?:them|him|her|us))?",
            rf"top (?:3|three|5|five|few)(?: {_PRIO})?",
            r"p1",
            rf"{_PRIO} (?:is )?(?:high|two|2)",
            r"(?:one of|among) (?:their|the) top (?:\w+ )?(?:priorities|projects|initiatives)",
            r"near the top",
            r"(?:one of )?(?:their|the) (?:okrs?|company goals?|strategic goals?)",
            r"(?:an? |their )?okr",
            r"up there",
            r"(?:a )?big (?:priority|focus)",
            r"(?:a |their )?(?:strategic|key) (?:initiative|project)",
            rf"(?:a )?(?:clear|strong|real) {_PRIO}",
        ),
        phrases(r"high", r"pretty high", r"very high", r"quite high", r"fairly high"),
    ),
    (
        "medium",
        phrases(
            rf"(?:medium|moderate|mid|middling|average|normal|mid-level|mid level) {_PRIO}",
            r"one of (?:several|many|a few|a number of|multiple|many)(?: \w+)?(?: priorities|"
            r" projects| initiatives| things)?",
            r"(?:somewhere )?in the middle",
            r"competing (?:with|against) (?:other )?(?:projects|priorities|initiatives)",
            r"p2",
            rf"{_PRIO} (?:is )?(?:medium|moderate|mid)",
            r"middle of the (?:pack|list|road)",
            r"(?<!low )(?<!high )(?:on|somewhere on) the list",
        ),
        phrases(r"medium", r"moderate", r"mid", r"so[- ]so", r"meh", r"average", r"ok(?:ay)?"),
    ),
    (
        "low",
        phrases(
            rf"(?:low|lower|lowest|minor) {_PRIO}",
            rf"{_PRIO} (?:is )?low",
            r"(?:on the |a )?back[- ]?burner",
            r"when they get (?:to it|around to it|a chance|time)",
            r"when (?:they|he|she) (?:have|has) time",
            r"p3",
            r"p4",
            rf"not (?:a )?(?:high|top) {_PRIO}",
            r"(?:way )?down the list",
            r"low on (?:the|their) list",
            r"bottom of (?:the|their) list",
            r"someday",
            r"eventually",
            r"not urgent for them",
            r"(?:bigger|other) fish to fry",
            r"not (?:high|near the top) on (?:the|their) list",
            r"(?:lots of|many|other|more important|bigger) (?:other )?priorities",
        ),
        phrases(r"low", r"pretty low", r"very low", r"nice[- ]to[- ]have", r"not high"),
    ),
]


_FILLER = re.compile(
    r"\b(?:it's|its|it is|they're|pretty much|i'd say|probably|priority(?: is)?|prio|honestly|"
    r"i think|for them|for now|right now)\b"
)


def extract(text: Text, *, asked: bool) -> dict[str, Any] | None:
    """The priority the text states, or None when it says nothing about it."""
    norm = text.norm
    for level, cues, _asked_cues in _LEVELS:
        if cues.search(norm):
            return {"level": level}
    scope_clauses = clauses_for(text, "priority", asked=asked)
    if asked:
        for clause in [norm, *scope_clauses]:
            core = re.sub(_FILLER, " ", clause).strip(" .!,:")
            core = re.sub(r"[\s-]?ish$", "", core)  # "low-ish"
            core = re.sub(
                r"^(?:low|medium|mid)[\s-](?=high$)|^(?:medium|mid)[\s-](?=low$)", "", core
            )
            for level, _cues, asked_cues in _LEVELS:
                if asked_cues is not None and asked_cues.fullmatch(core):
                    return {"level": level}
    scope = " ".join(scope_clauses)
    if UNKNOWN_CUES.search(scope):
        return {"level": None}
    if asked:
        bare = leading_bare(text)
        if bare == "none":
            return {"level": "none"}
        if bare == "unknown":
            return {"level": None}
    return None
