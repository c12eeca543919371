"""The year report against figures worked out by hand (tests/services/report_fixtures.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale

from finora.extensions import db
from finora.services.planning.periods import month_bounds
from finora.services.reports.totals import period_totals, totals_by_range
from finora.services.reports.year_report import year_report
from tests.ledger_factories import make_entry
from tests.services.report_fixtures import TODAY, build_march, bulk_entries, queries_of

D = Decimal
Z = D("0")


@pytest.fixture
def march(household):
    return build_march(household)


def report(household, year=2026):
    with force_locale("en"):
        return year_report(db.session, household, year, TODAY)


def test_month_by_month(march):
    r = report(march.household)
    assert [m.month for m in r.months] == list(range(1, 13))
    assert [(m.income, m.expense) for m in r.months[:4]] == [
        (Z, Z), (Z, D("777.00")), (D("5920.50"), D("1845.30")), (D("333.00"), Z),
    ]
    assert r.months[2].net == D("4075.20") and r.months[1].net == D("-777.00")
    assert all(m.totals.count == 0 for m in r.months[4:])
    assert (r.totals.income, r.totals.expense, r.totals.net, r.totals.count) == (
        D("6253.50"), D("2622.30"), D("3631.20"), 11,
    )


def test_the_dashboards_year_view_agrees(march):
    from finora.services.ledger.year_summary import year_summary

    summary = year_summary(db.session, march.household, 2026)
    r = report(march.household)
    assert [(m.income, m.expense) for m in summary.months] == [(m.income, m.expense) for m in r.months]
    assert (summary.income, summary.expense, summary.net) == (r.totals.income, r.totals.expense, r.totals.net)


def test_heat_table_of_expenses(march):
    r = report(march.household)
    assert [(row.label, row.total) for row in r.heat] == [("Housing", D("2277.00")), ("Food", D("345.30"))]
    housing, food = r.heat
    assert housing.months == [Z, D("777.00"), D("1500.00")] + [Z] * 9
    assert food.months == [Z, Z, D("345.30")] + [Z] * 9
    assert r.heat_month_totals == [m.expense for m in r.months]
    assert r.heat_peak == D("1500.00")


def test_largest_entries(march):
    r = report(march.household)
    assert [e.amount for e in r.largest_expenses] == [
        D("1500.00"), D("777.00"), D("200.10"), D("99.90"), D("45.00"), D("0.20"), D("0.10"),
    ]
    assert [e.description for e in r.largest_incomes] == ["salary", "bonus", "april", "refund"]


def test_at_most_ten_largest(household):
    for n in range(12):
        make_entry(household, amount=D(n + 1), date=date(2026, 1 + n, 28), commit=False)
    make_entry(household, amount=D("500.00"), date=date(2025, 12, 31), commit=False)  # another year
    db.session.commit()
    r = report(household)
    assert [e.amount for e in r.largest_expenses] == [D(n) for n in range(12, 2, -1)]
    assert r.largest_incomes == []


def test_an_empty_year(household):
    r = report(household, 2031)
    assert r.empty and r.heat == [] and r.largest_expenses == [] and r.largest_incomes == []
    assert all((m.income, m.expense, m.net) == (Z, Z, Z) for m in r.months)
    assert r.totals.savings_rate is None and r.heat_peak == Z


def test_the_grouped_months_equal_period_totals_and_the_queries_stay_flat(household):
    make_entry(household, amount=D("1.00"), date=date(2026, 3, 2))
    make_entry(household, kind="income", amount=D("1.00"), date=date(2026, 3, 2))
    report(household)  # the household loaded after the commit
    _, few = queries_of(lambda: report(household))
    bulk_entries(household, 3000)
    bulk_entries(household, 200, year=2028)  # a leap year: 29 February has entries
    report(household)
    r, many = queries_of(lambda: report(household))
    assert many == few <= 6
    for m in r.months:
        assert m.totals == period_totals(db.session, household, *month_bounds(2026, m.month))
    leap = totals_by_range(db.session, household, [month_bounds(2028, 2), (date(2028, 2, 29), date(2028, 2, 29))])
    assert leap[0] == period_totals(db.session, household, date(2028, 2, 1), date(2028, 2, 29))
    assert leap[1] == period_totals(db.session, household, date(2028, 2, 29), date(2028, 2, 29))
    assert leap[1].count > 0
    assert sum(row.total for row in r.heat) == r.totals.expense
