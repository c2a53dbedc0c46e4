"""Daily time windows (quiet hours, working hours): pure functions over aware datetimes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from scoring.notify_config import WEEKDAYS, TimeWindow


def _spans(
    window: TimeWindow, moment: datetime, tz: ZoneInfo
) -> Iterator[tuple[datetime, datetime]]:
    """The window's (start, end) spans from the day before `moment` on, in order (8 days)."""
    first: date = moment.astimezone(tz).date() - timedelta(days=1)
    for offset in range(9):
        day = first + timedelta(days=offset)
        if WEEKDAYS[day.weekday()] not in window.days:
            continue
        start = datetime.combine(day, window.start, tz)
        end_day = day if window.end > window.start else day + timedelta(days=1)
        yield start, datetime.combine(end_day, window.end, tz)


def _zone(window: TimeWindow, tz: str | None) -> ZoneInfo:
    return ZoneInfo(tz or window.timezone)


def in_window(window: TimeWindow, moment: datetime, tz: str | None = None) -> bool:
    """Whether `moment` falls inside the window (in `tz`, else the window's own zone)."""
    return any(start <= moment < end for start, end in _spans(window, moment, _zone(window, tz)))


def window_end(window: TimeWindow, moment: datetime, tz: str | None = None) -> datetime:
    """When the window holding `moment` ends; `moment` itself when it is outside the window."""
    for start, end in _spans(window, moment, _zone(window, tz)):
        if start <= moment < end:
            return end.astimezone(moment.tzinfo)
    return moment
