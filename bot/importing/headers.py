"""Recognising the columns of a CRM export: header names → lead fields."""

from __future__ import annotations

import re

from bot.storage.leads_repo import IMPORT_FIELDS

LEAD_FIELDS = IMPORT_FIELDS
"""Lead fields an import can fill, in the storage layer's names."""

NAME_PARTS: tuple[str, ...] = ("first_name", "last_name")
"""Columns combined into `name` when the file has no full-name column."""

MAPPABLE: frozenset[str] = frozenset(LEAD_FIELDS + NAME_PARTS)

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "email": (
        "email",
        "e mail",
        "email address",
        "e mail address",
        "mail",
        "work email",
        "business email",
        "primary email",
        "contact email",
        "email 1",
        "emailaddress",
    ),
    "company": (
        "company",
        "company name",
        "account",
        "account name",
        "organization",
        "organisation",
        "organization name",
        "organisation name",
        "employer",
        "business name",
    ),
    "first_name": ("first name", "firstname", "given name", "first", "forename"),
    "last_name": ("last name", "lastname", "surname", "family name", "last"),
    "name": ("full name", "name", "contact name", "contact", "lead name", "person"),
    "title": ("job title", "title", "position", "role", "job role", "jobtitle", "job position"),
    "industry": ("industry", "vertical", "sector", "company industry"),
    "company_size": (
        "employees",
        "company size",
        "number of employees",
        "no of employees",
        "num employees",
        "nr of employees",
        "employee count",
        "headcount",
        "head count",
        "size",
        "company headcount",
        "employee range",
    ),
    "country": ("country", "country code", "country region", "nation", "company country"),
    "product": ("product", "product interest", "plan", "product of interest"),
    "owner": (
        "owner",
        "lead owner",
        "rep",
        "sales rep",
        "account owner",
        "contact owner",
        "assigned to",
        "sales owner",
        "owner email",
    ),
    "stage": ("stage", "lead status", "status", "lifecycle stage", "lead stage"),
    "domain": (
        "domain",
        "website",
        "web site",
        "company domain",
        "company website",
        "url",
        "website url",
        "web",
    ),
}

_BY_HEADER: dict[str, str] = {
    synonym: field for field, synonyms in _SYNONYMS.items() for synonym in synonyms
}


def header_key(header: str) -> str:
    """Comparable form of a header: "Email_Address" and "emailAddress" → "email address"."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", header.strip())
    text = re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()
    return text.removesuffix(" s")


def guess_field(header: str) -> str | None:
    """The lead field a CRM header usually holds, or None."""
    return _BY_HEADER.get(header_key(header))
