"""Write lanes: a request's items split by the lane owning each lead, lanes writing at
once, each request answered in its own order once all its lanes have committed."""

from __future__ import annotations

import asyncio
import threading
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.event_store import EventToStore, IdentifyToStore, Outcome
from bot.write_lanes import Batch, Item, WriteLanes, lane_parts, lanes_for
from scoring.inputs import EventRecord

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def lane_of(email: str) -> int:
    return zlib.crc32(email.encode()) % 2


# Two leads in each of the two lanes (found by the hash the lanes use).
EMAILS = [f"lead{i}@acme.com" for i in range(20)]
LANE0 = [e for e in EMAILS if lane_of(e) == 0][:2]
LANE1 = [e for e in EMAILS if lane_of(e) == 1][:2]


def event(key: str, email: str | None, anonymous_id: str | None = None) -> EventToStore:
    return EventToStore(0, email, EventRecord("page_view", NOW, key, {}), "api", anonymous_id)


def test_one_lane_writes_every_item_in_order() -> None:
    items: list[Item] = [event("a", LANE1[0]), event("b", LANE0[0]), ValueError("bad")]
    assert lanes_for("sqlite") == 1
    assert lane_parts(items, 1) == {0: [0, 1, 2]}


def test_items_go_to_the_lane_of_their_lead_in_request_order() -> None:
    items: list[Item] = [
        event("a", LANE1[0]),
        event("b", LANE0[0]),
        event("c", f"  {LANE1[0].upper()} "),  # the same lead however it is written
        IdentifyToStore(0, "i", LANE1[1], {"name": "Jo"}),
        ValueError("no messageId"),  # rejected already: reported by the first lane
        event("d", LANE0[1], anonymous_id="anon-1"),  # the email decides
    ]
    assert lanes_for("postgresql") == 2
    assert lane_parts(items, 2) == {1: [0, 2, 3], 0: [1, 4, 5]}


def test_a_request_tied_to_leads_otherwise_than_by_email_stays_whole() -> None:
    anonymous: list[Item] = [event("a", LANE1[0]), event("b", None, anonymous_id="anon-1")]
    linking: list[Item] = [
        event("a", LANE1[0]),
        IdentifyToStore(0, "i", LANE0[0], {}, anonymous_id="anon-1"),
    ]
    assert lane_parts(anonymous, 2) == {0: [0, 1]}
    assert lane_parts(linking, 2) == {0: [0, 1]}


class LaneWrites:
    """A blocking write recording its groups; a write holding `hold`'s key waits for
    `release` (so that lane is busy while the other goes on)."""

    def __init__(self, hold: str) -> None:
        self.hold = hold
        self.groups: list[list[str]] = []
        self.holding = threading.Event()
        self.release = threading.Event()

    def __call__(self, group: Sequence[Batch]) -> list[list[Outcome]]:
        keys = [i.record.key for items, _ in group for i in items if isinstance(i, EventToStore)]
        if self.hold in keys:
            self.holding.set()
            assert self.release.wait(5)
        self.groups.append(keys)
        return [[f"stored {i.record.key}" for i in items] for items, _ in group]  # type: ignore[union-attr]


async def test_lanes_write_at_once_and_a_split_request_waits_for_both() -> None:
    writes = LaneWrites(hold="slow")
    lanes = WriteLanes(2, writes, max_items=100)
    held = asyncio.create_task(lanes.submit([event("slow", LANE0[0])], True))
    assert await asyncio.to_thread(writes.holding.wait, 5)
    # lane 1 is free: its request is written while lane 0 is still busy
    other = await lanes.submit([event("x", LANE1[0]), event("y", LANE1[1])], True)
    assert other == ["stored x", "stored y"] and writes.groups == [["x", "y"]]
    split = asyncio.create_task(
        lanes.submit([event("p", LANE1[0]), event("q", LANE0[1]), event("r", LANE1[1])], True)
    )
    await asyncio.sleep(0.05)
    assert not split.done()  # its lane-0 item waits behind the held write
    writes.release.set()
    assert await held == ["stored slow"]
    assert await split == ["stored p", "stored q", "stored r"]  # in request order
    assert sorted(writes.groups) == [["p", "r"], ["q"], ["slow"], ["x", "y"]]
