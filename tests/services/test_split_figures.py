"""A split entry counts its lines, each under its own category, in every per-category
figure: the dashboard's donut, the month report's breakdown, the year's heat table, the
budgets and the category filter — and all of them agree."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from finora.extensions import db
from finora.services.ledger.month_summary import category_totals
from finora.services.ledger.splits import SplitLine, split_entry
from finora.services.planning.budgets import BudgetData, budget_statuses, create_budget
from finora.services.reports.totals import category_breakdown, period_totals
from finora.services.reports.year_report import expense_heat
from tests.ledger_factories import category, make_entry
from tests.services.report_fixtures import bulk_entries, queries_of

D = Decimal
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def filters(category_id):
    return SimpleNamespace(kind="", status="", account_id=None, category_id=category_id,
                           payment_method="", search="")


@pytest.fixture
def split_market(household):
    """Food 100.00 (unsplit) and a 250.00 supermarket bill split into Food › Groceries
    180.00, Housing 50.00 and Health 20.00, in March; budgets on Food, Groceries, Housing."""
    make_entry(household, amount=D("100.00"), category="expense.food", subcategory=None, date=date(2026, 3, 2))
    bill = make_entry(household, amount=D("250.00"), category="expense.food", subcategory=None, date=date(2026, 3, 5))
    code = {c: category(household, c).id for c in
            ("expense.food", "expense.food.groceries", "expense.housing", "expense.health")}
    split_entry(db.session, bill, [
        SplitLine(code["expense.food"], D("180.00"), code["expense.food.groceries"], "weekly shop"),
        SplitLine(code["expense.housing"], D("50.00"), None, "cleaning"),
        SplitLine(code["expense.health"], D("20.00")),
    ])
    for key in ("expense.food", "expense.food.groceries", "expense.housing"):
        create_budget(db.session, household, BudgetData(code[key], "monthly", D("1000.00")))
    db.session.commit()
    return code


def test_every_per_category_figure_counts_the_lines(household, split_market):
    code = split_market
    donut = {t.category_id: t.total for t in category_totals(db.session, household, *MARCH)["expense"]}
    breakdown = {line.category_id: line for line in category_breakdown(db.session, household, *MARCH)}
    heat = {row.category_id: row.months[2] for row in expense_heat(db.session, household, 2026)}
    budgets = {s.budget.category_id: s.spent for s in budget_statuses(db.session, household, 2026, 3, date(2026, 3, 15))}
    expected = {code["expense.food"]: D("280.00"), code["expense.housing"]: D("50.00"), code["expense.health"]: D("20.00")}
    assert donut == expected
    assert {i: line.total for i, line in breakdown.items()} == expected
    assert heat == expected
    assert budgets == {code["expense.food"]: D("280.00"), code["expense.food.groceries"]: D("180.00"),
                       code["expense.housing"]: D("50.00")}
    food_subs = {s.id: s.total for s in breakdown[code["expense.food"]].subcategories}
    assert food_subs == {code["expense.food.groceries"]: D("180.00"), None: D("100.00")}
    # The whole month is unchanged: the lines add up to the entry.
    assert period_totals(db.session, household, *MARCH).expense == D("350.00")


def test_a_category_filter_counts_only_that_categorys_lines(household, split_market):
    code = split_market
    housing = period_totals(db.session, household, *MARCH, filters(code["expense.housing"]))
    assert (housing.expense, housing.count) == (D("50.00"), 1)
    food = period_totals(db.session, household, *MARCH, filters(code["expense.food"]))
    assert (food.expense, food.count) == (D("280.00"), 2)
    lines = category_breakdown(db.session, household, *MARCH, filters(code["expense.housing"]))
    assert [(line.category_id, line.total) for line in lines] == [(code["expense.housing"], D("50.00"))]


def test_the_query_count_does_not_grow_with_splits(household, split_market):
    def counts():
        return [
            queries_of(lambda: category_totals(db.session, household, *MARCH))[1],
            queries_of(lambda: category_breakdown(db.session, household, *MARCH))[1],
            queries_of(lambda: expense_heat(db.session, household, 2026))[1],
            queries_of(lambda: budget_statuses(db.session, household, 2026, 3, date(2026, 3, 15)))[1],
        ]

    before = counts()
    bulk_entries(household, 300)
    for entry in [make_entry(household, amount=D("3.00"), category="expense.food", subcategory=None,
                             date=date(2026, 3, 20), commit=False) for _ in range(20)]:
        split_entry(db.session, entry, [SplitLine(split_market["expense.food"], D("1.00")),
                                        SplitLine(split_market["expense.housing"], D("2.00"))])
    db.session.commit()
    db.session.expire_all()
    assert counts() == before
