"""parse_segment_item and the payload models, used without any file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.importing import (
    IdentifyPayload,
    ParsedEvent,
    ParsedIdentify,
    TrackPayload,
    parse_segment_item,
)

TRACK = {
    "type": "track",
    "event": "Demo Requested",
    "messageId": "ajs-123",
    "anonymousId": "anon-1",
    "timestamp": "2026-11-20T09:15:00+01:00",
    "properties": {"form_id": "demo"},
    "context": {"traits": {"email": "Ada@Acme.com"}, "ip": "203.0.113.9"},
    "integrations": {},
    "sentAt": "2026-11-20T09:15:01Z",
}


def test_track_item() -> None:
    parsed = parse_segment_item(TRACK)
    assert parsed == ParsedEvent(
        message_id="ajs-123",
        event="Demo Requested",
        type="demo_requested",
        timestamp=datetime(2026, 11, 20, 8, 15, tzinfo=UTC),
        properties={"form_id": "demo"},
        email="ada@acme.com",
        anonymous_id="anon-1",
        user_id=None,
        row=None,
    )


def test_row_is_passed_through_and_numeric_ids_become_text() -> None:
    parsed = parse_segment_item({**TRACK, "messageId": 42, "userId": 7}, row=3)
    assert (parsed.message_id, parsed.user_id, parsed.row) == ("42", "7", 3)


def test_identify_item() -> None:
    item = {
        "type": "identify",
        "messageId": "id-1",
        "userId": "Ada@Acme.com",
        "timestamp": "2026-11-20T09:15:00Z",
        "traits": {"name": "Ada"},
    }
    parsed = parse_segment_item(item)
    assert isinstance(parsed, ParsedIdentify)
    assert (parsed.email, parsed.traits) == ("ada@acme.com", {"name": "Ada"})


def test_models_keep_unknown_segment_fields() -> None:
    payload = TrackPayload.model_validate(TRACK)
    assert payload.message_id == "ajs-123"
    assert payload.model_extra == {"integrations": {}, "sentAt": "2026-11-20T09:15:01Z"}
    assert (
        IdentifyPayload.model_validate(
            {"type": "identify", "messageId": "i", "timestamp": "2026-01-01"}
        ).traits
        == {}
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"messageId": None}, "messageId must be a string"),
        ({"timestamp": "tomorrow"}, "timestamp 'tomorrow' is not an ISO 8601 date-time"),
        ({"type": "group"}, "type 'group' is not supported (expected track, page or identify)"),
        ({"event": "  "}, "event is empty"),
        ({"event": "!!"}, "event '!!' has no letters or digits"),
        ({"anonymousId": None, "context": {}}, "no email"),
        ({"context": {"traits": {"email": 5}}}, "context.traits.email must be a string"),
    ],
)
def test_invalid_items(change: dict[str, object], reason: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_segment_item({**TRACK, **change})
    assert str(info.value).startswith(reason)


def test_timestamp_fallbacks() -> None:
    item = {k: v for k, v in TRACK.items() if k != "timestamp"}
    with pytest.raises(ValueError, match="timestamp is missing"):
        parse_segment_item(item)
    received = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert parse_segment_item(item, default_timestamp=received).timestamp == received
    original = {**item, "originalTimestamp": "2026-11-20T09:15:00Z"}
    parsed = parse_segment_item(original, default_timestamp=received)
    assert parsed.timestamp == datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
