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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from math import gcd
from typing import IO, Any

from faker import Faker

from scoring.values import validate_value

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
_PREFIXES = (
    "North South East West Blue Red Green Silver Golden Iron Stone Bright Clear Swift True "
    "High Deep Far Star Sun Moon Cloud Sky River Lake Ocean Harbor Pine Cedar Oak Maple "
    "Birch Aspen Summit Peak Alpine Arc Apex Nova Terra Helix Vertex Quantum Pixel Signal "
    "Beacon Lumen Vector Orbit Atlas Zenith Crest Ember Falcon Fox Wolf Lynx Otter Raven Hawk"
).split()
_STEMS = (
    "wind field stone bridge gate light wave point path line works forge spark leaf ridge "
    "brook view mark scale stack loop core grid shift rock water well port haven ford"
).split() + [""] * 6

# (weight, titles): C-level, VP, director, manager, individual contributor, intern/junior
_TITLES = (
    (6, ("CEO", "CFO", "CTO", "COO", "CIO", "Chief Revenue Officer", "Founder", "Co-Founder")),
    (10, ("VP Sales", "VP Operations", "VP Engineering", "VP Marketing", "Head of RevOps",
          "Head of Sales", "SVP Customer Success", "Vice President of Finance")),
    (14, ("Director of Sales", "Marketing Director", "Director of Operations",
          "IT Director", "Director of Revenue Operations", "Engineering Director")),
    (25, ("Sales Manager", "Product Manager", "Marketing Manager", "RevOps Manager",
          "Team Lead", "Customer Success Manager", "Operations Manager")),
    (38, ("Account Executive", "Software Engineer", "Data Analyst", "Marketing Specialist",
          "Sales Development Representative", "Business Analyst", "Solutions Consultant",
          "Operations Analyst")),
    (5, ("Marketing Intern", "Sales Intern", "Junior Analyst", "Sales Assistant",
         "Working Student")),
)
_C_LEVEL = frozenset(_TITLES[0][1])
_SIZE_BANDS = ((12, 1, 10), (22, 11, 50), (26, 51, 200), (20, 201, 1000), (12, 1001, 5000),
               (8, 5001, 50000))
_STAGES_NEW = (("new", 60), ("working", 15), ("nurture", 20), ("unqualified", 5))
_STAGES_ANSWERED = (("working", 50), ("qualified", 20), ("nurture", 15), ("unqualified", 15))

_GENERIC_PATHS = ("/", "/product", "/features", "/integrations", "/customers", "/about",
                  "/security", "/careers", "/integrations/salesforce", "/integrations/hubspot")
_BLOG = ("lead-scoring-101", "bant-vs-champ", "slack-sales-alerts", "revops-metrics",
         "qualify-faster", "intent-signals", "pipeline-hygiene", "sales-handoffs",
         "scoring-decay", "forecasting-basics", "inbound-routing", "demo-no-shows")
_DOCS = ("getting-started", "config", "scoring-rules", "events-api", "slack-setup",
         "import-leads", "alerts", "digests", "self-hosting", "postgres")
_PAGE_PATHS = _GENERIC_PATHS + tuple(f"/blog/{s}" for s in _BLOG) + tuple(
    f"/docs/{s}" for s in _DOCS
)
_PRICING_PATHS = ("/pricing", "/pricing", "/pricing", "/pricing/enterprise", "/pricing/compare")
_ASSETS = tuple(
    (f"asset-{i:03d}", title)
    for i, title in enumerate(
        ("Lead Scoring Playbook", "BANT Question Bank", "RevOps Benchmark 2026",
         "Slack for Sales Guide", "Buyer Intent Checklist", "Pipeline Review Template",
         "CHAMP Cheat Sheet", "Sales Handoff Kit", "Qualification ROI Calculator",
         "Hot Lead Routing Whitepaper", "Forecast Accuracy Report", "Demo Prep Checklist"),
        start=1,
    )
)
_WEBINARS = tuple(
    (f"webinar-{i:02d}", title)
    for i, title in enumerate(
        ("Scoring Leads Without Guesswork", "From MQL to SQL in Slack",
         "RevOps Office Hours", "Qualibot Product Tour", "Decay, Caps and Fair Scores",
         "Building a Hot-Lead Desk"),
        start=1,
    )
)
_VIDEOS = ("product-tour", "slack-alerts-demo", "scoring-explained", "setup-in-5-minutes",
           "customer-story-helix")
_CAMPAIGNS = ("nurture-week-1", "nurture-week-2", "product-update", "webinar-invite",
              "newsletter", "case-study", "pricing-followup", "event-recap")
_FORMS = ("newsletter", "contact-us", "trial-signup", "ebook-gate")


# ---------------------------------------------------------------- helpers

_TRANSLIT = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d",
                           "þ": "th", "ı": "i"})


def _slug(text: str, sep: str = "") -> str:
    ascii_text = unicodedata.normalize("NFKD", text.lower().translate(_TRANSLIT))
    ascii_text = ascii_text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", sep, ascii_text).strip(sep)


def _weighted(rng: random.Random, items: tuple[Any, ...], weights: tuple[float, ...]) -> Any:
    return rng.choices(items, weights=weights)[0]


def _money(amount: float, currency: str) -> str:
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency, "")
    if amount >= 1000:
        text = f"{amount / 1000:g}k"
    else:
        text = f"{amount:g}"
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def _month_end(day: date, months_ahead: int) -> date:
    month_index = day.month - 1 + months_ahead
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, calendar.monthrange(year, month)[1])


_VALID: dict[tuple[Any, ...], dict[str, Any]] = {}


def _checked(slot: str, value: dict[str, Any]) -> dict[str, Any]:
    """`validate_value`, memoized: the demo repeats the same values very often."""
    key = (slot, *((k, tuple(v) if isinstance(v, list) else v) for k, v in value.items()))
    valid = _VALID.get(key)
    if valid is None:
        valid = _VALID[key] = validate_value(slot, value)
    copy = dict(valid)
    if "pains" in copy:
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


class _Company:
    __slots__ = ("capacity", "country", "currency", "domain", "industry", "name", "owner",
                 "pattern", "people", "size", "start", "staff")

    def __init__(self, **values: Any) -> None:
        self.staff = 0
        for key, value in values.items():
            setattr(self, key, value)


# ---------------------------------------------------------------- events


_Maker = Callable[[], tuple[str, str, dict[str, Any]]]

# kind: (Segment name, normalized type); weights per engagement profile below
_KINDS = (
    "page", "pricing", "email_opened", "email_clicked", "content", "webinar", "video",
    "form", "demo", "unsubscribed", "bounced",
)
_PROFILES = {
    # name: (share, mean events, (last active days lo, hi), (span days lo, hi), kind weights)
    "cold": (0.30, 6.0, (30, 110), (5, 40),
             (30, 1, 45, 6, 3, 0.5, 3, 1, 0.05, 0.8, 0.6)),
    "warm": (0.50, 22.0, (0, 25), (20, 90),
             (45, 5, 25, 8, 5, 2, 7, 2, 0.3, 0.3, 0.15)),
    "hot": (0.20, 36.0, (0, 4), (7, 60),
            (38, 14, 15, 9, 7, 4, 9, 3, 1.5, 0.05, 0.05)),
}


def _event_makers(rng: random.Random) -> tuple[_Maker, ...]:
    r = rng.random
    paths, n_paths = _PAGE_PATHS, len(_PAGE_PATHS)

    def page() -> tuple[str, str, dict[str, Any]]:
        return "Page Viewed", "page_viewed", {"path": paths[int(r() * n_paths)]}

    def pricing() -> tuple[str, str, dict[str, Any]]:
        return "Page Viewed", "page_viewed", {"path": _PRICING_PATHS[int(r() * 5)]}

    def opened() -> tuple[str, str, dict[str, Any]]:
        return "Email Opened", "email_opened", {"campaign_id": _CAMPAIGNS[int(r() * 8)]}

    def clicked() -> tuple[str, str, dict[str, Any]]:
        campaign = _CAMPAIGNS[int(r() * 8)]
        return "Email Clicked", "email_clicked", {
            "campaign_id": campaign,
            "url": f"https://qualibot.example/{campaign}",
        }

    def content() -> tuple[str, str, dict[str, Any]]:
        asset_id, title = _ASSETS[int(r() * len(_ASSETS))]
        return "Content Downloaded", "content_downloaded", {"asset_id": asset_id, "title": title}

    def webinar() -> tuple[str, str, dict[str, Any]]:
        webinar_id, title = _WEBINARS[int(r() * len(_WEBINARS))]
        return "Webinar Attended", "webinar_attended", {
            "webinar_id": webinar_id,
            "title": title,
            "minutes_attended": 10 + int(r() * 50),
        }

    def video() -> tuple[str, str, dict[str, Any]]:
        return "Video Watched", "video_watched", {
            "video_id": _VIDEOS[int(r() * 5)],
            "percent_watched": 5 + int(r() * 96),
        }

    def form() -> tuple[str, str, dict[str, Any]]:
        return "Form Submitted", "form_submitted", {"form_id": _FORMS[int(r() * 4)]}

    def demo() -> tuple[str, str, dict[str, Any]]:
        return "Demo Requested", "demo_requested", {"form_id": "demo", "source": "website"}

    def unsubscribed() -> tuple[str, str, dict[str, Any]]:
        return "Unsubscribed", "unsubscribed", {"campaign_id": _CAMPAIGNS[int(r() * 8)]}

    def bounced() -> tuple[str, str, dict[str, Any]]:
        return "Email Bounced", "email_bounced", {"bounce_type": "hard" if r() < 0.6 else "soft"}

    return (page, pricing, opened, clicked, content, webinar, video, form, demo,
            unsubscribed, bounced)


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

    def budget(self, quality: int, size: int | None, currency: str) -> tuple[dict, str]:
        rng = self.rng
        status = _weighted(rng, ("confirmed", "planned", "none", "unknown"),
                           ((10, 30, 60)[quality], 30, (35, 10, 2)[quality], 25))
        if status in ("none", "unknown"):
            text = {
                "none": ("No budget this year", "They have no budget for it"),
                "unknown": ("Didn't get to budget", "Not sure about budget yet"),
            }[status]
            return {"status": status}, rng.choice(text)
        top = 2 + min(len(_AMOUNTS) - 2, ((size or 50).bit_length() * 2) // 3)
        amount = float(_AMOUNTS[rng.randrange(top)])
        monthly = rng.random() < 0.2
        if monthly:
            amount = float(round(amount / 12, -2))
        money = _money(amount, currency)
        period = "month" if monthly else "year"
        if status == "confirmed":
            text = rng.choice((f"CFO signs off, about {money} a {period}",
                               f"Budget approved, {money} per {period}",
                               f"They have {money} a {period} set aside"))
        else:
            text = rng.choice((f"Planning about {money} a {period} next quarter",
                               f"Budget planned, roughly {money} a {period}"))
        value = {"status": status, "amount": amount, "currency": currency, "period": period}
        return value, text

    def authority(self, quality: int, lead: dict[str, Any]) -> tuple[dict, str]:
        rng = self.rng
        role = _weighted(rng, ("decision_maker", "champion", "influencer", "user", "unknown"),
                         ((10, 35, 55)[quality], 25, 25, (20, 5, 2)[quality], 15))
        name, title = lead["name"], lead["title"]
        first = name.split()[0] if name else "They"
        if role == "decision_maker" and title in _C_LEVEL:
            return ({"role": role, "person": name, "title": title},
                    f"{first} is the {title}, signs off personally")
        if role == "decision_maker":
            boss = rng.choice(("CFO", "CEO", "COO", "VP Sales"))
            return {"role": role, "title": boss}, f"Talked to the {boss} too, {boss} signs off"
        if role == "champion":
            return ({"role": role, "person": name, "title": title},
                    f"{first} is pushing hard for it internally")
        if role == "influencer":
            boss = rng.choice(("CFO", "CTO", "VP Operations"))
            return ({"role": role, "person": name, "title": title},
                    f"{first} influences it but the {boss} decides")
        if role == "user":
            return {"role": role, "person": name, "title": title}, "Just an end user"
        return {"role": role}, rng.choice(("Not clear who signs", "No idea who decides yet"))

    def need(self, quality: int) -> tuple[dict, str]:
        rng = self.rng
        level = _weighted(rng, ("critical", "high", "moderate", "low", "none", None),
                          ((5, 20, 40)[quality], (15, 35, 35)[quality], 25,
                           (25, 8, 3)[quality], (15, 2, 0)[quality], 8))
        if level is None:
            return {"level": None}, "Hard to say how much they need it"
        if level == "none":
            return {"level": "none"}, "They don't really need it"
        pains = rng.sample(_PAINS, 1 + (rng.random() < 0.4))
        phrase = rng.choice(_NEED_PHRASES[level])
        return {"level": level, "pains": pains}, f"{phrase}: {' and '.join(pains)}"

    def timeline(self, quality: int, answered: date) -> tuple[dict, str]:
        rng = self.rng
        status = _weighted(rng, ("known", "unknown", "none"),
                           ((45, 75, 90)[quality], 35, (20, 5, 2)[quality]))
        if status == "none":
            return {"status": "none"}, "No plans to decide this year"
        if status == "unknown":
            return {"status": "unknown"}, rng.choice(("No timeline yet", "Not sure when"))
        style = rng.random()
        if style < 0.35:
            weeks = rng.choice((2, 4, 6, 8))
            when, text = answered + timedelta(weeks=weeks), f"Deciding in the next {weeks} weeks"
        elif style < 0.75:
            when = _month_end(answered, rng.choice((1, 2, 3, 5, 8)) - (quality == 2))
            text = f"Want to sign by end of {when:%B}"
        else:
            quarter_end = _month_end(answered, (2 - (answered.month - 1) % 3) + 3)
            when = quarter_end
            text = f"Decision by end of Q{(when.month - 1) // 3 + 1}"
        horizon = (when - answered).days
        return {"status": "known", "date": when.isoformat(), "horizon_days": horizon}, text

    def priority(self, quality: int) -> tuple[dict, str]:
        rng = self.rng
        level = _weighted(rng, ("top", "high", "medium", "low", "none", None),
                          ((3, 15, 40)[quality], (15, 35, 35)[quality], 30,
                           (25, 8, 3)[quality], (17, 2, 0)[quality], 8))
        return {"level": level}, rng.choice(_PRIORITY_TEXT[level])


# ---------------------------------------------------------------- the generator


class _Generator:
    """Holds the pools and the running state (companies, counters) of one stream."""

    MAX_COMPANIES = 60_000

    def __init__(self, seed: int, now: datetime) -> None:
        self.seed = seed
        self.now = now
        self.rng = random.Random(seed)
        self.people = _pools(seed)
        self.companies: list[_Company] = []
        self.domains: set[str] = {d for _, d in _STUDENT + _COMPETITORS} | set(FREE_MAIL)
        self.domains |= {_domain_of(email) for email in STORY_LEADS} | {"qualibot-demo.com"}
        self.shared_counter = 0
        self.stamps = [now - timedelta(minutes=m) for m in range(120 * 1440)]
        self.makers = _event_makers(self.rng)
        self.kind_ids = tuple(range(len(_KINDS)))
        self.profiles = {
            name: (mean, active, span, tuple(accumulate(weights)))
            for name, (_, mean, active, span, weights) in _PROFILES.items()
        }
        self.answers = _Answers(self.rng)
        self.countries = tuple(row for row in _COUNTRIES)
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
            name=name, domain=domain, industry=industry, size=None, country="US",
            currency="USD", owner=None, pattern="{f}.{l}{n}", people=people,
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
            self.countries, cum_weights=self.country_weights
        )[0]
        industry = rng.choices(self.industries, cum_weights=self.industry_weights)[0]
        _, low, high = rng.choices(_SIZE_BANDS, cum_weights=self.size_weights)[0]
        size = int(low * (high / low) ** rng.random())
        while True:
            base, suffix = self._company_name(industry, locale)
            tlds = ("com", tld) if rng.random() < 0.6 else (tld, "com")
            if industry in ("Software", "SaaS"):
                tlds = ("io", *tlds, "ai")
            slug, full = _slug(base), _slug(f"{base} {suffix}", "-")
            for candidate in (f"{slug}.{tlds[0]}", f"{full}.{tlds[0]}", f"{slug}.{tlds[1]}",
                              f"{full}.{tlds[1]}", f"{slug}{_slug(suffix)}.com",
                              f"get{slug}.{tlds[0]}"):
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
            name=name, domain=candidate, industry=industry, size=size, country=country,
            currency=currency, owner=rng.choice(REPS).id if rng.random() < 0.85 else None,
            pattern=_weighted(rng, ("{f}.{l}", "{f}_{l}", "{l}.{f}"), (80, 12, 8)),
            people=people, start=rng.randrange(pairs), capacity=pairs,
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
        company = self.companies[rng.randrange(count)]
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
        local = company.pattern.format(f=first_slug, l=last_slug, n=self._shared_number())
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
        title_group = rng.choices(_TITLES, cum_weights=self.title_weights)[0][1]
        title = rng.choice(title_group) if rng.random() < 0.97 else None
        if company in self.special:
            title = rng.choice(("Student", "Graduate Student", "Research Assistant"))
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
        profile = _weighted(rng, tuple(_PROFILES), tuple(p[0] for p in _PROFILES.values()))
        events = self._events(index, profile)
        quality = {"cold": 0, "warm": 1, "hot": 2}[profile] if rng.random() < 0.8 else 1
        answers = self._answers(lead, quality, profile, company.currency)
        stages = _STAGES_ANSWERED if answers else _STAGES_NEW
        stage = _weighted(rng, tuple(s for s, _ in stages), tuple(w for _, w in stages))
        lead["stage"] = "working" if stage == "qualified" and quality < 2 else stage
        return LeadBundle(lead, events, answers)

    def _events(self, index: int, profile: str) -> list[dict[str, Any]]:
        rng = self.rng
        mean, (active_lo, active_hi), (span_lo, span_hi), cum = self.profiles[profile]
        count = min(150, int(rng.gammavariate(2.0, mean / 2.0) + 0.5))
        if not count:
            return []
        last_active = rng.uniform(active_lo, active_hi) * 1440
        span = rng.uniform(span_lo, span_hi) * 1440
        limit = len(self.stamps) - 1
        r = rng.random
        minutes = sorted(
            (min(limit, int(last_active + span * r() * r())) for _ in range(count)), reverse=True
        )
        kinds = rng.choices(self.kind_ids, cum_weights=cum, k=count)
        makers, stamps = self.makers, self.stamps
        prefix = f"demo-{self.seed}-{index}-"
        events = []
        append = events.append
        for k in range(count):
            name, event_type, properties = makers[kinds[k]]()
            append(
                {
                    "message_id": prefix + _NUMBERS[k],
                    "event": name,
                    "type": event_type,
                    "properties": properties,
                    "timestamp": stamps[minutes[k]],
                }
            )
        return events

    def _answers(
        self, lead: dict[str, Any], quality: int, profile: str, currency: str
    ) -> list[dict[str, Any]]:
        rng = self.rng
        weights = {"cold": (80, 10, 6, 2, 1, 1), "warm": (55, 10, 10, 10, 10, 5),
                   "hot": (25, 5, 10, 15, 25, 20)}[profile]
        count = rng.choices(range(6), weights=weights)[0]
        if not count:
            return []
        framework = "bant" if rng.random() < 0.6 else "champ"
        slots = list(_FRAMEWORK_SLOTS[framework][:count])
        if count == 5:
            extra = "priority" if framework == "bant" else "timeline"
            slots.append(extra)
        answered_at = self.stamps[int(rng.uniform(60, 90 * 1440))]
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
                    "answered_at": answered_at + timedelta(seconds=40 * offset),
                    "source": "import",
                }
            )
        return answers


_NUMBERS = tuple(str(k) for k in range(200))


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
