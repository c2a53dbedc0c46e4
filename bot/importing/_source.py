"""Turn the inputs the parsers accept (text, bytes, text or binary streams) into lines."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from itertools import chain
from typing import IO, BinaryIO, cast

from bot.importing.errors import ImportFileError

Source = str | bytes | IO[str] | IO[bytes]
"""File content: a str or bytes holding the whole file, or an open text or binary stream."""

_BOM = "\ufeff"
DELIMITERS = (",", ";", "\t", "|")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _checked(lines: IO[str]) -> Iterator[str]:
    try:
        yield from lines
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"the file is not UTF-8 (byte {exc.start} cannot be decoded); save it as UTF-8"
        ) from None


def iter_lines(source: Source) -> Iterator[str]:
    """Lines of `source` with their line endings, a leading byte-order mark removed.

    A `str` is the content itself, never a path. Binary streams are read as UTF-8.
    """
    if isinstance(source, bytes):
        stream: IO[str] = io.StringIO(_decode(source), newline="")
    elif isinstance(source, str):
        stream = io.StringIO(source, newline="")
    elif isinstance(source, io.TextIOBase) or hasattr(source, "encoding"):
        stream = cast(IO[str], source)
    else:
        binary = cast(BinaryIO, source)
        stream = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    lines = _checked(stream)
    first = next(lines, None)
    if first is None:
        return iter(())
    return chain((first.removeprefix(_BOM),), lines)


def peek_nonblank(lines: Iterator[str]) -> tuple[str | None, Iterator[str]]:
    """The first non-blank line and an iterator that still yields every line."""
    skipped: list[str] = []
    for line in lines:
        if line.strip():
            return line, chain(skipped, (line,), lines)
        skipped.append(line)
    return None, iter(skipped)


def sniff_delimiter(header_line: str) -> str:
    """The delimiter used in a header line: the candidate found most often outside quotes."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def csv_records(lines: Iterator[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank CSV records with their row number (records counted from 1, blank ones too)."""
    reader = csv.reader(lines, delimiter=delimiter)
    row_number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFileError(f"row {row_number + 1}: the CSV is malformed ({exc})") from None
        row_number += 1
        if any(cell.strip() for cell in cells):
            yield row_number, cells
