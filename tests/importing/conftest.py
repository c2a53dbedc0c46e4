"""Paths of the import fixtures in tests/data."""

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def data_dir() -> Path:
    """The folder holding the sample import files."""
    return DATA
