"""Timeline answers → `{"status", "date", "horizon_days"}` (decision deadline, resolved on now).

Own rules first (quarters, halves, fiscal years, early/mid/late month, ASAP, relative
durations, this/next week/month/year), then dateparser for the day-level dates it reads well
("March 15", "3/15", "next Friday").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from dateparser.date import DateDataParser

from dialogs.understanding import dates
from dialogs.understanding.dates import MONTHS
from dialogs.understanding.text import (
    NUMBER_WORD_RE,
    UNKNOWN_CUES,
    Text,
    leading_bare,
    mask,
    number_value,
    phrases,
)
from dialogs.understanding.topics import clause_topics, clauses_for

ASAP_DAYS = 14


@dataclass(frozen=True)
class _Ctx:
    today: dt.date
    now: dt.datetime
    fiscal_start: int  # first month of the fiscal year
    past: bool = False  # the answer speaks in the past ("they signed on Nov 2")


Resolver = Callable[[re.Match[str], _Ctx], dt.date | None]

_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?:,?\s*(?:of\s+)?'?(?P<year>20\d\d|\d\d)(?![\d%]|\s*(?:k|m|days?|weeks?)\b))"
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)day"
_NUM = rf"(?:\d+|{NUMBER_WORD_RE}|a couple(?: of)?|a few)"
_THE = r"(?:the\s+)?"
# "may", "mar", "jan" are words and names too: months only after a preposition or with a day
_AMBIGUOUS_MONTHS = frozenset({"may", "mar", "jan"})
_MONTH_PREPOSITION = re.compile(
    r"(?:by|before|in|until|till|til|through|around|for|during|from|after|of|end|early|mid|"
    r"late|next|this|the|start|beginning|approx|~|to|or|and|is|be|q\d|then|say)[\s,.-]*$"
)


def _year(match: re.Match[str], default: int) -> int:
    year = match.groupdict().get("year")
    if not year:
        return default
    return int(year) if len(year) == 4 else 2000 + int(year)


def _in_month(day: int | None) -> Callable[[int, int], dt.date]:
    def day_of(year: int, month: int) -> dt.date:
        end = dates.month_end(year, month)
        return end if day is None else end.replace(day=min(day, end.day))

    return day_of


def _named_month(match: re.Match[str], ctx: _Ctx, day: int | None = None) -> dt.date | None:
    name = match.group("month").rstrip(".")
    if name in _AMBIGUOUS_MONTHS and not match.group("year"):
        before = match.string[: match.start("month")]
        alone = not match.string.replace(match.group(0), "").strip(" .!?")
        if not alone and not _MONTH_PREPOSITION.search(before):
            return None
    month = MONTHS[name]
    default = dates.next_month_year(ctx.today, month)
    if ctx.past and month > ctx.today.month:
        default = ctx.today.year - 1
    elif ctx.past:
        default = ctx.today.year
    return _in_month(day)(_year(match, default), month)


_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}


def _quarter(match: re.Match[str], ctx: _Ctx) -> dt.date:
    word = match.group("q") or match.group("qword")
    number = _ORDINALS.get(word) or int(word[0])
    fiscal = bool(match.group("fiscal"))
    start = ctx.fiscal_start if fiscal else 1
    last_month = (start - 1 + 3 * number - 1) % 12 + 1
    if match.group("year"):
        year = _year(match, ctx.today.year)
        fy_end_month = (start - 2) % 12 + 1
        # fiscal year N ends in calendar year N: its quarters after the end month fall in N-1
        return dates.month_end(
            year - (1 if fiscal and last_month > fy_end_month else 0), last_month
        )
    if match.group("next"):
        return dates.month_end(ctx.today.year + 1, last_month)
    return dates.period_end(ctx.today, last_month)


def _half(match: re.Match[str], ctx: _Ctx) -> dt.date:
    which = match.group("h") or match.group("hw") or match.group("hn")
    half = 1 if which in ("1", "first", "1st") else 2
    if match.group("next"):
        return dates.month_end(ctx.today.year + 1, 6 * half)
    if match.group("this"):
        return dates.month_end(ctx.today.year, 6 * half)
    if match.group("year"):
        return dates.month_end(_year(match, ctx.today.year), 6 * half)
    return dates.period_end(ctx.today, 6 * half, months=6)


def _fiscal_year(match: re.Match[str], ctx: _Ctx) -> dt.date:
    end_month = (ctx.fiscal_start - 2) % 12 + 1
    if match.group("year"):
        return dates.month_end(_year(match, ctx.today.year), end_month)
    current = dates.current_period_end(ctx.today, 12, ctx.fiscal_start)
    return dates.add_years(current, 1) if match.group("next") else current


def _fixed(resolve: Callable[[dt.date], dt.date]) -> Resolver:
    return lambda _match, ctx: resolve(ctx.today)


def _part_of_month(match: re.Match[str], ctx: _Ctx) -> dt.date | None:
    part = match.group("part")
    day = 10 if part == "early" else 15 if part.startswith("mid") else None
    if part in ("beginning of", "start of", "first of", "beginning", "start"):
        day = 1
    if match.group("rel"):
        steps = 0 if match.group("rel") == "this" else 1
        return _in_month(day)(ctx.today.year, ctx.today.month + steps)
    return _named_month(match, ctx, day)


def _part_of_year(match: re.Match[str], ctx: _Ctx) -> dt.date:
    part = match.group("part")
    year = ctx.today.year + (1 if match.group("next") else 0)
    if match.group("year"):
        year = int(match.group("year"))
    month = {"early": 3, "beginning of": 3, "start of": 3, "mid": 6, "middle of": 6}.get(part, 12)
    return dates.month_end(year, month)


_SEASON_END = {"spring": 5, "summer": 8, "fall": 11, "autumn": 11, "winter": 2}


def _season(match: re.Match[str], ctx: _Ctx) -> dt.date:
    """Last day of the next such season not yet over (winter ends in February)."""
    last_month = _SEASON_END[match.group("season")]
    if match.group("year"):
        year = int(match.group("year")) + (1 if last_month == 2 else 0)
        return dates.month_end(year, last_month)
    end = dates.period_end(ctx.today, last_month, months=12)
    if match.group("rel") == "next" and (end - ctx.today).days < 92:
        end = dates.month_end(end.year + 1, last_month)  # "next summer" said in the summer
    return end


def _day_of_month(match: re.Match[str], ctx: _Ctx) -> dt.date:
    day = int(match.group("day"))
    this = dates.month_end(ctx.today.year, ctx.today.month)
    if ctx.today.day <= day <= this.day:
        return ctx.today.replace(day=day)
    nxt = dates.month_end(ctx.today.year, ctx.today.month + 1)
    return nxt.replace(day=min(day, nxt.day))


@lru_cache(maxsize=64)
def _date_parser(now: dt.datetime, past: bool = False) -> DateDataParser:
    return DateDataParser(
        languages=["en"],
        settings={
            "PREFER_DATES_FROM": "past" if past else "future",
            "RELATIVE_BASE": now.replace(tzinfo=None),
            "DATE_ORDER": "MDY",
            "PREFER_DAY_OF_MONTH": "last",
        },
    )


def _dateparser(match: re.Match[str], ctx: _Ctx) -> dt.date | None:
    found = _date_parser(ctx.now, ctx.past).get_date_data(match.group(0))
    return found.date_obj.date() if found.date_obj is not None else None


_PART = r"(?P<part>early|mid|middle of|late|end of|beginning of|start of|first of)"
_NEXT_THIS = r"(?:(?P<next>next)|(?P<this>this)|(?P<year>20\d\d))"
_BY = r"(?:(?:by|at|before|until|till|in|for|during|around|end of|eo)\s+)?"

# (pattern, resolver) in order, the more specific first; each match is masked out.
_RULES: list[tuple[re.Pattern[str], Resolver]] = [
    # quarters: Q1, 1Q, first quarter, fiscal Q3, Q1 2027, Q2'27, next Q1
    (
        phrases(
            rf"{_BY}{_THE}(?:(?P<next>next)\s+)?(?P<fiscal>fiscal|fy)?\s*"
            r"(?:q(?P<q>[1-4])|(?P<qword>[1-4]q|first|second|third|fourth|1st|2nd|3rd|4th)"
            r"(?:\s+fiscal)?\s+quarter)"
            r"(?:\s*(?:of\s+)?(?:fy|cy)?\s*'?(?P<year>20\d\d|\d\d)(?![\d%]|\s*k\b))?"
        ),
        _quarter,
    ),
    # halves: H1, 2H, first half (of next year)
    (
        phrases(
            r"(?:h(?P<h>1|2)|(?P<hw>1|2)h|(?:the\s+)?(?P<hn>first|second|1st|2nd)\s+half)"
            rf"(?:\s*(?:of\s+)?{_THE}{_NEXT_THIS}?(?:\s*year)?)?"
        ),
        _half,
    ),
    # fiscal years: next fiscal year, this FY, fiscal year end, FY27
    (
        phrases(
            r"(?:(?:by|before|until|end of)\s+)?(?:the\s+)?(?:(?P<next>next)|this|current|"
            r"end of(?: the| this)?)\s+(?:fiscal(?:\s+year)?|fy)(?:\s*-?\s*end)?",
            r"(?:(?:by|before|until)\s+)?(?:the\s+)?(?:fiscal\s+year|fy)[\s-]*end",
            r"fye",
            r"fy\s*'?(?P<year>20\d\d|\d\d)(?!\d)",
        ),
        _fiscal_year,
    ),
    # early / mid / late / end of a named month, or of this / next month
    (
        phrases(
            rf"(?:the\s+)?{_PART}[\s-]*(?:the\s+)?(?:(?P<rel>this|next)\s+month|"
            rf"(?:month\s+of\s+)?(?P<month>{_MONTH}){_YEAR}?)"
        ),
        _part_of_month,
    ),
    # early / mid / end of next year
    (
        phrases(
            r"(?:(?:by|before|until)\s+)?(?:the\s+)?(?P<part>early|mid|middle of|late|end of|"
            r"beginning of|start of)[\s-]*(?:the\s+)?(?:(?:(?P<next>next)|this)\s+(?:calendar\s+)?"
            r"year|(?P<year>20\d\d))(?=\W|$)"
        ),
        _part_of_year,
    ),
    # this / next week
    (
        phrases(
            r"(?:(?:by|before|until)\s+)?(?:the\s+)?(?:end of\s+)?(?:the\s+)?week after next",
        ),
        _fixed(lambda t: dates.week_end(t, 2)),
    ),
    (
        phrases(r"(?:(?:by|before|until)\s+)?(?:the\s+)?(?:end of\s+)?next week(?:end)?"),
        _fixed(lambda t: dates.week_end(t, 1)),
    ),
    (
        phrases(
            r"(?:(?:by|before|until)\s+)?(?:the\s+)?(?:end of\s+)?(?:this|the)\s+week(?:end)?",
            r"(?:later\s+)?this week",
            r"(?:by\s+)?(?:the\s+)?end of (?:the\s+)?week",
            r"eow",
        ),
        _fixed(lambda t: dates.week_end(t)),
    ),
    (phrases(r"last week"), _fixed(lambda t: dates.week_end(t, -1))),
    # this / next / last month, the month after next
    (
        phrases(r"(?:by\s+)?(?:the\s+)?(?:end of\s+)?the month after next"),
        _fixed(lambda t: dates.month_end(t.year, t.month + 2)),
    ),
    (
        phrases(r"(?:(?:by|before|until)\s+)?(?:the\s+)?(?:end of\s+)?next month(?:'s end)?"),
        _fixed(lambda t: dates.month_end(t.year, t.month + 1)),
    ),
    (
        phrases(
            r"(?:(?:by|before|until)\s+)?(?:the\s+)?(?:end of\s+)?(?:later\s+)?this month",
            r"(?:(?:by|before|until)\s+)?(?:the\s+)?(?:end of (?:the\s+)?|current\s+)month",
            r"(?:by\s+)?(?:the\s+)?month[\s-]end",
            r"eom",
        ),
        _fixed(lambda t: dates.month_end(t.year, t.month)),
    ),
    (phrases(r"last month"), _fixed(lambda t: dates.month_end(t.year, t.month - 1))),
    # this / next quarter
    (
        phrases(r"(?:(?:by|before|until)\s+)?(?:the\s+)?(?:end of\s+)?next quarter"),
        _fixed(lambda t: dates.month_end(t.year, dates.current_period_end(t, 3).month + 3)),
    ),
    (
        phrases(
            r"(?:(?:by|before|until)\s+)?(?:the\s+)?(?:end of\s+)?(?:this|the|current)\s+"
            r"quarter(?:[\s-]end)?",
            r"(?:(?:by|before|until)\s+)?(?:the\s+)?quarter[\s-]end",
            r"(?:later\s+)?this quarter",
            r"eoq",
        ),
        _fixed(lambda t: dates.current_period_end(t, 3)),
    ),
    # this / next year
    (
        phrases(
            r"(?:(?:by|before|until|in)\s+)?(?:the\s+)?(?:end of\s+)?(?:the\s+)?next "
            r"(?:calendar\s+)?year(?:'s end|[\s-]end)?",
        ),
        _fixed(lambda t: dt.date(t.year + 1, 12, 31)),
    ),
    (
        phrases(
            r"(?:(?:by|before|until)\s+)?(?:the\s+)?(?:end of\s+)?(?:the\s+)?(?:this|current)"
            r" (?:calendar\s+)?year(?:'s end|[\s-]end)?",
            r"(?:(?:by|before|until)\s+)?(?:the\s+)?end of (?:the\s+)?year",
            r"(?:(?:by|before|until)\s+)?(?:the\s+)?year[\s-]end",
            r"(?:later|sometime|some time) this year",
            r"eoy",
            r"(?:before|by) the (?:new year|holidays)",
        ),
        _fixed(lambda t: dt.date(t.year, 12, 31)),
    ),
    # a day in a named month, an ISO or US numeric date, a weekday: dateparser
    (
        phrases(
            rf"(?:{_WEEKDAY},?\s+)?{_MONTH}\s*(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?(?![\d%])"
            rf"(?:,?\s*20\d\d)?",
            rf"(?:{_WEEKDAY},?\s+)?(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}"
            rf"(?:,?\s*20\d\d)?",
            r"20\d\d-\d\d?-\d\d?",
            r"(?<![\d/$])(?:1[0-2]|0?[1-9])/(?:3[01]|[12]\d|0?[1-9])(?:/(?:20)?\d\d)?(?![\d/%k])",
            rf"(?:(?:next|this|coming|last|on|by)\s+)?{_WEEKDAY}",
            r"(?:the\s+)?day after tomorrow",
            r"tomorrow",
            r"today|tonight|eod|end of (?:the\s+)?day",
            rf"{_NUM}\s+(?:days?|weeks?|months?)\s+ago",
        ),
        _dateparser,
    ),
    (
        phrases(r"(?:by|on|before)\s+the\s+(?P<day>[1-9]|[12]\d|3[01])(?:st|nd|rd|th)"),
        _day_of_month,
    ),
    # a named month (with or without a year)
    (
        phrases(rf"(?:{_BY})?(?:the\s+)?(?:month\s+of\s+)?(?P<month>{_MONTH}){_YEAR}?"),
        _named_month,
    ),
    # seasons (meteorological, northern): spring ends May 31, summer Aug 31, fall Nov 30
    (
        phrases(
            r"(?:(?:by|before|until|in|for|during|around|over|end of)\s+)?(?:the\s+)?"
            r"(?:(?P<rel>next|this|coming)\s+)?(?P<season>spring|summer|fall|autumn|winter)"
            r"(?:\s+(?P<year>20\d\d))?"
        ),
        lambda m, ctx: _season(m, ctx),
    ),
    # Christmas
    (
        phrases(r"(?:(?:by|before|until|for|around|this side of)\s+)?(?:christmas|xmas)"),
        lambda m, ctx: dt.date(
            ctx.today.year + (ctx.today > dt.date(ctx.today.year, 12, 25)), 12, 25
        ),
    ),
    # a year: in 2027, by 2028
    (
        phrases(r"(?:(?:in|by|before|until|for|during)\s+)?(?P<year>20[2-9]\d)(?![\d%,.]|\s*k)"),
        lambda m, ctx: dt.date(int(m.group("year")), 12, 31),
    ),
    # relative durations: in 6 weeks, within 3 months, 90 days out, a couple of weeks
    (
        phrases(
            r"(?:in|within|inside|over|under|less than|at most|in about|in around|in roughly|"
            r"in approx\.?|around|about|roughly|approx\.?|maybe|say|like)\s+"
            r"(?:the\s+)?(?:next\s+)?(?:about\s+|around\s+|roughly\s+)?"
            rf"(?P<n>{_NUM})(?:\s*(?:-|to|or)\s*\w+)?[\s-]*"
            r"(?P<unit>day|business day|working day|week|month|year)s?",
            rf"(?:the\s+)?next\s+(?P<n2>{_NUM})(?:\s*(?:-|to|or)\s*\w+)?[\s-]*"
            r"(?P<unit2>day|week|month|year)s?",
            rf"(?P<n3>{_NUM})(?:\s*(?:-|to|or)\s*\w+)?[\s-]*(?P<unit3>day|week|month|year)s?"
            r"\s+(?:from now|from today|out|away|time|tops|max|or so)",
            r"(?:in|within) (?:a|one|the next) fortnight",
        ),
        lambda m, ctx: _relative_any(m, ctx),
    ),
]


def _relative_any(match: re.Match[str], ctx: _Ctx) -> dt.date:
    groups = match.groupdict()
    for n, unit in (("n", "unit"), ("n2", "unit2"), ("n3", "unit3")):
        if groups.get(n):
            return _relative_amount(groups[n], groups[unit], ctx)
    return ctx.today + dt.timedelta(days=14)  # a fortnight


def _relative_amount(n: str, unit: str, ctx: _Ctx) -> dt.date:
    amount = number_value(n)
    if unit == "day":
        return ctx.today + dt.timedelta(days=amount)
    if unit in ("business day", "working day"):
        return ctx.today + dt.timedelta(days=amount // 5 * 7 + amount % 5)
    if unit == "week":
        return ctx.today + dt.timedelta(weeks=amount)
    if unit == "month":
        return dates.add_months(ctx.today, amount)
    return dates.add_years(ctx.today, amount)


# Bare durations ("6 weeks", "a month") count only when the timeline was asked.
_BARE_DURATION = re.compile(
    rf"^(?:about\s+|around\s+|maybe\s+|roughly\s+|~\s*)?(?P<n>{_NUM})(?:\s*(?:-|to|or)\s*\w+)?"
    r"[\s-]*(?P<unit>day|week|month|year)s?$"
)
_ASAP = phrases(
    r"asap",
    r"a\.s\.a\.p\.?",
    r"as soon as (?:possible|they can|we can|humanly possible)",
    r"as fast as (?:possible|they can)",
    r"right away",
    r"straight away",
    r"immediate(?:ly)?",
    r"urgently",
    r"(?:need|needs|needed|want|wants|wanted|required|due)\s+(?:it|this|that|them|one|a \w+)?"
    r"\s*yesterday",
    r"like now",
    r"this minute",
    r"the sooner the better",
)
# Said in answer to "when?", these mean "as soon as possible" too.
_ASAP_ASKED = phrases(
    r"(?<!not )(?<!not right )(?:urgent|now|right now|soon|very soon|quickly|fast|today|"
    r"yesterday)"
)
_STRONG_NONE = phrases(
    r"not this year",
    r"not (?:any ?time|anytime) soon",
    r"no (?:real |set |firm |fixed |concrete |specific )?(?:timeline|time ?frame|deadline|"
    r"decision date)s?(?: (?:at all|yet|set|for now))?",
    r"maybe never",
    r"not planning(?: to (?:buy|decide|purchase|move|change|switch))?",
    r"no plans?(?: to (?:buy|decide|purchase|move|change|switch))?",
    r"not (?:buying|purchasing|looking to buy|in (?:the )?market)",
    r"(?:on|put on) (?:hold|ice)",
    r"shelved",
    r"indefinitely",
    r"no decision (?:planned|soon|in sight)",
)
_WEAK_NONE = phrases(
    r"whenever",
    r"not (?:right )?now",
    r"not (?:at the moment|currently|for now)",
    r"never",
    r"no (?:rush|hurry|urgency)",
    r"no (?:set )?date",
    r"nothing planned",
)
_UNKNOWN = phrases(
    r"depends(?: on \w+)?",
    r"up in the air",
    r"open[- ]ended",
    r"undecided",
    r"not (?:yet )?(?:set|decided|fixed|defined|determined|known|clear)",
    r"(?:hasn't|has not|haven't|have not) (?:been )?(?:set|decided|determined|said|shared)",
    r"no (?:clear|firm|fixed|set) (?:date|timeline|deadline)",
    r"(?:still )?(?:figuring|working) (?:it|that) out",
)
# The decision is told as done: dates resolve to the past occurrence.
_PAST = phrases(
    r"(?:they|he|she|we|it|deal|contract|decision)\s+(?:already\s+)?(?:decided|signed|closed|"
    r"chose|picked|bought|purchased|went live|was made|was signed|happened)",
    r"(?:decided|signed|closed|happened) (?:on|in|last)",
)
# Date words that belong to a budget ("next year's budget"), not to the decision.
_BUDGET_PERIOD = phrases(
    r"(?:next|this|current)(?: fiscal)? year'?s budget",
    r"budget (?:for|in|of) (?:the )?(?:next|this|current)(?: fiscal)? year",
    r"(?:q[1-4]|fy\s*'?\d\d|20\d\d) budget",
    r"budget (?:for|in) (?:q[1-4]|fy\s*'?\d\d|20\d\d)",
)


def _value(
    status: str, date: dt.date | None = None, today: dt.date | None = None
) -> dict[str, Any]:
    horizon = (date - today).days if date is not None and today is not None else None
    return {"status": status, "date": date, "horizon_days": horizon}


def _find_dates(norm: str, ctx: _Ctx) -> list[tuple[int, dt.date]]:
    found: list[tuple[int, dt.date]] = []
    for pattern, resolve in _RULES:
        for match in pattern.finditer(norm):
            try:
                day = resolve(match, ctx)
            except (ValueError, KeyError, OverflowError):
                day = None
            if day is not None:
                found.append((match.start(), day))
                norm = mask(norm, match)
    return sorted(found)


def extract(
    text: Text, now: dt.datetime, *, asked: bool, fiscal_year_start_month: int = 1
) -> dict[str, Any] | None:
    """The timeline the text states, or None when it says nothing about it."""
    norm = text.norm
    ctx = _Ctx(now.date(), now, fiscal_year_start_month, _PAST.search(norm) is not None)
    for match in _BUDGET_PERIOD.finditer(norm):
        norm = mask(norm, match)
    if not asked:  # "budget season starts in Q1": a date about the budget, not the decision
        for clause in text.clauses:
            if clause_topics(clause) & {"budget", "timeline"} == {"budget"}:
                norm = norm.replace(clause, " " * len(clause))
    if _STRONG_NONE.search(norm):
        return _value("none")
    asap = ctx.today + dt.timedelta(days=ASAP_DAYS)
    if _ASAP.search(norm):
        return _value("known", asap, ctx.today)
    found = _find_dates(norm, ctx)
    duration = _BARE_DURATION.match(norm.strip(" .!")) if asked and not found else None
    if duration:
        found = [(0, _relative_amount(duration.group("n"), duration.group("unit"), ctx))]
    if found:
        upcoming = [day for _pos, day in found if day >= ctx.today and not ctx.past]
        return _value("known", upcoming[0] if upcoming else found[0][1], ctx.today)
    if asked and _ASAP_ASKED.search(norm):
        return _value("known", asap, ctx.today)
    clauses = clauses_for(text, "timeline", asked=asked)
    if any(_WEAK_NONE.search(c) for c in clauses):
        return _value("none")
    if (asked and _UNKNOWN.search(norm)) or any(
        _UNKNOWN.search(c) or UNKNOWN_CUES.search(c) for c in clauses
    ):
        return _value("unknown")
    if asked:
        bare = leading_bare(text)
        if bare in ("none", "unknown"):
            return _value(bare)
    return None


def warm_up() -> None:
    """Load dateparser's English data now (≈0.3 s) rather than on the first answer."""
    _date_parser(dt.datetime(2026, 1, 1, 12)).get_date_data("March 15")


warm_up()
