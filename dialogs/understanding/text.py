"""Shared text helpers: normalisation, typo repair, clauses, bare answers, language checks.

Every extractor reads one `Text`: the capped raw text (for names), and `norm`, the lower-cased
text with unicode punctuation folded, contractions restored and typos in the words the
extractors look for repaired (rapidfuzz Damerau-Levenshtein against a small vocabulary).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

BareKind = Literal["none", "unknown", "yes"]

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": " - ",
        "\u2212": "-",
        "\u2026": "...",
    }
)

# Apostrophe-less contractions reps type in chat, restored so cues match one spelling.
_CONTRACTIONS = {
    "cant": "can't",
    "dont": "don't",
    "doesnt": "doesn't",
    "didnt": "didn't",
    "isnt": "isn't",
    "arent": "aren't",
    "wasnt": "wasn't",
    "havent": "haven't",
    "hasnt": "hasn't",
    "hadnt": "hadn't",
    "wont": "won't",
    "wouldnt": "wouldn't",
    "shouldnt": "shouldn't",
    "couldnt": "couldn't",
    "theyre": "they're",
    "theyve": "they've",
    "youre": "you're",
    "im": "i'm",
    "ive": "i've",
    "thats": "that's",
    "whats": "what's",
    "hes": "he's",
    "shes": "she's",
    "cannot": "can not",
    # chat shorthand
    "nxt": "next",
    "wk": "week",
    "wks": "weeks",
    "mth": "month",
    "mths": "months",
    "mos": "months",
    "yrs": "years",
    "qtr": "quarter",
    "qtrs": "quarters",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tmrow": "tomorrow",
    "prio": "priority",
    "prios": "priorities",
    "w/": "with",
    "thru": "through",
    "til": "until",
    "till": "until",
    "abt": "about",
    "approx": "about",
    "govt": "government",
    "pls": "please",
}


def word_list(text: str) -> tuple[str, ...]:
    """Whitespace-separated words of a literal (keeps long word lists compact)."""
    return tuple(text.split())


# Words the extractors look for; misspelt tokens close to one of them are repaired.
VOCABULARY: tuple[str, ...] = word_list(
    """
    january february march april june july august september october november december monday
    tuesday wednesday thursday friday saturday sunday tomorrow quarter quarterly months
    weeks year yearly annually annual monthly fiscal budget budgeted budgets allocated
    approved approval approve confirmed planned planning pending expecting requesting afford
    authority decision decides decider signs signature signer sign-off influencer influence
    champion recommend recommends leadership committee procurement approves evaluating
    president director manager founder critical urgent urgently desperate desperately
    painful struggling serious problem problems moderate somewhat annoying meaningful minor
    issue killing bleeding burning priority priorities important highest immediately
    timeline deadline unclear unsure definitely probably maybe
    """
)
_VOCAB_SET = frozenset(VOCABULARY)
# Real words one edit away from a vocabulary word: never "repaired".
_KEEP = frozenset(
    word_list(
        """
    match marsh mark marc april marched sings sing signs sign signed signing planed plane
    planet plans plan planner budge judge nudge trudge budgets approve approves approval
    issues tissue issued minors minus mirror manage managed manager managers manages months
    mouths month weeks week weekly meeks years year yearly tears wears dears hears bears
    fears gears nears pears sears rears fiscally decided decides decide deciding decider
    decimal decisions decision mayor serious series seriously painter pained problem
    problems probe probable proably early earlier yearn curly critic critics critique
    urgency urgent agent argent burning turning burying quarters quartet quarter quartz
    sunday monday founded founders funder funders founder prior priory priors leadership
    readership directed directs directive directly champions champing chaplain stumbling
    strugglers struggle struggled struggles timelines timeliness deadlines deadliness
    definite infinitely desperation desperate despite moderately moderated moderator
    moderate somewhere somewhat annoyed annoys annoy anointing committees committed commits
    committal committee influenced influences influencers pending spending pendant bending
    lending sending tending fending vending mending recommended recommending commend
    commended planet allocate decoder decades decider planted critic
    """
    )
)
_SUFFIX = re.compile(
    r"(?:s|es|ed|ing|er|ers|ly|ion|ions|ory|ize|ise|ance|ence|ful|ness|ment|ity|ive|al)$"
)
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)?")
_TRANSPOSED_ASAP = re.compile(r"\b(?:asap|aasp|saap|aspa|asa|asp|asapp|assap)\b")
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "couple": 2,
    "three": 3,
    "few": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "a hundred": 100,
    "one hundred": 100,
    "two hundred": 200,
    "three hundred": 300,
    "five hundred": 500,
}
"""Number words the extractors read (durations, amounts), one list for all."""
NUMBER_WORD_RE = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))


def number_value(word: str) -> int:
    """An integer written as digits or as a small number word ("two", "a couple")."""
    word = word.strip().lower()
    if word.isdigit():
        return int(word)
    word = word.replace("a couple of", "couple").replace("a couple", "couple")
    word = word.replace("a few", "few").removesuffix(" of")
    return NUMBER_WORDS[word]


@lru_cache(maxsize=4096)
def repair_word(word: str) -> str:
    """The vocabulary word `word` is a typo of (one edit, same first letter), else `word`."""
    if len(word) < 5 or len(word) > 20 or word in _VOCAB_SET or word in _KEEP or "-" in word:
        return word
    found = process.extractOne(word, VOCABULARY, scorer=DamerauLevenshtein.distance, score_cutoff=1)
    if found is None or found[0][0] != word[0]:
        return word  # typos keep the first letter; other neighbours are other words
    suffix = _SUFFIX.search(word)
    if suffix is not None and not found[0].endswith(suffix.group(0)):
        return word  # an inflected or derived word ("directory", "improved"), not a typo
    return found[0]


def fold(text: str) -> str:
    """Unicode-fold quotes, dashes and spaces; collapse whitespace (case kept)."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    return _SPACES.sub(" ", text).strip()


def normalise(text: str) -> str:
    """Lower-case folded text with contractions restored and vocabulary typos repaired."""
    low = fold(text).lower()

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in _CONTRACTIONS:
            return _CONTRACTIONS[word]
        return repair_word(word)

    low = _WORD.sub(fix, low)
    return _TRANSPOSED_ASAP.sub("asap", low)


_CLAUSE_SPLIT = re.compile(
    r"[;!?\n]+|(?<!\d)\.+(?!\d)|(?<!\bno)(?<!approx)(?<!\bvs)\.(?=\s)|,\s+|\s+-\s+|\s*\(\s*|\s*\)\s*"
    r"|\s+(?:but|although|though|however|whereas|while)\s+"
)


@dataclass(frozen=True)
class Text:
    """One answer prepared for reading."""

    raw: str  # folded original (case kept), already capped
    norm: str  # lower-cased, contractions restored, typos repaired

    @property
    def clauses(self) -> list[str]:
        """`norm` cut at sentence punctuation, commas, dashes and contrast words."""
        return _clauses(self.norm)


@lru_cache(maxsize=1024)
def _clauses(norm: str) -> list[str]:
    parts = (p.strip(" ,-:\"'") for p in _CLAUSE_SPLIT.split(norm))
    return [p for p in parts if p]


@lru_cache(maxsize=1024)
def prepare(text: str) -> Text:
    """Fold and normalise `text` (cached: every extractor of one answer shares the work)."""
    return Text(raw=fold(text), norm=normalise(text))


def mask(text: str, match: re.Match[str]) -> str:
    """`text` with the span of `match` blanked out, so later cues cannot reuse it."""
    start, end = match.span()
    return text[:start] + " " * (end - start) + text[end:]


def phrases(*alternatives: str) -> re.Pattern[str]:
    """One compiled, word-bounded regex for several regex alternatives."""
    return re.compile(r"(?<![\w$€£¥₹])(?:" + "|".join(alternatives) + r")(?![\w])")


class Cues:
    """Several word-bounded regexes matched one by one (so they may reuse group names)."""

    def __init__(self, *alternatives: str) -> None:
        self.patterns = [phrases(alternative) for alternative in alternatives]

    def finditer(self, text: str) -> list[re.Match[str]]:
        """Every match of every alternative, in text order."""
        found = [m for pattern in self.patterns for m in pattern.finditer(text)]
        return sorted(found, key=lambda m: (m.start(), -m.end()))

    def search(self, text: str) -> re.Match[str] | None:
        """The earliest (then longest) match, or None."""
        found = self.finditer(text)
        return found[0] if found else None


# Cues more than one slot can claim: when one of these slots is asked, the cue is its answer
# and the other slots do not read it ("urgent" to "when?" is a timeline, not a need level).
SHARED_CUES: dict[str, re.Pattern[str]] = {
    "timeline": phrases(r"urgent(?:ly)?", r"asap", r"immediately", r"critical"),
    "priority": phrases(r"nice[- ]to[- ]have", r"urgent", r"critical", r"important"),
    "need": phrases(r"nice[- ]to[- ]have", r"urgent", r"critical", r"important"),
}


def without(text: Text, pattern: re.Pattern[str]) -> Text:
    """`text` with the matches of `pattern` blanked out of `norm`."""
    norm = text.norm
    for match in pattern.finditer(norm):
        norm = mask(norm, match)
    return Text(raw=text.raw, norm=norm)


# --- bare answers ----------------------------------------------------------------------

_FILLER = re.compile(
    r"\b(?:um+|uh+|er+m?|hmm+|well|honestly|tbh|frankly|so|ok(?:ay)?|sorry|still|"
    r"i think|i guess|i believe|probably|for now|at the moment|at this point|right now|"
    r"currently|yet|really|actually|to be honest|as of now|atm|they said|he said|she said|"
    r"on that|on this|about (?:it|that|this)|there|either|at all|sadly|unfortunately|"
    r"(?:we|they|he|she|i) (?:did|do|does)n't (?:say|know) yet)\b"
)
NONE_CUES = phrases(
    r"no+",
    r"nope",
    r"nah",
    r"none",
    r"nothing",
    r"n/?a",
    r"not really",
    r"not(?: yet)?",
    r"(?:probably|likely|i don't think|don't think|i doubt|doubt) (?:not|so)",
    r"negative",
    r"no way",
    r"zero",
    r"nil",
    r"not at all",
)
UNKNOWN_CUES = phrases(
    r"not (?:yet )?(?:sure|certain|clear|known|discussed|decided|determined)",
    r"unsure",
    r"dunno",
    r"don'?t know",
    r"do not know",
    r"did ?n[o']?t (?:ask|discuss|get into (?:it|that)|come up|say|mention|cover|talk about it)",
    r"(?:didn't|did not|haven't|have not|never) (?:yet )?(?:talk(?:ed)? about|discuss(?:ed)?|"
    r"cover(?:ed)?|get to|got to|ask(?:ed)? about|touch(?:ed)? on|go(?:ne)? into|bring up|"
    r"brought up)",
    r"(?:not|wasn't|was not|hasn't been|never) (?:been )?(?:discussed|covered|raised|brought up)",
    r"never (?:asked|discussed|came up)",
    r"no idea",
    r"no clue",
    r"unknown",
    r"tbd",
    r"tbc",
    r"to be (?:determined|decided|confirmed)",
    r"idk",
    r"unclear",
    r"can'?t say",
    r"can not say",
    r"hard to (?:say|tell)",
    r"not (?:sure|certain) yet",
    r"who knows",
    r"no (?:info|information)",
    r"didn't get (?:that|to it|into it)",
    r"n/k",
    r"(?:we'll|we will|i'll|i will|will|to) (?:know|find out|hear|learn) (?:more )?"
    r"(?:after|once|when|next|later|soon)",
    r"(?:waiting|wait) (?:to hear|to find out|for (?:an )?answer)",
    r"\?+",
)
YES_CUES = phrases(
    r"y",
    r"yes+",
    r"yeah?",
    r"yep",
    r"yup",
    r"ya",
    r"sure",
    r"correct",
    r"right",
    r"absolutely",
    r"definitely",
    r"of course",
    r"indeed",
    r"affirmative",
    r"they do",
    r"he does",
    r"she does",
    r"yes they do",
    r"that's right",
    r"confirmed",
    r"(?:i )?(?:think|believe) so",
    r"i think (?:yes|yeah)",
)
_BARE_STRIP = re.compile(r"^[\s,.!:;\-\"'()]+|[\s,.!:;\-\"'()]+$")


def bare_answer(clause: str) -> BareKind | None:
    """What a clause says when it is only a bare yes / no / not-sure (fillers ignored)."""
    kinds: tuple[tuple[BareKind, re.Pattern[str]], ...] = (
        ("unknown", UNKNOWN_CUES),
        ("none", NONE_CUES),
        ("yes", YES_CUES),
    )
    for core in (clause, _FILLER.sub(" ", clause)):  # "i think so" before "i think" goes
        core = _BARE_STRIP.sub("", _SPACES.sub(" ", core))
        for kind, pattern in kinds:
            if core and pattern.fullmatch(core):
                return kind
    return None


def leading_bare(text: Text) -> BareKind | None:
    """The bare yes / no / not-sure that opens the answer (whole text, else first clause)."""
    whole = bare_answer(text.norm)
    if whole is not None:
        return whole
    clauses = text.clauses
    return bare_answer(clauses[0]) if clauses else None


# --- hygiene ---------------------------------------------------------------------------

_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_LATIN_WORD = re.compile(r"[a-zà-ÿ']+")
_FOREIGN = frozenset(
    word_list(
        """
    der die das und ist nicht ein eine wir sie ich haben wird noch kein keine mit auf für
    aber oder sehr gibt entscheidung entscheidet nächsten nächste jahr monat woche bis el
    los las es está están una pero muy tiene tienen presupuesto decide mes año semana
    próximo antes también que del por para con le les est sont une mais très nous ils elle
    pas avec pour dans mois année semaine prochain budget décide avant aussi il gli è sono
    anche molto abbiamo hanno prossimo anno mese settimana entro het een zijn niet maar heel
    wij hebben volgend jaar maand week voor ook não mas muito temos têm próximo ano mês
    semana até também orçamento
    """
    )
) - {"budget", "decide", "week", "die", "is", "an", "on", "me"}
_ENGLISH = frozenset(
    word_list(
        """
    the a an and is are was were be been it they he she we i you not no yes this that for
    with by to of in on at have has had do does did will would can could should budget need
    needs timeline priority decision decides signs sign next month year week quarter their
    our my his her who what when about maybe sure know just very really there some any all
    but or so if as from up out get got want wants asap by end mid
    """
    )
)


def has_words(text: str) -> bool:
    """True when the text has at least one letter or digit (not only emoji/punctuation)."""
    return _LETTER_OR_DIGIT.search(text) is not None


def looks_foreign(text: Text) -> bool:
    """True when the text is mostly not English (another script, or foreign function words)."""
    letters = [c for c in text.raw if c.isalpha()]
    if not letters:
        return False
    non_latin = sum(1 for c in letters if not ("a" <= c.lower() <= "z" or "à" <= c.lower() <= "ÿ"))
    if non_latin > len(letters) / 2:
        return True
    tokens = _LATIN_WORD.findall(text.raw.lower())
    foreign = sum(1 for w in tokens if w in _FOREIGN)
    english = sum(1 for w in tokens if w in _ENGLISH)
    return foreign >= 2 and foreign > english
