"""Normalizers for single values found in import files; each raises ValueError with a reason."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from bot.importing.countries import country_code

_EMAIL = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$"
)
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$")
_GROUPED = re.compile(r"^\d{1,3}(?:([,.' ])\d{3})(?:\1\d{3})*$")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_RANGE = re.compile(r"^(.+?)\s*(?:-|–|—|to)\s*(.+)$")
_MULTIPLIERS = {"k": 1_000, "m": 1_000_000}


def is_email(value: str) -> bool:
    """True for a plausible email address (already lowercase and stripped)."""
    return len(value) <= 254 and _EMAIL.match(value) is not None


def normalize_email(value: str) -> str:
    """Lowercase, stripped email address; ValueError if it is not a valid address."""
    email = value.strip().lower().removeprefix("mailto:")
    if not is_email(email):
        raise ValueError(f"email '{value.strip()}' is not a valid email address")
    return email


def normalize_domain(value: str) -> str:
    """Bare domain from a domain or website ("https://www.Acme.com/about" → "acme.com")."""
    text = value.strip().lower()
    host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    host = host.rstrip(".").removeprefix("www.")
    if not _DOMAIN.match(host):
        raise ValueError(f"domain '{value.strip()}' is not a valid domain or website")
    return host


def _size_number(text: str) -> int:
    text = text.strip().rstrip("+").strip().lower()
    multiplier = 1
    if text and text[-1] in _MULTIPLIERS:
        multiplier, text = _MULTIPLIERS[text[-1]], text[:-1].strip()
        if not _NUMBER.match(text):
            raise ValueError
        return round(float(text) * multiplier)
    text = text.replace("\u00a0", " ")
    if _GROUPED.match(text):
        return int(re.sub(r"\D", "", text))
    if _NUMBER.match(text) and float(text).is_integer():
        return int(float(text))
    raise ValueError


def parse_company_size(value: str) -> int:
    """Number of employees: "1,200" → 1200, "1.5k" → 1500, "5000+" → 5000.

    A range ("51-200", "1,001 to 5,000") gives its lower bound: it is the only number the
    company is known to reach, and the scoring bands are keyed on lower bounds.
    """
    text = re.sub(r"\s*employees?$", "", value.strip(), flags=re.IGNORECASE)
    match = _RANGE.match(text)
    try:
        size = _size_number(match.group(1) if match else text)
        if match:
            _size_number(match.group(2))
    except ValueError:
        raise ValueError(
            f"company_size '{value.strip()}' is not a number of employees "
            "(e.g. 250, 1,200, 1.5k or 51-200)"
        ) from None
    return size


def normalize_country(value: str) -> str:
    """ISO 3166-1 alpha-2 code (uppercase) for a code or a country name."""
    code = country_code(value)
    if code is None:
        raise ValueError(f"country '{value.strip()}' is not a known country name or ISO code")
    return code


FIELD_PARSERS: dict[str, Callable[[str], Any]] = {
    "email": normalize_email,
    "domain": normalize_domain,
    "company_size": parse_company_size,
    "country": normalize_country,
}
"""Lead fields whose imported text is parsed or normalized (CSV columns, identify traits)."""


def parse_timestamp(value: Any) -> datetime:
    """Aware UTC datetime from an ISO 8601 string ("Z", an offset, or naive meaning UTC)."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"timestamp '{value.strip()}' is not an ISO 8601 date-time") from None
    else:
        raise ValueError(f"timestamp {value!r} is not an ISO 8601 date-time string")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
