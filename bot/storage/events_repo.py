"""Behavioural events: idempotent inserts keyed by `dedupe_key`, single and bulk."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlmodel import col, select

from bot.storage._checks import aware_utc
from bot.storage.column_types import utcnow
from bot.storage.tables import Event, metadata
from bot.storage.upsert import ManyRows, cached_statement, chunks, insert_for
from scoring.config import normalize_event_name
from scoring.inputs import EventRecord

_REQUIRED = ("lead_id", "dedupe_key", "type", "occurred_at", "source")
_OPTIONAL = ("properties", "received_at")


def normalize_event_type(name: str) -> str:
    """Canonical event name (`scoring.config.normalize_event_name`); empty names are refused."""
    text = normalize_event_name(name)
    if not text:
        raise ValueError(f"invalid event type {name!r}")
    return text


def _event_row(row: Mapping[str, Any], received_at: datetime) -> dict[str, Any]:
    missing = [key for key in _REQUIRED if row.get(key) in (None, "")]
    if missing:
        raise ValueError(f"event is missing {', '.join(missing)}")
    unknown = set(row) - set(_REQUIRED) - set(_OPTIONAL)
    if unknown:
        raise ValueError(f"unknown event fields: {', '.join(sorted(unknown))}")
    properties = row.get("properties") or {}
    if not isinstance(properties, Mapping):
        raise ValueError("event properties must be an object")
    received = row.get("received_at")
    return {
        "lead_id": row["lead_id"],
        "dedupe_key": str(row["dedupe_key"]),
        "type": normalize_event_type(row["type"]),
        "properties": dict(properties),
        "occurred_at": aware_utc(row["occurred_at"], "occurred_at"),
        "received_at": received_at if received is None else aware_utc(received, "received_at"),
        "source": row["source"],
    }


_EVENTS = metadata.tables[Event.__tablename__]
_insert_event = cached_statement(
    lambda dialect: (
        insert_for(dialect, _EVENTS)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(_EVENTS.c.id, _EVENTS.c.dedupe_key)
    )
)


def add_event(
    session: Session,
    *,
    lead_id: int,
    dedupe_key: str,
    type: str,
    occurred_at: datetime,
    source: str,
    properties: Mapping[str, Any] | None = None,
    received_at: datetime | None = None,
) -> int | None:
    """Insert an event; return its id, or None if an event with `dedupe_key` exists.

    Uses INSERT … ON CONFLICT DO NOTHING, so a duplicate never raises nor breaks the
    surrounding transaction. `type` is normalized with `normalize_event_type`.
    """
    row = _event_row(
        {
            "lead_id": lead_id,
            "dedupe_key": dedupe_key,
            "type": type,
            "occurred_at": occurred_at,
            "source": source,
            "properties": properties,
            "received_at": received_at,
        },
        utcnow(),
    )
    new_id: int | None = session.connection().execute(_insert_event(session), row).scalar()
    return new_id


def insert_new_events(
    session: Session, rows: Iterable[Mapping[str, Any]], *, batch_size: int = 1000
) -> set[str]:
    """Insert many events (dicts with the `add_event` fields); return the dedupe keys of
    those that were new.

    Rows whose `dedupe_key` exists (in the database or earlier in `rows`) are skipped.
    A bad row raises `ValueError` before its batch is written.
    """
    inserted: set[str] = set()
    for chunk in chunks(rows, batch_size):
        now = utcnow()
        inserted |= _insert_rows(session, [_event_row(row, now) for row in chunk])
    return inserted


def _insert_rows(session: Session, params: list[dict[str, Any]]) -> set[str]:
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name == "postgresql":
        return {key for (key,) in _NEW_EVENTS.bind(dialect, params).returned(connection)}
    return {key for _id, key in connection.execute(_insert_event(session), params)}


class NewEventsInsert:
    """`insert_new_events` of `rows`, run while the caller computes (`in_flight`).

    The rows are checked at once (`ValueError`, before anything is written); `inserted`
    holds the dedupe keys of the new ones once `in_flight` has ended.
    """

    def __init__(self, session: Session, rows: Iterable[Mapping[str, Any]]) -> None:
        now = utcnow()
        self._session = session
        self._params = [_event_row(row, now) for row in rows]
        self.inserted: set[str] = set()

    @contextmanager
    def in_flight(self) -> Iterator[None]:
        """Insert the rows around the block.

        On PostgreSQL the insert is sent in pipeline mode before the block and its result
        read after, so the server inserts while the block computes (ingest: the writer's
        wait for the server went from ~60 to ~46 µs an event). The block must not use the
        session's connection: a query sent meanwhile would be read before its rows
        arrive. Elsewhere the insert runs before the block.
        """
        self._session.flush()
        connection = self._session.connection()
        dialect = connection.dialect
        if dialect.name != "postgresql" or not self._params:
            self.inserted = _insert_rows(self._session, self._params)
            yield
            return
        import psycopg  # the PostgreSQL driver: installed with the `postgres` extra

        bound = _NEW_EVENTS.bind(dialect, self._params)
        driver = connection.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        try:
            with driver.pipeline(), driver.cursor() as cursor:
                cursor.execute(bound.sql, bound.params)
                yield
                self.inserted = {key for (key,) in cursor.fetchall()}
        except psycopg.Error as exc:  # as SQLAlchemy raises it (IntegrityError…)
            raise DBAPIError.instance(bound.sql, bound.params, exc, psycopg.Error) from exc


# PostgreSQL: one statement over column arrays (`ManyRows`), the same text whatever the
# batch size (a multi-row VALUES list is a new text per size, parsed again by psycopg).
_NEW_EVENTS = ManyRows(
    insert_for("postgresql", _EVENTS)
    .on_conflict_do_nothing(index_elements=["dedupe_key"])
    .returning(_EVENTS.c.dedupe_key),
    ("lead_id", "dedupe_key", "type", "properties", "occurred_at", "received_at", "source"),
)


def bulk_insert_events(
    session: Session, rows: Iterable[Mapping[str, Any]], *, batch_size: int = 1000
) -> int:
    """`insert_new_events`, returning how many were new."""
    return len(insert_new_events(session, rows, batch_size=batch_size))


def events_for_lead(
    session: Session,
    lead_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Event]:
    """A lead's events with `since <= occurred_at < until`, oldest first."""
    stmt = select(Event).where(Event.lead_id == lead_id)
    if since is not None:
        stmt = stmt.where(col(Event.occurred_at) >= aware_utc(since, "since"))
    if until is not None:
        stmt = stmt.where(col(Event.occurred_at) < aware_utc(until, "until"))
    stmt = stmt.order_by(col(Event.occurred_at), col(Event.id))
    return list(session.scalars(stmt))


def to_event_record(event: Event) -> EventRecord:
    """The scorer's view of a stored event (`key` is its dedupe key)."""
    return EventRecord(
        type=event.type,
        occurred_at=event.occurred_at,
        key=event.dedupe_key,
        properties=dict(event.properties),
    )
