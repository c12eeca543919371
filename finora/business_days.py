"""Business days: weekends and a country's public holidays, and date arithmetic that stops
at the calendar's edges. Pure (no Flask, no database), so the forecast engine can use it;
household time and the date window live in finora.dates."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


def add_days(day: date, days: int) -> date:
    """`day` plus `days`, stopping at date.min or date.max instead of overflowing: rows
    saved before the window existed can still sit at the calendar's edges."""
    ordinal = min(max(day.toordinal() + days, 1), _MAX_ORDINAL)
    return date.fromordinal(ordinal)


_MAX_ORDINAL = date.max.toordinal()

POLICIES = ("none", "previous", "next")
# How far `shift` may walk looking for a business day before giving up: no real calendar
# has a run of non-business days anywhere near this long, so hitting it means a bug.
_MAX_SHIFT_DAYS = 366


@lru_cache(maxsize=1)
def supported_countries() -> frozenset[str]:
    """ISO 3166 alpha-2 codes whose public holidays Finora knows."""
    return _supported_countries()


def _supported_countries() -> frozenset[str]:
    import holidays  # its country data only once a calendar is asked for

    # The package also accepts alpha-3 codes ("USA", "BRA"); households store alpha-2.
    return frozenset(code for code in holidays.list_supported_countries() if len(code) == 2)


@lru_cache(maxsize=512)
def _holidays_in(country: str, year: int) -> frozenset[date]:
    """The country's public holidays (observed days included) that fall in `year`.

    Neighbouring years are built too: a holiday of one year can be observed in another
    (the US New Year's Day 2022, a Saturday, was observed on Friday 2021-12-31).
    """
    import holidays

    found = holidays.country_holidays(country, years=(year - 1, year, year + 1), expand=False)
    return frozenset(day for day in found if day.year == year)


class BusinessCalendar:
    """Weekends, plus the public holidays of a country when one is set.

    `country` is an ISO 3166-1 alpha-2 code ("BR", "US"); only the `public` category of
    the `holidays` package counts (Brazil's Carnival, for instance, is an optional
    holiday there and so stays a business day). Holiday sets are built lazily, one year
    at a time, and cached.
    """

    def __init__(self, country: str | None = None) -> None:
        code = country.strip().upper() if country else None
        if code and code not in _supported_countries():
            raise ValueError(f"unknown or unsupported country code: {country!r}")
        self.country = code or None
        self._years: dict[int, frozenset[date]] = {}

    def __repr__(self) -> str:
        return f"BusinessCalendar(country={self.country!r})"

    def holiday_dates(self, year: int) -> frozenset[date]:
        """The public holidays of `year` (empty without a country)."""
        if self.country is None:
            return frozenset()
        found = self._years.get(year)
        if found is None:
            found = self._years[year] = _holidays_in(self.country, year)
        return found

    def is_holiday(self, day: date) -> bool:
        return self.country is not None and day in self.holiday_dates(day.year)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def shift(self, day: date, policy: str) -> date:
        """Where an occurrence due on `day` lands under `policy` (none | next | previous)."""
        if policy == "none":
            return day
        if policy == "next":
            step = timedelta(days=1)
        elif policy == "previous":
            step = timedelta(days=-1)
        else:
            raise ValueError(f"unknown business-day policy: {policy!r}")
        moved = day
        edge = date.max if step.days > 0 else date.min
        for _ in range(_MAX_SHIFT_DAYS):
            if self.is_business_day(moved) or moved == edge:
                return moved  # at the calendar's edge there is nowhere further to go
            moved += step
        raise ValueError(f"no business day within {_MAX_SHIFT_DAYS} days of {day}")

    @staticmethod
    def default_policy(kind: str) -> str:
        """The policy a new rule starts with: income → previous, expense → next."""
        if kind == "income":
            return "previous"
        if kind == "expense":
            return "next"
        raise ValueError(f"unknown kind: {kind!r}")
