"""Group commit: requests waiting while a write runs are written together, each answered."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

from bot.group_commit import GroupCommitter


class Writes:
    """A blocking write that records its groups; the first one waits for `release`."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.groups: list[list[str]] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.fail_on = fail_on

    def __call__(self, group: Sequence[str]) -> list[str]:
        self.started.set()
        if not self.groups:
            self.release.wait(5)
        self.groups.append(list(group))
        if self.fail_on in group:
            raise ValueError(f"cannot write {self.fail_on}")
        return [f"stored {r}" for r in group]


async def _behind_a_first_write(
    committer: GroupCommitter[str, str],
    writes: Writes,
    requests: Sequence[str],
    cancel: Sequence[str] = (),
) -> tuple[str, list[object]]:
    """Submit "a" and, while its write blocks, `requests` (cancelling those in `cancel`
    as they wait); then let the writes go. The result of "a", the outcomes of the rest."""
    first = asyncio.create_task(committer.submit("a"))
    assert await asyncio.to_thread(writes.started.wait, 5)
    waiting = {r: asyncio.create_task(committer.submit(r)) for r in requests}
    await asyncio.sleep(0)  # each runs up to its wait: all are queued
    for request in cancel:
        waiting[request].cancel()
    writes.release.set()
    return await first, await asyncio.gather(*waiting.values(), return_exceptions=True)


async def test_requests_waiting_on_a_write_go_together_and_each_gets_its_result() -> None:
    writes = Writes()
    committer = GroupCommitter(writes, size=len, max_size=100)
    first, rest = await _behind_a_first_write(committer, writes, ["bb", "cc", "dd"])
    assert (first, rest) == ("stored a", ["stored bb", "stored cc", "stored dd"])
    assert writes.groups == [["a"], ["bb", "cc", "dd"]]


async def test_a_group_holds_at_most_max_size_but_always_one_request() -> None:
    writes = Writes()
    committer = GroupCommitter(writes, size=len, max_size=4)
    await _behind_a_first_write(committer, writes, ["bb", "cc", "dddddd", "e"])
    assert writes.groups == [["a"], ["bb", "cc"], ["dddddd"], ["e"]]


async def test_a_failing_request_fails_alone_and_the_others_of_its_group_are_written() -> None:
    writes = Writes(fail_on="bad")
    committer = GroupCommitter(writes, size=len, max_size=100)
    first, (b, bad, c) = await _behind_a_first_write(committer, writes, ["b", "bad", "c"])
    assert (first, b, c) == ("stored a", "stored b", "stored c")
    assert isinstance(bad, ValueError) and str(bad) == "cannot write bad"
    assert writes.groups == [["a"], ["b", "bad", "c"], ["b"], ["bad"], ["c"]]


async def test_a_request_whose_client_left_is_still_written_and_the_rest_answered() -> None:
    writes = Writes()
    committer = GroupCommitter(writes, size=len, max_size=100)
    _, (gone, stays) = await _behind_a_first_write(
        committer, writes, ["gone", "stays"], cancel=["gone"]
    )
    assert isinstance(gone, asyncio.CancelledError) and stays == "stored stays"
    assert writes.groups == [["a"], ["gone", "stays"]]


async def test_a_lone_request_is_written_at_once() -> None:
    writes = Writes()
    writes.release.set()
    committer = GroupCommitter(writes, size=len, max_size=100)
    assert await committer.submit("x") == "stored x"
    assert await committer.submit("y") == "stored y"
    assert writes.groups == [["x"], ["y"]]
