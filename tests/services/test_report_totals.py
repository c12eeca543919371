"""A period's totals and totals by category, against figures worked out by hand
(tests/services/report_fixtures.py), and the dashboard's metrics agreeing to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale

from finora.extensions import db
from finora.services.ledger.entry_list import EntryFilters, list_entries
from finora.services.ledger.month_summary import month_metrics
from finora.services.reports.totals import category_breakdown, period_totals, savings_rate
from tests.ledger_factories import category
from tests.services.report_fixtures import TODAY, build_march

D = Decimal
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
def march(household):
    return build_march(household)


def totals(march, filters=None, today=TODAY, period=MARCH):
    return period_totals(db.session, march.household, *period, filters, today=today)


def test_the_months_totals_leave_transfers_out(march):
    t = totals(march)
    assert (t.income, t.expense, t.net, t.count) == (D("5920.50"), D("1845.30"), D("4075.20"), 9)
    assert t.savings_rate == D("0.688")  # 4,075.20 ÷ 5,920.50 = 0.68832…


def test_an_empty_period_is_all_zero(march):
    t = totals(march, period=(date(2031, 7, 1), date(2031, 7, 31)))
    assert (t.income, t.expense, t.net, t.count, t.savings_rate) == (D("0"), D("0"), D("0"), 0, None)
    assert category_breakdown(db.session, march.household, date(2031, 7, 1), date(2031, 7, 31)) == []


def test_savings_rate_rounds_to_a_tenth_of_a_percent_and_goes_negative():
    assert savings_rate(D("3.00"), D("2.00")) == D("0.333")
    assert savings_rate(D("200.00"), D("200.10")) == D("-0.001")  # −0.05 % rounds half up, away from 0
    assert savings_rate(D("100.00"), D("300.00")) == D("-2.000")
    assert savings_rate(D("0.00"), D("10.00")) is None


@pytest.mark.parametrize(
    ("filters", "income", "expense", "count"),
    [
        (EntryFilters(kind="income"), "5920.50", "0", 3),
        (EntryFilters(kind="expense"), "0", "1845.30", 6),
        (EntryFilters(kind="transfer"), "0", "0", 0),
        (EntryFilters(status="paid"), "5000.00", "1545.30", 5),
        (EntryFilters(status="pending"), "800.50", "99.90", 2),
        (EntryFilters(status="overdue"), "120.00", "200.10", 2),
        (EntryFilters(payment_method="cash"), "0", "0.30", 2),
        (EntryFilters(search="COFFEE"), "0", "0.30", 2),  # description or notes, any case
        (EntryFilters(search="100%"), "0", "0", 0),  # % is a character, not a wildcard
        (EntryFilters(kind="expense", status="paid", payment_method="cash"), "0", "0.30", 2),
    ],
)
def test_the_dashboard_filters(march, filters, income, expense, count):
    t = totals(march, filters)
    assert (t.income, t.expense, t.count) == (D(income), D(expense), count)


def test_account_and_category_filters(march):
    assert totals(march, EntryFilters(account_id=march.savings.id)).expense == D("45.00")
    food = category(march.household, "expense.food")
    groceries = category(march.household, "expense.food.groceries")
    # A top category includes its subcategories' entries.
    assert totals(march, EntryFilters(category_id=food.id)).expense == D("345.30")
    assert totals(march, EntryFilters(category_id=groceries.id)).expense == D("300.00")


def test_totals_count_what_the_dashboard_table_lists(march):
    """The same filters give the table's rows and the totals' count and sums."""
    for filters in (EntryFilters(), EntryFilters(status="overdue"), EntryFilters(search="coffee"),
                    EntryFilters(category_id=category(march.household, "expense.food").id)):
        page = list_entries(db.session, march.household, *MARCH, filters.with_page(1), TODAY)
        entries = [row.entry for row in page.items if row.entry is not None]
        t = totals(march, filters)
        assert t.count == len(entries)
        assert t.expense == sum((e.amount for e in entries if e.kind == "expense"), D("0"))
        assert t.income == sum((e.amount for e in entries if e.kind == "income"), D("0"))


def test_status_filters_default_to_the_households_today(march, monkeypatch):
    import finora.services.reports.totals as module

    monkeypatch.setattr(module, "household_today", lambda household: date(2026, 4, 1))
    overdue = period_totals(db.session, march.household, *MARCH, EntryFilters(status="overdue"))
    assert (overdue.income, overdue.expense) == (D("920.50"), D("300.00"))


@pytest.mark.parametrize("today", [date(2026, 3, 1), TODAY, date(2026, 3, 31), date(2026, 4, 30)])
def test_the_dashboard_metrics_agree_to_the_cent(march, today):
    """Paid, pending and overdue entries and transfers: the month dashboard's income and
    expense are the report's, whatever day it is."""
    metrics = month_metrics(db.session, march.household, 2026, 3, today)
    t = totals(march, today=today)
    assert (metrics.income, metrics.expense, metrics.projected_balance, metrics.entry_count) == (
        t.income, t.expense, t.net, t.count,
    )
    for month in (2, 4):
        metrics = month_metrics(db.session, march.household, 2026, month, today)
        start, end = date(2026, month, 1), date(2026, month, 28 if month == 2 else 30)
        t = totals(march, today=today, period=(start, end))
        assert (metrics.income, metrics.expense, metrics.entry_count) == (t.income, t.expense, t.count)


def test_category_breakdown_with_subcategories(march):
    with force_locale("en"):
        lines = category_breakdown(db.session, march.household, *MARCH)
    shown = [(c.kind, c.label, c.total, [(s.label, s.total) for s in c.subcategories]) for c in lines]
    assert shown == [
        ("income", "Work", D("5800.50"), [("Salary", D("5000.00")), ("(no subcategory)", D("800.50"))]),
        ("income", "Other income", D("120.00"), [("(no subcategory)", D("120.00"))]),
        ("expense", "Housing", D("1500.00"), [("Rent", D("1500.00"))]),
        ("expense", "Food", D("345.30"), [
            ("Groceries", D("300.00")), ("Restaurants", D("45.00")), ("(no subcategory)", D("0.30")),
        ]),
    ]
    food = lines[3]
    assert food.category_id == category(march.household, "expense.food").id
    assert food.subcategories[0].id == category(march.household, "expense.food.groceries").id
    assert food.subcategories[-1].id is None
    with force_locale("pt"):
        lines = category_breakdown(db.session, march.household, *MARCH)
    assert lines[0].label == "Trabalho"


def test_category_breakdown_honours_filters(march):
    with force_locale("en"):
        lines = category_breakdown(
            db.session, march.household, *MARCH, EntryFilters(status="overdue"), today=TODAY
        )
    assert [(c.label, c.total) for c in lines] == [("Other income", D("120.00")), ("Food", D("200.10"))]
    assert category_breakdown(db.session, march.household, *MARCH, EntryFilters(kind="transfer")) == []


def test_a_leap_day_and_month_ends_belong_to_their_day(household):
    from tests.ledger_factories import make_entry

    make_entry(household, amount=D("29.00"), date=date(2028, 2, 29))
    make_entry(household, amount=D("1.00"), date=date(2028, 3, 1))
    make_entry(household, amount=D("2.00"), date=date(2028, 1, 31))
    t = period_totals(db.session, household, date(2028, 2, 1), date(2028, 2, 29), today=TODAY)
    assert (t.expense, t.count) == (D("29.00"), 1)
