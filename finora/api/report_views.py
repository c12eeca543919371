"""The month, year and net worth reports (docs/api.md, "Reports"): the figures of the report pages
and their exports, from the same services (finora.services.reports), as JSON."""

from __future__ import annotations

from flask import request

from finora.api import bp
from finora.api import reports_json as out
from finora.api.access import caller
from finora.api.envelope import one
from finora.api.spec import documented
from finora.dates import date_window, today, window_message
from finora.errors import FieldError
from finora.extensions import db
from finora.models import Household
from finora.services.reports.month_report import month_report
from finora.services.reports.net_worth import net_worth_report as build_net_worth
from finora.services.reports.net_worth import parse_month
from finora.services.reports.periods import year_period
from finora.services.reports.totals import category_breakdown
from finora.services.reports.year_report import year_report
from finora.translation import lazy_gettext as _l


def _household() -> Household:
    return caller().membership.household


def _number(name: str, default: int, message) -> int:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
        raise FieldError(name, message(raw[:20]))
    return int(raw)


def _year(default: int) -> int:
    year = _number("year", default, lambda raw: _l("“%(value)s” is not a year.", value=raw))
    low, high = date_window()
    if not low.year <= year <= high.year:
        raise FieldError("year", window_message())
    return year


def _month(default: int) -> int:
    def message(raw):
        return _l("“%(value)s” is not a month (1 to 12).", value=raw)

    month = _number("month", default, message)
    if not 1 <= month <= 12:
        raise FieldError("month", message(str(month)))
    return month


@bp.get("/reports/monthly")
@documented(_l("The month report"), tag="Reports", query=out.MonthlyQuery,
            response=out.MonthlyReportOut,
            description=_l("Income, expenses and net of the month (every entry dated in it, paid "
                           "or not; transfers are neither), by category, day by day, and "
                           "against the previous month and the same month a year before."))
def monthly_report():
    household = _household()
    on = today(household)
    year, month = _year(on.year), _month(on.month)
    report = month_report(db.session, household, year, month, on)
    return one(out.monthly(report, household.currency))


@bp.get("/reports/yearly")
@documented(_l("The year report"), tag="Reports", query=out.YearlyQuery,
            response=out.YearlyReportOut,
            description=_l("The year's income, expenses and net month by month, by category, "
                           "the expenses of each category month by month and the largest "
                           "entries."))
def yearly_report():
    household = _household()
    on = today(household)
    year = _year(on.year)
    report = year_report(db.session, household, year, on)
    period = year_period(year)
    lines = category_breakdown(db.session, household, period.start, period.end)
    return one(out.yearly(report, lines, household.currency))


@bp.get("/reports/net-worth")
@documented(_l("Net worth"), tag="Reports", query=out.NetWorthQuery, response=out.NetWorthOut,
            description=_l("Each month's assets (every account but credit cards), liabilities "
                           "(what the credit cards owe) and net worth at the month's end (today "
                           "for the current month), by the accounts' balance rule."))
def net_worth_report():
    household = _household()
    first = parse_month(request.args.get("from"), "from")
    last = parse_month(request.args.get("to"), "to")
    report = build_net_worth(db.session, household, today(household), first, last)
    return one(out.net_worth(report, household.currency))
