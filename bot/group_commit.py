"""Group commit: requests that arrive while a write is running are stored together.

`qualibot serve` runs one write at a time per process (SQLite has one writer anyway; on
PostgreSQL concurrent batches mostly wait on each other's lead locks). Instead of queueing
requests one by one, the next write takes every request waiting, up to a size, in one
transaction: a commit, a lock round and the per-batch reads shared, and a lead's several
events read and written once. Each request still gets its own result, only once the
transaction holding its items has committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Request = TypeVar("Request")
Result = TypeVar("Result")

log = logging.getLogger(__name__)


class GroupCommitter(Generic[Request, Result]):
    """Runs `write` (blocking, in a worker thread) on groups of waiting requests.

    `write` takes a group in arrival order and returns one result per request, all
    committed together. A group holds requests up to `max_size` in all (by `size`), and
    always at least one. Should a group of several fail, each of its requests is written
    again on its own, so a request that fails gets its own error and fails no other.
    """

    def __init__(
        self,
        write: Callable[[Sequence[Request]], list[Result]],
        size: Callable[[Request], int],
        max_size: int,
    ) -> None:
        self._write, self._size, self._max_size = write, size, max_size
        self._waiting: list[tuple[Request, asyncio.Future[Result]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, request: Request) -> Result:
        """Write `request` with whatever else is waiting; its result once committed."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((request, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_waiting())
        # A request cancelled while it waits (its client hung up) is written all the same.
        return await future

    def _next_group(self) -> list[tuple[Request, asyncio.Future[Result]]]:
        group: list[tuple[Request, asyncio.Future[Result]]] = []
        total = 0
        while self._waiting:
            size = self._size(self._waiting[0][0])
            if group and total + size > self._max_size:
                break
            group.append(self._waiting.pop(0))
            total += size
        return group

    async def _write_waiting(self) -> None:
        while self._waiting:
            group = self._next_group()
            try:
                results = await asyncio.to_thread(self._write, [r for r, _ in group])
            except Exception as exc:
                if len(group) == 1:
                    _settle(group[0][1], exc)
                    continue
                log.warning("a group of %d requests failed (%s): each alone", len(group), exc)
                for request, future in group:
                    try:
                        [result] = await asyncio.to_thread(self._write, [request])
                    except Exception as alone:
                        _settle(future, alone)
                    else:
                        _settle(future, result)
                continue
            for (_, future), result in zip(group, results, strict=True):
                _settle(future, result)


def _settle(future: asyncio.Future[Result], outcome: Result | Exception) -> None:
    if future.done():  # cancelled: nobody waits for it any more
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
