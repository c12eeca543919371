"""Budget against actual for a month and a year, with what the rules still plan, against
figures worked out by hand (tests/services/report_fixtures.py plus the budgets and rules
below)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale

from finora.extensions import db
from finora.services.planning.budgets import BudgetData, budget_statuses, create_budget
from finora.services.reports.budget_report import BudgetPeriodError, budget_report
from tests.ledger_factories import category
from tests.planning_factories import make_rule
from tests.services.report_fixtures import TODAY, build_march, queries_of

D = Decimal


def budget(household, code, amount, period="monthly"):
    create_budget(db.session, household, BudgetData(category(household, code).id, period, D(amount)))
    db.session.commit()


@pytest.fixture
def planned(household):
    """March's ledger; budgets Food 400/month, Food › Groceries 250/month, Housing
    20,000/year; rules: groceries 50.00 on the 20th, rent 1,500.00 on the 10th, and a
    what-if scenario that never counts."""
    march = build_march(household)
    budget(household, "expense.food", "400.00")
    budget(household, "expense.food.groceries", "250.00")
    budget(household, "expense.housing", "20000.00", "yearly")
    make_rule(household, name="Groceries", amount=D("50.00"), category_code="expense.food",
              subcategory_id=category(household, "expense.food.groceries").id, anchor_date=date(2026, 1, 20),
              auto_post=False)
    make_rule(household, name="Rent")  # 1,500.00 on the 10th of each month from January, Housing
    make_rule(household, name="Holiday", amount=D("1000.00"), category_code="expense.food",
              anchor_date=date(2026, 1, 25), is_scenario=True, auto_post=False)
    return march


def report(household, period, year=2026, month=3, today=TODAY):
    with force_locale("en"):
        return budget_report(db.session, household, period, year, month, today)


def figures(line):
    return (line.label, line.budgeted, line.actual, line.remaining, line.percent, line.usage.state,
            line.still_planned, line.projected, line.projected_usage.state)


def test_a_month_shows_its_monthly_budgets(planned):
    r = report(planned.household, "month")
    assert (r.start, r.end, r.month) == (date(2026, 3, 1), date(2026, 3, 31), 3)
    assert [figures(line) for line in r.lines] == [
        # Every food expense of March, paid or not, subcategories included; the groceries rule's 20 March.
        ("Food", D("400.00"), D("345.30"), D("54.70"), D("86.3"), "warning", D("50.00"), D("395.30"), "warning"),
        ("Food › Groceries", D("250.00"), D("300.00"), D("-50.00"), D("120.0"), "over", D("50.00"),
         D("350.00"), "over"),
    ]


def test_the_month_agrees_with_the_budgets_page(planned):
    with force_locale("en"):
        statuses = {s.label: s for s in budget_statuses(db.session, planned.household, 2026, 3, TODAY)}
    for line in report(planned.household, "month").lines:
        status = statuses[line.label]
        assert (line.actual, line.projected, line.usage) == (status.spent, status.projected, status.usage)


def test_a_year_shows_yearly_budgets_and_monthly_ones_twelve_times(planned):
    r = report(planned.household, "year", month=None)
    assert (r.start, r.end, r.month) == (date(2026, 1, 1), date(2026, 12, 31), None)
    assert [figures(line) for line in r.lines] == [
        # 20 March to 20 December: ten groceries occurrences still to come.
        ("Food", D("4800.00"), D("345.30"), D("4454.70"), D("7.1"), "ok", D("500.00"), D("845.30"), "ok"),
        ("Food › Groceries", D("3000.00"), D("300.00"), D("2700.00"), D("10.0"), "ok", D("500.00"),
         D("800.00"), "ok"),
        # February's 777.00 and March's rent; the rent rule still plans April to December.
        ("Housing", D("20000.00"), D("2277.00"), D("17723.00"), D("11.3"), "ok", D("13500.00"),
         D("15777.00"), "ok"),
    ]
    assert [line.period for line in r.lines] == ["monthly", "monthly", "yearly"]


def test_nothing_is_still_planned_for_a_past_period(planned):
    r = report(planned.household, "year", year=2025, month=None)
    assert [(line.label, line.actual, line.still_planned) for line in r.lines] == [
        ("Food", D("60.00"), D("0")), ("Food › Groceries", D("60.00"), D("0")), ("Housing", D("0"), D("0")),
    ]


def test_a_future_month_plans_everything(planned):
    r = report(planned.household, "month", month=5)
    assert [(line.label, line.actual, line.still_planned) for line in r.lines] == [
        ("Food", D("0"), D("50.00")), ("Food › Groceries", D("0"), D("50.00")),
    ]


def test_no_budgets_and_a_wrong_period(household):
    assert report(household, "month").lines == [] and report(household, "month").empty
    assert report(household, "year", month=None).lines == []
    with pytest.raises(BudgetPeriodError):
        report(household, "week")
    with pytest.raises(BudgetPeriodError):
        report(household, "month", month=None)


def test_the_queries_do_not_grow_with_budgets(planned):
    report(planned.household, "year", month=None)
    _, few = queries_of(lambda: report(planned.household, "year", month=None))
    for code in ("expense.leisure", "expense.health", "expense.transport.fuel", "expense.utilities"):
        budget(planned.household, code, "10.00")
    report(planned.household, "year", month=None)
    r, many = queries_of(lambda: report(planned.household, "year", month=None))
    assert len(r.lines) == 7 and many == few
