"""Group commit: requests waiting while a write runs are written together, each answered."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

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


async def _started(writes: Writes) -> None:
    """Wait until the first write runs (and blocks) in its thread."""
    assert await asyncio.to_thread(writes.started.wait, 5)


async def test_requests_waiting_on_a_write_go_together_and_each_gets_its_result() -> None:
    writes = Writes()
    committer = GroupCommitter(writes, size=len, max_size=100)
    first = asyncio.create_task(committer.submit("a"))
    await _started(writes)
    rest = [asyncio.create_task(committer.submit(r)) for r in ("bb", "cc", "dd")]
    await asyncio.sleep(0.05)
    writes.release.set()
    assert await first == "stored a"
    assert await asyncio.gather(*rest) == ["stored bb", "stored cc", "stored dd"]
    assert writes.groups == [["a"], ["bb", "cc", "dd"]]


async def test_a_group_holds_at_most_max_size_but_always_one_request() -> None:
    writes = Writes()
    committer = GroupCommitter(writes, size=len, max_size=4)
    first = asyncio.create_task(committer.submit("a"))
    await _started(writes)
    rest = [asyncio.create_task(committer.submit(r)) for r in ("bb", "cc", "dddddd", "e")]
    await asyncio.sleep(0.05)
    writes.release.set()
    await asyncio.gather(first, *rest)
    assert writes.groups == [["a"], ["bb", "cc"], ["dddddd"], ["e"]]


async def test_a_failing_request_fails_alone_and_the_others_of_its_group_are_written() -> None:
    writes = Writes(fail_on="bad")
    committer = GroupCommitter(writes, size=len, max_size=100)
    first = asyncio.create_task(committer.submit("a"))
    await _started(writes)
    rest = [asyncio.create_task(committer.submit(r)) for r in ("b", "bad", "c")]
    await asyncio.sleep(0.05)
    writes.release.set()
    assert await first == "stored a"
    outcomes = await asyncio.gather(*rest, return_exceptions=True)
    assert outcomes[0] == "stored b" and outcomes[2] == "stored c"
    assert isinstance(outcomes[1], ValueError) and str(outcomes[1]) == "cannot write bad"
    assert writes.groups == [["a"], ["b", "bad", "c"], ["b"], ["bad"], ["c"]]


async def test_a_request_whose_client_left_is_still_written_and_the_rest_answered() -> None:
    writes = Writes()
    committer = GroupCommitter(writes, size=len, max_size=100)
    first = asyncio.create_task(committer.submit("a"))
    await _started(writes)
    gone = asyncio.create_task(committer.submit("gone"))
    stays = asyncio.create_task(committer.submit("stays"))
    await asyncio.sleep(0.05)
    gone.cancel()
    writes.release.set()
    assert await stays == "stored stays"
    await first
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert writes.groups == [["a"], ["gone", "stays"]]


async def test_a_lone_request_is_written_at_once() -> None:
    writes = Writes()
    writes.release.set()
    committer = GroupCommitter(writes, size=len, max_size=100)
    assert await committer.submit("x") == "stored x"
    assert await committer.submit("y") == "stored y"
    assert writes.groups == [["x"], ["y"]]
