"""Authority answers → `{"role", "person", "title"}`: the contact's part in the decision.

`title` is the title of whoever the answer says decides or signs ("CFO signs" → CFO), `person`
a proper name given for them. "boss" and "manager" are not titles.
"""

from __future__ import annotations

import re
from typing import Any

from dialogs.understanding.text import UNKNOWN_CUES, Cues, Text, leading_bare, phrases, word_list
from dialogs.understanding.topics import clauses_for

_ACRONYMS = (
    r"ceo|cfo|cto|coo|cio|cmo|cro|cpo|cso|cdo|cao|cco|cxo|clo|chro|ciso|cpto|gm|md|svp|evp|avp|vp"
)
_DEPARTMENT = (
    r"(?:global\s+|corporate\s+)?(?:sales ops|sales operations|revenue operations|rev ?ops|"
    r"customer success|business development|it operations|data science|information technology|"
    r"eng|engg|r&d|rnd|"
    r"human resources|supply chain|people ops|sales|marketing|finance|engineering|it|"
    r"operations|ops|product|procurement|purchasing|hr|people|revenue|technology|tech|"
    r"security|data|growth|cs|infrastructure|legal|analytics|bi|support|partnerships|"
    r"digital|strategy|innovation|accounting|compliance|risk|commercial|growth)"
)
_TITLE = (
    r"(?P<title>(?:the\s+)?(?:"
    rf"chief\s+\w+\s+officer|(?:s|e|a)?vp(?:\s+of)?\s+{_DEPARTMENT}|"
    rf"vice\s+president(?:\s+of)?\s+{_DEPARTMENT}|head\s+of\s+{_DEPARTMENT}|"
    rf"director\s+of\s+{_DEPARTMENT}|{_DEPARTMENT}\s+director|"
    rf"managing\s+director|general\s+manager|co-?founder|founder|owner|president|"
    rf"board(?:\s+of\s+directors)?|(?:{_ACRONYMS})(?![\w-])"
    r"))"
)
_NOT_A_TITLE = (
    r"(?P<other>(?:the\s+|their\s+|her\s+|his\s+|my\s+|our\s+)?(?:boss|manager|management|"
    r"leadership|exec(?:utive)?s?(?:\s+team)?|execs|committee|someone else|somebody else|"
    r"(?:the\s+)?(?:higher[- ]ups|c[- ]suite|parent company|hq|headquarters|team lead)|"
    r"procurement|finance|legal|purchasing|it))"
)
_DECIDER_VERB = (
    r"(?:(?:ultimately|actually|also|alone|usually|really|still|always)\s+)?"
    r"(?:signs?(?:\s+off)?|decides?|approves?|has\s+(?:the\s+)?(?:final\s+(?:say|word|call)|"
    r"sign[- ]?off|veto)|makes\s+the\s+(?:final\s+)?(?:call|decision)|"
    r"(?:has|needs|will\s+have)\s+to\s+(?:sign|approve|sign\s+off|decide|review|ok|okay)|"
    r"(?:will|would|must|should)\s+(?:sign|approve|decide|sign\s+off)|"
    r"holds\s+the\s+(?:budget|purse)|owns\s+the\s+(?:budget|decision)|"
    r"is\s+the\s+(?:final\s+)?(?:decision[- ]?maker|dm|signer|approver|economic\s+buyer)|"
    r"calls\s+the\s+shots|controls\s+the\s+budget)"
)
_SOMEONE = rf"(?:{_TITLE}|{_NOT_A_TITLE})"
_APPROVAL = r"(?:approval|sign[- ]?off|signature|ok|okay|go[- ]ahead|green\s+light|blessing|say)"
_WHO = (
    r"(?:[a-z]+[,(]?\s+)?(?:the\s+|their\s+|her\s+|his\s+|our\s+)?"
    rf"(?:{_TITLE}|{_NOT_A_TITLE})"
)
_OTHER_DECIDES = Cues(
    # "CFO signs", "her boss decides", "the CFO, Jane, has final say"
    rf"{_SOMEONE}(?:[,()]?\s*[a-z]+){{0,3}}[,()]?\s+{_DECIDER_VERB}",
    # "needs CFO approval", "needs sign-off from the board", "run it by the VP"
    rf"(?:needs?|requires?|requiring|waiting\s+(?:for|on)|get|getting|seek(?:ing)?|"
    rf"subject\s+to|pending|awaiting|with)\s+(?:the\s+|their\s+|her\s+|his\s+)?"
    rf"(?:{_TITLE}|{_NOT_A_TITLE})(?:'s)?\s+(?:final\s+)?{_APPROVAL}",
    rf"{_APPROVAL}\s+(?:from|of|by)\s+{_WHO}",
    rf"(?:run|check|clear|take|bring|escalate)\s+(?:it|this|that|things)?\s*"
    rf"(?:by|past|with|to|up\s+to)\s+(?:the\s+|their\s+|her\s+|his\s+)?(?:{_TITLE}|{_NOT_A_TITLE})",
    rf"(?:signed|approved|decided)\s+(?:off\s+)?by\s+(?:the\s+)?(?:{_TITLE}|{_NOT_A_TITLE})",
    rf"(?:goes|go|going)\s+(?:up\s+)?to\s+(?:the\s+)?(?:{_TITLE}|{_NOT_A_TITLE})",
    rf"reports?\s+(?:to|into)\s+(?:the\s+)?(?:{_TITLE}|{_NOT_A_TITLE})",
    rf"(?:evaluating|looking(?:\s+at)?|researching|scoping|doing|vetting|leading|running|"
    rf"driving|owning|managing)\s+"
    rf"(?:it|this|us|the\s+\w+|options|tools)?\s*for\s+(?:my|her|his|their|the)\s+"
    rf"(?:{_TITLE}|{_NOT_A_TITLE})",
    rf"(?:{_TITLE}|{_NOT_A_TITLE})\s+(?:is|are)\s+the\s+(?:final\s+)?(?:decision[- ]?maker|"
    r"signer|approver|economic buyer)",
    rf"(?:decision|call)\s+(?:is|lies|sits|rests)\s+with\s+(?:the\s+)?(?:{_TITLE}|{_NOT_A_TITLE})",
    rf"(?:it's|it is)\s+(?:the\s+)?(?:{_TITLE}|{_NOT_A_TITLE})'s\s+(?:call|decision)",
)
_INFLUENCER = phrases(
    r"influencer",
    r"influences?(?: the decision)?",
    r"(?:part of|on|in) (?:the |a )?(?:buying |purchasing |decision |evaluation |selection )?"
    r"(?:committee|group|team)",
    r"buying committee",
    r"recommends?",
    r"recommending",
    r"(?:makes?|make|making) (?:a |the )?recommendations?",
    r"has (?:some |a lot of |an? )?(?:input|say|voice|influence|weight)",
    r"(?:not|isn't|is not|he's not|she's not|not the) (?:the )?(?:final )?(?:decision[- ]?maker|dm|"
    r"signer|approver)",
    r"(?:can't|can not|cannot|doesn't|does not|won't) (?:sign|decide|approve)",
    r"(?:doesn't|does not) (?:have )?(?:the )?(?:final say|sign[- ]?off|signing authority)",
    r"someone else (?:decides|signs)",
    r"not (?:his|her|their|my) (?:call|decision)",
    r"above (?:his|her|their|my) (?:pay ?grade|head)",
    r"involved in the decision",
    r"(?:decision|decided|decides|signed) by (?:a |the )?committee",
    r"(?:not (?:him|her|them|the contact),? )?(?:his|her|their) (?:boss|manager)",
    r"one of (?:\w+ )?(?:people|decision[- ]?makers|approvers|stakeholders|signers|execs)"
    r"(?: who (?:decide|sign|approve))?",
    r"(?:co-?decision[- ]?maker|shared decision|joint decision|decide together)",
    r"(?:shapes|drives) the (?:decision|evaluation|shortlist)",
    r"(?:gatekeeper|evaluator|technical buyer|technical evaluator|researcher)",
    r"leads? the evaluation",
    r"running the evaluation",
    r"(?:can|could) (?:only )?(?:recommend|influence)",
)
_CHAMPION = phrases(
    r"champions?",
    r"championing",
    r"big fan",
    r"(?:huge|massive|real) fan",
    r"(?:pushing|pushes|push|selling|sells|sell|driving|drives|championing|advocating|"
    r"fighting|lobbying|rallying)(?: (?:it|us|this|for (?:it|us|this)|hard))?(?: hard)? internally",
    r"(?:our |an |internal )?advocate",
    r"evangelist",
    r"(?:internal )?sponsor",
    r"on our side",
    r"in our corner",
    r"rooting for us",
    r"loves? (?:us|it|the product|qualibot)",
    r"bought in",
    r"sold on (?:it|us)",
    r"(?:pushing|fighting|lobbying) for (?:us|it|this)",
)
_USER = phrases(
    r"end[- ]?users?",
    r"just (?:a |an )?(?:user|end user)",
    r"only (?:a )?user",
    r"(?:will|would|going to|'ll) (?:be )?us(?:e|ing) (?:it|the (?:tool|product))",
    r"uses? (?:it|the (?:tool|product)) (?:day[- ]to[- ]day|daily|every day)",
    r"day[- ]to[- ]day",
    r"no say",
    r"no (?:real )?(?:influence|authority|power|decision(?:[- ]making)? power|buying power|pull)",
    r"not involved in (?:the )?(?:decision|buying|purchase)",
    r"(?:doesn't|does not|won't) have (?:any )?(?:say|influence|authority)",
    r"(?:just|only) (?:a )?(?:practitioner|individual contributor|ic|analyst)",
    r"(?:is|he's|she's|they're|i'm) (?:a |an |the )?(?:\w+ )?user",
    r"hands[- ]on user",
)
_DECISION_MAKER = phrases(
    r"(?:i|he|she|they|contact|the contact|he himself|she herself|(?:he|she)'s|they're|i'm)"
    rf"\s+{_DECIDER_VERB}",
    r"signs? (?:it |the (?:contract|deal|po|order) )?(?:off )?(?:himself|herself|themselves|"
    r"alone|on (?:his|her|their) own)",
    r"(?:is|he's|she's|they're|i'm|am|are) (?:the |a )?(?:final |main |key |sole |ultimate )?"
    r"(?:decision[- ]?maker|dm|signer|approver|economic buyer|budget holder|buyer)",
    r"(?:final|ultimate) (?:decision[- ]?maker|say|word|call|sign[- ]?off|authority)",
    r"(?:the )?decision[- ]?maker",
    r"dm",
    r"economic buyer",
    r"budget (?:holder|owner)",
    r"owns? the (?:budget|decision|p&l|purchase)",
    r"(?:can|could|will|gets to|able to) (?:sign|approve|decide)(?: (?:it|this|the deal))?",
    r"(?:has|with|got|have) (?:full |the |final |sole )?(?:signing |sign[- ]off |budget |buying )?"
    r"(?:authority|power to sign|sign[- ]?off)",
    r"(?:his|her|their) (?:call|decision)",
    r"(?:makes|make|making) the (?:final )?(?:call|decision)",
    r"calls the shots",
    r"(?:he's|she's|is) (?:the|their) (?:boss|big boss|top dog|owner)",
    r"the buck stops with (?:him|her|them)",
    r"(?:no|doesn't need|does not need|without) (?:any(?:one's)? |further )?"
    r"(?:approval|sign[- ]?off)(?: needed| required)?",
    r"decides",
    r"signs",
)
_CONTACT_IS = phrases(
    rf"(?:he's|she's|they're|i'm|is|he is|she is|am)\s+(?:the\s+|our\s+|a\s+)?{_TITLE}"
)
_UNKNOWN = phrases(
    r"(?:not sure|unsure|no idea|don't know|unclear|unknown|didn't ask|never asked|no clue)"
    r"(?: (?:who|whether|if) \w+(?: \w+)?)?",
    r"who (?:decides|signs) (?:is )?(?:unclear|unknown|tbd)",
    r"(?:didn't|did not|haven't|have not) (?:ask|find out|figure out|get to)",
)
_SMALL_WORDS = frozenset({"of", "and"})
_UPPER_WORDS = frozenset({"it", "hr", "bi", "cs", "vp", "svp", "evp", "avp", "gm", "md", "ops"})
_UPPER_KEEP = frozenset({"ops"})


def _title_case(title: str) -> str:
    """The written title with acronyms upper-cased: "vp of sales" → "VP of Sales"."""
    words = re.sub(r"^(?:the|their|her|his|my|our)\s+", "", title.strip()).split()
    out = []
    for word in words:
        if word in _SMALL_WORDS:
            out.append(word)
        elif re.fullmatch(rf"(?:{_ACRONYMS})", word) or word in _UPPER_WORDS - _UPPER_KEEP:
            out.append(word.upper())
        elif "-" in word:
            out.append("-".join(part.capitalize() for part in word.split("-")))
        else:
            out.append(word.capitalize())
    return " ".join(out)


_NAME = re.compile(r"(?<![\w@])([A-Z][a-z]+(?:[- ](?:[A-Z][a-z]+|[A-Z]\.))?)(?!\w)")
_NOT_NAMES = frozenset(
    word_list(
        """
    I The They He She We It Their His Her Our My You Yes No Nope Not None Just Only Also
    Budget Need Needs Timeline Priority Decision Maker Contact Client Customer Lead Team
    Boss Manager Board Founder Owner President Director Head Chief Officer Vice Finance
    Sales Marketing Engineering Legal Procurement Purchasing Operations Product Security
    Probably Maybe Definitely Sure Unclear Unknown End User Champion Influencer Approval
    January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Jan Feb Mar Apr Jun Jul Aug Sep
    Sept Oct Nov Dec Q1 Q2 Q3 Q4 Big Final Signs Sign Decides Has Will Would Can Could Must
    Should Needs Wants Thinks Said Says Told Asked Did Does Is Was Are Were Be Been And But Or
    So If When Who What Why How Then Than That This These Those There Here Some Any All Both
    Either Neither Each Every Other Another Still Yet Already Really Very Pretty Quite Too
    Ultimately Actually Basically Honestly Well Ok Okay Hmm Um Uh Via Per With For From To Of
    In On At By About Into Over Under After Before Around Between Through During Without
    Within Across Against Along Among Upon Acme Inc Ltd Corp Co LLC GmbH Slack Qualibot
    Signing Off Approved Confirmed Planned Pending Top High Low Medium Critical Urgent CEO
    CFO CTO COO CIO CMO CRO VP IT HR Head Looks Seems Likely Everyone Someone Nobody Eng Ops
    Engg Revenue Growth Data People Tech Technology Support Strategy Digital Commercial Talked
    Spoke Met Call Called Chatted Emailed Told Said Demo Meeting Intro Followed
    """
    )
)


def _person(raw: str) -> str | None:
    """A proper name in the answer (capitalised words that are not titles or common words)."""
    for match in _NAME.finditer(raw):
        parts = match.group(1).replace("-", " ").split()
        if any(w in _NOT_NAMES for w in parts):
            first = parts[0]
            if first in _NOT_NAMES:
                continue
            return first
        start = match.start()
        sentence_start = start == 0 or re.search(r"[.!?:;\n]\s*$", raw[:start]) is not None
        if sentence_start and not re.match(
            r"\s*[,(]|\s+(?:signs|decides|approves|has|is|needs|will|owns|makes|from|at)\b",
            raw[match.end() :],
        ):
            continue
        return match.group(1)
    return None


def _value(role: str, title: str | None = None, person: str | None = None) -> dict[str, Any]:
    return {"role": role, "person": person, "title": title}


_TITLE_RE = phrases(_TITLE)
_CONTACT_BEFORE = re.compile(
    r"(?:\b(?:he's|she's|they're|i'm|is|am|are|as|he is|she is|contact is|being)\s+"
    r"(?:the\s+|their\s+|our\s+|a\s+)?)$"
)


def _other_decider(text: Text) -> tuple[bool, str | None]:
    """Whether the answer names someone else as deciding, and that person's title.

    A title that is the contact's own ("she's the CFO and signs") is not someone else.
    """
    norm = text.norm
    found = False
    for match in _OTHER_DECIDES.finditer(norm):
        title = match.group("title")
        if title and _CONTACT_BEFORE.search(norm[: match.start("title")]):
            continue
        if not title:  # "the committee, CMO decides": a title inside the phrase
            inner = _TITLE_RE.search(match.group(0))
            title = inner.group("title") if inner else None
        if title:
            return True, _title_case(title)
        found = True  # someone without a title ("her boss"); a later match may name one
    if found:
        return True, None
    person = _person(text.raw)
    if person and re.search(
        rf"\b{re.escape(person.lower())}(?:,?\s+[a-z]+,?)?\s+{_DECIDER_VERB}", norm
    ):
        return True, None
    return False, None


_EXECUTIVE = re.compile(
    r"ceo|chief executive officer|co-?founder|founder|owner|president|managing director|md|"
    r"general manager|gm"
)


# "needs SSO before they can sign": a condition, not who decides
_CONDITION_BEFORE = re.compile(r"\b(?:before|until|once|after|if|when|so that|so)\s+(?:\w+\s+)?$")


def _said_decides(norm: str) -> bool:
    """True when a decision-maker phrase is said of the contact (not inside a condition)."""
    return any(
        not _CONDITION_BEFORE.search(norm[: m.start()]) for m in _DECISION_MAKER.finditer(norm)
    )


def _contact_title(norm: str) -> str | None:
    match = _CONTACT_IS.search(norm)
    return _title_case(match.group("title")) if match else None


def extract(text: Text, *, asked: bool) -> dict[str, Any] | None:
    """The contact's role in the decision, or None when the text says nothing about it."""
    norm = text.norm
    person = _person(text.raw)
    other, title = _other_decider(text)
    champion = _CHAMPION.search(norm) is not None
    if _USER.search(norm) and not champion:
        return _value("user", title, person)
    if champion:
        return _value("champion", title, person)
    if other or _INFLUENCER.search(norm):
        return _value("influencer", title, person)
    scope = " ".join(clauses_for(text, "authority", asked=asked))
    if _UNKNOWN.search(scope):
        return _value("unknown")
    if _said_decides(norm):
        return _value("decision_maker", _contact_title(norm), person)
    title = _contact_title(norm)
    if asked and title is not None and _EXECUTIVE.fullmatch(title.lower()):
        return _value("decision_maker", title, person)  # "he's the CEO": the top signs
    if asked:
        bare = leading_bare(text)
        if bare == "yes":
            return _value("decision_maker", _contact_title(norm), person)
        if bare == "none":
            return _value("unknown" if re.fullmatch(r"\W*none\W*", norm) else "influencer")
        if bare == "unknown" or UNKNOWN_CUES.search(scope):
            return _value("unknown")
    return None
