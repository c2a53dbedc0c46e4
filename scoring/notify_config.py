"""The notification part of config.yml: alert rules and routing, digests, nudges, jobs.

Pure pydantic schema; `scoring.config.ScoringConfig` embeds it so one file, one loader and
one `qualibot config check` cover everything sales ops edits.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

_ID = r"^[a-z][a-z0-9_]*$"
_CHANNEL = r"^(#[a-z0-9][a-z0-9._-]*|[CGD][A-Z0-9]{6,})$"
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _check_tz(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone '{value}' (use an IANA name like Europe/Berlin)"
        ) from None
    return value


def _check_channel(value: str) -> str:
    if not re.match(_CHANNEL, value):
        raise ValueError(f"'{value}' is not a channel: use #name or a channel id like C0123ABCD")
    return value


def _check_cron(value: str) -> str:
    from apscheduler.triggers.cron import CronTrigger  # heavy import, only when validating

    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ValueError(f"bad cron expression '{value}': {exc}") from None
    return value


TimeZone = Annotated[str, AfterValidator(_check_tz)]
Channel = Annotated[str, AfterValidator(_check_channel)]
Cron = Annotated[str, AfterValidator(_check_cron)]


class TimeWindow(_Strict):
    """A daily window `start`–`end` (may wrap midnight) on some weekdays, in a time zone."""

    start: time
    end: time
    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS), min_length=1)
    timezone: TimeZone = "UTC"

    @model_validator(mode="after")
    def _not_empty(self) -> TimeWindow:
        if self.start == self.end:
            raise ValueError("start and end are equal: the window would be empty")
        return self


# ---------------------------------------------------------------- alerts


class TierEnteredRule(_Strict):
    """Alert when a lead enters `tier`; re-armed only once its total falls `leave_margin`
    points below that tier's threshold (hysteresis: a lead bouncing around it alerts once)."""

    id: str = Field(pattern=_ID)
    kind: Literal["tier_entered"]
    tier: Literal["hot", "warm"]
    leave_margin: float = Field(default=10, ge=0)


class QualifiedRule(_Strict):
    """Alert when a lead passes the qualified gate (not qualified → qualified)."""

    id: str = Field(pattern=_ID)
    kind: Literal["qualified"]


class JumpRule(_Strict):
    """Alert when the total rose by at least `points` within the last `window_hours`."""

    id: str = Field(pattern=_ID)
    kind: Literal["jump"]
    points: float = Field(gt=0)
    window_hours: float = Field(gt=0)


class NegativeSignalRule(_Strict):
    """Alert when one of `events` (e.g. unsubscribe) arrives for a lead at or above `min_tier`."""

    id: str = Field(pattern=_ID)
    kind: Literal["negative_signal"]
    events: list[str] = Field(min_length=1)
    min_tier: Literal["hot", "warm"] = "hot"


AlertRule = TierEnteredRule | QualifiedRule | JumpRule | NegativeSignalRule


class Route(_Strict):
    """Where matching alerts go. Every given criterion must match; first matching route wins.

    `owner` is a Slack user id; `territory` names an entry of `alerts.territories`;
    `segment` names an entry of `alerts.segments`.
    """

    channel: Channel
    product: list[str] | None = None
    segment: list[str] | None = None
    territory: list[str] | None = None
    owner: list[str] | None = None


class SegmentSpec(_Strict):
    """A company-size segment: employees from `min` to `max` (inclusive, either open)."""

    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)


class StormControl(_Strict):
    """More than `max_alerts` for one channel within `window_minutes` roll up into one message."""

    max_alerts: int = Field(default=10, gt=0)
    window_minutes: float = Field(default=15, gt=0)


class AlertsSpec(_Strict):
    enabled: bool = True
    channel: Channel = "#sales-alerts"  # when no route matches
    cooldown_minutes: float = Field(default=240, ge=0)  # per lead: no second alert sooner
    quiet_hours: TimeWindow | None = None  # alerts due then are deferred to its end
    storm: StormControl = Field(default_factory=StormControl)
    segments: dict[str, SegmentSpec] = Field(default_factory=dict)
    territories: dict[str, list[str]] = Field(default_factory=dict)  # name → ISO countries
    routes: list[Route] = Field(default_factory=list)
    rules: list[AlertRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _refs(self) -> AlertsSpec:
        ids = [r.id for r in self.rules]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"rules: duplicate id(s) {', '.join(dup)}")
        for n, route in enumerate(self.routes):
            for name in route.segment or []:
                if name not in self.segments:
                    raise ValueError(f"routes[{n}]: unknown segment '{name}'")
            for name in route.territory or []:
                if name not in self.territories:
                    raise ValueError(f"routes[{n}]: unknown territory '{name}'")
        return self


# ---------------------------------------------------------------- digests, nudges, jobs

DigestName = Annotated[str, Field(pattern=_ID)]
DigestSection = Literal["top_hot", "movers", "qualified_unclaimed", "calls_unqualified", "cooled"]


class DigestSpec(_Strict):
    """A scheduled digest posted to `channel` at each `cron` time in `timezone`."""

    cron: Cron
    timezone: TimeZone = "UTC"
    channel: Channel
    sections: list[DigestSection] = Field(min_length=1)
    limit: int = Field(default=5, gt=0, le=25)


class NudgeSpec(_Strict):
    """Remind a rep of an unanswered conversation after `after_minutes`, at most `max` times,
    only within `working_hours` of the rep's own Slack time zone."""

    enabled: bool = True
    after_minutes: float = Field(default=120, gt=0)
    max: int = Field(default=2, ge=0)
    working_hours: TimeWindow = Field(
        default_factory=lambda: TimeWindow(
            start=time(9), end=time(18), days=["mon", "tue", "wed", "thu", "fri"]
        )
    )


class JobsSpec(_Strict):
    """Background jobs of `qualibot serve`."""

    decay_rescore_cron: Cron = "30 3 * * *"  # daily rescore so scores decay without events
    timezone: TimeZone = "UTC"
    outbox_poll_seconds: float = Field(default=5, gt=0)  # dispatcher safety net
    nudge_check_minutes: float = Field(default=10, gt=0)
    misfire_grace_seconds: int = Field(default=3600, gt=0)  # a late run still goes out once
