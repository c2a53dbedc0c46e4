"""Budget answers → `{"status", "amount", "currency", "period"}`.

Amounts are found by one regex (number, k/M suffix, currency before or after, ranges) and
each number is read by price-parser (thousands separators, decimal commas, currency signs).
"""

from __future__ import annotations

import re
from typing import Any

from price_parser import Price

from dialogs.understanding.text import NUMBER_WORDS, UNKNOWN_CUES, Text, leading_bare, phrases
from dialogs.understanding.topics import clauses_for

_CURRENCY_WORDS: dict[str, str] = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "bucks": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "quid": "GBP",
    "c$": "CAD",
    "ca$": "CAD",
    "cad": "CAD",
    "a$": "AUD",
    "au$": "AUD",
    "aud": "AUD",
    "chf": "CHF",
    "francs": "CHF",
    "swiss francs": "CHF",
    "¥": "JPY",
    "jpy": "JPY",
    "yen": "JPY",
    "₹": "INR",
    "inr": "INR",
    "rs": "INR",
    "rupees": "INR",
    "canadian dollars": "CAD",
    "australian dollars": "AUD",
}
_MULTIPLIERS: dict[str, int] = {
    "k": 1_000,
    "K": 1_000,
    "thousand": 1_000,
    "grand": 1_000,
    "m": 1_000_000,
    "mm": 1_000_000,
    "mn": 1_000_000,
    "mil": 1_000_000,
    "mill": 1_000_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "b": 1_000_000_000,
    "bn": 1_000_000_000,
    "billion": 1_000_000_000,
    "lakh": 100_000,
    "lakhs": 100_000,
    "crore": 10_000_000,
}
_CUR_BEFORE = r"(?:us\$|ca\$|au\$|c\$|a\$|\$|€|£|¥|₹|usd|eur|gbp|cad|aud|chf|jpy|inr|rs\.?)"
_CUR_AFTER = (
    r"(?:usd|eur|gbp|cad|aud|chf|jpy|inr|\$|€|£|dollars?|bucks|euros?|pounds?|quid|"
    r"(?:swiss )?francs|yen|rupees|canadian dollars|australian dollars)"
)
_MULT = r"(?:k|mm|mn|m|mil|mill|million|millions|thousand|grand|bn|b|billion|lakhs?|crore)"
_NUMBER = r"(?:\d{1,2}(?:,\d\d)+,\d{3}|\d{1,3}(?:[,.' ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?)"
_ONE = (
    rf"(?P<@cur1>{_CUR_BEFORE})?\s?(?P<@num>{_NUMBER})\s?(?P<@mult>{_MULT})?"
    rf"(?:\s?(?P<@cur2>{_CUR_AFTER}))?"
)
_AMOUNT = re.compile(
    r"(?<![\w/#.,])(?:between\s+|from\s+)?"
    + _ONE.replace("@", "a")
    + r"(?:\s*(?:-|to|or|and)\s*"
    + _ONE.replace("@", "b")
    + r")?(?![\w%]|/\d|[.,]\d|\s?(?:%|percent|people|users|seats|employees|reps|licen[cs]es|days?|"
    r"weeks?|months? (?:from|out|away)|years? (?:from|out|away)|hours?|x\b|times))",
    re.IGNORECASE,
)
_WORD_AMOUNTS = phrases(
    r"(?P<half>half a (?:million|mil|mill))",
    r"(?P<a>a|one) (?P<wm>million|mil|mill|thousand|grand|hundred thousand|hundred k)",
    r"(?P<words>(?:two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|a hundred|one hundred|two hundred|three hundred|"
    r"five hundred)(?:[ -](?:five|fifty))?) (?P<wm2>thousand|grand|million|k)",
)
_YEAR = phrases(
    r"(?:a|per|each|every|/|an?) ?(?:year|yr|annum)",
    r"annual(?:ly)?",
    r"yearly",
    r"p\.?a\.?",
    r"/ ?y",
    r"arr",
    r"acv",
    r"per seat per year",
    r"for the year",
    r"annual budget",
)
_MONTH = phrases(
    r"(?:a|per|each|every|/) ?(?:month|mo|mth)",
    r"monthly",
    r"p\.?m\.?",
    r"/ ?m",
    r"mrr",
    r"month(?:ly)? recurring",
)
_QUARTER = phrases(r"(?:a|per|each|every|/) ?(?:quarter|qtr|q)", r"quarterly")
_ONE_TIME = phrases(
    r"one[- ]?(?:time|off)",
    r"once",
    r"up[- ]?front",
    r"single (?:payment|purchase)",
    r"lump sum",
    r"in total",
    r"total",
)
_PLANNED = phrases(
    r"plan(?:s|ned)?",
    r"planning(?! (?:session|meeting|call|cycle|process|phase|stage))",
    r"expect(?:s|ed|ing)?",
    r"hop(?:e|es|ed|ing)",
    r"request(?:s|ed|ing)?",
    r"asking for",
    r"ask(?:s|ed)? for",
    r"(?:will|\w+'ll) (?:get|have|be|allocate|set aside|put|free up|find|request|ask)",
    r"(?:going|about) to (?:get|have|allocate|set aside|request|ask)",
    r"should (?:have|get|be)",
    r"would (?:have|get|be)",
    r"could (?:get|have|find|free up)",
    r"might (?:have|get|be)",
    r"may (?:have|get|be)",
    r"pending(?: approval)?",
    r"(?:waiting|wait) (?:for|on) (?:approval|sign[- ]off|finance|the cfo|budget)",
    r"awaiting (?:approval|sign[- ]off)",
    r"needs? (?:approval|sign[- ]off|to be approved)",
    r"subject to approval",
    r"(?:not|isn't|is not|aren't|are not|hasn't been|has not been|wasn't|haven't) (?:yet )?"
    r"(?:been )?(?:approved|signed off|confirmed|final(?:ized|ised)?|allocated|released)",
    r"(?:being|getting|to be) (?:approved|finali[sz]ed|allocated|confirmed|signed off)",
    r"(?:is|are) in the works",
    r"in the works",
    r"putting (?:(?:the |some )?(?:budget|money|funds) )?aside",
    r"putting (?:(?:the |a |some )?(?:budget|money|funds) )?together",
    r"setting (?:(?:the |some )?(?:budget|money|funds) )?aside",
    r"(?:will|\w+'ll|going to|plan to|want to) (?:set|put) (?:\w+ )?aside",
    r"earmark(?:ing)?",
    r"next (?:fiscal )?year'?s budget",
    r"budget (?:for|in) next (?:fiscal )?year",
    r"next budget(?: cycle)?",
    r"(?:q[1-4]|fy\s*'?\d\d|20\d\d) budget",
    r"budget (?:for|in) (?:q[1-4]|fy\s*'?\d\d|20\d\d)",
    r"maybe",
    r"probably",
    r"possibly",
    r"likely",
    r"potentially",
    r"tentative(?:ly)?",
    r"estimated?",
    r"ballpark",
    r"budgeting",
    r"proposed",
    r"working on (?:it|budget|getting)",
    r"trying to (?:get|find|secure)",
    r"once (?:approved|the budget)",
    r"if approved",
)
_NONE = phrases(
    r"no (?:real |actual |allocated |dedicated |approved |set )?(?:budget|money|funds|funding|"
    r"cash)(?: (?:yet|at all|for (?:this|it|that)|right now|allocated|available|this year|left))*",
    r"(?:don't|do not|doesn't|does not|didn't|haven't|hasn't|have no|has no) (?:have |got )?"
    r"(?:any |a |the )?(?:budget|money|funds|funding)",
    r"zero budget",
    r"budget (?:is |was |got |has been )?(?:zero|0|nil|none|frozen|cut|slashed|pulled|gone|spent|"
    r"exhausted|used up)",
    r"budget freeze",
    r"frozen budget",
    r"nothing (?:allocated|budgeted|set aside|earmarked)",
    r"not (?:budgeted|allocated|funded)",
    r"no allocation",
    r"(?:can't|can not|cannot|couldn't) afford(?: it| this| that)?",
    r"unaffordable",
    r"out of budget",
    r"without (?:a )?budget",
    r"\$0",
    r"0 budget",
    r"unfunded",
    r"no spend",
    r"not (?:spending|going to spend|willing to spend|paying)",
    r"won't (?:spend|pay)",
    r"broke",
)
_CONFIRMED = phrases(
    r"approved",
    r"budget (?:is |was |has been )?(?:confirmed|approved|signed off|secured|allocated|"
    r"there|in place|available|set|locked|ready|agreed|ok|fine|sorted)",
    r"(?:confirmed|approved|secured|allocated|dedicated|set|signed[- ]off) budget",
    r"signed off",
    r"sign[- ]off (?:done|given|received)",
    r"(?:they|he|she|we) (?:have|has|got|do have|does have)(?: the| a| some| enough)? budget",
    r"(?:have|has|got) (?:the )?(?:budget|money|funds|funding)",
    r"budget(?:'s| is) (?:not an issue|no problem|fine|ok)",
    r"money is there",
    r"allocated",
    r"there(?:'s| is) (?:a |some |enough |the )?(?:budget|money|funding)",
    r"funds? (?:are |is )?(?:available|allocated|secured|approved)",
    r"funded",
    r"budgeted",
    r"green[- ]?lit",
)
_BUDGET_WORD = phrases(
    r"budget\w*", r"money", r"funds?", r"funding", r"spend", r"afford", r"price", r"cost"
)


def _number(text: str) -> float | None:
    amount = Price.fromstring(text).amount
    return float(amount) if amount is not None else None


def _currency(*marks: str | None) -> str | None:
    for mark in marks:
        if mark:
            key = mark.lower().rstrip(".")
            return _CURRENCY_WORDS.get(key) or (key.upper() if len(key) == 3 else None)
    return None


def _amount_of(match: re.Match[str], prefix: str, fallback_mult: str | None) -> float | None:
    number = _number(match.group(f"{prefix}num"))
    if number is None:
        return None
    mult = match.group(f"{prefix}mult") or fallback_mult
    return number * _MULTIPLIERS.get(mult or "", _MULTIPLIERS.get((mult or "").lower(), 1))


def _is_amount(match: re.Match[str], asked: bool, budget_words: bool) -> bool:
    """A number is an amount when it has a currency or a k/M suffix, or budget is the topic."""
    marks = [match.group(g) for g in ("acur1", "acur2", "amult", "bcur1", "bcur2", "bmult")]
    if any(marks):
        return True
    digits = re.sub(r"\D", "", match.group("anum"))
    if re.fullmatch(r"(?:19|20)\d\d", match.group("anum")):
        return False  # a year
    grouped = re.search(r"\d[,' ]\d{3}", match.group("anum")) is not None
    return (asked or budget_words or grouped) and len(digits) >= 3


# "anything over 10k needs the board": a signing threshold, not a budget
_THRESHOLD = re.compile(
    r"(?:anything|everything|purchases?|deals?|spend(?:ing)?|contracts?|things)\s+"
    r"(?:over|above|beyond|exceeding|more than|bigger than|larger than|north of)\s*$"
)
_UNIT_PRICE = re.compile(r"^\s*(?:/|per|a|each)\s*(?:seat|user|licen[cs]e|head|rep|person)\b")
_UNITS = re.compile(r"\b(\d+)\s*(?:seats|users|licen[cs]es|heads|reps|people)\b")


def find_amount(norm: str, *, asked: bool) -> tuple[float, str | None, re.Match[str]] | None:
    """The first amount in the text: (value, currency or None, match). Ranges → lower bound.

    A unit price with a count ("50 seats at $40 per seat") reads as the total.
    """
    budget_words = _BUDGET_WORD.search(norm) is not None
    for match in _AMOUNT.finditer(norm):
        if not _is_amount(match, asked, budget_words) or _THRESHOLD.search(norm[: match.start()]):
            continue
        mult_b = match.group("bmult")
        lower = _amount_of(match, "a", None if match.group("amult") else mult_b)
        if lower is None:
            continue
        if match.group("bnum") is not None and not match.group("amult") and mult_b:
            upper = _amount_of(match, "b", None)
            if upper is not None and lower > upper:  # "500-1M" reads 500k..1M? keep as said
                lower = _amount_of(match, "a", None) or lower
        currency = _currency(
            match.group("acur1"), match.group("acur2"), match.group("bcur1"), match.group("bcur2")
        )
        units = _UNITS.search(norm)
        if units and _UNIT_PRICE.match(norm[match.end() :]):
            lower *= int(units.group(1))
        return lower, currency, match
    for match in _WORD_AMOUNTS.finditer(norm):
        if match.group("half"):
            return 500_000.0, None, match
        mult = match.group("wm") or match.group("wm2")
        base = 1 if match.group("a") else _word_number(match.group("words"))
        factor = {"hundred thousand": 100_000, "hundred k": 100_000}.get(mult) or _MULTIPLIERS[mult]
        return float(base * factor), None, match
    return None


def _word_number(words: str) -> int:
    total = 0
    for part in re.split(r"[ -](?=five\b|fifty\b)", words):
        total += NUMBER_WORDS[part]
    return total


def _period(clause: str, after: str) -> tuple[str | None, int]:
    """Period of the amount (just after it, else in its clause); ×4 annualises quarters."""
    for scope in (after[:40], clause):
        if _QUARTER.search(scope):
            return "year", 4
        if _MONTH.search(scope):
            return "month", 1
        if _YEAR.search(scope):
            return "year", 1
        if _ONE_TIME.search(scope):
            return "one_time", 1
    return None, 1


def _value(
    status: str, amount: float | None = None, currency: str | None = None, period: str | None = None
) -> dict[str, Any]:
    return {"status": status, "amount": amount, "currency": currency, "period": period}


def _clause_of(text: Text, match: re.Match[str]) -> str:
    """The clause holding an amount (the whole text when clause cutting split it)."""
    said = match.group(0).strip()
    return next((c for c in text.clauses if said in c), text.norm)


def extract(text: Text, *, asked: bool, default_currency: str = "USD") -> dict[str, Any] | None:
    """The budget the text states, or None when it says nothing about it."""
    norm = text.norm
    none = _NONE.search(norm)
    found = find_amount(norm, asked=asked)
    if none is not None and (found is None or found[0] == 0):
        return _value("none")
    budget_clauses = [c for c in text.clauses if _BUDGET_WORD.search(c)]
    if found is not None:
        budget_clauses = clauses_for(text, "budget", asked=True)
        amount, currency, match = found
        clause = _clause_of(text, match)
        period, factor = _period(clause, norm[match.end() :])
        said = match.group(0).strip()
        if asked:  # the whole answer is about the budget
            budget_clauses = text.clauses
        scope = " ".join(c.replace(said, " ") for c in dict.fromkeys([clause, *budget_clauses]))
        status = "planned" if _PLANNED.search(scope) else "confirmed"
        return _value(status, round(amount * factor, 2), currency or default_currency, period)
    scope = " ".join(clauses_for(text, "budget", asked=asked))
    if UNKNOWN_CUES.search(scope) and (asked or budget_clauses):
        return _value("unknown")
    if _PLANNED.search(scope) and (asked or budget_clauses):
        return _value("planned")
    if _CONFIRMED.search(scope) and (asked or budget_clauses):
        return _value("confirmed")
    if asked:
        bare = leading_bare(text)
        if bare is not None:
            return _value({"yes": "confirmed"}.get(bare, bare))
    return None
