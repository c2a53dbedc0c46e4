"""Plain, fast input records for the scorer (built by storage, tests and benchmarks).

Answers and events are built by the million in bulk scoring, so they are not frozen (a
frozen dataclass builds 3× slower); nothing changes them once built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(slots=True)
class AnswerRecord:
    """One stored answer to a qualification slot; `value` follows scoring.values."""

    slot: str
    value: dict[str, Any]
    answered_at: datetime
    seq: int = 0  # storage id; breaks ties between answers given at the same instant
    answered_by: str | None = None
    framework: str | None = None
    raw_text: str | None = None


@dataclass(slots=True)
class EventRecord:
    """One behavioural event (Segment `track` shape: name + properties)."""

    type: str
    occurred_at: datetime
    key: str  # unique dedupe key (Segment messageId)
    properties: dict[str, Any] = field(default_factory=dict)
