"""Parsing of lead and event import files (CSV, Segment JSON lines). No database access."""

from bot.importing.errors import ImportFileError, RowError
from bot.importing.events_file import EventsParse, parse_events
from bot.importing.leads_csv import LeadRow, LeadsParse, parse_leads_csv
from bot.importing.segment import (
    IdentifyPayload,
    PagePayload,
    ParsedEvent,
    ParsedIdentify,
    TrackPayload,
    parse_segment_item,
)

__all__ = [
    "EventsParse",
    "IdentifyPayload",
    "ImportFileError",
    "LeadRow",
    "LeadsParse",
    "PagePayload",
    "ParsedEvent",
    "ParsedIdentify",
    "RowError",
    "TrackPayload",
    "parse_events",
    "parse_leads_csv",
    "parse_segment_item",
]
