"""The report pages: month, year, budget against actual and accounts. Thin: the figures
come from finora.services.reports, the charts from charts.py."""

from __future__ import annotations

import math
from datetime import date

from flask import redirect, render_template, request, url_for

from finora.dates import today
from finora.extensions import db
from finora.services.reports.periods import month_period
from finora.tenancy import require_household
from finora.web.reports import bp
from finora.web.reports.downloads import download_links
from finora.web.reports.periods import (
    neighbour_labels,
    neighbours,
    period_query,
    period_title,
    picked,
)

BUDGET_KINDS = ("month", "year")
ACCOUNT_KINDS = ("month", "year", "range")


def _page(template: str, tab: str, period, **context):
    previous, following = neighbours(period)
    previous_label, following_label = neighbour_labels(period)
    return render_template(
        template,
        tab=tab,
        period=period,
        period_title=period_title(period),
        previous=previous,
        following=following,
        previous_label=previous_label,
        following_label=following_label,
        downloads=download_links(tab),
        query=period_query(period),
        today=today(require_household()),
        household=require_household(),
        **context,
    )


@bp.get("/")
def index():
    return redirect(url_for("reports.month"))


@bp.get("/month")
def month():
    from finora.services.reports.month_report import month_report
    from finora.services.reports.tag_totals import tag_breakdown
    from finora.web.reports.charts import daily_spending

    household = require_household()
    day = today(household)
    period = picked(request.args, household, day, kind="month")
    report = month_report(db.session, household, period.year, period.month, day)
    return _page(
        "reports/month.html", "month", period, report=report,
        tag_lines=tag_breakdown(db.session, household, report.start, report.end, today=day),
        chart=None if report.empty else daily_spending(report.timeline, household.currency),
        comparison_titles=[
            period_title(month_period(c.year, c.month)) for c in (report.previous, report.last_year)
        ],
    )


@bp.get("/year")
def year():
    from finora.services.reports.tag_totals import tag_breakdown
    from finora.services.reports.year_report import year_report
    from finora.web.reports.charts import month_bars, month_names

    household = require_household()
    day = today(household)
    period = picked(request.args, household, day, kind="year")
    report = year_report(db.session, household, period.year, day)
    first, last = date(period.year, 1, 1), date(period.year, 12, 31)
    names = month_names(period.year)
    last_month = 12 if period.year < day.year else (day.month if period.year == day.year else 0)
    return _page(
        "reports/year.html", "year", period, report=report, month_names=names,
        chart=None if report.empty else month_bars(report.months, household.currency, names, last_month),
        heat_level=heat_level,
        tag_lines=tag_breakdown(db.session, household, first, last, today=day),
        period_start=first, period_end=last,
    )


def heat_level(cell, peak) -> int:
    """A heat table cell's shade, 0 (nothing) to 4 (the year's largest cell)."""
    if not cell or not peak or cell <= 0:
        return 0
    return max(1, min(4, math.ceil(cell * 4 / peak)))


@bp.get("/budget")
def budget():
    from finora.services.reports.budget_report import budget_report

    household = require_household()
    day = today(household)
    period = picked(request.args, household, day, allowed=BUDGET_KINDS)
    report = budget_report(db.session, household, period.kind, period.year, period.month, day)
    return _page("reports/budget.html", "budget", period, report=report, kinds=BUDGET_KINDS)


@bp.get("/accounts")
def accounts():
    from finora.services.reports.account_report import account_report

    household = require_household()
    day = today(household)
    period = picked(request.args, household, day, allowed=ACCOUNT_KINDS)
    report = account_report(db.session, household, period.start, period.end)
    return _page("reports/accounts.html", "accounts", period, report=report, kinds=ACCOUNT_KINDS)
