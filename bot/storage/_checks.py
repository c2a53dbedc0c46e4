"""Small argument checks shared by the repository modules."""

from __future__ import annotations

from datetime import UTC, datetime


def aware_utc(value: datetime, name: str) -> datetime:
    """`value` in UTC; `ValueError` if it is naive (its time zone would be a guess)."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is UTC:  # the usual case, without a call to the tzinfo
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value.isoformat()}")
    return value.astimezone(UTC)
