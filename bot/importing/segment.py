"""Segment-style `track`, `page` and `identify` payloads: validation independent of files.

`parse_segment_item` is shared by the file importer and the HTTP ingestion endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from bot.importing.fields import (
    FIELD_PARSERS,
    is_email,
    normalize_email,
    parse_timestamp,
)
from scoring.config import normalize_event_name
from scoring.inputs import EventRecord

PAGE_EVENT = "Page Viewed"
"""Event name given to Segment `page` calls."""


@dataclass(frozen=True, slots=True)
class ParsedEvent:
    """A behavioural event ready to store: who, what (`event` as sent, `type` normalized), when."""

    message_id: str
    event: str
    type: str
    timestamp: datetime
    properties: dict[str, Any] = field(default_factory=dict)
    email: str | None = None
    anonymous_id: str | None = None
    user_id: str | None = None
    row: int | None = None

    def to_record(self) -> EventRecord:
        """The scorer's view of this event."""
        return EventRecord(
            type=self.type,
            occurred_at=self.timestamp,
            key=self.message_id,
            properties=self.properties,
        )


@dataclass(frozen=True, slots=True)
class ParsedIdentify:
    """An `identify` call: traits of a person, possibly linking an anonymousId to an email."""

    message_id: str
    timestamp: datetime
    traits: dict[str, Any] = field(default_factory=dict)
    email: str | None = None
    anonymous_id: str | None = None
    user_id: str | None = None
    row: int | None = None


def _id_text(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else value


def _optional_id(value: Any) -> Any:
    return _id_text(value) or None


def _timestamp(value: Any) -> datetime:
    if value is None:
        raise ValueError("timestamp is missing")
    return parse_timestamp(value)


OptionalId = Annotated[str | None, BeforeValidator(_optional_id)]
Timestamp = Annotated[datetime, BeforeValidator(_timestamp)]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    message_id: Annotated[str, BeforeValidator(_id_text)] = Field(alias="messageId", min_length=1)
    user_id: OptionalId = Field(default=None, alias="userId")
    anonymous_id: OptionalId = Field(default=None, alias="anonymousId")
    timestamp: Timestamp
    context: dict[str, Any] = Field(default_factory=dict)


class TrackPayload(_Payload):
    """A Segment `track` call."""

    type: Literal["track"]
    event: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    properties: dict[str, Any] = Field(default_factory=dict)


class PagePayload(_Payload):
    """A Segment `page` call; stored as a "Page Viewed" event."""

    type: Literal["page"]
    name: str | None = None
    properties: dict[str, Any] = Field(default_factory=dict)


class IdentifyPayload(_Payload):
    """A Segment `identify` call."""

    type: Literal["identify"]
    traits: dict[str, Any] = Field(default_factory=dict)


_MODELS: dict[str, type[TrackPayload] | type[PagePayload] | type[IdentifyPayload]] = {
    "track": TrackPayload,
    "page": PagePayload,
    "identify": IdentifyPayload,
}


def _describe(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors():
        where = ".".join(str(part) for part in err["loc"])
        kind = err["type"]
        if kind == "missing":
            problems.append(f"{where} is missing")
        elif kind == "value_error":
            problems.append(str(err["ctx"]["error"]))
        elif kind == "string_too_short":
            problems.append(f"{where} is empty")
        elif kind == "dict_type":
            problems.append(f"{where} must be an object")
        elif kind == "string_type":
            problems.append(f"{where} must be a string")
        else:
            problems.append(f"{where}: {err['msg']}")
    return "; ".join(problems)


def _email(payload: _Payload, own: Mapping[str, Any]) -> str | None:
    traits = payload.context.get("traits")
    candidates = [
        (
            "properties.email"
            if isinstance(payload, TrackPayload | PagePayload)
            else "traits.email",
            own.get("email"),
        ),
        ("context.traits.email", traits.get("email") if isinstance(traits, Mapping) else None),
    ]
    for where, value in candidates:
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise ValueError(f"{where} must be a string")
        try:
            return normalize_email(value)
        except ValueError:
            raise ValueError(f"{where} '{value}' is not a valid email address") from None
    user_id = (payload.user_id or "").lower()
    return user_id if is_email(user_id) else None


def _page_properties(payload: PagePayload) -> dict[str, Any]:
    properties = dict(payload.properties)
    if payload.name and "name" not in properties:
        properties["name"] = payload.name
    if not properties.get("path"):
        page = payload.context.get("page")
        context_path = page.get("path") if isinstance(page, Mapping) else None
        url = properties.get("url") or (page.get("url") if isinstance(page, Mapping) else None)
        if context_path:
            properties["path"] = context_path
        elif isinstance(url, str) and url:
            properties["path"] = urlsplit(url).path or "/"
    return properties


def parse_segment_item(
    item: Any, *, row: int | None = None, default_timestamp: datetime | None = None
) -> ParsedEvent | ParsedIdentify:
    """Validate one Segment `track`, `page` or `identify` object.

    The lead's email comes from `properties.email` (`traits.email` for identify), then
    `context.traits.email`, then `userId` when it is an email. Without `timestamp` the
    item's `originalTimestamp` is used, else `default_timestamp` (e.g. the time an HTTP
    batch was received). Raises ValueError with a readable reason when the item cannot
    be used.
    """
    if not isinstance(item, Mapping):
        raise ValueError(f"expected a JSON object, got {type(item).__name__}")
    if item.get("timestamp") is None:
        fallback = item.get("originalTimestamp", default_timestamp)
        if fallback is not None:
            item = {**item, "timestamp": fallback}
    kind = item.get("type")
    if kind is None:
        raise ValueError("type is missing (expected track, page or identify)")
    model = _MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise ValueError(f"type '{kind}' is not supported (expected track, page or identify)")
    try:
        payload = model.model_validate(item)
    except ValidationError as exc:
        raise ValueError(_describe(exc)) from None
    own = payload.traits if isinstance(payload, IdentifyPayload) else payload.properties
    email = _email(payload, own)
    if email is None and payload.anonymous_id is None:
        raise ValueError(
            "no email (properties.email, context.traits.email or an email "
            "userId) and no anonymousId: the event cannot be tied to a lead"
        )
    if isinstance(payload, IdentifyPayload):
        return ParsedIdentify(
            message_id=payload.message_id,
            timestamp=payload.timestamp,
            traits=dict(payload.traits),
            email=email,
            anonymous_id=payload.anonymous_id,
            user_id=payload.user_id,
            row=row,
        )
    if isinstance(payload, PagePayload):
        name, properties = PAGE_EVENT, _page_properties(payload)
    else:
        assert isinstance(payload, TrackPayload)
        name, properties = payload.event, dict(payload.properties)
    event_type = normalize_event_name(name)
    if not event_type:
        raise ValueError(f"event '{name}' has no letters or digits")
    return ParsedEvent(
        message_id=payload.message_id,
        event=name,
        type=event_type,
        timestamp=payload.timestamp,
        properties=properties,
        email=email,
        anonymous_id=payload.anonymous_id,
        user_id=payload.user_id,
        row=row,
    )


_TRAIT_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "title": ("title", "jobTitle", "job_title"),
    "industry": ("industry",),
    "company_size": ("company_size", "employees", "employee_count", "companySize"),
    "country": ("country",),
    "domain": ("domain", "website"),
    "product": ("product",),
    "owner": ("owner",),
    "stage": ("stage",),
}


def _trait_text(where: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"traits.{where} must be a string")
    return str(value).strip() or None


def lead_fields_from_traits(traits: Mapping[str, Any]) -> dict[str, Any]:
    """Lead fields (`leads_repo.IMPORT_FIELDS` but email) from Segment identify traits.

    Knows the Segment reserved traits: `name` (else `firstName` + `lastName`), `title`,
    `company` (a name or an object with `name`, `industry`, `employee_count`, `website`),
    `industry`, `employees`, `website`, `address.country`; plus Qualibot's own field names.
    Country names become ISO codes and sizes numbers; unknown traits are ignored.
    Raises ValueError with the trait's name when a value cannot be used.
    """
    company = traits.get("company")
    nested: Mapping[str, Any] = company if isinstance(company, Mapping) else {}
    address = traits.get("address")
    found: dict[str, Any] = {}
    for name, aliases in _TRAIT_ALIASES.items():
        for alias in aliases:
            text = _trait_text(alias, traits.get(alias))
            if text is not None:
                found[name] = text
                break
    for name, alias in (
        ("industry", "industry"),
        ("company_size", "employee_count"),
        ("domain", "website"),
    ):
        text = _trait_text(f"company.{alias}", nested.get(alias))
        if name not in found and text is not None:
            found[name] = text
    company_name = _trait_text("company", nested.get("name") if nested else company)
    if company_name is not None:
        found["company"] = company_name
    if "name" not in found:
        parts = [_trait_text(key, traits.get(key)) for key in ("firstName", "lastName")]
        full = " ".join(part for part in parts if part)
        if full:
            found["name"] = full
    if "country" not in found and isinstance(address, Mapping):
        text = _trait_text("address.country", address.get("country"))
        if text is not None:
            found["country"] = text
    for name, parse in FIELD_PARSERS.items():
        if name in found:
            found[name] = parse(found[name])
    return found
