"""The monthly dashboard and the year view."""

from __future__ import annotations

from datetime import date

from flask import abort, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import login_required

from finora.dates import today
from finora.extensions import db
from finora.forecast.projection import WINDOW_DAYS
from finora.services.ledger.accounts import account_balances_on, consolidated_balance, list_accounts
from finora.services.ledger.catalogue import category_tree
from finora.services.ledger.entry_list import KINDS, SORTS, STATUSES, EntryFilters, list_entries
from finora.services.ledger.month_summary import category_totals, daily_net, month_metrics
from finora.services.ledger.year_summary import year_summary
from finora.services.planning.budgets import budget_highlights
from finora.services.planning.household_forecast import household_forecast
from finora.services.planning.periods import month_bounds, shift_month
from finora.tenancy import require_household
from finora.web.converters import page_arg, parse_id
from finora.web.dashboard import bp
from finora.web.dashboard.charts import category_donut, cumulative_net, year_bars
from finora.web.labels import PAYMENT_METHODS, STATUS_FILTERS, TRANSACTION_KINDS

MIN_YEAR, MAX_YEAR = 1900, 9999


@bp.before_request
@login_required
def _signed_in():
    return None


@bp.get("/dashboard")
def index():
    day = today(require_household())
    return redirect(url_for("dashboard.month", year=day.year, month=day.month))


@bp.get("/dashboard/go")
def go():
    """The month picker (an <input type="month">) sends YYYY-MM here."""
    value = request.args.get("month", "")
    try:
        year, month = (int(part) for part in value.split("-"))
        date(year, month, 1)
    except (ValueError, OverflowError):  # a year beyond the C long overflows
        return redirect(url_for("dashboard.index"))
    return redirect(url_for("dashboard.month", year=year, month=month))


def _filters() -> EntryFilters:
    args = request.args
    kind = args.get("kind", "")
    status = args.get("status", "")
    sort = args.get("sort", "date_desc")
    method = args.get("method", "")
    return EntryFilters(
        kind=kind if kind in KINDS else "",
        status=status if status in STATUSES else "",
        account_id=parse_id(args.get("account")),
        category_id=parse_id(args.get("category")),
        payment_method=method if method in PAYMENT_METHODS else "",
        # PostgreSQL cannot hold NUL even in a LIKE pattern; it is never part of a real search.
        search=args.get("q", "").replace("\x00", "")[:100],
        sort=sort if sort in SORTS else "date_desc",
        page=page_arg(),
    )


def _check(year: int, month: int | None = None) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR or (month is not None and not 1 <= month <= 12):
        abort(404)


@bp.get("/dashboard/<int:year>/<int:month>")
def month(year: int, month: int):
    _check(year, month)
    household = require_household()
    day = today(household)
    start, end = month_bounds(year, month)
    filters = _filters()
    accounts = list_accounts(db.session, household)
    balance_day = min(day, end)
    # The month's closing balances and today's (the forecast's start), each row read once.
    on_day = account_balances_on(db.session, household, [balance_day, day])
    balances = on_day[balance_day]
    totals = category_totals(db.session, household, start, end)
    currency = household.currency
    return render_template(
        "dashboard/month.html",
        household=household,
        year=year,
        month=month,
        start=start,
        today=day,
        is_current=(year, month) == (day.year, day.month),
        previous=shift_month(year, month, -1),
        following=shift_month(year, month, 1),
        metrics=month_metrics(db.session, household, year, month, day),
        budget_summary=budget_highlights(db.session, household, year, month, day),
        totals=totals,
        expense_chart=category_donut(totals["expense"], currency),
        income_chart=category_donut(totals["income"], currency, kind="income"),
        net_chart=cumulative_net(daily_net(db.session, household, year, month), currency),
        page=list_entries(db.session, household, start, end, filters, day),
        filters=filters,
        accounts=accounts,
        consolidated=consolidated_balance(balances, accounts),
        outlook=household_forecast(
            db.session, household, horizon_days=WINDOW_DAYS,
            balances=on_day[day],
        ),
        balance_day=balance_day,
        expense_tree=category_tree(db.session, household, "expense", include_archived=True),
        income_tree=category_tree(db.session, household, "income", include_archived=True),
        kind_labels=TRANSACTION_KINDS,
        status_filter_labels=STATUS_FILTERS,
    )


@bp.get("/dashboard/<int:year>")
def year(year: int):
    _check(year)
    household = require_household()
    summary = year_summary(db.session, household, year)
    month_names = [format_date(date(year, m, 1), "MMM").capitalize() for m in range(1, 13)]
    day = today(household)
    last_month = 12 if year < day.year else (day.month if year == day.year else 0)
    return render_template(
        "dashboard/year.html",
        household=household,
        year=year,
        summary=summary,
        month_names=month_names,
        chart=year_bars(summary, household.currency, month_names, last_month),
        today=day,
    )
