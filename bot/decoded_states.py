"""Decoded engagement states of recently scored leads, kept by their stored JSON text.

Every ingested event reads its lead's stored engagement state (a JSON text of ~1 KB)
and decodes it into tuples before applying the event; the state written back is the
next event's to decode. `serve` keeps the states it wrote, each under the exact text it
stored: a state read back whose text is that text is the one kept, decoded already. A
lead written since by another process, or whose write was rolled back, has another
text, and is decoded afresh. Text equality makes a kept state right by construction:
nothing need be invalidated, whatever database or transaction the text came from.
States are never changed in place (`scoring.engagement` makes new ones), so they can
be shared.
"""

from __future__ import annotations

import threading
from typing import Any

from bot.storage.column_types import JSONText, dump_json, load_json
from scoring.engagement import state_from_json

KEPT_LEADS = 10_000
"""Most leads whose state is kept (the least recently scored go first): ~30 MB."""


class DecodedStates:
    """Engagement states by lead id, each with the JSON text it was stored as."""

    def __init__(self, size: int = KEPT_LEADS) -> None:
        self._size = size
        self._kept: dict[int, tuple[str, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def decode(self, lead_id: int, text: str) -> dict[str, Any] | None:
        """The state stored for `lead_id` as `text` (kept, or decoded and kept); None
        for an empty one (`{}`: never built)."""
        kept = self._kept.get(lead_id)
        if kept is not None and kept[0] == text:
            return kept[1]
        data = load_json(text)
        if not data:
            return None
        state = state_from_json(data)
        self._keep(lead_id, text, state)
        return state

    def encode(self, lead_id: int, state: dict[str, Any]) -> JSONText:
        """`state` as the JSON to store for `lead_id` (written verbatim), kept with it."""
        text = dump_json(state)
        self._keep(lead_id, text, state)
        return JSONText(text)

    def _keep(self, lead_id: int, text: str, state: dict[str, Any]) -> None:
        with self._lock:
            self._kept.pop(lead_id, None)  # to the back: the most recently scored
            self._kept[lead_id] = (text, state)
            if len(self._kept) > self._size:
                del self._kept[next(iter(self._kept))]

    def __len__(self) -> int:
        return len(self._kept)


DECODED_STATES = DecodedStates()
"""The process's states (every `serve` thread and batch import share it)."""
