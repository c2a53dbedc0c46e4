"""Plain, fast input records for the scorer (built by storage, tests and benchmarks).

Answers and events are built by the million in bulk scoring, so they are not frozen (a
frozen dataclass builds 3× slower), and their `__init__` is written out: compiled by mypyc
it builds them 2.4× faster than the one `dataclass` generates. Nothing changes them once
built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(slots=True, frozen=True)
class LeadProfile:
    """What is known about the lead itself (firmographics and person)."""

    email: str
    domain: str | None = None
    company: str | None = None
    name: str | None = None
    title: str | None = None
    industry: str | None = None
    company_size: int | None = None
    country: str | None = None
    product: str | None = None


@dataclass(slots=True, init=False)
class AnswerRecord:
    """One stored answer to a qualification slot; `value` follows scoring.values."""

    slot: str
    value: dict[str, Any]
    answered_at: datetime
    seq: int  # storage id; breaks ties between answers given at the same instant
    answered_by: str | None
    framework: str | None
    raw_text: str | None

    def __init__(
        self,
        slot: str,
        value: dict[str, Any],
        answered_at: datetime,
        seq: int = 0,
        answered_by: str | None = None,
        framework: str | None = None,
        raw_text: str | None = None,
    ) -> None:
        self.slot = slot
        self.value = value
        self.answered_at = answered_at
        self.seq = seq
        self.answered_by = answered_by
        self.framework = framework
        self.raw_text = raw_text


@dataclass(slots=True, init=False)
class EventRecord:
    """One behavioural event (Segment `track` shape: name + properties)."""

    type: str
    occurred_at: datetime
    key: str  # unique dedupe key (Segment messageId)
    properties: dict[str, Any]

    def __init__(
        self,
        type: str,
        occurred_at: datetime,
        key: str,
        properties: dict[str, Any] | None = None,
    ) -> None:
        self.type = type
        self.occurred_at = occurred_at
        self.key = key
        self.properties = {} if properties is None else properties
