"""Household time: "today" is the date in the household's timezone, never the server's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app, has_app_context
from flask_babel.speaklater import LazyString

from finora.errors import FieldError
from finora.translation import lazy_gettext as _l


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    """Every IANA zone name worth offering, sorted (no legacy aliases like 'US/Eastern')."""
    return tuple(
        sorted(
            name
            for name in available_timezones()
            if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
        )
        + ["UTC"]
    )


def is_valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def now_utc() -> datetime:
    return datetime.now(UTC)


def today_in(timezone: str) -> date:
    return now_utc().astimezone(ZoneInfo(timezone)).date()


class _HasTimezone(Protocol):
    """A household (the models sit above this module: it cannot name them)."""

    @property
    def timezone(self) -> str: ...


def today(household: _HasTimezone) -> date:
    """The household's calendar date right now."""
    return today_in(household.timezone)


# The calendar Finora accepts (DATE_MIN_YEAR-01-01 to DATE_MAX_YEAR-12-31 in the config): a
# date typed, imported or sent through the API outside it is refused. Nobody plans money in
# 0001 or 9999, and dates near date.min/date.max leave the engine no room for its margins.
DEFAULT_MIN_YEAR = 1900
DEFAULT_MAX_YEAR = 2199


def date_window() -> tuple[date, date]:
    """The first and the last date Finora accepts."""
    low, high = DEFAULT_MIN_YEAR, DEFAULT_MAX_YEAR
    if has_app_context():
        low = int(current_app.config.get("DATE_MIN_YEAR") or low)
        high = int(current_app.config.get("DATE_MAX_YEAR") or high)
    return date(max(low, 1), 1, 1), date(min(high, 9999), 12, 31)


def in_window(day: date) -> bool:
    low, high = date_window()
    return low <= day <= high


def window_message() -> LazyString:
    """"Enter a date in the years … to …", naming the window (whole years, so no date
    format to get wrong in the reader's language)."""
    low, high = date_window()
    return _l("Enter a date in the years %(first)s to %(last)s.", first=low.year, last=high.year)


def check_date(day: date | None, field: str) -> None:
    """Refuse a date outside the window (FieldError on `field`); None passes."""
    if day is not None and not in_window(day):
        raise FieldError(field, window_message())
