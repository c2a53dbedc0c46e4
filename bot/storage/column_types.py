"""Portable column types: tz-aware UTC datetimes and JSON (JSONB on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

JSONType: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")
"""JSON column type: `JSON` everywhere, `JSONB` on PostgreSQL."""

StoredJSONType: TypeEngine[Any] = JSON()
"""JSON the database only stores and returns, never queries inside: `json` (text) on
PostgreSQL too, which it checks but need not convert to JSONB on every write."""


def dump_json(value: Any) -> str:
    """Serialise a JSON column value (orjson: ~10× the stdlib on score rows)."""
    return orjson.dumps(value).decode()


load_json = orjson.loads
"""Parse a JSON column value."""

JSONText = orjson.Fragment
"""A JSON column value encoded already (`JSONText(text)`): `dump_json` writes it as is."""


def driver_json(value: Any) -> Any:
    """A JSON column's value as a raw cursor returns it: SQLite gives the text (parsed
    here), psycopg the parsed value."""
    return load_json(value) if isinstance(value, str | bytes) else value


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def _in_utc(value: Any) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is UTC:  # the usual case, without a call to the tzinfo
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()} (use an aware UTC datetime)")
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A `DateTime(timezone=True)` that only accepts aware datetimes and always returns UTC.

    SQLite has no time zones: values are stored as UTC and read back naive, so they are
    tagged UTC on the way out. Naive datetimes are rejected on write (ambiguous).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = _in_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        last: tuple[datetime | None, str | None] = (None, None)

        def process(value: datetime | None) -> str | None:
            # The text SQLAlchemy's SQLite DATETIME stores ("YYYY-MM-DD HH:MM:SS.ffffff"),
            # made directly, and the column's last value remembered (bulk writes repeat
            # `now`): the generic chain cost ~3 µs a value on bulk score writes.
            nonlocal last
            if value is None:
                return None
            seen = last  # one read: another thread may replace it meanwhile
            if value is seen[0]:
                return seen[1]
            text = _in_utc(value).isoformat(" ", "microseconds")[:-6]  # drop "+00:00"
            last = (value, text)
            return text

        return process

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
