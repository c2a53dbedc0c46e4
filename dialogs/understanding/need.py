"""Need (CHAMP "Challenges") answers → `{"level", "pains"}`; level None means not sure."""

from __future__ import annotations

import re
from typing import Any

from dialogs.understanding.text import UNKNOWN_CUES, Text, leading_bare, mask, phrases
from dialogs.understanding.topics import clause_topics, clauses_for

_NEG = r"(?:not|isn't|is not|aren't|are not|wasn't|no longer|hardly|never)"
_INTENSE = r"(?:really |very |super |extremely |quite |pretty |so |incredibly |truly |genuinely )?"

# Negated cues first: "not critical" → moderate, "not a big deal" → low, "no real need" → none.
_NEGATED: list[tuple[str, re.Pattern[str]]] = [
    (
        "none",
        phrases(
            r"no (?:real |actual |big |clear |pressing |urgent |immediate )?(?:need|pain|"
            r"problems?|issues?|use case|challenges?)"
            r"(?: (?:at all|really|here|there|for (?:it|this|us|now)))?",
            r"(?:don't|do not|doesn't|does not|didn't|won't) (?:really )?(?:need|have (?:a |any )?"
            r"(?:need|pain|problem|issue)s?)(?: (?:it|this|that|us|one|anything|a (?:new )?tool))?",
            r"(?:happy|satisfied|fine|content|ok|okay|good) with (?:their|the|what they have|"
            r"current|the current|existing|the existing|status quo)(?: \w+)?",
            r"not (?:a |any )?(?:problem|issue|pain)(?: for (?:them|us|him|her))?",
            r"not interested",
            r"no interest",
            r"all good",
            r"works? (?:fine|well|ok|okay|great)",
            r"nothing (?:broken|wrong)",
            r"not looking",
            r"nothing to (?:fix|solve)",
        ),
    ),
    (
        "low",
        phrases(
            rf"{_NEG} (?:a |that |really |very |such |too |so )?(?:a )?(?:big|huge|major|serious|"
            r"real|massive|large) (?:deal|problem|issue|pain|concern|need)",
            rf"{_NEG} (?:really |that |very |so |too |particularly )?(?:painful|serious|bad|"
            r"pressing|a priority for them|much of (?:a|an) (?:problem|issue|pain))",
            r"not really (?:a )?(?:problem|issue|pain|needed)",
            r"not much (?:of a )?(?:pain|need|problem|issue)",
            r"(?:don't|do not|doesn't|does not) (?:really )?(?:hurt|bother)",
            r"not (?:hurting|struggling)",
            r"(?:pain|problem|issue|need)s? (?:isn't|is not|aren't|are not|not) "
            r"(?:really |that |very |so |too |particularly )?"
            r"(?:big|bad|serious|high|great|huge|major|severe)",
        ),
    ),
    (
        "moderate",
        phrases(
            rf"{_NEG} (?:really |that |very |so |too |super |mission )?(?:critical|urgent|"
            r"desperate|dire|on fire|burning)",
            rf"{_NEG} (?:killing|bleeding)",
        ),
    ),
]
_LEVELS: list[tuple[str, re.Pattern[str]]] = [
    (
        "critical",
        phrases(
            r"(?:is |it's )?killing (?:us|them|him|her|me|the team|their team|productivity)",
            r"desperate(?:ly)?",
            r"urgent",
            r"(?:mission|business)[- ]critical",
            r"critical",
            r"bleeding(?: money| cash| customers)?",
            r"on fire",
            r"burning(?: platform| issue| problem| need)?",
            r"must (?:fix|solve|have) (?:it |this )?(?:now|immediately|asap)",
            r"can(?:'t| not|not) go on",
            r"(?:top|biggest|number one|#1|no\.? ?1|main|primary) (?:pain|problem|issue|challenge|"
            r"headache|complaint)s?(?: point)?",
            r"existential",
            r"dire",
            r"crisis",
            r"(?:hair|house) on fire",
            r"(?:losing|lose|lost) (?:deals|customers|money|revenue|clients)",
            r"can(?:'t| not|not) (?:live|survive|continue|function|operate) (?:like this|without)",
            r"(?:absolutely|badly|seriously) need",
            r"need (?:it|this|a fix|a solution) (?:badly|desperately)",
            r"huge pain",
            r"massive (?:pain|problem|issue)",
            r"nightmare",
            r"unbearable",
        ),
    ),
    (
        "high",
        phrases(
            r"(?:big|major|serious|real|significant|large|huge|clear|strong|severe) "
            r"(?:problem|pain|issue|need|headache|challenge|struggle|gap|bottleneck)s?",
            r"major pain point",
            r"really need",
            r"really needs",
            r"(?:definitely|clearly|truly|actually) (?:need|needs)",
            r"need (?:it|this|one|a solution|a fix|help) (?:badly|bad)",
            r"badly need",
            r"seriously",
            r"serious",
            r"struggl(?:e|es|ing)",
            rf"(?<!somewhat )(?<!slightly )(?<!kind of )(?<!sort of )(?<!kinda ){_INTENSE}painful",
            r"high need",
            r"hurting",
            r"hurts",
            r"(?:a lot|lots) of (?:pain|problems|issues|manual work)",
            r"pain point",
            r"(?:very|really|super) (?:frustrat\w+|annoy\w+)",
            r"must[- ]have",
            r"frustrat\w+",
            r"can't keep up",
            r"drowning",
            r"broken",
            r"costing (?:them|us) (?:a lot|money|time|hours|days)",
            r"wast(?:e|es|ing) (?:hours|days|so much time|a lot of time)",
            r"big (?:time )?(?:need|pain)",
            r"high pain",
            r"pain is (?:high|real|big)",
            r"hurt(?:ing)? (?:badly|a lot)",
            r"high",
            r"(?:pretty |very |really )?(?:huge|big|large|significant)",
        ),
    ),
    (
        "moderate",
        phrases(
            r"some (?:pain|need|problems?|issues?|friction|inefficiency|challenges?|interest)",
            r"(?:would|could|might) (?:really )?help",
            r"(?:would|could) be (?:helpful|useful|good|better)",
            r"could be better",
            r"moderate(?:ly)?",
            r"somewhat",
            r"(?:somewhat|slightly) painful",
            r"annoy(?:ing|ed|s|ance)",
            r"meaningful",
            r"medium",
            r"mid",
            r"(?:real but )?manageable",
            r"(?:a )?(?:decent|fair|reasonable|moderate) (?:need|pain|amount)",
            r"(?:a bit|a little|kind of|kinda|sort of) (?:painful|of a pain|of a problem)",
            r"(?:could|would) (?:use|benefit)",
            r"(?:kind of|kinda|sort of|somewhat) (?:need|needs|want|wants)",
            r"(?:mild|minor) (?:pain|need) but",
            r"inefficien\w+",
            r"clunky",
            r"tedious",
            r"not ideal",
            r"(?:it's|its|it is|a bit of|bit of) a pain",
            r"room for improvement",
            r"okay[- ]ish",
            r"so[- ]so",
        ),
    ),
    (
        "low",
        phrases(
            r"nice[- ]to[- ]have",
            r"(?:would be )?nice to (?:have|get)",
            r"minor",
            r"small (?:issue|problem|pain|need|thing|gap)s?",
            r"low(?: need| pain)?",
            r"little (?:pain|need)",
            r"(?:slight|mild|marginal)(?:ly)?(?: \w+)?",
            r"barely",
            r"no big deal",
            r"not much",
            r"meh",
            r"trivial",
            r"curious",
            r"just (?:exploring|browsing|looking|curious|kicking the tires)",
            r"kicking the tires",
            r"(?:it'd|it would|would|could) be nice",
            r"(?:can|could|they|we|he|she) (?:can )?live with it",
        ),
    ),
]
# Words that carry the level, not the pain: stripped from pain phrases.
_INTENSITY = re.compile(
    r"\b(?:really|very|super|extremely|quite|pretty|so|incredibly|truly|totally|absolutely|"
    r"a lot|big time|badly|desperately|seriously|honestly|basically|right now|currently|"
    r"at the moment|these days|lately)\b"
)
_PAIN_INTRO = re.compile(
    r"^(?:(?:the |their |main |biggest |key |real |core |top )*(?:pain|problem|issue|challenge|"
    r"struggle|headache)s?(?: point)?(?: is| are|:)?\s+|(?:they're |they are |he's |she's )?"
    r"(?:struggling|struggle|fighting|dealing) with\s+|(?:they |he |she )?(?:really )?"
    r"(?:needs?|want|wants) (?:to )?|(?:it's|it is|that's|this is|they have|there's|there is)\s+|"
    r"(?:with|from|about|by|because of|due to|around|on|in|the|for)\s+)"
)
_PAIN_TAIL = re.compile(
    r"\s+(?:is|are|was|has been|have been)\s*(?:a\s+|the\s+)?$|\s+(?:is|are)\s+(?:killing|hurting)"
    r".*$"
)
_FILLER_ONLY = re.compile(
    r"^(?:it|this|that|they|them|us|is|are|a|an|the|and|but|of|for|it's|pain|problem|need|"
    r"level|really|some|real|issue|it is|their|they're|too|yes|no|high|low|very|fix|solution|"
    r"help|tool|change|mostly|just|only|kind|sort|of|pretty|quite|bit|little|more|less|still|"
    r"also|though|overall|\s)*$"
)
_PRIORITY_PHRASE = phrases(
    r"(?:top|high|highest|critical|low|medium|moderate|mid|main|no|not a) priorit(?:y|ies)",
    r"priority(?: is)? (?:one|1|#1|high|low|medium|top)",
)


_NOT_A_PAIN = re.compile(
    r"^(?:(?:they |he |she )?(?:want|wants|need|needs|would like|hope|hoping)\s+(?:it|this|to)\b)"
    r"|\b(?:next|this|last) (?:week|month|quarter|year)\b|\bq[1-4]\b|\basap\b"
    r"|\b(?:by|before|until|in)\s+(?:q[1-4]|\w+ (?:week|month|quarter|year)|"
    r"jan\w*|feb\w*|march|april|may|june|july|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*)\b"
    r"|[$€£¥₹]|\d+k\b"
)


_COPULA = re.compile(r"(?:\s(?:is|are|was|were|has been|have been|remains)|'s)\s")
_PRONOUN_TAIL = re.compile(r"(?:\s+(?:and|but|so)|,)\s+(?:it|this|that)$")
_SUBJECT = re.compile(
    r"^(?:they(?:'re| are)?|he(?:'s| is)?|she(?:'s| is)?|it(?:'s| is)?|we(?:'re| are)?|"
    r"their team(?: is)?|the team(?: is)?|this|that)\s+"
)
# A phrase left hanging on a function word is a cut-off sentence, not a pain.
_DANGLING = re.compile(
    r"\b(?:a|an|the|to|of|and|or|but|with|have|has|had|is|are|was|be|been|it|that|for|by|"
    r"on|in|at|so|very|don't|doesn't|seem|seems)$|^(?:don't|doesn't|do|does|seem|is|are)\b"
)


def _pain_of(clause: str, cues: list[re.Match[str]]) -> str:
    """The pain phrase of one clause: its subject when a cue describes it, else what is left
    (the whole clause when it has no cue)."""
    first = min((cue.start() for cue in cues), default=0)
    copulas = list(_COPULA.finditer(clause[: first + 1])) if cues else []
    if copulas:  # "manual reporting is killing them" → the subject
        core = clause[: copulas[-1].start()]
        core = _PRONOUN_TAIL.sub("", core)  # "… is manual and it's a nightmare"
    else:  # "critical: manual reporting takes days" → what is left
        core = clause
        for match in cues:
            core = mask(core, match)
    core = _INTENSITY.sub(" ", core)
    core = re.sub(r"\s+", " ", core).strip(" ,.;:!-")
    for _ in range(2):
        core = _SUBJECT.sub("", core).strip(" ,.;:!-")
        core = _PAIN_INTRO.sub("", core).strip(" ,.;:!-")
    core = _PAIN_TAIL.sub("", core).strip(" ,.;:!-")
    if core and not _FILLER_ONLY.match(core) and not _DANGLING.search(core):
        return core
    return ""


def _pains(text: Text) -> list[str]:
    """Short pain phrases the rep named, with intensity words and cues stripped.

    A clause that is only a cue ("…, big problem") names the pain of the clause beside it.
    """
    clauses = [
        c
        for c in text.clauses
        if not (UNKNOWN_CUES.search(c) or _PRIORITY_PHRASE.search(c))
        and not (clause_topics(c) - {"need"} or _NOT_A_PAIN.search(c))
    ]
    cues = [[m for _lvl, p in (*_NEGATED, *_LEVELS) for m in p.finditer(c)] for c in clauses]
    pains: list[str] = []
    for i, clause in enumerate(clauses):
        if not cues[i]:
            continue
        pain = _pain_of(clause, cues[i])
        if not pain:
            beside = [j for j in (i - 1, i + 1) if 0 <= j < len(clauses) and not cues[j]]
            if beside:
                pain = _pain_of(clauses[beside[0]], [])
        if pain and pain not in pains:
            pains.append(pain)
    return pains[:5]


def _level(norm: str, *, asked: bool) -> tuple[bool, str | None]:
    """(found, level) from the first matching cue group; negated cues win over plain ones."""
    norm = re.sub(r"\bnice to have\b", "nice-to-have", norm)
    for match in _PRIORITY_PHRASE.finditer(norm):
        norm = mask(norm, match)
    for level, pattern in _NEGATED:
        if pattern.search(norm):
            return True, level
    for level, pattern in _LEVELS:
        if any(asked or m.group(0) not in _ASKED_ONLY for m in pattern.finditer(norm)):
            return True, level
    return False, None


# Bare level words that only answer the need question ("high", "low", "medium").
_ASKED_ONLY = frozenset(
    {"low", "high", "medium", "mid", "curious", "moderate", "not much", "meh", "so-so", "so so"}
    | {"okay-ish", "okay ish", "huge", "big", "pretty big", "very big", "large", "significant"}
)


def extract(text: Text, *, asked: bool) -> dict[str, Any] | None:
    """The need the text states, or None when it says nothing about it."""
    found, level = _level(text.norm, asked=asked)
    if found:
        return {"level": level, "pains": _pains(text) if level not in (None, "none") else []}
    scope = " ".join(clauses_for(text, "need", asked=asked))
    if UNKNOWN_CUES.search(scope):
        return {"level": None, "pains": []}
    if asked:
        bare = leading_bare(text)
        if bare == "none":
            return {"level": "none", "pains": []}
        if bare == "unknown":
            return {"level": None, "pains": []}
    return None
