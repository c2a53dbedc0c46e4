"""Parse a CSV export of leads (from a CRM or a spreadsheet) into validated lead fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.importing._source import (
    Source,
    csv_records,
    iter_lines,
    peek_nonblank,
    sniff_delimiter,
)
from bot.importing.errors import ImportFileError, RowError
from bot.importing.fields import (
    FIELD_PARSERS,
)
from bot.importing.headers import LEAD_FIELDS, MAPPABLE, NAME_PARTS, guess_field, header_key


@dataclass(frozen=True, slots=True)
class LeadRow:
    """One valid lead row.

    `fields` has a key for every lead field the file has a column for (None for an empty
    cell), so a caller can tell "not in the file" from "empty in this row".
    """

    row_number: int
    fields: dict[str, Any]


@dataclass(slots=True)
class LeadsParse:
    """Result of parsing a leads file: good rows in file order, and the rows that failed."""

    rows: list[LeadRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    """Header → lead field, for every column that is used."""
    ignored_columns: list[str] = field(default_factory=list)
    duplicates: list[tuple[int, int]] = field(default_factory=list)
    """(first row, later row) for every repeat of an email within the file."""
    delimiter: str = ","


@dataclass(slots=True)
class _Plan:
    sources: dict[str, list[int]]
    columns: dict[str, str]
    ignored: list[str]


def _match_mapping(header: list[str], mapping: Mapping[str, str]) -> dict[int, str]:
    by_key: dict[str, int] = {}
    for index, name in enumerate(header):
        by_key.setdefault(header_key(name), index)
    chosen: dict[int, str] = {}
    for column, target in mapping.items():
        if target and target not in MAPPABLE:
            raise ImportFileError(
                f"mapping: '{target}' is not a lead field "
                f"(use one of {', '.join(sorted(MAPPABLE))}, or '' to ignore the column)"
            )
        position = header.index(column) if column in header else by_key.get(header_key(column))
        if position is None:
            raise ImportFileError(
                f"mapping names the column '{column}' but the file has only: {', '.join(header)}"
            )
        chosen[position] = target
    return chosen


def _plan(header: list[str], mapping: Mapping[str, str] | None) -> _Plan:
    explicit = _match_mapping(header, mapping or {})
    overridden = {target for target in explicit.values() if target}
    plan = _Plan(sources={}, columns={}, ignored=[])
    for index, name in enumerate(header):
        if index in explicit:
            target: str | None = explicit[index] or None
        else:
            target = guess_field(name)
            if target in overridden:
                target = None
            if target is None and name.strip() and name not in plan.ignored:
                plan.ignored.append(name)
        if target:
            plan.sources.setdefault(target, []).append(index)
            plan.columns[name] = target
    if "email" not in plan.sources:
        raise ImportFileError(
            f"the file has no email column (columns found: {', '.join(header) or 'none'}); "
            "name it 'Email' or pass a mapping such as {'Contact': 'email'}"
        )
    return plan


def _cell(cells: list[str], indexes: list[int]) -> str | None:
    for index in indexes:
        if index < len(cells):
            text = " ".join(cells[index].split())
            if text:
                return text
    return None


def _row_fields(cells: list[str], plan: _Plan) -> tuple[dict[str, Any], list[str]]:
    values = {name: _cell(cells, indexes) for name, indexes in plan.sources.items()}
    if values.keys() & set(NAME_PARTS) and values.get("name") is None:
        parts = (values.pop("first_name", None), values.pop("last_name", None))
        values["name"] = " ".join(part for part in parts if part) or None
    fields: dict[str, Any] = {}
    problems: list[str] = []
    for name in LEAD_FIELDS:
        if name not in values:
            continue
        raw = values[name]
        if raw is None:
            fields[name] = None
            if name == "email":
                problems.append("email is empty")
            continue
        validator = FIELD_PARSERS.get(name)
        try:
            fields[name] = validator(raw) if validator else raw
        except ValueError as exc:
            problems.append(str(exc))
    return fields, problems


def parse_leads_csv(source: Source, mapping: Mapping[str, str] | None = None) -> LeadsParse:
    """Parse a leads CSV; bad rows become `errors` (row numbers count the header as 1).

    Headers are recognised by their usual CRM names; `mapping` ({header: field}, field ''
    to ignore a column) overrides the guesses. Raises ImportFileError when the file is
    empty, has no email column, or cannot be read as CSV.
    """
    first, lines = peek_nonblank(iter_lines(source))
    if first is None:
        raise ImportFileError("the file is empty")
    delimiter = sniff_delimiter(first)
    records = csv_records(lines, delimiter)
    _, header = next(records)
    header = [name.strip() for name in header]
    plan = _plan(header, mapping)
    result = LeadsParse(columns=plan.columns, ignored_columns=plan.ignored, delimiter=delimiter)
    first_row: dict[str, int] = {}
    width = len(header)
    for row_number, cells in records:
        fields, problems = _row_fields(cells, plan)
        if any(cell.strip() for cell in cells[width:]):
            problems.append(f"it has {len(cells)} cells but the header has {width} columns")
        if problems:
            result.errors.append(RowError(row_number, "; ".join(problems)))
            continue
        email = fields["email"]
        if email in first_row:
            result.duplicates.append((first_row[email], row_number))
        else:
            first_row[email] = row_number
        result.rows.append(LeadRow(row_number, fields))
    return result
