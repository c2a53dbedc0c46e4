"""Pausing the cyclic GC: nested and overlapping pauses end when the last one does."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from bot.gc_pause import gc_paused, without_gc


@pytest.fixture(autouse=True)
def gc_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_off_inside_and_back_on_after_even_on_error() -> None:
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still runs
    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_overlapping_pauses_in_two_threads_end_with_the_last() -> None:
    entered, may_leave = threading.Event(), threading.Event()

    def other() -> None:
        with gc_paused():
            entered.set()
            assert may_leave.wait(5)

    thread = threading.Thread(target=other)
    with gc_paused():
        thread.start()
        assert entered.wait(5)
    assert not gc.isenabled()  # the other thread's pause has not ended
    may_leave.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_collector_off_before_stays_off() -> None:
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def test_without_gc_runs_the_task_paused() -> None:
    @without_gc
    def task(a: int, *, b: int) -> tuple[int, bool]:
        return a + b, gc.isenabled()

    assert task(1, b=2) == (3, False)
    assert gc.isenabled()
