"""Realistic, seeded synthetic leads with their behavioural events and qualification answers.

`iter_leads` streams one `LeadBundle` at a time (a million leads never sit in memory);
`generate` collects them into `DemoData`. The same `n_leads`, `seed` and `now` always give
the same data, and the first bundles are the hand-written story leads (`STORY_LEADS`), the
first of which (`STORY_LEAD_EMAIL`) is the lead the console demo qualifies.

Faker is slow, so it only fills name pools once per seed; every lead is then combined from
the pools with a seeded `random.Random`.
"""

from __future__ import annotations

import calendar
import csv
import json
import random
import re
import unicodedata
from bisect import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate, repeat
from math import gcd
from typing import IO, Any

from faker import Faker

from bot.storage.leads_repo import IMPORT_FIELDS
from scoring.values import validate_value

__all__ = [
    "FREE_MAIL",
    "LEADS_CSV_HEADER",
    "LEAD_FIELDS",
    "REPS",
    "STORY_LEADS",
    "STORY_LEAD_EMAIL",
    "DemoData",
    "LeadBundle",
    "Rep",
    "generate",
    "iter_leads",
    "segment_track",
    "write_events_jsonl",
    "write_leads_csv",
]

# ---------------------------------------------------------------- public records


@dataclass(frozen=True, slots=True)
class Rep:
    """A sales rep of the demo workspace."""

    id: str
    name: str
    email: str


REPS: tuple[Rep, ...] = tuple(
    Rep(f"U0REP{i:04d}", name, f"{name.lower().replace(' ', '.')}@qualibot-demo.com")
    for i, name in enumerate(
        (
            "Alex Rivera",
            "Jordan Blake",
            "Sam Okafor",
            "Mia Lindqvist",
            "Chris Tanaka",
            "Nora Fischer",
            "Luis Herrera",
            "Emma Walsh",
        ),
        start=1,
    )
)
"""The demo reps; lead owners and answer authors are their ids."""


LEAD_FIELDS = IMPORT_FIELDS
"""Keys of every lead dict, in this order."""


@dataclass(slots=True)
class LeadBundle:
    """One lead with its events (oldest first) and its answers.

    `lead` has the keys email, domain, company, name, title, industry, company_size,
    country, product, owner, stage. Each event has message_id, event (Segment name),
    type (normalized), properties and timestamp (aware UTC); each answer has slot, value
    (the scoring.values contract), raw_text, framework, answered_by, answered_at, source.
    """

    lead: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class DemoData:
    """All bundles of one `generate` call."""

    seed: int
    now: datetime
    bundles: list[LeadBundle]
    reps: tuple[Rep, ...] = REPS

    @property
    def leads(self) -> list[dict[str, Any]]:
        """The lead dicts, in generation order."""
        return [bundle.lead for bundle in self.bundles]

    @property
    def event_count(self) -> int:
        """Number of events over all leads."""
        return sum(len(bundle.events) for bundle in self.bundles)


# ---------------------------------------------------------------- reference tables

FREE_MAIL = ("gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "gmx.de")
_FREE_MAIL_WEIGHTS = (55, 10, 10, 12, 8, 5)
_STUDENT = (
    ("Northfield State University", "northfield.edu"),
    ("Kingsbridge College", "kingsbridge.ac.uk"),
    ("Eastvale University", "eastvale.edu.au"),
    ("Campus Mail", "campus.student.com"),
)
_COMPETITORS = (
    ("Leadscorely", "leadscorely.com"),
    ("QualifyHQ", "qualifyhq.io"),
    ("Pipewise", "pipewise.ai"),
)

# (code, weight, Faker locale, email TLD, currency)
_COUNTRIES = (
    ("US", 34, "en_US", "com", "USD"),
    ("GB", 10, "en_GB", "co.uk", "GBP"),
    ("DE", 10, "de_DE", "de", "EUR"),
    ("CA", 6, "en_US", "ca", "USD"),
    ("FR", 6, "fr_FR", "fr", "EUR"),
    ("NL", 5, "nl_NL", "nl", "EUR"),
    ("AU", 4, "en_US", "com.au", "USD"),
    ("IN", 4, "en_IN", "in", "USD"),
    ("SE", 3, "sv_SE", "se", "EUR"),
    ("ES", 3, "es_ES", "es", "EUR"),
    ("IT", 3, "it_IT", "it", "EUR"),
    ("BR", 3, "pt_BR", "com.br", "USD"),
    ("IE", 2, "en_IE", "ie", "EUR"),
    ("PL", 2, "pl_PL", "pl", "EUR"),
    ("CH", 2, "de_CH", "ch", "EUR"),
    ("DK", 1, "da_DK", "dk", "EUR"),
    ("AT", 1, "de_AT", "at", "EUR"),
    ("SG", 1, "en_US", "sg", "USD"),
)
_LOCALES = tuple(dict.fromkeys(row[2] for row in _COUNTRIES))
_LEGAL = {"US": "Inc.", "GB": "Ltd", "DE": "GmbH", "FR": "SAS", "NL": "B.V.", "SE": "AB"}

# industry → (weight, company name suffixes)
_INDUSTRIES = {
    "Software": (16, ("Software", "Labs", "Technologies", "Systems", "Analytics", "AI")),
    "SaaS": (10, ("Cloud", "HQ", "App", "Data", "Analytics")),
    "Financial Services": (8, ("Capital", "Financial", "Partners", "Bank", "Wealth")),
    "Fintech": (5, ("Pay", "Finance", "Ledger", "Money")),
    "Healthcare": (8, ("Health", "Medical", "Care", "Clinics", "Bio")),
    "Manufacturing": (9, ("Manufacturing", "Industries", "Components", "Machinery")),
    "Retail": (7, ("Retail", "Stores", "Goods", "Outfitters", "Market")),
    "Media": (4, ("Media", "Studios", "Publishing", "Digital")),
    "Education": (4, ("Learning", "Academy", "Education")),
    "Government": (2, ("Public Services", "Agency", "Council")),
    "Logistics": (6, ("Logistics", "Freight", "Shipping", "Transport")),
    "Energy": (3, ("Energy", "Power", "Renewables")),
    "Telecommunications": (3, ("Telecom", "Networks", "Communications")),
    "Consulting": (6, ("Consulting", "Advisors", "Group")),
    "Insurance": (3, ("Insurance", "Assurance", "Mutual")),
    "Real Estate": (2, ("Properties", "Realty", "Estates")),
    "Hospitality": (2, ("Hotels", "Hospitality", "Resorts")),
    "Non-profit": (2, ("Foundation", "Trust", "Alliance")),
}


def _split(text: str) -> tuple[str, ...]:
    """Items of a "|"-separated table cell, stripped."""
    return tuple(item.strip() for item in text.split("|"))


_PREFIXES = _split(
    "North|South|East|West|Blue|Red|Green|Silver|Golden|Iron|Stone|Bright|Clear|Swift|True|"
    "High|Deep|Far|Star|Sun|Moon|Cloud|Sky|River|Lake|Ocean|Harbor|Pine|Cedar|Oak|Maple|"
    "Birch|Aspen|Summit|Peak|Alpine|Arc|Apex|Nova|Terra|Helix|Vertex|Quantum|Pixel|Signal|"
    "Beacon|Lumen|Vector|Orbit|Atlas|Zenith|Crest|Ember|Falcon|Fox|Wolf|Lynx|Otter|Raven|Hawk"
)
_STEMS = (
    _split(
        "wind|field|stone|bridge|gate|light|wave|point|path|line|works|forge|spark|leaf|ridge|"
        "brook|view|mark|scale|stack|loop|core|grid|shift|rock|water|well|port|haven|ford"
    )
    + ("",) * 6
)

# (weight, titles): C-level, VP, director, manager, individual contributor, intern/junior
_TITLES = (
    (6, _split("CEO|CFO|CTO|COO|CIO|Chief Revenue Officer|Founder|Co-Founder")),
    (
        10,
        _split(
            "VP Sales|VP Operations|VP Engineering|VP Marketing|Head of RevOps|"
            "Head of Sales|SVP Customer Success|Vice President of Finance"
        ),
    ),
    (
        14,
        _split(
            "Director of Sales|Marketing Director|Director of Operations|IT Director|"
            "Director of Revenue Operations|Engineering Director"
        ),
    ),
    (
        25,
        _split(
            "Sales Manager|Product Manager|Marketing Manager|RevOps Manager|Team Lead|"
            "Customer Success Manager|Operations Manager"
        ),
    ),
    (
        38,
        _split(
            "Account Executive|Software Engineer|Data Analyst|Marketing Specialist|"
            "Sales Development Representative|Business Analyst|Solutions Consultant|"
            "Operations Analyst"
        ),
    ),
    (5, _split("Marketing Intern|Sales Intern|Junior Analyst|Sales Assistant|Working Student")),
)
_C_LEVEL = frozenset(_TITLES[0][1])
_STUDENT_TITLES = ("Student", "Graduate Student", "Research Assistant")
# (weight, lowest, highest) employees
_SIZE_BANDS = (
    (12, 1, 10),
    (22, 11, 50),
    (26, 51, 200),
    (20, 201, 1000),
    (12, 1001, 5000),
    (8, 5001, 50000),
)
_STAGES_NEW = (("new", "working", "nurture", "unqualified"), (60, 15, 20, 5))
_STAGES_ANSWERED = (("working", "qualified", "nurture", "unqualified"), (50, 20, 15, 15))

_SITE = "https://qualibot.example"
_PAGE_PATHS = (
    _split(
        "/|/product|/features|/integrations|/customers|/about|/security|/careers|"
        "/integrations/salesforce|/integrations/hubspot"
    )
    + tuple(
        f"/blog/{slug}"
        for slug in _split(
            "lead-scoring-101|bant-vs-champ|slack-sales-alerts|revops-metrics|qualify-faster|"
            "intent-signals|pipeline-hygiene|sales-handoffs|scoring-decay|forecasting-basics|"
            "inbound-routing|demo-no-shows"
        )
    )
    + tuple(
        f"/docs/{slug}"
        for slug in _split(
            "getting-started|config|scoring-rules|events-api|slack-setup|import-leads|alerts|"
            "digests|self-hosting|postgres"
        )
    )
)
_PRICING_PATHS = ("/pricing", "/pricing", "/pricing", "/pricing/enterprise", "/pricing/compare")
_ASSETS = tuple(
    (f"asset-{i:03d}", title)
    for i, title in enumerate(
        _split(
            "Lead Scoring Playbook|BANT Question Bank|RevOps Benchmark 2026|"
            "Slack for Sales Guide|Buyer Intent Checklist|Pipeline Review Template|"
            "CHAMP Cheat Sheet|Sales Handoff Kit|Qualification ROI Calculator|"
            "Hot Lead Routing Whitepaper|Forecast Accuracy Report|Demo Prep Checklist"
        ),
        start=1,
    )
)
_WEBINARS = tuple(
    (f"webinar-{i:02d}", title)
    for i, title in enumerate(
        _split(
            "Scoring Leads Without Guesswork|From MQL to SQL in Slack|RevOps Office Hours|"
            "Qualibot Product Tour|Decay, Caps and Fair Scores|Building a Hot-Lead Desk"
        ),
        start=1,
    )
)
_VIDEOS = _split(
    "product-tour|slack-alerts-demo|scoring-explained|setup-in-5-minutes|customer-story-helix"
)
_CAMPAIGNS = _split(
    "nurture-week-1|nurture-week-2|product-update|webinar-invite|newsletter|case-study|"
    "pricing-followup|event-recap"
)
_FORMS = ("newsletter", "contact-us", "trial-signup", "ebook-gate")


# ---------------------------------------------------------------- helpers

_TRANSLIT = str.maketrans(
    {"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "þ": "th", "ı": "i"}
)


def _slug(text: str, sep: str = "") -> str:
    ascii_text = unicodedata.normalize("NFKD", text.lower().translate(_TRANSLIT))
    ascii_text = ascii_text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", sep, ascii_text).strip(sep)


@lru_cache(maxsize=256)
def _cumulative(weights: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(accumulate(weights))


def _weighted(rng: random.Random, items: tuple[Any, ...], weights: tuple[float, ...]) -> Any:
    cumulative = _cumulative(weights)
    return items[bisect(cumulative, rng.random() * cumulative[-1])]


def _money(amount: float, currency: str) -> str:
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency, "")
    text = f"{amount / 1000:g}k" if amount >= 1000 else f"{amount:g}"
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def _month_end(day: date, months_ahead: int) -> date:
    month_index = day.month - 1 + months_ahead
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, calendar.monthrange(year, month)[1])


_VALID: dict[tuple[Any, ...], dict[str, Any]] = {}
_VALID_LIMIT = 50_000
_SOMEONE = "someone"


def _checked(slot: str, value: dict[str, Any]) -> dict[str, Any]:
    """`validate_value`, memoized: the demo repeats the same values very often.

    An authority's `person` (any text is valid) is validated as a placeholder so that one
    validation serves every person.
    """
    person = value.get("person") if slot == "authority" else None
    if person is not None:
        value = {**value, "person": _SOMEONE}
    elif isinstance(value.get("pains"), list):
        value = {**value, "pains": tuple(value["pains"])}
    key = (slot, *value.items())
    valid = _VALID.get(key)
    if valid is None:
        if len(_VALID) >= _VALID_LIMIT:
            _VALID.clear()
        valid = _VALID[key] = validate_value(slot, value)
    copy = dict(valid)
    if person is not None:
        copy["person"] = person
    elif slot == "need":
        copy["pains"] = list(copy["pains"])
    return copy


# ---------------------------------------------------------------- pools (Faker, once per seed)


@dataclass(frozen=True, slots=True)
class _People:
    first: tuple[tuple[str, str], ...]  # (display, email slug)
    last: tuple[tuple[str, str], ...]
    step: int  # coprime with len(first) * len(last): walks all name pairs without repeats


def _unique_by_slug(names: Iterable[str], sep: str) -> tuple[tuple[str, str], ...]:
    by_slug: dict[str, str] = {}
    for name in names:
        slug = _slug(name, sep)
        if slug and slug not in by_slug:
            by_slug[slug] = name
    return tuple((name, slug) for slug, name in by_slug.items())


@lru_cache(maxsize=4)
def _pools(seed: int) -> dict[str, _People]:
    pools: dict[str, _People] = {}
    for locale in _LOCALES:
        fake = Faker(locale)
        fake.seed_instance(seed)
        first = _unique_by_slug((fake.first_name() for _ in range(260)), "-")
        last = _unique_by_slug((fake.last_name() for _ in range(300)), "")
        pairs = len(first) * len(last)
        step = 7919
        while gcd(step, pairs) != 1:
            step += 2
        pools[locale] = _People(first, last, step)
    return pools


@dataclass(slots=True, eq=False)
class _Company:
    """A generated company; `staff` counts the people created there so far."""

    name: str
    domain: str
    industry: str
    size: int | None
    country: str
    currency: str
    owner: str | None
    pattern: str  # email local part: first.last, first_last, last.first, first.last+n
    people: _People
    start: int  # first name pair of the walk through `people`
    capacity: int  # distinct name pairs available
    staff: int = 0


# ---------------------------------------------------------------- events


_Variant = tuple[str, str, dict[str, Any]]  # Segment name, normalized type, properties


def _even(variants: list[_Variant]) -> list[tuple[float, _Variant]]:
    return [(1 / len(variants), variant) for variant in variants]


def _kinds() -> dict[str, list[tuple[float, _Variant]]]:
    """Every event variant the demo emits, by kind, with its share within the kind."""
    page, opened = ("Page Viewed", "page_viewed"), ("Email Opened", "email_opened")
    clicked = ("Email Clicked", "email_clicked")
    return {
        "page": _even([(*page, {"path": path}) for path in _PAGE_PATHS]),
        "pricing": _even([(*page, {"path": path}) for path in _PRICING_PATHS]),
        "email_opened": _even([(*opened, {"campaign_id": c}) for c in _CAMPAIGNS]),
        "email_clicked": _even(
            [(*clicked, {"campaign_id": c, "url": f"{_SITE}/{c}"}) for c in _CAMPAIGNS]
        ),
        "content": _even(
            [
                ("Content Downloaded", "content_downloaded", {"asset_id": a, "title": t})
                for a, t in _ASSETS
            ]
        ),
        "webinar": _even(
            [
                (
                    "Webinar Attended",
                    "webinar_attended",
                    {"webinar_id": w, "title": t, "minutes_attended": minutes},
                )
                for w, t in _WEBINARS
                for minutes in range(10, 61, 5)
            ]
        ),
        "video": _even(
            [
                ("Video Watched", "video_watched", {"video_id": v, "percent_watched": p})
                for v in _VIDEOS
                for p in range(5, 101)
            ]
        ),
        "form": _even([("Form Submitted", "form_submitted", {"form_id": f}) for f in _FORMS]),
        "demo": _even(
            [("Demo Requested", "demo_requested", {"form_id": "demo", "source": "website"})]
        ),
        "unsubscribed": _even(
            [("Unsubscribed", "unsubscribed", {"campaign_id": c}) for c in _CAMPAIGNS]
        ),
        "bounced": [
            (0.6, ("Email Bounced", "email_bounced", {"bounce_type": "hard"})),
            (0.4, ("Email Bounced", "email_bounced", {"bounce_type": "soft"})),
        ],
    }


_KIND_VARIANTS = _kinds()
_KIND_NAMES = tuple(_KIND_VARIANTS)

# name: (share of leads, mean events, last active days ago (lo, hi), activity span days
# (lo, hi), weights of the kinds in _KIND_NAMES order)
_PROFILES = {
    "cold": (0.30, 6.0, (30, 110), (5, 40), (30, 1, 45, 6, 3, 0.5, 3, 1, 0.05, 0.8, 0.6)),
    "warm": (0.50, 22.0, (0, 25), (20, 90), (45, 5, 25, 8, 5, 2, 7, 2, 0.3, 0.3, 0.15)),
    "hot": (0.20, 36.0, (0, 4), (7, 60), (38, 14, 15, 9, 7, 4, 9, 3, 1.5, 0.05, 0.05)),
}
_TABLE_BITS = 16
_TABLE_SIZE = 1 << _TABLE_BITS
_PROFILE_NAMES = tuple(_PROFILES)
_PROFILE_SHARES = tuple(profile[0] for profile in _PROFILES.values())


@dataclass(frozen=True, slots=True)
class _Profile:
    """How much and what a lead of one engagement profile does."""

    mean_events: float
    active_days: tuple[float, float]
    span_days: tuple[float, float]
    table: tuple[_Variant, ...]  # 2**16 slots, each variant in proportion to its weight

    @classmethod
    def build(cls, name: str) -> _Profile:
        _, mean, active, span, kind_weights = _PROFILES[name]
        variants: list[_Variant] = []
        weights: list[float] = []
        for kind, weight in zip(_KIND_NAMES, kind_weights, strict=True):
            for share, variant in _KIND_VARIANTS[kind]:
                variants.append(variant)
                weights.append(weight * share)
        cumulative = tuple(accumulate(weights))
        step = cumulative[-1] / _TABLE_SIZE
        table = tuple(variants[bisect(cumulative, (i + 0.5) * step)] for i in range(_TABLE_SIZE))
        return cls(mean, active, span, table)


# ---------------------------------------------------------------- answers

_PAINS = (
    "manual reporting takes days",
    "leads fall through the cracks",
    "no visibility into pipeline",
    "reps waste time on bad leads",
    "CRM data is a mess",
    "slow handoff from marketing to sales",
    "inbound demo requests wait too long",
    "forecasts are guesswork",
)
_NEED_PHRASES = {
    "critical": ("Critical", "It's urgent", "Hair on fire"),
    "high": ("Big pain", "Real problem for them", "High need"),
    "moderate": ("Some pain", "Moderate need", "It matters, not burning"),
    "low": ("Minor annoyance", "Low need"),
}
_PRIORITY_TEXT = {
    "top": ("Top priority this quarter", "Number one on their list"),
    "high": ("High on their list", "One of their top three projects"),
    "medium": ("On the list, behind the ERP migration", "Medium priority"),
    "low": ("Nice to have, low priority", "Low on the list"),
    "none": ("Not a priority at all", "Not on their roadmap"),
    None: ("Couldn't tell how it ranks", "No idea how they rank it"),
}
_FRAMEWORK_SLOTS = {
    "bant": ("budget", "authority", "need", "timeline"),
    "champ": ("need", "authority", "budget", "priority"),
}
_AMOUNTS = (12_000, 18_000, 25_000, 40_000, 60_000, 80_000, 120_000, 250_000, 500_000)


class _Answers:
    """Plausible rep answers; `quality` 0 (poor) … 2 (strong) skews the values."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.random = rng.random

    def pick(self, items: tuple[Any, ...]) -> Any:
        return items[int(self.random() * len(items))]

    def budget(self, quality: int, size: int | None, currency: str) -> tuple[dict, str]:
        rng = self.rng
        status = _weighted(
            rng,
            ("confirmed", "planned", "none", "unknown"),
            ((10, 30, 60)[quality], 30, (35, 10, 2)[quality], 25),
        )
        if status in ("none", "unknown"):
            text = {
                "none": ("No budget this year", "They have no budget for it"),
                "unknown": ("Didn't get to budget", "Not sure about budget yet"),
            }[status]
            return {"status": status}, self.pick(text)
        top = 2 + min(len(_AMOUNTS) - 2, ((size or 50).bit_length() * 2) // 3)
        amount = float(_AMOUNTS[int(rng.random() * top)])
        monthly = rng.random() < 0.2
        if monthly:
            amount = float(round(amount / 12, -2))
        money = _money(amount, currency)
        period = "month" if monthly else "year"
        if status == "confirmed":
            text = self.pick(
                (
                    f"CFO signs off, about {money} a {period}",
                    f"Budget approved, {money} per {period}",
                    f"They have {money} a {period} set aside",
                )
            )
        else:
            text = self.pick(
                (
                    f"Planning about {money} a {period} next quarter",
                    f"Budget planned, roughly {money} a {period}",
                )
            )
        value = {"status": status, "amount": amount, "currency": currency, "period": period}
        return value, text

    def authority(self, quality: int, lead: dict[str, Any]) -> tuple[dict, str]:
        rng = self.rng
        role = _weighted(
            rng,
            ("decision_maker", "champion", "influencer", "user", "unknown"),
            ((10, 35, 55)[quality], 25, 25, (20, 5, 2)[quality], 15),
        )
        name, title = lead["name"], lead["title"]
        first = name.split()[0] if name else "They"
        if role == "decision_maker" and title in _C_LEVEL:
            return (
                {"role": role, "person": name, "title": title},
                f"{first} is the {title}, signs off personally",
            )
        if role == "decision_maker":
            boss = self.pick(("CFO", "CEO", "COO", "VP Sales"))
            return {"role": role, "title": boss}, f"Talked to the {boss} too, {boss} signs off"
        if role == "champion":
            return (
                {"role": role, "person": name, "title": title},
                f"{first} is pushing hard for it internally",
            )
        if role == "influencer":
            boss = self.pick(("CFO", "CTO", "VP Operations"))
            return (
                {"role": role, "person": name, "title": title},
                f"{first} influences it but the {boss} decides",
            )
        if role == "user":
            return {"role": role, "person": name, "title": title}, "Just an end user"
        return {"role": role}, self.pick(("Not clear who signs", "No idea who decides yet"))

    def need(self, quality: int) -> tuple[dict, str]:
        rng = self.rng
        level = _weighted(
            rng,
            ("critical", "high", "moderate", "low", "none", None),
            (
                (5, 20, 40)[quality],
                (15, 35, 35)[quality],
                25,
                (25, 8, 3)[quality],
                (15, 2, 0)[quality],
                8,
            ),
        )
        if level is None:
            return {"level": None}, "Hard to say how much they need it"
        if level == "none":
            return {"level": "none"}, "They don't really need it"
        first = int(rng.random() * len(_PAINS))
        pains: tuple[str, ...] = (_PAINS[first],)
        if rng.random() < 0.4:
            pains += (_PAINS[(first + 1 + int(rng.random() * (len(_PAINS) - 1))) % len(_PAINS)],)
        phrase = self.pick(_NEED_PHRASES[level])
        return {"level": level, "pains": pains}, f"{phrase}: {' and '.join(pains)}"

    def timeline(self, quality: int, answered: date) -> tuple[dict, str]:
        rng = self.rng
        status = _weighted(
            rng, ("known", "unknown", "none"), ((45, 75, 90)[quality], 35, (20, 5, 2)[quality])
        )
        if status == "none":
            return {"status": "none"}, "No plans to decide this year"
        if status == "unknown":
            return {"status": "unknown"}, self.pick(("No timeline yet", "Not sure when"))
        style = rng.random()
        if style < 0.35:
            weeks = self.pick((2, 4, 6, 8))
            when, text = answered + timedelta(weeks=weeks), f"Deciding in the next {weeks} weeks"
        elif style < 0.75:
            when = _month_end(answered, self.pick((1, 2, 3, 5, 8)) - (quality == 2))
            text = f"Want to sign by end of {when:%B}"
        else:
            quarter_end = _month_end(answered, (2 - (answered.month - 1) % 3) + 3)
            when = quarter_end
            text = f"Decision by end of Q{(when.month - 1) // 3 + 1}"
        horizon = (when - answered).days
        return {"status": "known", "date": when.isoformat(), "horizon_days": horizon}, text

    def priority(self, quality: int) -> tuple[dict, str]:
        rng = self.rng
        level = _weighted(
            rng,
            ("top", "high", "medium", "low", "none", None),
            (
                (3, 15, 40)[quality],
                (15, 35, 35)[quality],
                30,
                (25, 8, 3)[quality],
                (17, 2, 0)[quality],
                8,
            ),
        )
        return {"level": level}, self.pick(_PRIORITY_TEXT[level])


# ---------------------------------------------------------------- the generator


class _Generator:
    """Holds the pools and the running state (companies, counters) of one stream."""

    MAX_COMPANIES = 60_000

    def __init__(self, seed: int, now: datetime) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.people = _pools(seed)
        self.companies: list[_Company] = []
        self.domains: set[str] = {d for _, d in _STUDENT + _COMPETITORS} | set(FREE_MAIL)
        self.domains |= {_domain_of(email) for email in STORY_LEADS} | {"qualibot-demo.com"}
        self.shared_counter = 0
        self.stamps = [now - timedelta(minutes=m * _TICK) for m in range(_HISTORY_TICKS)]
        self.profiles = {name: _Profile.build(name) for name in _PROFILES}
        self.answers = _Answers(self.rng)
        self.country_weights = tuple(accumulate(row[1] for row in _COUNTRIES))
        self.industries = tuple(_INDUSTRIES)
        self.industry_weights = tuple(accumulate(w for w, _ in _INDUSTRIES.values()))
        self.title_weights = tuple(accumulate(w for w, _ in _TITLES))
        self.size_weights = tuple(accumulate(w for w, _, _ in _SIZE_BANDS))
        self.special = [self._special_company(n, d, "Education") for n, d in _STUDENT]
        self.rivals = [self._special_company(n, d, "Software") for n, d in _COMPETITORS]

    # -- companies

    def _special_company(self, name: str, domain: str, industry: str) -> _Company:
        people = self.people["en_US"]
        return _Company(
            name=name,
            domain=domain,
            industry=industry,
            size=None,
            country="US",
            currency="USD",
            owner=None,
            pattern="first.last+n",
            people=people,
            start=self.rng.randrange(len(people.first) * len(people.last)),
            capacity=10**12,
        )

    def _company_name(self, industry: str, locale: str) -> tuple[str, str]:
        rng = self.rng
        suffix = rng.choice(_INDUSTRIES[industry][1])
        if rng.random() < 0.3:
            base = rng.choice(self.people[locale].last)[0]
            if rng.random() < 0.3:
                base = f"{base} & {rng.choice(self.people[locale].last)[0]}"
        else:
            base = rng.choice(_PREFIXES) + rng.choice(_STEMS)
        return base, suffix

    def _new_company(self) -> _Company:
        rng = self.rng
        country, _, locale, tld, currency = rng.choices(
            _COUNTRIES, cum_weights=self.country_weights
        )[0]
        industry = rng.choices(self.industries, cum_weights=self.industry_weights)[0]
        _, low, high = rng.choices(_SIZE_BANDS, cum_weights=self.size_weights)[0]
        size = int(low * (high / low) ** rng.random())
        while True:
            base, suffix = self._company_name(industry, locale)
            tlds: tuple[str, ...] = ("com", tld) if rng.random() < 0.6 else (tld, "com")
            if industry in ("Software", "SaaS"):
                tlds = ("io", *tlds, "ai")
            slug, full = _slug(base), _slug(f"{base} {suffix}", "-")
            for candidate in (
                f"{slug}.{tlds[0]}",
                f"{full}.{tlds[0]}",
                f"{slug}.{tlds[1]}",
                f"{full}.{tlds[1]}",
                f"{slug}{_slug(suffix)}.com",
                f"get{slug}.{tlds[0]}",
            ):
                if candidate not in self.domains:
                    break
            else:
                continue
            self.domains.add(candidate)
            break
        name = f"{base} {suffix}"
        if country in _LEGAL and rng.random() < 0.25:
            name = f"{name} {_LEGAL[country]}"
        people = self.people[locale]
        pairs = len(people.first) * len(people.last)
        return _Company(
            name=name,
            domain=candidate,
            industry=industry,
            size=size,
            country=country,
            currency=currency,
            owner=rng.choice(REPS).id if rng.random() < 0.85 else None,
            pattern=_weighted(rng, ("first.last", "first_last", "last.first"), (80, 12, 8)),
            people=people,
            start=rng.randrange(pairs),
            capacity=pairs,
        )

    def _company(self) -> _Company:
        rng = self.rng
        roll = rng.random()
        if roll < 0.004:
            return rng.choice(self.rivals)
        if roll < 0.02:
            return rng.choice(self.special)
        count = len(self.companies)
        if count < self.MAX_COMPANIES and (count < 20 or rng.random() < 0.35):
            self.companies.append(self._new_company())
            return self.companies[-1]
        company = self.companies[int(rng.random() * count)]
        if company.staff >= company.capacity:
            return self._company()
        return company

    # -- people

    def _person(self, company: _Company) -> tuple[str, str]:
        people = company.people
        n_first = len(people.first)
        pair = (company.start + company.staff * people.step) % company.capacity
        company.staff += 1
        first, first_slug = people.first[pair % n_first]
        last, last_slug = people.last[pair // n_first % len(people.last)]
        pattern = company.pattern
        if pattern == "first.last":
            local = f"{first_slug}.{last_slug}"
        elif pattern == "first_last":
            local = f"{first_slug}_{last_slug}"
        elif pattern == "last.first":
            local = f"{last_slug}.{first_slug}"
        else:
            local = f"{first_slug}.{last_slug}{self._shared_number()}"
        return f"{first} {last}", local

    def _shared_number(self) -> str:
        self.shared_counter += 1
        return str(self.shared_counter + 9)

    def _free_mail(self, name: str) -> str:
        rng = self.rng
        first, *_, last = (_slug(part, "-") or "x" for part in name.split())
        pattern = _weighted(rng, ("{f}.{l}", "{f}{l}", "{i}{l}"), (50, 30, 20))
        local = pattern.format(f=first, l=last, i=first[0]) + self._shared_number()
        return f"{local}@{_weighted(rng, FREE_MAIL, _FREE_MAIL_WEIGHTS)}"

    # -- one lead

    def lead(self, index: int) -> LeadBundle:
        rng = self.rng
        company = self._company()
        name, local = self._person(company)
        email = f"{local}@{company.domain}"
        domain: str | None = company.domain
        if company.size is not None and rng.random() < 0.08:
            email, domain = self._free_mail(name), None
        r = rng.random
        group = _TITLES[bisect(self.title_weights, r() * self.title_weights[-1])][1]
        title = group[int(r() * len(group))] if r() < 0.97 else None
        if company in self.special:
            title = rng.choice(_STUDENT_TITLES)
        size = company.size
        product = _product(rng, size)
        lead = {
            "email": email,
            "domain": domain,
            "company": company.name,
            "name": name,
            "title": title,
            "industry": company.industry if rng.random() < 0.95 else None,
            "company_size": size if rng.random() < 0.92 else None,
            "country": company.country if rng.random() < 0.95 else None,
            "product": product,
            "owner": company.owner if rng.random() < 0.9 else None,
            "stage": "new",
        }
        profile = _weighted(rng, _PROFILE_NAMES, _PROFILE_SHARES)
        events = self._events(index, profile)
        quality = _QUALITY[profile] if rng.random() < 0.8 else 1
        answers = self._answers(lead, quality, profile, company.currency)
        stage = _weighted(rng, *(_STAGES_ANSWERED if answers else _STAGES_NEW))
        lead["stage"] = "working" if stage == "qualified" and quality < 2 else stage
        return LeadBundle(lead, events, answers)

    def _events(self, index: int, profile_name: str) -> list[dict[str, Any]]:
        rng = self.rng
        profile = self.profiles[profile_name]
        count = min(150, int(rng.gammavariate(2.0, profile.mean_events / 2.0) + 0.5))
        if not count:
            return []
        limit = len(self.stamps) - 1
        last_active = rng.uniform(*profile.active_days) * _TICKS_PER_DAY
        span = min(rng.uniform(*profile.span_days) * _TICKS_PER_DAY, limit - last_active)
        r, bits, stamps, table = rng.random, rng.getrandbits, self.stamps, profile.table
        minutes = [int(last_active + span * (x := r()) * x) for _ in range(count)]
        minutes.sort(reverse=True)
        picked = map(table.__getitem__, map(bits, repeat(_TABLE_BITS, count)))
        prefix = f"demo-{self.seed}-{index}-"
        return [
            {
                "message_id": prefix + number,
                "event": name,
                "type": event_type,
                "properties": properties.copy(),
                "timestamp": stamps[minute],
            }
            for number, minute, (name, event_type, properties) in zip(
                _NUMBERS, minutes, picked, strict=False
            )
        ]

    def _answers(
        self, lead: dict[str, Any], quality: int, profile: str, currency: str
    ) -> list[dict[str, Any]]:
        rng = self.rng
        count = _weighted(rng, (0, 1, 2, 3, 4, 5), _ANSWER_COUNTS[profile])
        if not count:
            return []
        framework = "bant" if rng.random() < 0.6 else "champ"
        slots = list(_FRAMEWORK_SLOTS[framework][:count])
        if count == 5:
            extra = "priority" if framework == "bant" else "timeline"
            slots.append(extra)
        answered_at = self.stamps[int(rng.uniform(1, 90 * _TICKS_PER_DAY))]
        answered_by = lead["owner"] or rng.choice(REPS).id
        answers = []
        maker = self.answers
        for offset, slot in enumerate(slots):
            if slot == "budget":
                value, text = maker.budget(quality, lead["company_size"], currency)
            elif slot == "authority":
                value, text = maker.authority(quality, lead)
            elif slot == "need":
                value, text = maker.need(quality)
            elif slot == "timeline":
                value, text = maker.timeline(quality, answered_at.date())
            else:
                value, text = maker.priority(quality)
            in_framework = slot in _FRAMEWORK_SLOTS[framework]
            answers.append(
                {
                    "slot": slot,
                    "value": _checked(slot, value),
                    "raw_text": text,
                    "framework": framework if in_framework else _other(framework),
                    "answered_by": answered_by,
                    "answered_at": answered_at + _ANSWER_GAPS[offset],
                    "source": "import",
                }
            )
        return answers


_NUMBERS = tuple(str(k) for k in range(200))
_TICK = 5  # minutes between event times: a small pool of shared datetimes stays in cache
_TICKS_PER_DAY = 24 * 60 // _TICK
_HISTORY_TICKS = 120 * _TICKS_PER_DAY
_QUALITY = {"cold": 0, "warm": 1, "hot": 2}
_ANSWER_GAPS = tuple(timedelta(seconds=40 * k) for k in range(6))
_ANSWER_COUNTS = {  # weights of 0…5 answers per engagement profile
    "cold": (80, 10, 6, 2, 1, 1),
    "warm": (55, 10, 10, 10, 10, 5),
    "hot": (25, 5, 10, 15, 25, 20),
}


def _other(framework: str) -> str:
    return "champ" if framework == "bant" else "bant"


def _domain_of(email: str) -> str:
    return email.rsplit("@", 1)[1]


def _product(rng: random.Random, size: int | None) -> str | None:
    size = size or 0
    enterprise = 0.55 if size > 1000 else 0.15 if size > 200 else 0.02
    roll = rng.random()
    if roll < enterprise:
        return "Qualibot Enterprise"
    return "Qualibot Team" if roll < enterprise + (1 - enterprise) * 0.45 else None


# ---------------------------------------------------------------- story leads

STORY_LEAD_EMAIL = "dana.whitfield@northwind-analytics.com"
"""The lead the console demo qualifies: engaged, no answers yet."""

STORY_LEADS: tuple[str, ...] = (
    STORY_LEAD_EMAIL,
    "priya.raman@helixhealth.co.uk",
    "tbecker.student@gmail.com",
    "sophie.laurent@meridian-banque.fr",
    "kevin.marsh@pipewise.ai",
)
"""Hand-written leads that open every stream, in this order."""


_T = tuple[float, str, str, dict[str, Any]]  # days ago, event, type, properties


def _story(
    lead: dict[str, Any],
    timeline: list[_T],
    answers: list[tuple[str, dict, str]],
    *,
    framework: str = "bant",
    answered_days_ago: float = 0,
    index: int,
    seed: int,
    now: datetime,
) -> LeadBundle:
    events = [
        {
            "message_id": f"demo-{seed}-{index}-{k}",
            "event": name,
            "type": event_type,
            "properties": properties,
            "timestamp": now - timedelta(days=days),
        }
        for k, (days, name, event_type, properties) in enumerate(
            sorted(timeline, key=lambda item: -item[0])
        )
    ]
    answered_at = now - timedelta(days=answered_days_ago)
    rows = [
        {
            "slot": slot,
            "value": _checked(slot, value),
            "raw_text": text,
            "framework": framework if slot in _FRAMEWORK_SLOTS[framework] else _other(framework),
            "answered_by": lead["owner"],
            "answered_at": answered_at + timedelta(seconds=40 * k),
            "source": "import",
        }
        for k, (slot, value, text) in enumerate(answers)
    ]
    return LeadBundle({key: lead.get(key) for key in LEAD_FIELDS}, events, rows)


def _page(days: float, path: str) -> _T:
    return (days, "Page Viewed", "page_viewed", {"path": path})


def _story_bundles(seed: int, now: datetime) -> list[LeadBundle]:
    today = now.date()
    base = {"stage": "new"}
    dana = _story(
        {
            **base,
            "email": STORY_LEAD_EMAIL,
            "domain": "northwind-analytics.com",
            "company": "Northwind Analytics",
            "name": "Dana Whitfield",
            "title": "VP Operations",
            "industry": "Software",
            "company_size": 320,
            "country": "US",
            "owner": REPS[0].id,
            "stage": "working",
        },
        [
            _page(0.8, "/pricing"),
            _page(2.9, "/pricing"),
            _page(5.7, "/pricing/compare"),
            _page(1.1, "/docs/getting-started"),
            _page(4.2, "/integrations/hubspot"),
            _page(9.0, "/blog/lead-scoring-101"),
            _page(20.5, "/"),
            (
                10.2,
                "Webinar Attended",
                "webinar_attended",
                {
                    "webinar_id": "webinar-02",
                    "title": "From MQL to SQL in Slack",
                    "minutes_attended": 48,
                },
            ),
            (
                12.4,
                "Content Downloaded",
                "content_downloaded",
                {"asset_id": "asset-001", "title": "Lead Scoring Playbook"},
            ),
            (14.0, "Email Opened", "email_opened", {"campaign_id": "webinar-invite"}),
            (
                13.8,
                "Email Clicked",
                "email_clicked",
                {"campaign_id": "webinar-invite", "url": "https://qualibot.example/webinar-invite"},
            ),
            (3.3, "Email Opened", "email_opened", {"campaign_id": "pricing-followup"}),
            (2.5, "Form Submitted", "form_submitted", {"form_id": "roi-calculator"}),
            (
                4.5,
                "Video Watched",
                "video_watched",
                {"video_id": "scoring-explained", "percent_watched": 70},
            ),
            (
                6.1,
                "Video Watched",
                "video_watched",
                {"video_id": "product-tour", "percent_watched": 85},
            ),
        ],
        [],
        index=0,
        seed=seed,
        now=now,
    )
    decision = today + timedelta(days=45)
    priya = _story(
        {
            **base,
            "email": STORY_LEADS[1],
            "domain": "helixhealth.co.uk",
            "company": "Helix Health Ltd",
            "name": "Priya Raman",
            "title": "CTO",
            "industry": "Healthcare",
            "company_size": 850,
            "country": "GB",
            "owner": REPS[1].id,
            "stage": "qualified",
        },
        [
            (5.2, "Demo Requested", "demo_requested", {"form_id": "demo", "source": "website"}),
            _page(1.5, "/pricing"),
            _page(4.0, "/pricing"),
            _page(2.2, "/security"),
            _page(6.0, "/docs/self-hosting"),
            (
                8.0,
                "Webinar Attended",
                "webinar_attended",
                {
                    "webinar_id": "webinar-04",
                    "title": "Qualibot Product Tour",
                    "minutes_attended": 55,
                },
            ),
            (
                7.1,
                "Video Watched",
                "video_watched",
                {"video_id": "setup-in-5-minutes", "percent_watched": 92},
            ),
            (9.5, "Form Submitted", "form_submitted", {"form_id": "trial-signup"}),
            (
                2.0,
                "Email Clicked",
                "email_clicked",
                {"campaign_id": "case-study", "url": "https://qualibot.example/case-study"},
            ),
        ],
        [
            (
                "budget",
                {"status": "confirmed", "amount": 120000.0, "currency": "GBP", "period": "year"},
                "Budget approved, £120k a year",
            ),
            (
                "authority",
                {"role": "decision_maker", "person": "Priya Raman", "title": "CTO"},
                "Priya is the CTO, signs off personally",
            ),
            (
                "need",
                {"level": "critical", "pains": ["inbound demo requests wait too long"]},
                "Critical: inbound demo requests wait too long",
            ),
            (
                "timeline",
                {"status": "known", "date": decision.isoformat(), "horizon_days": 45},
                "Deciding within about six weeks",
            ),
            ("priority", {"level": "top"}, "Top priority this quarter"),
        ],
        answered_days_ago=3,
        index=1,
        seed=seed,
        now=now,
    )
    tom = _story(
        {
            **base,
            "email": STORY_LEADS[2],
            "domain": None,
            "company": None,
            "name": "Tom Becker",
            "title": "Student",
            "industry": "Education",
            "company_size": None,
            "country": "DE",
            "owner": None,
            "stage": "unqualified",
        },
        [
            (104.0, "Email Opened", "email_opened", {"campaign_id": "newsletter"}),
            (101.5, "Page Viewed", "page_viewed", {"path": "/blog/bant-vs-champ"}),
            (97.0, "Unsubscribed", "unsubscribed", {"campaign_id": "newsletter"}),
        ],
        [],
        index=2,
        seed=seed,
        now=now,
    )
    sophie = _story(
        {
            **base,
            "email": STORY_LEADS[3],
            "domain": "meridian-banque.fr",
            "company": "Meridian Banque",
            "name": "Sophie Laurent",
            "title": "VP Information Technology",
            "industry": "Financial Services",
            "company_size": 12000,
            "country": "FR",
            "product": "Qualibot Enterprise",
            "owner": REPS[2].id,
            "stage": "working",
        },
        [
            _page(3.0, "/pricing/enterprise"),
            _page(11.0, "/security"),
            _page(16.0, "/docs/self-hosting"),
            _page(16.1, "/docs/postgres"),
            (
                21.0,
                "Webinar Attended",
                "webinar_attended",
                {
                    "webinar_id": "webinar-05",
                    "title": "Decay, Caps and Fair Scores",
                    "minutes_attended": 40,
                },
            ),
            (
                25.0,
                "Content Downloaded",
                "content_downloaded",
                {"asset_id": "asset-003", "title": "RevOps Benchmark 2026"},
            ),
            (
                18.0,
                "Content Downloaded",
                "content_downloaded",
                {"asset_id": "asset-010", "title": "Hot Lead Routing Whitepaper"},
            ),
            (
                9.0,
                "Email Clicked",
                "email_clicked",
                {"campaign_id": "product-update", "url": "https://qualibot.example/product-update"},
            ),
        ],
        [
            (
                "need",
                {
                    "level": "high",
                    "pains": ["no visibility into pipeline", "forecasts are guesswork"],
                },
                "Big pain: no visibility into pipeline and forecasts are guesswork",
            ),
            (
                "authority",
                {
                    "role": "influencer",
                    "person": "Sophie Laurent",
                    "title": "VP Information Technology",
                },
                "Sophie influences it but the CIO decides",
            ),
            (
                "budget",
                {"status": "planned", "amount": 500000.0, "currency": "EUR", "period": "year"},
                "Budget planned, roughly €500k a year",
            ),
        ],
        framework="champ",
        answered_days_ago=14,
        index=3,
        seed=seed,
        now=now,
    )
    kevin = _story(
        {
            **base,
            "email": STORY_LEADS[4],
            "domain": "pipewise.ai",
            "company": "Pipewise",
            "name": "Kevin Marsh",
            "title": "Product Manager",
            "industry": "Software",
            "company_size": 140,
            "country": "US",
            "owner": REPS[3].id,
        },
        [
            _page(0.5, "/pricing"),
            _page(0.6, "/pricing/compare"),
            _page(0.7, "/features"),
            _page(1.4, "/docs/scoring-rules"),
            _page(2.3, "/pricing"),
        ],
        [],
        index=4,
        seed=seed,
        now=now,
    )
    return [dana, priya, tom, sophie, kevin]


# ---------------------------------------------------------------- public API


def _aware(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC).replace(microsecond=0)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def iter_leads(n_leads: int, seed: int = 42, now: datetime | None = None) -> Iterator[LeadBundle]:
    """Yield `n_leads` lead bundles, story leads first; deterministic for (seed, now).

    `now` (default: the current time; naive means UTC) anchors every timestamp: events
    fall in the ~120 days before it. A longer stream starts with the same bundles as a
    shorter one of the same seed.
    """
    if n_leads < 0:
        raise ValueError("n_leads must be zero or more")
    now = _aware(now)
    stories = _story_bundles(seed, now)
    yield from stories[:n_leads]
    if n_leads <= len(stories):
        return
    generator = _Generator(seed, now)
    for index in range(len(stories), n_leads):
        yield generator.lead(index)


def generate(n_leads: int, seed: int = 42, now: datetime | None = None) -> DemoData:
    """All `n_leads` bundles in memory (use `iter_leads` for large numbers)."""
    now = _aware(now)
    return DemoData(seed=seed, now=now, bundles=list(iter_leads(n_leads, seed, now)))


def segment_track(event: dict[str, Any], email: str) -> dict[str, Any]:
    """A demo event as a Segment `track` call (what `qualibot import events` reads)."""
    return {
        "type": "track",
        "event": event["event"],
        "messageId": event["message_id"],
        "userId": email,
        "timestamp": event["timestamp"].isoformat().replace("+00:00", "Z"),
        "properties": event["properties"],
    }


def write_events_jsonl(bundles: Iterable[LeadBundle], stream: IO[str]) -> int:
    """Write every event as a Segment JSON line; return the number of lines."""
    count = 0
    for bundle in bundles:
        email = bundle.lead["email"]
        for event in bundle.events:
            stream.write(json.dumps(segment_track(event, email), ensure_ascii=False) + "\n")
            count += 1
    return count


_CSV_COLUMNS: dict[str, str] = {
    "Email": "email",
    "Full Name": "name",
    "Company": "company",
    "Website": "domain",
    "Job Title": "title",
    "Industry": "industry",
    "Employees": "company_size",
    "Country": "country",
    "Product": "product",
    "Lead Owner": "owner",
    "Lead Status": "stage",
}
"""CRM-style CSV header → lead field, in column order."""
LEADS_CSV_HEADER = tuple(_CSV_COLUMNS)


def write_leads_csv(bundles: Iterable[LeadBundle], stream: IO[str]) -> int:
    """Write the leads as a CRM-style CSV export; return the number of rows."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(LEADS_CSV_HEADER)
    count = 0
    for bundle in bundles:
        lead = bundle.lead
        writer.writerow(["" if lead[key] is None else lead[key] for key in _CSV_COLUMNS.values()])
        count += 1
    return count
