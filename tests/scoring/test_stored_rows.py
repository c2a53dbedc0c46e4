"""Stored rows (as SQLite and psycopg return them) into scorer records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from scoring.inputs import AnswerRecord, EventRecord
from scoring.stored_rows import answers_by_lead, events_by_lead, stored_json, stored_time

AT = datetime(2026, 11, 23, 12, 0, 5, 250, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw",
    [
        "2026-11-23 12:00:05.000250",  # SQLite: naive UTC text
        "2026-11-23T13:00:05.000250+01:00",  # text with an offset
        datetime(2026, 11, 23, 12, 0, 5, 250),  # a naive datetime is UTC
        datetime(2026, 11, 23, 7, 0, 5, 250, tzinfo=timezone(timedelta(hours=-5))),  # psycopg
    ],
)
def test_stored_time_is_aware_utc(raw: object) -> None:
    at = stored_time(raw)
    assert at == AT and at.utcoffset() == timedelta(0)


def test_stored_json_decodes_text_and_bytes_once_and_passes_decoded_values() -> None:
    first, second = stored_json('{"asset": "guide"}'), stored_json(b'{"asset": "guide"}')
    assert first == {"asset": "guide"} and second is first  # identical texts share one dict
    decoded = {"level": "high"}
    assert stored_json(decoded) is decoded  # JSONB: psycopg decoded it already


def test_events_by_lead_groups_wanted_leads_in_row_order() -> None:
    rows = [
        (1, "Demo Requested", "2026-11-23 12:00:05.000250", "k1", '{"plan": "pro"}'),
        (2, "Email Opened", "2026-11-22 09:00:00.000000", "k2", "{}"),
        (1, "Pricing Viewed", "2026-11-20 08:00:00.000000", "k3", None),
    ]
    assert events_by_lead(rows, {1}) == {
        1: [
            EventRecord("Demo Requested", AT, "k1", {"plan": "pro"}),
            EventRecord("Pricing Viewed", datetime(2026, 11, 20, 8, tzinfo=UTC), "k3", {}),
        ]
    }
    assert list(events_by_lead(rows, {1, 2, 3})) == [1, 2]


def test_answers_by_lead_keeps_storage_id_author_and_framework() -> None:
    value, at = '{"status": "confirmed"}', "2026-11-23 12:00:05.000250"
    rows = [(7, 41, "budget", value, at, "U1", "BANT")]
    assert answers_by_lead(rows) == {
        7: [AnswerRecord("budget", {"status": "confirmed"}, AT, 41, "U1", "BANT")]
    }
