"""Pausing the cyclic garbage collector over work that allocates much and makes no cycles.

Scoring a batch allocates hundreds of thousands of short-lived objects (results,
contributions, rows) that reference counting frees; GC passes over them find nothing
and cost 15–40% of the work. Pauses nest and may overlap across threads (an ingest
write and the decay rescore in `serve`): the collector is back on when the last ends.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic GC off for the block (unless it was off already)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()


def without_gc(task: Callable[P, T]) -> Callable[P, T]:
    """`task`, run wholly inside `gc_paused()`."""

    @functools.wraps(task)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        with gc_paused():
            return task(*args, **kwargs)

    return run
