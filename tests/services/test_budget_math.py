"""Budget arithmetic: thresholds, periods, and spent/projected figures on a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from finora.extensions import db
from finora.models import RecurringRule
from finora.services.planning.budgets import (
    BudgetData,
    budget_statuses,
    budget_usage,
    create_budget,
    period_bounds,
)
from tests.factories import create_user
from tests.ledger_factories import category, checking_account, household_of, make_entry

TODAY = date(2026, 3, 15)
NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)  # 09:00 in São Paulo: still the 15th


@pytest.mark.parametrize(
    ("spent", "state", "shown"),
    [
        ("0", "ok", "0.0"),
        ("79.99", "ok", "79.9"),
        ("80.00", "warning", "80.0"),
        ("99.99", "warning", "99.9"),
        ("100.00", "warning", "100.0"),
        ("100.01", "over", "100.0"),
        ("250.00", "over", "250.0"),
    ],
)
def test_state_thresholds(spent, state, shown):
    usage = budget_usage(Decimal(spent), Decimal("100.00"))
    assert usage.state == state
    assert usage.percent == Decimal(shown)
    assert usage.bar_percent == min(100, int(Decimal(shown)))


def test_bar_never_leaves_its_track():
    assert budget_usage(Decimal("1000"), Decimal("1")).bar_percent == 100
    assert budget_usage(Decimal("0.01"), Decimal("1000")).bar_percent == 0


def test_period_bounds():
    assert period_bounds("monthly", 2028, 2) == (date(2028, 2, 1), date(2028, 2, 29))
    assert period_bounds("yearly", 2026, 7) == (date(2026, 1, 1), date(2026, 12, 31))


# On a database


@pytest.fixture
def household(app):
    with time_machine.travel(NOW, tick=False):
        yield household_of(create_user())


def _budget(household, code, amount, period="monthly"):
    budget = create_budget(
        db.session, household, BudgetData(category(household, code).id, period, Decimal(amount))
    )
    db.session.commit()
    return budget


def _statuses(household, year=2026, month=3):
    """Monthly statuses by category code."""
    return {
        s.budget.category.code: s
        for s in budget_statuses(db.session, household, year, month, TODAY)
        if s.budget.period == "monthly"
    }


def test_spent_counts_expenses_of_any_status(household):
    _budget(household, "expense.food", "100")
    make_entry(household, amount="10", paid_on=date(2026, 3, 2))  # paid
    make_entry(household, amount="20", date=date(2026, 3, 1))  # overdue
    make_entry(household, amount="30", date=date(2026, 3, 31))  # pending
    make_entry(household, amount="1000", date=date(2026, 2, 28))  # another month
    make_entry(household, amount="1000", date=date(2026, 4, 1))
    make_entry(household, amount="5", category="expense.leisure")  # another category

    food = _statuses(household)["expense.food"]
    assert food.spent == Decimal("60.00")
    assert food.remaining == Decimal("40.00")
    assert food.state == "ok"


def test_top_level_budget_includes_subcategories_and_subcategory_budget_only_its_own(household):
    _budget(household, "expense.food", "100")
    _budget(household, "expense.food.groceries", "50")
    make_entry(household, amount="40", category="expense.food", subcategory="expense.food.groceries")
    make_entry(household, amount="45", category="expense.food", subcategory="expense.food.restaurants")
    make_entry(household, amount="5", category="expense.food", subcategory=None)

    statuses = _statuses(household)
    assert statuses["expense.food"].spent == Decimal("90.00")
    assert statuses["expense.food"].state == "warning"
    assert statuses["expense.food.groceries"].spent == Decimal("40.00")
    assert statuses["expense.food.groceries"].state == "warning"


def test_yearly_budget_covers_the_year_and_monthly_the_month(household):
    _budget(household, "expense.food", "100", "monthly")
    _budget(household, "expense.food", "1000", "yearly")
    for day in (date(2025, 12, 31), date(2026, 1, 5), date(2026, 3, 10), date(2026, 12, 31), date(2027, 1, 1)):
        make_entry(household, amount="100", date=day)

    monthly, yearly = budget_statuses(db.session, household, 2026, 3, TODAY)
    assert (monthly.budget.period, monthly.start, monthly.end) == ("monthly", date(2026, 3, 1), date(2026, 3, 31))
    assert monthly.spent == Decimal("100.00") and monthly.state == "warning"
    assert (yearly.budget.period, yearly.start, yearly.end) == ("yearly", date(2026, 1, 1), date(2026, 12, 31))
    assert yearly.spent == Decimal("300.00") and yearly.state == "ok"


def test_over_budget_has_negative_remaining(household):
    _budget(household, "expense.food", "100")
    make_entry(household, amount="100.01")
    food = _statuses(household)["expense.food"]
    assert food.state == "over" and food.remaining == Decimal("-0.01")


def test_other_households_entries_do_not_count(household):
    _budget(household, "expense.food", "100")
    make_entry(household_of(create_user()), amount="99")
    assert _statuses(household)["expense.food"].spent == Decimal("0.00")


def test_no_rules_means_projected_equals_spent(household):
    _budget(household, "expense.food", "100")
    make_entry(household, amount="12")
    food = _statuses(household)["expense.food"]
    assert food.projected == food.spent == Decimal("12.00")


def _rule(household, code, sub_code=None, **values) -> RecurringRule:
    rule = RecurringRule(
        household_id=household.id,
        name=values.pop("name", "Weekly market"),
        kind="expense",
        amount=Decimal(values.pop("amount", "25.00")),
        account_id=checking_account(household).id,
        category_id=category(household, code).id,
        subcategory_id=category(household, sub_code).id if sub_code else None,
        frequency=values.pop("frequency", "weekly"),
        anchor_date=values.pop("anchor_date", date(2026, 3, 2)),  # a Monday
        business_day_policy=values.pop("business_day_policy", "none"),
        auto_post=False,
        **values,
    )
    db.session.add(rule)
    db.session.commit()
    return rule


def test_projected_adds_future_occurrences_only(household):
    _budget(household, "expense.food", "500")
    _budget(household, "expense.food.groceries", "500")
    _budget(household, "expense.leisure", "500")
    # Mondays in March 2026: 2, 9 (past), 16, 23, 30 (to come).
    _rule(household, "expense.food", "expense.food.groceries")
    make_entry(household, amount="7")

    statuses = _statuses(household)
    assert statuses["expense.food"].spent == Decimal("7.00")
    assert statuses["expense.food"].projected == Decimal("82.00")
    assert statuses["expense.food.groceries"].projected == Decimal("82.00")
    assert statuses["expense.leisure"].projected == Decimal("0.00")


def test_projected_leaves_out_posted_skipped_scenario_and_income_rules(household):
    from finora.models import Skip

    _budget(household, "expense.food", "500")
    rule = _rule(household, "expense.food")
    # The occurrence of the 16th was posted early (it now counts as spent), the 23rd skipped.
    posted = make_entry(household, amount="25", date=date(2026, 3, 16), commit=False)
    posted.rule_id, posted.occurrence_date = rule.id, date(2026, 3, 16)
    db.session.add(Skip(household_id=household.id, rule_id=rule.id, occurrence_date=date(2026, 3, 23)))
    db.session.commit()
    _rule(household, "expense.food", is_scenario=True, name="What if")
    other = _rule(household, "expense.food", name="Income")
    other.kind = "income"
    db.session.commit()

    food = _statuses(household)["expense.food"]
    assert food.spent == Decimal("25.00")
    assert food.projected == Decimal("50.00")  # + the 30th only


def test_projected_stops_at_the_period_end(household):
    _budget(household, "expense.food", "100", "monthly")
    _budget(household, "expense.food", "5000", "yearly")
    _rule(household, "expense.food", frequency="monthly", anchor_date=date(2026, 1, 20), amount="10")

    monthly, yearly = budget_statuses(db.session, household, 2026, 3, TODAY)
    assert monthly.projected == Decimal("10.00")  # March 20
    assert yearly.projected == Decimal("100.00")  # March 20 .. December 20
    # A past month has nothing to come.
    past = budget_statuses(db.session, household, 2026, 2, TODAY)[0]
    assert past.projected == past.spent == Decimal("0.00")
