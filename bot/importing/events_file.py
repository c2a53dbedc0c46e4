"""Parse behavioural events from Segment-style JSON lines or a CSV file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.importing._source import Source, csv_records, iter_lines, peek_nonblank, sniff_delimiter
from bot.importing.errors import ImportFileError, RowError
from bot.importing.fields import is_email, normalize_email, parse_timestamp
from bot.importing.headers import header_key
from bot.importing.segment import ParsedEvent, ParsedIdentify, parse_segment_item
from scoring.config import normalize_event_name

EventsFormat = Literal["jsonl", "csv"]


@dataclass(slots=True)
class EventsParse:
    """Events and identifies in file order, and the lines or rows that could not be used."""

    events: list[ParsedEvent] = field(default_factory=list)
    identifies: list[ParsedIdentify] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    format: EventsFormat = "jsonl"


_CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "message_id": ("message id", "messageid", "dedupe key", "event id"),
    "email": ("email", "e mail", "user email", "email address"),
    "anonymous_id": ("anonymous id", "anonymousid"),
    "user_id": ("user id", "userid"),
    "event": ("event", "event name", "event type"),
    "timestamp": ("timestamp", "occurred at", "event time", "time"),
}
_CSV_BY_KEY = {alias: name for name, aliases in _CSV_COLUMNS.items() for alias in aliases}
_NUMERIC = re.compile(r"^-?(?:0|[1-9]\d*)(?:\.\d+)?$")


def detect_format(first_line: str) -> EventsFormat:
    """ "jsonl" when the first non-blank line is a JSON object, else "csv"."""
    text = first_line.lstrip()
    if text.startswith("["):
        raise ImportFileError(
            "the file is a JSON array; write one JSON object per line (JSON lines) instead"
        )
    return "jsonl" if text.startswith("{") else "csv"


def _add(result: EventsParse, parsed: ParsedEvent | ParsedIdentify) -> None:
    if isinstance(parsed, ParsedIdentify):
        result.identifies.append(parsed)
    else:
        result.events.append(parsed)


def _parse_jsonl(lines: Iterator[str], result: EventsParse) -> None:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            result.errors.append(RowError(number, f"invalid JSON ({exc.msg}, column {exc.colno})"))
            continue
        batch = item.get("batch") if isinstance(item, dict) and "type" not in item else None
        items = batch if isinstance(batch, list) else [item]
        for index, element in enumerate(items):
            try:
                _add(result, parse_segment_item(element, row=number))
            except ValueError as exc:
                where = f"batch[{index}]: " if batch is not None else ""
                result.errors.append(RowError(number, f"{where}{exc}"))


def _property_value(text: str) -> Any:
    if _NUMERIC.match(text):
        return float(text) if "." in text else int(text)
    return text


def _set_property(properties: dict[str, Any], name: str, value: Any) -> None:
    *parents, leaf = name.split(".")
    target = properties
    for part in parents:
        child = target.setdefault(part, {})
        if not isinstance(child, dict):
            child = target[part] = {}
        target = child
    target[leaf] = value


@dataclass(frozen=True, slots=True)
class _CsvPlan:
    columns: dict[str, int]
    properties: dict[int, str]

    @classmethod
    def from_header(cls, header: list[str]) -> _CsvPlan:
        columns: dict[str, int] = {}
        properties: dict[int, str] = {}
        for index, name in enumerate(header):
            known = _CSV_BY_KEY.get(header_key(name))
            if known and known not in columns:
                columns[known] = index
            elif name:
                prefixed = name.lower().startswith("properties.")
                properties[index] = name[len("properties.") :] if prefixed else name
        missing = [n for n in ("message_id", "event", "timestamp") if n not in columns]
        if not columns.keys() & {"email", "anonymous_id", "user_id"}:
            missing.append("email")
        if missing:
            raise ImportFileError(
                f"the events CSV has no {', '.join(missing)} column "
                f"(columns found: {', '.join(header) or 'none'})"
            )
        return cls(columns, properties)

    def cell(self, cells: list[str], name: str) -> str | None:
        index = self.columns.get(name)
        text = cells[index].strip() if index is not None and index < len(cells) else ""
        return text or None

    def properties_of(self, cells: list[str]) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        for index, name in self.properties.items():
            text = cells[index].strip() if index < len(cells) else ""
            if text:
                _set_property(properties, name, _property_value(text))
        return properties


def _csv_event(row: int, cells: list[str], plan: _CsvPlan) -> ParsedEvent:
    problems: list[str] = []
    message_id, event = plan.cell(cells, "message_id"), plan.cell(cells, "event")
    when = plan.cell(cells, "timestamp")
    if message_id is None:
        problems.append("message_id is empty")
    if event is None or not normalize_event_name(event):
        problems.append("event is empty")
    timestamp = None
    if when is None:
        problems.append("timestamp is empty")
    else:
        try:
            timestamp = parse_timestamp(when)
        except ValueError as exc:
            problems.append(str(exc))
    email, user_id = plan.cell(cells, "email"), plan.cell(cells, "user_id")
    anonymous_id = plan.cell(cells, "anonymous_id")
    if email is not None:
        try:
            email = normalize_email(email)
        except ValueError as exc:
            problems.append(str(exc))
    elif user_id is not None and is_email(user_id.lower()):
        email = user_id.lower()
    if email is None and anonymous_id is None and not problems:
        problems.append("no email and no anonymous_id: the event cannot be tied to a lead")
    if problems:
        raise ValueError("; ".join(problems))
    assert message_id is not None and event is not None and timestamp is not None
    return ParsedEvent(
        message_id=message_id,
        event=event,
        type=normalize_event_name(event),
        timestamp=timestamp,
        properties=plan.properties_of(cells),
        email=email,
        anonymous_id=anonymous_id,
        user_id=user_id,
        row=row,
    )


def _parse_csv(lines: Iterator[str], first_line: str, result: EventsParse) -> None:
    records = csv_records(lines, sniff_delimiter(first_line))
    _, header = next(records)
    plan = _CsvPlan.from_header([name.strip() for name in header])
    for row, cells in records:
        try:
            result.events.append(_csv_event(row, cells, plan))
        except ValueError as exc:
            result.errors.append(RowError(row, str(exc)))


def parse_events(source: Source, fmt: EventsFormat | None = None) -> EventsParse:
    """Parse an events file: Segment JSON lines (track, page, identify) or CSV.

    `fmt` None detects the format from the content. Bad lines or rows become `errors`
    (line numbers from 1; CSV rows count the header as row 1) and the rest still parse.
    CSV columns: message_id, event, timestamp, email and/or anonymous_id; every other
    column is a property ("properties." prefix optional, dots nest, numbers become numbers).
    """
    if fmt not in (None, "jsonl", "csv"):
        raise ValueError(f"unknown events format {fmt!r} (expected 'jsonl' or 'csv')")
    first, lines = peek_nonblank(iter_lines(source))
    if first is None:
        return EventsParse(format=fmt or "jsonl")
    result = EventsParse(format=fmt or detect_format(first))
    if result.format == "jsonl":
        _parse_jsonl(lines, result)
    else:
        _parse_csv(lines, first, result)
    return result
