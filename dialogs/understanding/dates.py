"""Calendar arithmetic for timelines: period ends, next occurrences, month steps."""

from __future__ import annotations

import calendar
import datetime as dt

MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}


def month_end(year: int, month: int) -> dt.date:
    """Last day of `month` in `year` (month may run past 12: it carries into later years)."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day of the month `months` later (clamped to the month's last day)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    """Same day `years` later (29 Feb → 28 Feb)."""
    return add_months(day, 12 * years)


def next_month_year(today: dt.date, month: int) -> int:
    """Year of the next `month` not yet over (this year's while we are in it)."""
    return today.year if month >= today.month else today.year + 1


def period_end(today: dt.date, last_month: int, months: int = 3, offset: int = 0) -> dt.date:
    """End of the next period (quarter, half, fiscal year) ending in `last_month`, not yet over.

    `months` is the period length; `offset` moves on that many whole periods.
    """
    end = month_end(next_month_year(today, last_month), last_month)
    return month_end(end.year, end.month + offset * months)


def current_period_end(today: dt.date, months: int, first_month: int = 1) -> dt.date:
    """End of the period of `months` months (starting in `first_month`) we are in."""
    since = (today.month - first_month) % 12
    return month_end(today.year, today.month + (months - 1 - since % months))


def week_end(today: dt.date, weeks_ahead: int = 0) -> dt.date:
    """Sunday of this week (`weeks_ahead`=0), of next week (1), and so on."""
    return today + dt.timedelta(days=6 - today.weekday() + 7 * weeks_ahead)
