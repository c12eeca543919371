"""The month report against figures worked out by hand (tests/services/report_fixtures.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale

from finora.extensions import db
from finora.services.ledger.month_summary import month_metrics
from finora.services.reports.month_report import change, month_report
from finora.services.reports.totals import period_totals
from tests.ledger_factories import make_entry
from tests.services.report_fixtures import TODAY, build_march, bulk_entries, queries_of

D = Decimal


@pytest.fixture
def march(household):
    return build_march(household)


def report(household, year=2026, month=3):
    with force_locale("en"):
        return month_report(db.session, household, year, month, TODAY)


def test_totals_and_savings_rate(march):
    r = report(march.household)
    assert (r.start, r.end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert (r.totals.income, r.totals.expense, r.totals.net) == (D("5920.50"), D("1845.30"), D("4075.20"))
    assert r.savings_rate == D("0.688")
    assert not r.empty
    metrics = month_metrics(db.session, march.household, 2026, 3, TODAY)
    assert (metrics.income, metrics.expense) == (r.totals.income, r.totals.expense)


def test_categories_drill_down_to_subcategories(march):
    r = report(march.household)
    assert [(c.label, c.total) for c in r.income_categories] == [("Work", D("5800.50")), ("Other income", D("120.00"))]
    assert [(c.label, c.total) for c in r.expense_categories] == [("Housing", D("1500.00")), ("Food", D("345.30"))]
    food = r.expense_categories[1]
    assert [(s.label, s.total) for s in food.subcategories] == [
        ("Groceries", D("300.00")), ("Restaurants", D("45.00")), ("(no subcategory)", D("0.30")),
    ]
    assert sum(s.total for s in food.subcategories) == food.total


def test_daily_timeline_of_expenses(march):
    days = report(march.household).timeline
    assert len(days) == 31 and days[0].day == date(2026, 3, 1) and days[-1].day == date(2026, 3, 31)
    assert (days[0].expense, days[0].cumulative) == (D("200.10"), D("200.10"))
    assert days[1].expense == D("0") and days[1].cumulative == D("200.10")
    assert days[9].expense == D("1500.00")  # the rent's date, although it was paid on the 9th
    assert days[13].expense == D("0.30") and days[13].cumulative == D("1700.40")
    assert days[30].expense == D("144.90")  # the month's last day: the card and the dinner
    assert days[30].cumulative == D("1845.30") == report(march.household).totals.expense


def test_comparison_with_the_previous_month_and_last_year(march):
    r = report(march.household)
    feb = r.previous
    assert (feb.year, feb.month) == (2026, 2)
    assert (feb.totals.income, feb.totals.expense, feb.totals.net) == (D("0"), D("777.00"), D("-777.00"))
    assert feb.income.difference == D("5920.50") and feb.income.percent is None  # no base: no percentage
    assert (feb.expense.difference, feb.expense.percent) == (D("1068.30"), D("1.375"))
    assert (feb.net.difference, feb.net.percent) == (D("4852.20"), D("6.245"))  # against |−777|
    last = r.last_year
    assert (last.year, last.month, last.totals.expense) == (2025, 3, D("60.00"))
    assert (last.expense.difference, last.expense.percent) == (D("1785.30"), D("29.755"))
    assert (last.net.difference, last.net.percent) == (D("4135.20"), D("68.920"))


def test_change_percentages():
    assert change(D("90.00"), D("120.00")).percent == D("-0.250")
    assert change(D("10.00"), D("0.00")).percent is None
    assert change(D("0.00"), D("0.00")) == change(D("5.00"), D("5.00")).__class__(D("0.00"), None)


def test_january_compares_with_december(household):
    make_entry(household, amount=D("30.00"), date=date(2025, 12, 31))
    make_entry(household, amount=D("45.00"), date=date(2026, 1, 1))
    r = report(household, 2026, 1)
    assert (r.previous.year, r.previous.month, r.previous.totals.expense) == (2025, 12, D("30.00"))
    assert (r.previous.expense.difference, r.previous.expense.percent) == (D("15.00"), D("0.500"))


def test_leap_february(household):
    make_entry(household, amount=D("29.00"), date=date(2028, 2, 29))
    make_entry(household, amount=D("1.00"), date=date(2027, 2, 28))
    r = report(household, 2028, 2)
    assert len(r.timeline) == 29 and r.timeline[-1].cumulative == D("29.00")
    assert r.last_year.totals.expense == D("1.00")


def test_an_empty_month(household):
    r = report(household, 2031, 7)
    assert r.empty and (r.totals.income, r.totals.expense, r.totals.count) == (D("0"), D("0"), 0)
    assert r.savings_rate is None
    assert r.income_categories == [] and r.expense_categories == []
    assert len(r.timeline) == 31 and all(d.expense == 0 and d.cumulative == 0 for d in r.timeline)
    assert r.previous.income.percent is None and r.last_year.net.difference == D("0")


def test_the_queries_do_not_grow_with_the_entries(household):
    make_entry(household, amount=D("1.00"), date=date(2026, 3, 2))
    report(household)  # the household loaded after the commit
    _, few = queries_of(lambda: report(household))
    bulk_entries(household, 3000)
    report(household)
    r, many = queries_of(lambda: report(household))
    assert many == few <= 5
    assert r.totals == period_totals(db.session, household, date(2026, 3, 1), date(2026, 3, 31))
    assert r.timeline[-1].cumulative == r.totals.expense
    assert sum(c.total for c in r.expense_categories) == r.totals.expense
