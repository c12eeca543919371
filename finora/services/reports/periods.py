"""The period a report or an export covers, read from a page's query arguments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from finora.dates import date_window, in_window, window_message
from finora.errors import FinoraError
from finora.models import Entry, Household, Transfer
from finora.services.planning.periods import month_bounds
from finora.translation import lazy_gettext as _l

KINDS = ("month", "year", "range", "all")
MAX_RANGE_YEARS = 20


class PeriodError(FinoraError):
    """A period the arguments do not describe: the message names the problem (400)."""

    message = _l("The period must be month, year, range or all.")
    status = 400


@dataclass(frozen=True)
class ReportPeriod:
    """kind "month" | "year" | "range" | "all"; start and end are inclusive. year and month
    are set for the kinds that have them (a year report: month None; range, all: both None)."""

    kind: str
    start: date
    end: date
    year: int | None = None
    month: int | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def month_period(year: int, month: int) -> ReportPeriod:
    start, end = month_bounds(year, month)
    return ReportPeriod("month", start, end, year, month)


def year_period(year: int) -> ReportPeriod:
    return ReportPeriod("year", date(year, 1, 1), date(year, 12, 31), year)


def _number(args: Mapping[str, str], name: str, default: int, message) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
        raise PeriodError(message(raw))
    return int(raw)


def _year(args: Mapping[str, str], default: int) -> int:
    year = _number(args, "year", default, lambda raw: _l("“%(value)s” is not a year.", value=raw))
    low, high = date_window()
    if not low.year <= year <= high.year:
        raise PeriodError(window_message())
    return year


def _month(args: Mapping[str, str], default: int) -> int:
    def message(raw):
        return _l("“%(value)s” is not a month (1 to 12).", value=raw)

    month = _number(args, "month", default, message)
    if not 1 <= month <= 12:
        raise PeriodError(message(str(month)))
    return month


def _date(args: Mapping[str, str], name: str) -> date:
    raw = (args.get(name) or "").strip()
    if not raw:
        raise PeriodError(_l("Enter a start date and an end date for a range."))
    try:
        if not raw.isascii() or len(raw) != 10:
            raise ValueError(raw)
        day = date.fromisoformat(raw)
    except ValueError as error:
        raise PeriodError(_l("“%(value)s” is not a date.", value=raw[:40])) from error
    if not in_window(day):
        raise PeriodError(window_message())
    return day


def _years_later(day: date, years: int) -> date:
    """The same day `years` later (29 February: 1 March of a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def check_range(start: date, end: date) -> None:
    """Refuse an end before the start and a range over MAX_RANGE_YEARS (PeriodError)."""
    if end < start:
        raise PeriodError(_l("The end date is before the start date."))
    if end >= _years_later(start, MAX_RANGE_YEARS):
        raise PeriodError(_l("A range can span at most 20 years."))


def household_span(session: Session, household: Household, today: date) -> tuple[date, date]:
    """The first and the last day the household recorded anything (entries and transfers);
    today and today when it recorded nothing."""
    firsts, lasts = [], []
    for model in (Entry, Transfer):
        first, last = session.execute(
            select(func.min(model.date), func.max(model.date)).where(model.household_id == household.id)
        ).one()
        if first is not None:
            firsts.append(first)
            lasts.append(last)
    if not firsts:
        return today, today
    return min(firsts), max(lasts)


def parse_period(
    args: Mapping[str, str], household: Household, today: date, *, session: Session | None = None
) -> ReportPeriod:
    """The period of the query arguments period=month|year|range|all (default month),
    year=, month= (default: the household's current ones) and start=, end= (ISO dates, for
    a range). "all" runs from the household's first entry or transfer to its last (today
    when it has none), read through `session` (default: the household's own session).
    Raises PeriodError, naming the problem."""
    kind = (args.get("period") or "month").strip()
    if kind == "month":
        return month_period(_year(args, today.year), _month(args, today.month))
    if kind == "year":
        return year_period(_year(args, today.year))
    if kind == "range":
        start, end = _date(args, "start"), _date(args, "end")
        check_range(start, end)
        return ReportPeriod("range", start, end)
    if kind == "all":
        # A household read from the database belongs to its session.
        owner = cast(Session, session or object_session(household))
        start, end = household_span(owner, household, today)
        return ReportPeriod("all", start, end)
    raise PeriodError()
