"""The dispatcher against the fake Slack, on SQLite and PostgreSQL: exactly one post per
alert through retries, rate limits, concurrent dispatchers and a crash after posting."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from bot.alerts.dispatcher import EVENT_TYPE, Dispatcher
from bot.slack.client import make_client
from bot.storage.column_types import utcnow
from bot.storage.tables import Alert, Lead
from scoring.config import ScoringConfig
from tests.alerts.conftest import with_alerts
from tests.slack_fake import BOT_TOKEN, FakeSlack

CHANNEL = "C0ALERTS01"


def _payload(lead_id: int, n: int) -> dict[str, Any]:
    return {
        "lead": {
            "id": lead_id,
            "name": f"Lead {n}",
            "company": "Acme",
            "email": f"lead{n}@acme.com",
            "owner": None,
            "product": None,
        },
        "score": {"total": 80.0 + n % 10, "grade": "A1", "tier": "hot", "qualified": True},
        "why": [{"label": "Requested a demo", "points": 12.5}],
        "answers": [{"slot": "budget", "value": "confirmed", "age": "today", "expired": False}],
        "reasons": [{"rule_id": "became_hot", "kind": "tier_entered", "reason": "entered hot"}],
    }


def queue(engine: Engine, n: int, channel: str = CHANNEL, at: datetime | None = None) -> list[int]:
    """`n` due alerts, one lead each."""
    at = at or utcnow() - timedelta(seconds=1)
    with Session(engine) as session:
        ids = []
        for i in range(n):
            lead = Lead(email=f"lead{i}@acme.com")
            session.add(lead)
            session.flush()
            assert lead.id is not None
            alert = Alert(
                lead_id=lead.id,
                kind="tier_entered",
                rule_id="became_hot",
                channel=channel,
                dedupe_key=f"{lead.id}:test",
                payload=_payload(lead.id, i),
                due_at=at,
                created_at=at,
            )
            session.add(alert)
            session.flush()
            assert alert.id is not None
            ids.append(alert.id)
        session.commit()
    return ids


def rows(engine: Engine) -> list[Alert]:
    with Session(engine) as session:
        return list(session.scalars(select(Alert).order_by(col(Alert.id))))


@pytest.fixture
def config(shipped_config: ScoringConfig) -> ScoringConfig:
    return with_alerts(shipped_config, storm={"max_alerts": 1000, "window_minutes": 15})


def dispatcher(
    engine: Engine, fake: FakeSlack, config: ScoringConfig, owner: str = "d1", **kw: Any
) -> Dispatcher:
    return Dispatcher(engine, make_client(BOT_TOKEN, fake.base_url), config, owner, **kw)


def posted_ids(fake: FakeSlack) -> list[int]:
    return [
        m["metadata"]["event_payload"]["alert_id"]
        for m in fake.find_messages(event_type=EVENT_TYPE)
    ]


async def test_posts_once_with_metadata_blocks_and_buttons(
    engine: Engine, fake_slack: FakeSlack, config: ScoringConfig
) -> None:
    [alert_id] = queue(engine, 1)
    d = dispatcher(engine, fake_slack, config)
    assert await d.run_once() == 1
    assert await d.run_once() == 0
    [msg] = fake_slack.find_messages(event_type=EVENT_TYPE, channel=CHANNEL)
    assert msg["metadata"]["event_payload"] == {"alert_id": alert_id}
    assert "Lead 0 (Acme) is hot: 80.0/100, grade A1, qualified" in msg["text"]
    actions = next(b for b in msg["blocks"] if b["type"] == "actions")
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        ("claim", "1"),
        ("explain", "1"),
        ("qualify_now", "1"),
    ]
    text = " ".join(b.get("text", {}).get("text", "") for b in msg["blocks"])
    assert "`+12.5` Requested a demo" in text and "*budget*: confirmed (today)" in text
    [row] = rows(engine)
    assert (row.status, row.slack_ts, row.slack_channel) == ("sent", msg["ts"], CHANNEL)
    assert row.lease_owner is None and row.attempts == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_rate_limited_then_posted(
    engine: Engine, fake_slack: FakeSlack, config: ScoringConfig
) -> None:
    queue(engine, 1)
    fake_slack.fail_next("chat.postMessage", retry_after=1)
    assert await dispatcher(engine, fake_slack, config).run_once() == 1
    calls = fake_slack.calls_to("chat.postMessage")
    assert [c.ok for c in calls] == [False, True]  # the client waited Retry-After, retried
    assert rows(engine)[0].status == "sent"


async def test_an_error_backs_off_then_the_retry_checks_slack_first(
    engine: Engine, fake_slack: FakeSlack, config: ScoringConfig
) -> None:
    queue(engine, 1)
    fake_slack.fail_next("chat.postMessage", error="internal_error")
    before = utcnow()
    assert await dispatcher(engine, fake_slack, config).run_once() == 1
    [row] = rows(engine)
    assert (row.status, row.attempts, row.error, row.lease_owner) == (
        "pending",
        1,
        "slack: internal_error",
        None,
    )
    assert row.due_at >= before + timedelta(seconds=30)
    assert await dispatcher(engine, fake_slack, config).run_once() == 0  # not due yet
    later = dispatcher(
        engine, fake_slack, config, "d2", now=lambda: utcnow() + timedelta(minutes=1)
    )
    assert await later.run_once() == 1
    assert len(fake_slack.calls_to("conversations.history")) == 1  # looked first
    assert [c.ok for c in fake_slack.calls_to("chat.postMessage")] == [False, True]
    assert rows(engine)[0].status == "sent"


async def test_gives_up_after_max_attempts(
    engine: Engine, fake_slack: FakeSlack, config: ScoringConfig
) -> None:
    queue(engine, 1)
    fake_slack.fail_next("chat.postMessage", error="channel_not_found", times=2)
    clock = [utcnow()]
    d = dispatcher(engine, fake_slack, config, now=lambda: clock[0], max_attempts=2)
    await d.run_once()
    clock[0] += timedelta(hours=2)
    await d.run_once()
    [row] = rows(engine)
    assert (row.status, row.attempts, row.error) == ("failed", 2, "slack: channel_not_found")


async def test_two_dispatchers_post_each_alert_exactly_once(
    engine: Engine, fake_slack: FakeSlack, config: ScoringConfig
) -> None:
    ids = queue(engine, 50)
    one = dispatcher(engine, fake_slack, config, "d1", batch_size=7)
    two = dispatcher(engine, fake_slack, config, "d2", batch_size=7)
    claimed = [0, 0]
    for _ in range(20):
        a, b = await asyncio.gather(one.run_once(), two.run_once())
        claimed[0] += a
        claimed[1] += b
        if a == b == 0:
            break
    assert sorted(posted_ids(fake_slack)) == ids
    assert len(fake_slack.calls_to("chat.postMessage")) == 50
    assert all(r.status == "sent" for r in rows(engine))
    assert claimed[0] > 0 and claimed[1] > 0 and sum(claimed) == 50


async def test_a_dispatcher_killed_after_posting_is_not_posted_again(
    engine: Engine, fake_slack: FakeSlack, config: ScoringConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    [alert_id] = queue(engine, 1)
    doomed = dispatcher(engine, fake_slack, config, "doomed", lease_seconds=60)

    def die(*_a: Any) -> None:
        raise RuntimeError("killed between post and mark")

    monkeypatch.setattr(doomed, "_mark_sent", die)
    with pytest.raises(RuntimeError):
        await doomed.run_once()
    assert posted_ids(fake_slack) == [alert_id]
    [row] = rows(engine)
    assert (row.status, row.lease_owner) == ("pending", "doomed")
    # another replica: nothing to do while the lease holds ...
    assert await dispatcher(engine, fake_slack, config, "d2").run_once() == 0
    # ... once it expired, finds the message by its metadata instead of posting again
    after = dispatcher(
        engine, fake_slack, config, "d2", now=lambda: utcnow() + timedelta(seconds=61)
    )
    assert await after.run_once() == 1
    [history] = fake_slack.calls_to("conversations.history")
    assert history.params["include_all_metadata"] in (True, "true", "1", 1)
    assert history.params["channel"] == CHANNEL
    [msg] = fake_slack.find_messages(event_type=EVENT_TYPE)
    [row] = rows(engine)
    assert (row.status, row.slack_ts) == ("sent", msg["ts"])
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_a_storm_rolls_up_into_one_message(
    engine: Engine, fake_slack: FakeSlack, shipped_config: ScoringConfig
) -> None:
    stormy = with_alerts(shipped_config, storm={"max_alerts": 3, "window_minutes": 15})
    ids = queue(engine, 7)
    d = dispatcher(engine, fake_slack, stormy, rollup_hold_seconds=0)
    assert await d.run_once() == 7
    messages = fake_slack.messages(CHANNEL)
    assert len(messages) == 4
    rollup_msg = messages[-1]
    assert "4 more alerts" in rollup_msg["blocks"][0]["text"]["text"]
    assert all(f"Lead {i}" in rollup_msg["blocks"][1]["text"]["text"] for i in range(3, 7))
    by_id = {r.id: r for r in rows(engine)}
    [rollup] = [r for r in by_id.values() if r.kind == "rollup"]
    assert rollup.status == "sent" and rollup.slack_ts == rollup_msg["ts"]
    assert rollup_msg["metadata"]["event_payload"] == {"alert_id": rollup.id}
    assert [by_id[i].rollup_id for i in ids] == [None] * 3 + [rollup.id] * 4
    assert all(by_id[i].status == "sent" for i in ids)
    assert {by_id[i].slack_ts for i in ids[3:]} == {rollup_msg["ts"]}


async def test_storm_alerts_wait_to_gather_into_one_rollup(
    engine: Engine, fake_slack: FakeSlack, shipped_config: ScoringConfig
) -> None:
    stormy = with_alerts(shipped_config, storm={"max_alerts": 3, "window_minutes": 15})
    queue(engine, 5)
    d = dispatcher(engine, fake_slack, stormy, rollup_hold_seconds=60)
    assert await d.run_once() == 5
    assert len(fake_slack.messages(CHANNEL)) == 3
    held = [r for r in rows(engine) if r.status == "pending"]
    assert len(held) == 2 and all(r.lease_owner is None and r.attempts == 0 for r in held)
    later = dispatcher(engine, fake_slack, stormy, now=lambda: utcnow() + timedelta(seconds=61))
    assert await later.run_once() == 2
    assert len(fake_slack.messages(CHANNEL)) == 4  # one rollup of the two


async def test_two_dispatchers_in_a_storm_send_each_alert_once(
    engine: Engine, fake_slack: FakeSlack, shipped_config: ScoringConfig
) -> None:
    """Each alert reaches Slack once: on its own, or in exactly one rollup."""
    stormy = with_alerts(shipped_config, storm={"max_alerts": 3, "window_minutes": 15})
    ids = queue(engine, 30)
    one = dispatcher(engine, fake_slack, stormy, "d1", batch_size=7, rollup_hold_seconds=0)
    two = dispatcher(engine, fake_slack, stormy, "d2", batch_size=7, rollup_hold_seconds=0)
    for _ in range(20):
        if await asyncio.gather(one.run_once(), two.run_once()) == [0, 0]:
            break
    by_id = {r.id: r for r in rows(engine) if r.id is not None}
    rollups = {i: r for i, r in by_id.items() if r.kind == "rollup"}
    assert rollups and all(r.status == "sent" for r in by_id.values())
    alone = [i for i in ids if by_id[i].rollup_id is None]
    folded = [a for r in rollups.values() for a in r.payload["alerts"]]
    assert sorted(alone + folded) == ids  # each once: alone or in one rollup
    assert all(by_id[a].rollup_id == r for r in rollups for a in rollups[r].payload["alerts"])
    assert sorted(posted_ids(fake_slack)) == sorted(alone + list(rollups))


async def test_a_storm_filling_a_whole_batch_rolls_up_at_once(
    engine: Engine, fake_slack: FakeSlack, shipped_config: ScoringConfig
) -> None:
    """More alerts may be due behind a full batch: its excess does not wait for the hold
    (it would keep the batch full of waiting alerts), a partial batch's does."""
    stormy = with_alerts(shipped_config, storm={"max_alerts": 3, "window_minutes": 15})
    ids = queue(engine, 7)
    d = dispatcher(engine, fake_slack, stormy, rollup_hold_seconds=60, batch_size=5)
    assert await d.run_once() == 5
    assert len(fake_slack.messages(CHANNEL)) == 4  # three alerts, one rollup of two
    by_id = {r.id: r for r in rows(engine)}
    [rollup] = [r for r in by_id.values() if r.kind == "rollup"]
    assert [by_id[i].rollup_id for i in ids[3:5]] == [rollup.id] * 2
    assert await d.run_once() == 2  # not a full batch: these two wait for more
    assert len(fake_slack.messages(CHANNEL)) == 4
    waiting = [r for r in rows(engine) if r.id in ids[5:]]
    assert [(r.status, r.rollup_id, r.lease_owner, r.attempts) for r in waiting] == [
        ("pending", None, None, 0)
    ] * 2


async def test_stop_finishes_the_post_in_flight_and_releases_the_rest(
    engine: Engine, fake_slack: FakeSlack, config: ScoringConfig
) -> None:
    queue(engine, 3)
    d = dispatcher(engine, fake_slack, config)
    started, go = asyncio.Event(), asyncio.Event()
    real_post = d.client.chat_postMessage

    async def slow_post(**kw: Any) -> Any:
        started.set()
        await go.wait()
        return await real_post(**kw)

    d.client.chat_postMessage = slow_post  # type: ignore[method-assign]
    running = asyncio.create_task(d.run_forever(poll_seconds=60))
    await asyncio.wait_for(started.wait(), 5)
    stopping = asyncio.create_task(d.stop())
    await asyncio.sleep(0.05)
    assert not stopping.done()  # waits for the post in flight
    go.set()
    await asyncio.wait_for(stopping, 5)
    await asyncio.wait_for(running, 5)
    states = [(r.status, r.lease_owner, r.lease_until, r.attempts) for r in rows(engine)]
    assert states == [("sent", None, None, 1)] + [("pending", None, None, 0)] * 2
    assert await dispatcher(engine, fake_slack, config, "d2").run_once() == 2
    assert fake_slack.calls_to("conversations.history") == []  # released rows: no lookup
    assert len(posted_ids(fake_slack)) == 3


async def test_wake_posts_at_once(
    engine: Engine, fake_slack: FakeSlack, config: ScoringConfig
) -> None:
    d = dispatcher(engine, fake_slack, config)
    running = asyncio.create_task(d.run_forever(poll_seconds=60))
    await asyncio.sleep(0.1)  # the first pass found nothing; now it sleeps for a minute
    queue(engine, 1)
    t0 = asyncio.get_running_loop().time()
    d.wake()
    await fake_slack.wait_for_async("chat.postMessage", timeout=2)
    assert asyncio.get_running_loop().time() - t0 < 1
    await d.stop()
    await asyncio.wait_for(running, 5)


async def test_wakes_soon_after_a_pass_are_served_by_one_pass(
    engine: Engine, fake_slack: FakeSlack, config: ScoringConfig
) -> None:
    """Busy ingest wakes the dispatcher after every request: wakes within the gap since
    the last pass began wait for it to end, and one pass posts what they queued."""
    d = dispatcher(engine, fake_slack, config, wake_gap_seconds=1)
    passes: list[int] = []
    real_pass = d._run_pass

    async def counted() -> Any:
        done = await real_pass()
        passes.append(done.seen)
        return done

    d._run_pass = counted  # type: ignore[method-assign]
    running = asyncio.create_task(d.run_forever(poll_seconds=60))
    while not passes:  # the first pass, at start, finds nothing
        await asyncio.sleep(0.01)
    queue(engine, 3)
    for _ in range(3):  # e.g. three requests committed one after another
        d.wake()
        await asyncio.sleep(0.1)
    assert passes == [0]  # within the gap: nothing yet
    await fake_slack.wait_for_async("chat.postMessage", n=3, timeout=5)
    await asyncio.sleep(0.3)
    assert passes == [0, 3] and len(posted_ids(fake_slack)) == 3
    await d.stop()
    await asyncio.wait_for(running, 5)
