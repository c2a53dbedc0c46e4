"""Errors reported while parsing import files."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RowError:
    """A row (or line) of an import file that could not be used, and why."""

    row: int
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (e.g. it has no email column)."""
