"""Household time: "today" is the date in the household's timezone, never the server's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


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


def today(household) -> date:
    """The household's calendar date right now."""
    return today_in(household.timezone)
