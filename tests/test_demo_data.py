"""bot.demo_data: seeded, realistic, valid synthetic leads, events and answers."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.demo_data import (
    FREE_MAIL,
    REPS,
    STORY_LEAD_EMAIL,
    STORY_LEADS,
    DemoData,
    LeadBundle,
    generate,
    iter_leads,
    write_events_jsonl,
    write_leads_csv,
)
from bot.importing import parse_events, parse_leads_csv
from scoring.config import ScoringConfig
from scoring.config_loader import load_config_text
from scoring.inputs import AnswerRecord, EventRecord, LeadProfile
from scoring.result import ScoreResult
from scoring.scorer import score
from scoring.values import validate_value

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
LEAD_KEYS = {
    "email",
    "domain",
    "company",
    "name",
    "title",
    "industry",
    "company_size",
    "country",
    "product",
    "owner",
    "stage",
}
REP_IDS = {rep.id for rep in REPS}


@pytest.fixture(scope="module")
def data() -> DemoData:
    return generate(2000, seed=42, now=NOW)


def test_same_seed_same_data(data: DemoData) -> None:
    assert generate(2000, seed=42, now=NOW).bundles == data.bundles


def test_different_seed_different_data(data: DemoData) -> None:
    other = generate(2000, seed=43, now=NOW)
    ours = [b.lead["email"] for b in data.bundles[len(STORY_LEADS) :]]
    theirs = [b.lead["email"] for b in other.bundles[len(STORY_LEADS) :]]
    assert len(set(ours) & set(theirs)) < 20
    assert other.bundles[0].events[0]["message_id"] != data.bundles[0].events[0]["message_id"]


def test_longer_stream_starts_like_a_shorter_one(data: DemoData) -> None:
    assert list(iter_leads(300, seed=42, now=NOW)) == data.bundles[:300]


def test_every_answer_is_a_valid_value(data: DemoData) -> None:
    answers = [answer for bundle in data.bundles for answer in bundle.answers]
    assert len(answers) > 500
    for answer in answers:
        assert validate_value(answer["slot"], answer["value"]) == answer["value"]
        assert answer["source"] == "import"
        assert answer["framework"] in ("bant", "champ")
        assert answer["answered_by"] in REP_IDS
        assert answer["raw_text"].strip()
        assert answer["answered_at"].tzinfo is not None
        assert NOW - timedelta(days=120) < answer["answered_at"] <= NOW
    assert {a["slot"] for a in answers} == {"budget", "authority", "need", "timeline", "priority"}
    per_lead = Counter(len(bundle.answers) for bundle in data.bundles)
    assert set(per_lead) == {0, 1, 2, 3, 4, 5}


def test_message_ids_and_emails_are_unique(data: DemoData) -> None:
    message_ids = [event["message_id"] for b in data.bundles for event in b.events]
    assert len(message_ids) == len(set(message_ids))
    emails = [b.lead["email"] for b in data.bundles]
    assert len(emails) == len(set(emails))


def test_emails_stay_unique_over_a_long_stream() -> None:
    emails = [bundle.lead["email"] for bundle in iter_leads(30_000, seed=7, now=NOW)]
    assert len(emails) == len(set(emails))


def test_events_are_realistic(data: DemoData) -> None:
    assert 15 <= data.event_count / len(data.bundles) <= 25
    types: Counter[str] = Counter()
    for bundle in data.bundles:
        stamps = [event["timestamp"] for event in bundle.events]
        assert stamps == sorted(stamps)
        for event in bundle.events:
            assert event.keys() == {"message_id", "event", "type", "properties", "timestamp"}
            assert NOW - timedelta(days=121) < event["timestamp"] <= NOW
            assert event["timestamp"].utcoffset() == timedelta(0)
            types[event["type"]] += 1
    assert types["page_viewed"] > types["email_opened"] > types["demo_requested"] > 0
    for kind in (
        "email_clicked",
        "content_downloaded",
        "webinar_attended",
        "video_watched",
        "form_submitted",
        "unsubscribed",
        "email_bounced",
    ):
        assert types[kind] > 0, kind
    assert types["demo_requested"] < 0.02 * sum(types.values())
    assert types["unsubscribed"] + types["email_bounced"] < 0.02 * sum(types.values())


def test_event_properties_fit_the_engagement_rules(data: DemoData) -> None:
    events = [e for b in data.bundles for e in b.events]
    paths = {e["properties"]["path"] for e in events if e["type"] == "page_viewed"}
    assert "/pricing" in paths
    assert any(p.startswith("/docs/") for p in paths) and any(p.startswith("/blog/") for p in paths)
    for event in events:
        properties = event["properties"]
        if event["type"] == "content_downloaded":
            assert properties["asset_id"]
        elif event["type"] == "webinar_attended":
            assert properties["webinar_id"]
        elif event["type"] == "video_watched":
            assert 0 < properties["percent_watched"] <= 100
        elif event["type"] == "email_bounced":
            assert properties["bounce_type"] in ("hard", "soft")
    assert any(e["properties"].get("bounce_type") == "hard" for e in events)


def test_properties_are_not_shared_between_events(data: DemoData) -> None:
    events = [e for b in data.bundles[:200] for e in b.events]
    assert len({id(e["properties"]) for e in events}) == len(events)


def test_leads_are_realistic(data: DemoData) -> None:
    leads = data.leads
    assert all(lead.keys() == LEAD_KEYS for lead in leads)
    generated = leads[len(STORY_LEADS) :]
    free_mail = [lead for lead in generated if lead["email"].split("@")[1] in FREE_MAIL]
    assert 0.04 < len(free_mail) / len(generated) < 0.13
    assert all(lead["domain"] is None for lead in free_mail)
    for lead in generated:
        if lead["domain"] is not None:
            assert lead["email"].endswith("@" + lead["domain"])
    domains = Counter(lead["email"].split("@")[1] for lead in generated)
    assert any(d in domains for d in ("leadscorely.com", "qualifyhq.io", "pipewise.ai"))
    assert any(d.endswith((".edu", ".ac.uk", ".edu.au", ".student.com")) for d in domains)
    enterprise = sum(lead["product"] == "Qualibot Enterprise" for lead in generated)
    assert 0.08 < enterprise / len(generated) < 0.22
    assert {lead["product"] for lead in generated} == {None, "Qualibot Team", "Qualibot Enterprise"}
    titles = " ".join(lead["title"] or "" for lead in generated)
    for word in ("CEO", "VP", "Director", "Manager", "Engineer", "Intern"):
        assert word in titles
    industries = {lead["industry"] for lead in generated}
    assert {"Software", "SaaS", "Financial Services", "Education", "Logistics"} <= industries
    countries = Counter(lead["country"] for lead in generated)
    assert countries.most_common(1)[0][0] == "US"
    assert {"GB", "DE", "FR", "NL"} <= set(countries)
    sizes = [lead["company_size"] for lead in generated if lead["company_size"] is not None]
    assert min(sizes) <= 10 and max(sizes) > 5000
    assert {lead["owner"] for lead in generated} - {None} <= REP_IDS
    assert any(lead["owner"] is None for lead in generated)
    assert {"new", "working", "qualified"} <= {lead["stage"] for lead in generated}


def test_story_leads_come_first(data: DemoData) -> None:
    assert tuple(b.lead["email"] for b in data.bundles[: len(STORY_LEADS)]) == STORY_LEADS
    dana, priya, tom, sophie, kevin = data.bundles[: len(STORY_LEADS)]

    assert dana.lead["email"] == STORY_LEAD_EMAIL
    assert (dana.lead["name"], dana.lead["title"], dana.lead["company"]) == (
        "Dana Whitfield",
        "VP Operations",
        "Northwind Analytics",
    )
    pricing = [
        e
        for e in dana.events
        if e["type"] == "page_viewed" and e["properties"]["path"].startswith("/pricing")
    ]
    assert len(pricing) == 3
    assert all(NOW - e["timestamp"] < timedelta(days=7) for e in pricing)
    assert {e["type"] for e in dana.events} >= {"webinar_attended", "content_downloaded"}
    assert dana.answers == []

    assert priya.lead["stage"] == "qualified"
    assert {a["slot"] for a in priya.answers} == {
        "budget",
        "authority",
        "need",
        "timeline",
        "priority",
    }
    assert any(e["type"] == "demo_requested" for e in priya.events)

    assert tom.lead["email"].endswith("@gmail.com")
    assert tom.lead["title"] == "Student"
    assert tom.lead["domain"] is None
    assert all(NOW - e["timestamp"] > timedelta(days=90) for e in tom.events)

    assert sophie.lead["product"] == "Qualibot Enterprise"
    assert sophie.lead["company_size"] > 1000
    assert kevin.lead["domain"] == "pipewise.ai"


def test_story_leads_score_as_their_story_says(data: DemoData) -> None:
    config = load_config_text(
        (Path(__file__).resolve().parent.parent / "config.yml").read_text(), ScoringConfig
    )
    fields = LEAD_KEYS - {"owner", "stage"}

    def result(bundle: LeadBundle) -> ScoreResult:
        profile = LeadProfile(**{k: bundle.lead[k] for k in fields})
        answers = [
            AnswerRecord(slot=a["slot"], value=a["value"], answered_at=a["answered_at"], seq=i)
            for i, a in enumerate(bundle.answers)
        ]
        events = [
            EventRecord(e["type"], e["timestamp"], e["message_id"], e["properties"])
            for e in bundle.events
        ]
        return score(profile, answers, events, config, NOW)

    dana, priya, tom, _, _ = (result(b) for b in data.bundles[: len(STORY_LEADS)])
    assert priya.qualified and priya.tier == "hot"
    assert not dana.qualified and dana.tier != "hot" and dana.engagement > 40
    assert tom.tier == "cold"


def test_leads_csv_round_trip(data: DemoData) -> None:
    stream = io.StringIO()
    assert write_leads_csv(data.bundles, stream) == len(data.bundles)
    parsed = parse_leads_csv(stream.getvalue())
    assert parsed.errors == [] and parsed.ignored_columns == [] and parsed.duplicates == []
    assert [row.fields for row in parsed.rows] == data.leads


def test_events_jsonl_round_trip(data: DemoData) -> None:
    bundles = data.bundles[:300]
    stream = io.StringIO()
    count = write_events_jsonl(bundles, stream)
    parsed = parse_events(stream.getvalue())
    assert parsed.errors == [] and len(parsed.events) == count
    expected = [(b.lead["email"], e) for b in bundles for e in b.events]
    for got, (email, event) in zip(parsed.events, expected, strict=True):
        assert (got.email, got.message_id, got.type) == (email, event["message_id"], event["type"])
        assert (got.timestamp, got.properties) == (event["timestamp"], event["properties"])


def test_naive_now_means_utc_and_small_counts() -> None:
    naive = generate(3, seed=1, now=NOW.replace(tzinfo=None))
    assert naive.now == NOW
    assert [b.lead["email"] for b in naive.bundles] == list(STORY_LEADS[:3])
    assert generate(0, now=NOW).bundles == []
    with pytest.raises(ValueError):
        list(iter_leads(-1, now=NOW))
