"""`POST /events` end to end on SQLite and PostgreSQL: auth, validation per item,
idempotency, identify traits, anonymous events attached on identify, size limits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bot.http_events import MAX_BATCH, MAX_BODY_BYTES
from bot.storage.database import make_engine
from bot.storage.tables import AnonymousEvent, AnonymousId, Event, Lead, LeadScore, ScoreChange
from tests.api.conftest import AUTH, api_client
from tests.slack_fake import FakeSlack
from tests.slack_fake.fixtures import fake_slack  # noqa: F401

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.fixture
async def api(db_url: str, fake_slack: FakeSlack) -> AsyncIterator[httpx.AsyncClient]:  # noqa: F811
    async with api_client(db_url, fake_slack) as client:
        yield client


@pytest.fixture
def db(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def track(message_id: str = "m1", **changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": "track",
        "event": "Demo Requested",
        "messageId": message_id,
        "timestamp": "2026-11-22T10:00:00Z",
        "properties": {"email": "Jane@Acme.com"},
    }
    item.update(changes)
    return {k: v for k, v in item.items() if v is not None}


def count(db: Engine, table: Any, *where: Any) -> int:
    with Session(db) as session:
        return session.scalars(select(func.count()).select_from(table).where(*where)).one()


def lead(db: Engine, email: str) -> Lead | None:
    with Session(db) as session:
        return session.scalars(select(Lead).where(Lead.email == email)).first()


def score(db: Engine, email: str) -> LeadScore | None:
    found = lead(db, email)
    assert found is not None
    with Session(db) as session:
        return session.get(LeadScore, found.id)


async def post(api: httpx.AsyncClient, body: Any, **params: str) -> httpx.Response:
    return await api.post("/events", json=body, headers=AUTH, params=params)


async def test_requires_the_bearer_token(api: httpx.AsyncClient, db: Engine) -> None:
    assert (await api.post("/events", json=track())).status_code == 401
    wrong = await api.post("/events", json=track(), headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["detail"] == "missing or wrong bearer token"
    assert count(db, Event) == 0


async def test_a_track_is_stored_and_scored_then_a_replay_is_a_duplicate(
    api: httpx.AsyncClient, db: Engine
) -> None:
    first = await post(api, track())
    assert first.status_code == 200, first.text
    assert first.json() == {
        "accepted": 1,
        "duplicates": 0,
        "rejected": 0,
        "items": [{"index": 0, "messageId": "m1", "status": "accepted", "reason": None}],
    }
    jane = lead(db, "jane@acme.com")
    assert jane is not None  # created for the unknown email
    assert count(db, Event, Event.lead_id == jane.id, Event.source == "api") == 1
    stored = score(db, "jane@acme.com")
    assert stored is not None and stored.engagement > 0
    changes = count(db, ScoreChange, ScoreChange.lead_id == jane.id)
    assert changes >= 1
    assert count(db, ScoreChange, ScoreChange.reason == "event", ScoreChange.ref == "m1") == 1

    again = await post(api, {"batch": [track(), track()]})
    assert again.status_code == 200
    assert [i["status"] for i in again.json()["items"]] == ["duplicate", "duplicate"]
    assert count(db, Event) == 1
    assert count(db, ScoreChange, ScoreChange.lead_id == jane.id) == changes
    after = score(db, "jane@acme.com")
    assert after is not None and after.total == stored.total


async def test_a_bad_item_never_rejects_the_good_ones(api: httpx.AsyncClient, db: Engine) -> None:
    batch = [
        track("good-1"),
        track("no-name", event=None),
        track("bad-time", timestamp="yesterday-ish"),
        track("nobody", properties={"plan": "pro"}),
        track("screen", type="screen"),
        42,
        track("good-2", event="Pricing Viewed", properties={"email": "sam@globex.io"}),
        track("good-1"),  # the same messageId again in the same batch
    ]
    response = await post(api, {"batch": batch})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (2, 1, 5)
    items = body["items"]
    assert [(i["index"], i["messageId"], i["status"]) for i in items] == [
        (0, "good-1", "accepted"),
        (1, "no-name", "rejected"),
        (2, "bad-time", "rejected"),
        (3, "nobody", "rejected"),
        (4, "screen", "rejected"),
        (5, None, "rejected"),
        (6, "good-2", "accepted"),
        (7, "good-1", "duplicate"),
    ]
    reasons = [i["reason"] for i in items]
    assert reasons[1] == "event is missing"
    assert "'yesterday-ish' is not an ISO 8601 date-time" in reasons[2]
    assert "no anonymousId" in reasons[3]
    assert "type 'screen' is not supported" in reasons[4]
    assert reasons[5] == "expected a JSON object, got int"
    assert reasons[0] is None and reasons[6] is None and reasons[7] is None
    with Session(db) as session:
        keys = set(session.scalars(select(Event.dedupe_key)))
    assert keys == {"good-1", "good-2"}


async def test_identify_upserts_the_lead_traits(api: httpx.AsyncClient, db: Engine) -> None:
    await post(api, track())
    before = score(db, "jane@acme.com")
    identify = {
        "type": "identify",
        "messageId": "id-1",
        "userId": "jane@acme.com",
        "timestamp": "2026-11-22T11:00:00Z",
        "traits": {
            "firstName": "Jane",
            "lastName": "Doe",
            "title": "CFO",
            "company": {"name": "Acme Corp", "employee_count": 1200},
            "address": {"country": "Germany"},
            "favouriteColour": "teal",
        },
    }
    response = await post(api, identify)
    assert response.json()["items"][0]["status"] == "accepted", response.text
    jane = lead(db, "jane@acme.com")
    assert jane is not None
    assert (jane.name, jane.title, jane.company, jane.company_size, jane.country) == (
        "Jane Doe",
        "CFO",
        "Acme Corp",
        1200,
        "DE",
    )
    after = score(db, "jane@acme.com")
    assert before is not None and after is not None and after.fit > before.fit
    bad = await post(api, {**identify, "messageId": "id-2", "traits": {"country": "Atlantis"}})
    [item] = bad.json()["items"]
    assert item["status"] == "rejected" and "Atlantis" in item["reason"]


async def test_anonymous_events_are_attached_and_scored_on_identify(
    api: httpx.AsyncClient, db: Engine
) -> None:
    anonymous = [
        track("a1", properties={}, anonymousId="anon-7"),
        {
            "type": "page",
            "messageId": "a2",
            "anonymousId": "anon-7",
            "timestamp": "2026-11-22T10:01:00Z",
            "properties": {"path": "/pricing"},
        },
    ]
    response = await post(api, {"batch": anonymous})
    assert [i["status"] for i in response.json()["items"]] == ["accepted", "accepted"]
    assert count(db, AnonymousEvent) == 2 and count(db, Event) == 0 and count(db, Lead) == 0
    replay = await post(api, anonymous[0])
    assert replay.json()["items"][0]["status"] == "duplicate"

    identify = {
        "type": "identify",
        "messageId": "id-7",
        "anonymousId": "anon-7",
        "timestamp": "2026-11-22T10:05:00Z",
        "traits": {"email": "priya@helix.io", "name": "Priya"},
    }
    response = await post(api, identify)
    assert response.json()["items"][0]["status"] == "accepted", response.text
    priya = lead(db, "priya@helix.io")
    assert priya is not None and priya.name == "Priya"
    assert count(db, AnonymousEvent) == 0
    assert count(db, Event, Event.lead_id == priya.id) == 2
    assert count(db, AnonymousId, AnonymousId.lead_id == priya.id) == 1
    attached = score(db, "priya@helix.io")
    assert attached is not None
    assert {"demo_request", "pricing_page"} <= attached.state["rules"].keys()  # both folded in
    assert count(db, ScoreChange, ScoreChange.reason == "identify") == 1

    # once linked, an anonymous event goes straight to the lead; replays stay duplicates
    later = [
        track("a3", event="Webinar Attended", properties={}, anonymousId="anon-7"),
        anonymous[0],
    ]
    response = await post(api, {"batch": later})
    assert [i["status"] for i in response.json()["items"]] == ["accepted", "duplicate"]
    assert count(db, Event, Event.lead_id == priya.id) == 3
    assert count(db, AnonymousEvent) == 0
    assert count(db, ScoreChange, ScoreChange.ref == "a3") <= 1


async def test_identify_without_email_of_an_unknown_anonymous_id_is_rejected(
    api: httpx.AsyncClient,
) -> None:
    response = await post(
        api,
        {
            "type": "identify",
            "messageId": "id-x",
            "anonymousId": "anon-x",
            "timestamp": "2026-11-22T10:05:00Z",
            "traits": {"name": "Who"},
        },
    )
    [item] = response.json()["items"]
    assert item["status"] == "rejected" and "anon-x is not linked" in item["reason"]


async def test_create_leads_false_rejects_unknown_leads(api: httpx.AsyncClient, db: Engine) -> None:
    response = await post(api, track(), create_leads="false")
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["status"] == "rejected" and item["reason"].startswith("unknown lead")
    assert count(db, Lead) == 0 and count(db, Event) == 0
    await post(api, track("m0"))  # creates jane
    response = await post(api, track("m2"), create_leads="false")
    assert response.json()["items"][0]["status"] == "accepted"


async def test_limits_and_malformed_json(api: httpx.AsyncClient, db: Engine) -> None:
    filler = "x" * (MAX_BODY_BYTES + 10)
    big = await post(api, track(properties={"email": "jane@acme.com", "blob": filler}))
    assert big.status_code == 413 and "1 MiB" in big.json()["detail"]

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
        yield b'{"batch": ["'
        for _ in range(MAX_BODY_BYTES // 65536 + 1):
            yield b"x" * 65536
        yield b'"]}'

    streamed = await api.post("/events", content=chunks(), headers=AUTH)
    assert streamed.status_code == 413
    many = await post(api, {"batch": [track(f"m{i}") for i in range(MAX_BATCH + 1)]})
    assert many.status_code == 413 and f"at most {MAX_BATCH}" in many.json()["detail"]
    bad = await api.post(
        "/events",
        content=b'{"batch": [\n  {"type": "track",}\n]}',
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert bad.status_code == 400
    assert bad.json()["detail"].startswith("malformed JSON at line 2 column 20")
    not_object = await post(api, [track()])
    assert not_object.status_code == 400 and "expected a JSON object" in not_object.text
    assert count(db, Event) == 0


async def test_openapi_documents_the_response(api: httpx.AsyncClient) -> None:
    schema = (await api.get("/openapi.json")).json()
    operation = schema["paths"]["/events"]["post"]
    assert "requestBody" in operation
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/EventsResult"}
    item = schema["components"]["schemas"]["ItemResult"]
    assert set(item["properties"]) == {"index", "messageId", "status", "reason"}
    assert json.dumps(item).count("rejected") >= 1


def test_a_batch_aborted_by_a_deadlock_is_run_again(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL aborts one of two batches that lock the same leads in another order
    (40P01); the aborted transaction kept nothing, so the batch is simply run again."""
    from sqlalchemy.exc import OperationalError

    from bot import http_events
    from bot.config_file import load_config

    class Deadlock(Exception):
        sqlstate = "40P01"

    real = http_events._store_once
    calls = []

    def flaky(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("INSERT …", {}, Deadlock("deadlock detected"))
        return real(*args)

    monkeypatch.setattr(http_events, "_store_once", flaky)
    config = load_config(Path(__file__).resolve().parents[2] / "config.yml")
    result = http_events.ingest(db, [track("dl-1"), track("dl-2")], config, NOW)
    assert len(calls) == 2
    assert (result.accepted, result.duplicates) == (2, 0)
    assert count(db, Event) == 2


def test_a_batch_failing_otherwise_is_not_retried(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from bot import http_events
    from bot.config_file import load_config

    calls = []

    def broken(*args: Any) -> Any:
        calls.append(1)
        raise OperationalError("SELECT 1", {}, Exception("disk I/O error"))

    monkeypatch.setattr(http_events, "_store_once", broken)
    config = load_config(Path(__file__).resolve().parents[2] / "config.yml")
    with pytest.raises(OperationalError):
        http_events.ingest(db, [track("x-1")], config, NOW)
    assert len(calls) == 1


def test_concurrent_batches_on_the_same_leads_in_opposite_order_all_land(db: Engine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from bot import http_events
    from bot.config_file import load_config

    config = load_config(Path(__file__).resolve().parents[2] / "config.yml")
    emails = [f"lead{i}@order.example" for i in range(12)]
    http_events.ingest(
        db, [track(f"seed-{e}", properties={"email": e}) for e in emails], config, NOW
    )

    def batch(name: str, order: list[str], round_: int) -> list[dict[str, Any]]:
        return [
            track(
                f"{name}-{round_}-{e}",
                event="Page Viewed",
                properties={"email": e, "path": "/pricing"},
            )
            for e in order
        ]

    with ThreadPoolExecutor(2) as pool:
        for round_ in range(6):
            forward = pool.submit(http_events.ingest, db, batch("f", emails, round_), config, NOW)
            backward = pool.submit(
                http_events.ingest, db, batch("b", emails[::-1], round_), config, NOW
            )
            assert forward.result().accepted == backward.result().accepted == len(emails)
    assert count(db, Event) == len(emails) * 13


async def test_requests_arriving_together_are_stored_together_each_answered(
    db_url: str,
    db: Engine,
    fake_slack: FakeSlack,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While one request is being written, the others queue and are then written in one
    transaction (group commit); each still gets its own answer, as if sent alone."""
    import threading

    from bot import http_events
    from bot.group_commit import GroupCommitter

    waiting: list[Any] = []
    groups: list[int] = []
    first_may_go = threading.Event()
    real = http_events.store_together

    class Counted(GroupCommitter):
        async def submit(self, request: Any) -> Any:
            waiting.append(request)
            return await super().submit(request)

    def held(engine: Engine, requests: Any, *args: Any, **kwargs: Any) -> Any:
        if not groups:
            first_may_go.wait(10)
        groups.append(len(requests))
        return real(engine, requests, *args, **kwargs)

    monkeypatch.setattr(http_events, "GroupCommitter", Counted)
    monkeypatch.setattr(http_events, "store_together", held)
    bodies = [
        ({"batch": [track("g-1")]}, {}),
        ({"batch": [track("g-2"), track("g-3", properties={"email": "new@lead.example"})]}, {}),
        (
            {"batch": [track("g-2"), track("g-4", properties={"email": "x@nowhere.example"})]},
            {"create_leads": "false"},
        ),
        ({"batch": [track("g-5"), {"type": "track"}]}, {}),
    ]
    async with api_client(db_url, fake_slack) as client:
        first = asyncio.create_task(post(client, bodies[0][0]))
        while not waiting:
            await asyncio.sleep(0.01)
        rest = []
        for body, params in bodies[1:]:  # one after the other: they queue in this order
            rest.append(asyncio.create_task(post(client, body, **params)))
            while len(waiting) < 1 + len(rest):
                await asyncio.sleep(0.01)
        first_may_go.set()
        responses = [await first, *await asyncio.gather(*rest)]
    assert groups == [1, 3]
    answers = [
        [(i["messageId"], i["status"], i.get("reason")) for i in r.json()["items"]]
        for r in responses
    ]
    assert answers == [
        [("g-1", "accepted", None)],
        [("g-2", "accepted", None), ("g-3", "accepted", None)],
        [
            ("g-2", "duplicate", None),  # stored just before, in the same transaction
            (
                "g-4",
                "rejected",
                "unknown lead: no lead with email x@nowhere.example (create_leads is off)",
            ),
        ],
        [("g-5", "accepted", None), (None, "rejected", "messageId is missing; event is missing")],
    ]
    assert count(db, Event) == 4 and lead(db, "x@nowhere.example") is None
    assert lead(db, "new@lead.example") is not None
