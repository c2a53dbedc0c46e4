"""parse_events: Segment JSON lines and CSV, good and bad lines, format detection."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.importing import ImportFileError, parse_events


def _line(**fields: object) -> str:
    base: dict[str, object] = {
        "type": "track",
        "event": "Page Viewed",
        "messageId": "m-1",
        "timestamp": "2026-11-20T09:15:00Z",
        "userId": "ada@acme.com",
    }
    base.update(fields)
    return json.dumps({k: v for k, v in base.items() if v is not None})


def test_segment_fixture(data_dir: Path) -> None:
    result = parse_events((data_dir / "events_segment.jsonl").read_text())

    assert result.format == "jsonl"
    assert [e.message_id for e in result.events] == ["evt-001", "evt-002", "evt-004", "evt-010"]
    pricing, docs, webinar, bounce = result.events
    assert (pricing.row, pricing.event, pricing.type) == (1, "Page Viewed", "page_viewed")
    assert pricing.email == "dana.whitfield@northwind-analytics.com"
    assert pricing.properties == {"path": "/pricing"}
    assert docs.type == "page_viewed"
    assert (docs.email, docs.anonymous_id) == (None, "anon-7")
    assert docs.properties["path"] == "/docs/getting-started"
    assert docs.timestamp == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert webinar.email == "priya@helixhealth.io"
    assert webinar.timestamp == datetime(2026, 11, 21, 21, 0, tzinfo=UTC)
    assert (bounce.row, bounce.type, bounce.properties["bounce_type"]) == (
        11,
        "email_bounced",
        "hard",
    )
    assert bounce.email == "dana.whitfield@northwind-analytics.com"
    assert bounce.timestamp == datetime(2026, 11, 23, 7, 30, tzinfo=UTC)

    [identify] = result.identifies
    assert (identify.row, identify.email, identify.anonymous_id) == (
        3,
        "priya@helixhealth.io",
        "anon-7",
    )
    assert identify.traits["name"] == "Priya Raman"

    assert [(e.row, e.reason.split(" (")[0].split(":")[0]) for e in result.errors] == [
        (5, "invalid JSON"),
        (6, "messageId is missing"),
        (7, "timestamp 'last tuesday' is not an ISO 8601 date-time"),
        (8, "type 'screen' is not supported"),
        (9, "no email"),
    ]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "invalid JSON (Expecting property name enclosed in double quotes, column 2)"),
        ("[1, 2]", None),
        ('"just a string"', "expected a JSON object, got str"),
        (_line(messageId=None), "messageId is missing"),
        (_line(messageId=""), "messageId is empty"),
        (_line(timestamp=None), "timestamp is missing"),
        (_line(timestamp="20/11/2026"), "timestamp '20/11/2026' is not an ISO 8601 date-time"),
        (_line(timestamp=1700000000), "timestamp 1700000000 is not an ISO 8601 date-time string"),
        (_line(type="alias"), "type 'alias' is not supported (expected track, page or identify)"),
        (_line(type=None), "type is missing (expected track, page or identify)"),
        (_line(event=""), "event is empty"),
        (_line(event=None), "event is missing"),
        (_line(properties=[1]), "properties must be an object"),
        (
            _line(userId="user-42"),
            "no email (properties.email, context.traits.email or an email userId) and no "
            "anonymousId: the event cannot be tied to a lead",
        ),
        (
            _line(properties={"email": "bob@"}),
            "properties.email 'bob@' is not a valid email address",
        ),
    ],
)
def test_bad_lines_are_row_errors_and_good_lines_still_parse(line: str, reason: str | None) -> None:
    good = _line(messageId="good")
    text = f"{good}\n{line}\n{good.replace('good', 'good-2')}\n"
    result = parse_events(text, "jsonl")
    assert [e.message_id for e in result.events] == ["good", "good-2"]
    [error] = result.errors
    assert error.row == 2
    if reason is not None:
        assert error.reason == reason


def test_email_sources_in_order() -> None:
    line = _line(
        userId="someone@else.com",
        properties={"email": "Props@Acme.com"},
        context={"traits": {"email": "ctx@acme.com"}},
    )
    assert parse_events(line).events[0].email == "props@acme.com"
    line = _line(userId="USER@acme.com", context={"traits": {"email": "Ctx@acme.com"}})
    assert parse_events(line).events[0].email == "ctx@acme.com"
    assert parse_events(_line(userId="User@Acme.com")).events[0].email == "user@acme.com"
    only_anonymous = parse_events(_line(userId=None, anonymousId="anon-1")).events[0]
    assert (only_anonymous.email, only_anonymous.anonymous_id) == (None, "anon-1")


def test_timestamps_are_normalized_to_utc() -> None:
    stamps = {
        "2026-11-20T09:15:00Z": datetime(2026, 11, 20, 9, 15, tzinfo=UTC),
        "2026-11-20T09:15:00+02:00": datetime(2026, 11, 20, 7, 15, tzinfo=UTC),
        "2026-11-20T09:15:00.250-05:00": datetime(2026, 11, 20, 14, 15, 0, 250000, tzinfo=UTC),
        "2026-11-20T09:15:00": datetime(2026, 11, 20, 9, 15, tzinfo=UTC),
        "2026-11-20": datetime(2026, 11, 20, tzinfo=UTC),
    }
    text = "\n".join(_line(messageId=f"m{i}", timestamp=s) for i, s in enumerate(stamps))
    result = parse_events(text)
    assert [e.timestamp for e in result.events] == list(stamps.values())
    assert all(e.timestamp.tzinfo is UTC for e in result.events)


def test_page_calls_become_page_viewed() -> None:
    lines = [
        _line(type="page", event=None, name="Pricing", properties={"path": "/pricing"}),
        _line(
            type="page", event=None, messageId="m-2", properties={"url": "https://x.io/docs/a?b=1"}
        ),
        _line(type="page", event=None, messageId="m-3", context={"page": {"path": "/blog/x"}}),
    ]
    events = parse_events("\n".join(lines)).events
    assert [(e.event, e.type) for e in events] == [("Page Viewed", "page_viewed")] * 3
    assert events[0].properties == {"path": "/pricing", "name": "Pricing"}
    assert [e.properties["path"] for e in events] == ["/pricing", "/docs/a", "/blog/x"]


def test_identify_is_returned_separately() -> None:
    line = json.dumps(
        {
            "type": "identify",
            "messageId": "id-1",
            "anonymousId": "anon-1",
            "timestamp": "2026-11-20T09:15:00Z",
            "traits": {"email": "Ada@Acme.com", "title": "CTO"},
        }
    )
    result = parse_events(line)
    assert result.events == []
    [identify] = result.identifies
    assert (identify.email, identify.anonymous_id, identify.row) == ("ada@acme.com", "anon-1", 1)
    assert identify.traits == {"email": "Ada@Acme.com", "title": "CTO"}


def test_segment_batch_lines() -> None:
    batch = {"batch": [json.loads(_line(messageId="b1")), {"type": "track"}]}
    result = parse_events(json.dumps(batch))
    assert [e.message_id for e in result.events] == ["b1"]
    assert result.errors[0].row == 1
    assert result.errors[0].reason.startswith("batch[1]: messageId is missing")


def test_events_csv_fixture(data_dir: Path) -> None:
    with (data_dir / "events.csv").open("rb") as stream:
        result = parse_events(stream)

    assert result.format == "csv"
    assert [e.message_id for e in result.events] == ["c-1", "c-2", "c-3", "c-6"]
    pricing, video, download, partial = result.events
    assert (pricing.row, pricing.type, pricing.properties) == (
        2,
        "page_viewed",
        {"path": "/pricing"},
    )
    assert video.email == "dana.whitfield@northwind-analytics.com"
    assert video.properties == {"percent_watched": 75}
    assert video.timestamp == datetime(2026, 11, 20, 7, 20, tzinfo=UTC)
    assert download.properties == {"asset_id": "00042", "campaign": {"name": "Q4 launch"}}
    assert download.timestamp == datetime(2026, 11, 21, 12, tzinfo=UTC)
    assert partial.properties == {"percent_watched": 12.5}
    assert [str(e) for e in result.errors] == [
        "row 5: event is empty",
        "row 6: email 'not-an-email' is not a valid email address",
    ]


def test_events_csv_numbers_and_semicolons() -> None:
    text = (
        "messageId;Email;Event;Timestamp;amount;count;code;ratio;label\n"
        "x1;a@b.com;Form Submitted;2026-11-20T09:15:00Z;-12.75;3;0042;0.5;1e3\n"
    )
    [event] = parse_events(text, "csv").events
    assert event.properties == {
        "amount": -12.75,
        "count": 3,
        "code": "0042",
        "ratio": 0.5,
        "label": "1e3",
    }
    assert event.type == "form_submitted"


def test_events_csv_anonymous_rows_and_missing_identity() -> None:
    text = (
        "message_id,anonymous_id,email,event,timestamp\n"
        "a1,anon-1,,Page Viewed,2026-11-20T09:15:00Z\n"
        "a2,,,Page Viewed,2026-11-20T09:15:00Z\n"
        "a3,,,Page Viewed,soon\n"
    )
    result = parse_events(text)
    assert [e.anonymous_id for e in result.events] == ["anon-1"]
    assert [str(e) for e in result.errors] == [
        "row 3: no email and no anonymous_id: the event cannot be tied to a lead",
        "row 4: timestamp 'soon' is not an ISO 8601 date-time",
    ]


def test_events_csv_missing_columns() -> None:
    with pytest.raises(ImportFileError) as info:
        parse_events("id,who,what\n1,2,3\n", "csv")
    assert "no message_id, event, timestamp, email column" in str(info.value)
    assert "columns found: id, who, what" in str(info.value)


def test_format_detection_and_empty_input() -> None:
    assert parse_events("\n\n" + _line()).format == "jsonl"
    assert (
        parse_events(io.BytesIO(b"\xef\xbb\xbf" + _line().encode())).events[0].message_id == "m-1"
    )
    assert parse_events("").events == []
    with pytest.raises(ImportFileError, match="JSON array"):
        parse_events("[" + _line() + "]")
    with pytest.raises(ValueError, match="unknown events format"):
        parse_events("", "xml")  # type: ignore[arg-type]


def test_to_record_gives_the_scorer_input() -> None:
    event = parse_events(_line(properties={"path": "/pricing"})).events[0]
    record = event.to_record()
    assert (record.type, record.key, record.properties) == (
        "page_viewed",
        "m-1",
        {"path": "/pricing"},
    )
    assert record.occurred_at == datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
