"""The report pages' periods: the query read through the reports service's parser, and the
links to the neighbouring periods."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask_babel import format_date
from werkzeug.datastructures import MultiDict

from finora.services.planning.periods import shift_month
from finora.services.reports.periods import PeriodError, ReportPeriod, parse_period
from finora.translation import gettext as _


def picked(args: Mapping[str, str], household, day: date, *, kind: str | None = None,
           allowed: tuple[str, ...] = ("month",)) -> ReportPeriod:
    """The period the page's query names. The month picker sends "YYYY-MM" as ym=; a page
    for one kind only (the month report, the year report) fixes period=. A kind the page
    does not offer is a PeriodError like any unknown period."""
    wanted = MultiDict(args)
    if kind is not None:
        wanted["period"] = kind
    elif (wanted.get("period") or allowed[0]) not in allowed:
        raise PeriodError()
    elif not wanted.get("period"):
        wanted["period"] = allowed[0]
    ym = (wanted.get("ym") or "").strip()
    if ym and wanted["period"] == "month":
        year, _sep, month = ym.partition("-")
        wanted["year"], wanted["month"] = year, month
    return parse_period(wanted, household, day)


def neighbours(period: ReportPeriod) -> tuple[dict, dict]:
    """The query arguments of the previous and the next period of the same kind."""
    if period.kind == "month":
        (py, pm), (ny, nm) = shift_month(period.year, period.month, -1), shift_month(period.year, period.month, 1)
        return {"period": "month", "year": py, "month": pm}, {"period": "month", "year": ny, "month": nm}
    if period.kind == "year":
        return {"period": "year", "year": period.year - 1}, {"period": "year", "year": period.year + 1}
    return {}, {}


def period_query(period: ReportPeriod) -> dict:
    """The query arguments that name this period again (for downloads and links)."""
    if period.kind == "month":
        return {"period": "month", "year": period.year, "month": period.month}
    if period.kind == "year":
        return {"period": "year", "year": period.year}
    if period.kind == "range":
        return {"period": "range", "start": period.start.isoformat(), "end": period.end.isoformat()}
    return {"period": "all"}


def period_title(period: ReportPeriod) -> str:
    """"March 2026", "2026", "1 Jan 2026 – 31 Mar 2026" in the reader's language."""
    if period.kind == "month":
        return format_date(period.start, "MMMM y").capitalize()
    if period.kind == "year":
        return str(period.year)
    return f"{format_date(period.start, 'medium')} – {format_date(period.end, 'medium')}"


def neighbour_labels(period: ReportPeriod) -> tuple[str, str]:
    if period.kind == "year":
        return _("Previous year"), _("Next year")
    return _("Previous month"), _("Next month")


def period_slug(period: ReportPeriod) -> str:
    """The period in a file name: 2026-03, 2026, 2026-01-01_2026-03-31 or all."""
    if period.kind == "month":
        return f"{period.start:%Y-%m}"
    if period.kind == "year":
        return f"{period.start:%Y}"
    if period.kind == "range":
        return f"{period.start.isoformat()}_{period.end.isoformat()}"
    return "all"
