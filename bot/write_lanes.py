"""Write lanes: on PostgreSQL, `POST /events` writes in two transactions at once.

Each lane is a group commit (`bot.group_commit`) of its own and owns the leads whose
email hashes to it, so the lanes never wait on each other's lead locks, and one lane's
Python work (parsing, scoring) runs while the other waits on the database: one process
keeps both the interpreter and the server busy. A request's items are split by lane and
its answer waits for every lane that holds some of them.

A request with an item that is not tied to a lead by email (an anonymous event, an
identify linking an anonymous id) is written whole in the first lane: its order
matters across leads. SQLite has one writer, so it gets one lane.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable, Sequence

from bot.event_store import EventToStore, IdentifyToStore, Outcome
from bot.group_commit import GroupCommitter

POSTGRES_LANES = 2
"""Write lanes per `serve` process on PostgreSQL (two: the interpreter and the server)."""

Item = EventToStore | IdentifyToStore | Exception
Batch = tuple[list[Item], bool]
"""The store-ready items of a request (or its share in one lane), and its create_leads."""


def lanes_for(dialect: str) -> int:
    """How many write lanes a process uses on the database `dialect`."""
    return POSTGRES_LANES if dialect == "postgresql" else 1


def _lane_key(item: Item) -> str | None:
    """The normalised email that picks the item's lane; None when it has no lane of its own."""
    if isinstance(item, Exception):
        return ""  # rejected already: any lane reports it
    if item.email is None or (isinstance(item, IdentifyToStore) and item.anonymous_id):
        return None
    return item.email.strip().lower()


def lane_parts(items: Sequence[Item], lanes: int) -> dict[int, list[int]]:
    """The positions of `items` each lane writes (in request order), by lane."""
    keys = [_lane_key(item) for item in items]
    if lanes == 1 or None in keys:
        return {0: list(range(len(items)))}
    parts: dict[int, list[int]] = {}
    for position, key in enumerate(keys):
        lane = zlib.crc32(key.encode()) % lanes if key else 0
        parts.setdefault(lane, []).append(position)
    return parts


class WriteLanes:
    """`lanes` group commits side by side; `write` stores a group of batches in one
    transaction and returns each batch's outcomes (see `bot.http_events.store_together`)."""

    def __init__(
        self, lanes: int, write: Callable[[Sequence[Batch]], list[list[Outcome]]], max_items: int
    ) -> None:
        self._lanes = [
            GroupCommitter(write, size=lambda batch: len(batch[0]), max_size=max_items)
            for _ in range(lanes)
        ]

    async def submit(self, items: list[Item], create_leads: bool) -> list[Outcome]:
        """Write `items` (in their lanes, with whatever else waits there); each item's
        outcome, in order, once every lane holding some has committed."""
        parts = lane_parts(items, len(self._lanes))
        written = await asyncio.gather(
            *(
                self._lanes[lane].submit(([items[p] for p in positions], create_leads))
                for lane, positions in parts.items()
            )
        )
        outcomes: list[Outcome | None] = [None] * len(items)
        for positions, lane_outcomes in zip(parts.values(), written, strict=True):
            for position, outcome in zip(positions, lane_outcomes, strict=True):
                outcomes[position] = outcome
        assert all(o is not None for o in outcomes)
        return outcomes  # type: ignore[return-value]
