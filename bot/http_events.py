"""`POST /events`: Segment `track`, `page` and `identify` calls, one at a time or in a batch.

Each item is validated on its own and the request stored in one transaction (see
`bot.event_store`), with the requests that arrived meanwhile (`bot.group_commit`), so a
bad item never rejects the good ones; the answer, sent only after the commit, says per
item accepted, duplicate or rejected with the reason. Idempotent on `messageId`.
Shares `bot.event_store.store_items` with `qualibot import events`.
Authenticated with the API bearer token (`INGEST_TOKEN`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from itertools import groupby
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from bot.event_store import (
    EventToStore,
    IdentifyToStore,
    Outcome,
    reject_reason,
    store_items,
    to_store,
)
from bot.group_commit import GroupCommitter
from bot.http_auth import bearer_auth
from bot.importing.segment import parse_segment_item
from bot.metrics import EVENTS, EVENTS_BATCH_SECONDS
from bot.slack.app import SlackContext
from bot.storage.database import session_scope
from bot.storage.leads_repo import lock_leads
from scoring.config import ScoringConfig

MAX_BODY_BYTES = 1024 * 1024
"""Largest accepted request body (1 MiB, as Segment's batch limit is 500 KB)."""
MAX_BATCH = 500
"""Most items in one `batch`."""
CREATE_LEADS = True
"""Default of `?create_leads=`: an event for an unknown email creates its lead."""

GROUP_ITEMS = 1000
"""Most items stored in one transaction when requests arrive together."""

RETRIES = 5
RETRYABLE = frozenset({"40P01", "40001"})  # PostgreSQL deadlock, serialization failure
log = logging.getLogger(__name__)

Status = Literal["accepted", "duplicate", "rejected"]
ParsedBatch = tuple[list[EventToStore | IdentifyToStore | Exception], bool]
"""A request's items parsed (`to_store_all`), and its `create_leads`."""


class ItemResult(BaseModel):
    """What became of one item of the request, in request order."""

    index: int = Field(description="Position in `batch` (0 for a single item)")
    messageId: str | None = Field(description="The item's messageId, when it has one")
    status: Status
    reason: str | None = Field(default=None, description="Why the item was rejected")


class EventsResult(BaseModel):
    """Counts and the per-item outcome; sent once everything accepted is committed."""

    accepted: int
    duplicates: int
    rejected: int
    items: list[ItemResult]


_ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A Segment track, page or identify call",
    "required": ["type", "messageId"],
    "properties": {
        "type": {"type": "string", "enum": ["track", "page", "identify"]},
        "messageId": {"type": "string"},
        "event": {"type": "string", "description": "track: the event name"},
        "userId": {"type": "string"},
        "anonymousId": {"type": "string"},
        "timestamp": {"type": "string", "format": "date-time"},
        "properties": {"type": "object", "description": "track/page; may carry `email`"},
        "traits": {"type": "object", "description": "identify: email, name, title, company…"},
        "context": {"type": "object"},
    },
    "example": {
        "type": "track",
        "event": "Demo Requested",
        "messageId": "msg-1",
        "timestamp": "2026-11-23T10:00:00Z",
        "properties": {"email": "jane@acme.com"},
    },
}
_BODY_SCHEMA: dict[str, Any] = {
    "oneOf": [
        _ITEM_SCHEMA,
        {
            "type": "object",
            "required": ["batch"],
            "properties": {
                "batch": {"type": "array", "maxItems": MAX_BATCH, "items": _ITEM_SCHEMA}
            },
        },
    ]
}


def _message_id(item: Any) -> str | None:
    value = item.get("messageId") if isinstance(item, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


async def _read_body(request: Request) -> bytes:
    too_large = HTTPException(
        413, f"request body larger than {MAX_BODY_BYTES} bytes (1 MiB): send smaller batches"
    )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            raise too_large
    return bytes(body)


def _items(body: bytes) -> list[Any]:
    try:
        data = json.loads(body)
    except UnicodeDecodeError:
        raise HTTPException(400, "malformed JSON: the body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise HTTPException(
            400, f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(data, dict):
        raise HTTPException(400, f"expected a JSON object, got {type(data).__name__}")
    if "batch" not in data:
        return [data]
    batch = data["batch"]
    if not isinstance(batch, list):
        raise HTTPException(400, "batch must be an array of Segment calls")
    if len(batch) > MAX_BATCH:
        raise HTTPException(413, f"batch has {len(batch)} items; at most {MAX_BATCH} per request")
    return batch


def ingest(
    engine: Engine,
    items: list[Any],
    config: ScoringConfig,
    now: datetime,
    *,
    create_leads: bool = CREATE_LEADS,
    source: str = "api",
) -> EventsResult:
    """Validate and store `items` in one transaction; commit, then report."""
    [outcomes] = store_together(
        engine, [(to_store_all(items, now, source), create_leads)], config, now
    )
    return report(items, outcomes)


def to_store_all(
    items: list[Any], now: datetime, source: str
) -> list[EventToStore | IdentifyToStore | Exception]:
    """Each item parsed and ready to store, or why it is invalid (`now`: the timestamp
    of an item without one)."""
    out: list[EventToStore | IdentifyToStore | Exception] = []
    for index, raw in enumerate(items):
        try:
            parsed = parse_segment_item(raw, row=index, default_timestamp=now)
            out.append(to_store(parsed, source))
        except ValueError as exc:
            out.append(exc)
    return out


def store_together(
    engine: Engine, requests: Sequence[ParsedBatch], config: ScoringConfig, now: datetime
) -> list[list[Outcome]]:
    """Store several parsed requests, in order, in one transaction; commit, then return
    each one's item outcomes.

    Should the database abort the transaction (a deadlock on PostgreSQL, e.g. over leads
    it creates), it is run again from the start (nothing of it was kept).
    """
    for attempt in range(1, RETRIES + 1):
        try:
            return _store_once(engine, requests, config, now)
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) not in RETRYABLE or attempt == RETRIES:
                raise
            log.info("events batch aborted by the database (%s), attempt %d", exc.orig, attempt)
    raise AssertionError("unreachable")


def _store_once(
    engine: Engine, requests: Sequence[ParsedBatch], config: ScoringConfig, now: datetime
) -> list[list[Outcome]]:
    # consecutive requests with the same create_leads are stored as one batch
    batches: list[tuple[bool, list[EventToStore | IdentifyToStore | Exception]]] = []
    start = 0
    for create_leads, same in groupby(requests, key=lambda r: r[1]):
        end = start + len(list(same))
        batches.append((create_leads, [item for p, _ in requests[start:end] for item in p]))
        start = end
    outcomes: list[Outcome] = []
    with session_scope(engine) as session:
        if len(batches) > 1:
            # All their leads at once, in id order (as `store_items` does for a batch that
            # locks in several rounds): a round per batch could deadlock with another
            # replica's group.
            valid = [i for _, batch in batches for i in batch if not isinstance(i, Exception)]
            lock_leads(session, [item.email for item in valid])
        for create_leads, batch in batches:
            outcomes += store_items(session, batch, config, now, create_leads)
    results, offset = [], 0
    for items, _ in requests:
        results.append(outcomes[offset : offset + len(items)])
        offset += len(items)
    return results


def report(items: list[Any], outcomes: list[Outcome]) -> EventsResult:
    """The answer to a request: each of its `items`' outcome, in order."""
    results = []
    for index, (raw, outcome) in enumerate(zip(items, outcomes, strict=True)):
        message_id = _message_id(raw)
        if isinstance(outcome, Exception):
            results.append(
                ItemResult(
                    index=index,
                    messageId=message_id,
                    status="rejected",
                    reason=reject_reason(outcome),
                )
            )
        else:
            status: Status = "duplicate" if outcome == "duplicate" else "accepted"
            results.append(ItemResult(index=index, messageId=message_id, status=status))
    return EventsResult(
        accepted=sum(r.status == "accepted" for r in results),
        duplicates=sum(r.status == "duplicate" for r in results),
        rejected=sum(r.status == "rejected" for r in results),
        items=results,
    )


def events_router(
    ctx: SlackContext, token: str | None, on_accepted: Callable[[], None] = lambda: None
) -> APIRouter:
    """The `/events` endpoint, bound to the app's database and scoring config;
    `on_accepted` runs after a commit that stored events (it wakes the alert dispatcher)."""
    router = APIRouter()
    # One write at a time, of every request waiting (see `bot.group_commit`); requests
    # are parsed and answered outside it, alongside the write in progress.
    writes: GroupCommitter[ParsedBatch, list[Outcome]] = GroupCommitter(
        lambda requests: store_together(ctx.db, requests, ctx.config, ctx.now()),
        size=lambda request: len(request[0]),
        max_size=GROUP_ITEMS,
    )

    @router.post(
        "/events",
        dependencies=[Depends(bearer_auth(token))],
        response_model=EventsResult,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _BODY_SCHEMA}},
            }
        },
        responses={
            400: {"description": "Malformed JSON, or not a Segment call / batch"},
            401: {"description": "Missing or wrong bearer token"},
            413: {"description": f"Body over 1 MiB or more than {MAX_BATCH} items"},
        },
    )
    async def post_events(
        request: Request,
        create_leads: bool = Query(
            CREATE_LEADS, description="Create the lead of an unknown email (else reject)"
        ),
    ) -> EventsResult:
        """Store Segment `track`/`page`/`identify` calls (a single call or `{"batch": [...]}`).

        Always 200 once processed: rejected items are listed with their reason.
        """
        items = _items(await _read_body(request))
        with EVENTS_BATCH_SECONDS.time():
            parsed = to_store_all(items, ctx.now(), "api")
            result = report(items, await writes.submit((parsed, create_leads)))
        EVENTS.labels("accepted").inc(result.accepted)
        EVENTS.labels("duplicate").inc(result.duplicates)
        EVENTS.labels("rejected").inc(result.rejected)
        if result.accepted:
            on_accepted()
        return result

    return router
