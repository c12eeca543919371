"""Budget rollover: what each period leaves (or overspends) carried into the next, chained
from the period rollover was switched on, on a real database (figures worked out by hand)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from flask_babel import force_locale

from finora.extensions import db
from finora.models import Budget
from finora.services.planning.budget_rollover import carried_into, period_start
from finora.services.planning.budgets import (
    BudgetData,
    budget_statuses,
    create_budget,
    update_budget,
)
from finora.services.reports.budget_report import budget_report
from tests.ledger_factories import category, make_entry, reload
from tests.services.report_fixtures import queries_of

D = Decimal


def at(day: date):
    """Freeze the clock at noon UTC of `day` (morning in São Paulo: still that day)."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tick=False)


def food(household, amount="100.00", period="monthly", rollover=True, code="expense.food") -> Budget:
    budget = create_budget(
        db.session, household, BudgetData(category(household, code).id, period, D(amount), rollover=rollover)
    )
    db.session.commit()
    return budget


def spend(household, day: date, *amounts: str, code="expense.food") -> None:
    for amount in amounts:
        make_entry(household, category=code, amount=D(amount), date=day)


def status(household, budget: Budget, year: int, month: int, today: date | None = None):
    statuses = budget_statuses(db.session, household, year, month, today or date(year, month, 15))
    return next(s for s in statuses if s.budget.id == budget.id)


def test_what_a_month_leaves_is_available_the_next(household):
    with at(date(2026, 1, 10)):
        budget = food(household)
    assert (budget.rollover, budget.rollover_since, budget.rollover_opening) == (True, date(2026, 1, 1), D(0))
    spend(household, date(2026, 1, 5), "40.00", "30.00")
    january = status(household, budget, 2026, 1)
    assert (january.carried, january.available, january.remaining) == (D(0), D("100.00"), D("30.00"))
    february = status(household, budget, 2026, 2)
    assert (february.carried, february.available, february.spent, february.remaining) == (
        D("30.00"), D("130.00"), D(0), D("130.00"))
    assert february.usage.state == "ok"


def test_overspending_carries_a_negative_amount(household):
    with at(date(2026, 1, 10)):
        budget = food(household)
    spend(household, date(2026, 1, 20), "130.00")
    spend(household, date(2026, 2, 3), "65.00")
    february = status(household, budget, 2026, 2)
    assert (february.carried, february.available, february.remaining) == (D("-30.00"), D("70.00"), D("5.00"))
    # 65 of 70 available: 92.8 %, a warning, although 65 of the amount alone would be fine.
    assert (february.usage.percent, february.usage.state) == (D("92.8"), "warning")


def test_the_carry_chains_over_several_months_including_one_without_spending(household):
    with at(date(2026, 1, 10)):
        budget = food(household)
    spend(household, date(2026, 1, 31), "70.00")  # leaves 30
    spend(household, date(2026, 2, 1), "100.00", "50.00")  # 100 + 30 − 150: −20
    # March: nothing spent: 100 − 20 = 80 carried into April.
    spend(household, date(2026, 4, 30), "10.00")  # 100 + 80 − 10: 170 into May
    assert [status(household, budget, 2026, m).carried for m in (1, 2, 3, 4, 5)] == [
        D(0), D("30.00"), D("-20.00"), D("80.00"), D("170.00")]


def test_cents_stay_exact(household):
    with at(date(2026, 1, 10)):
        budget = food(household, "0.30")
    spend(household, date(2026, 1, 2), "0.10", "0.10", "0.10")  # 0.30 spent: nothing left, not 5.5e-17
    spend(household, date(2026, 2, 2), "0.01")
    assert status(household, budget, 2026, 2).carried == D("0.00")
    march = status(household, budget, 2026, 3)
    assert march.carried == D("0.29") and str(march.available) == "0.59"


def test_switched_on_mid_way_the_chain_starts_that_month(household):
    with at(date(2026, 1, 10)):
        budget = food(household, rollover=False)
    spend(household, date(2026, 1, 5), "500.00")  # before rollover: never carried
    spend(household, date(2026, 2, 5), "20.00")
    assert status(household, budget, 2026, 2).carried == D(0)
    with at(date(2026, 3, 10)):
        update_budget(db.session, budget, BudgetData(budget.category_id, "monthly", D("100.00"), rollover=True))
        db.session.commit()
    assert reload(Budget, budget.id).rollover_since == date(2026, 3, 1)
    spend(household, date(2026, 3, 12), "60.00")
    assert status(household, budget, 2026, 2).carried == D(0)  # before the chain: nothing
    assert status(household, budget, 2026, 3).carried == D(0)
    assert status(household, budget, 2026, 4).carried == D("40.00")


def test_switching_off_forgets_and_on_again_starts_afresh(household):
    with at(date(2026, 1, 10)):
        budget = food(household)
    spend(household, date(2026, 1, 5), "10.00")
    with at(date(2026, 2, 10)):
        update_budget(db.session, budget, BudgetData(budget.category_id, "monthly", D("100.00"), rollover=False))
        db.session.commit()
    off = reload(Budget, budget.id)
    assert (off.rollover, off.rollover_since, off.rollover_opening) == (False, None, D(0))
    february = status(household, budget, 2026, 2)
    assert (february.carried, february.available) == (D(0), D("100.00"))
    with at(date(2026, 4, 2)):
        update_budget(db.session, off, BudgetData(budget.category_id, "monthly", D("100.00"), rollover=True))
        db.session.commit()
    assert status(household, budget, 2026, 4).carried == D(0)
    assert status(household, budget, 2026, 5).carried == D("100.00")


def test_a_new_amount_keeps_what_was_carried_so_far(household):
    with at(date(2026, 1, 10)):
        budget = food(household)
    spend(household, date(2026, 1, 5), "70.00")  # 30 carried into February
    spend(household, date(2026, 2, 5), "100.00")
    with at(date(2026, 2, 20)):
        update_budget(db.session, budget, BudgetData(budget.category_id, "monthly", D("200.00"), rollover=True))
        db.session.commit()
    changed = reload(Budget, budget.id)
    assert (changed.rollover_since, changed.rollover_opening) == (date(2026, 2, 1), D("30.00"))
    february = status(household, budget, 2026, 2)
    assert (february.carried, february.available, february.remaining) == (D("30.00"), D("230.00"), D("130.00"))
    assert status(household, budget, 2026, 3).carried == D("130.00")  # 200 + 30 − 100
    # January is before the new chain: the new amount did not rewrite it.
    assert status(household, budget, 2026, 1).carried == D(0)


def test_a_new_period_starts_from_zero(household):
    with at(date(2026, 1, 10)):
        budget = food(household)
    spend(household, date(2026, 1, 5), "10.00")
    with at(date(2026, 2, 20)):
        update_budget(db.session, budget, BudgetData(budget.category_id, "yearly", D("1200.00"), rollover=True))
        db.session.commit()
    changed = reload(Budget, budget.id)
    assert (changed.period, changed.rollover_since, changed.rollover_opening) == ("yearly", date(2026, 1, 1), D(0))
    spend(household, date(2026, 6, 1), "1000.00")
    this_year = status(household, budget, 2026, 6)
    assert (this_year.carried, this_year.spent) == (D(0), D("1010.00"))
    assert status(household, budget, 2027, 1).carried == D("190.00")


def test_a_yearly_budget_carries_per_year(household):
    with at(date(2025, 7, 1)):
        budget = food(household, "1200.00", "yearly")
    assert budget.rollover_since == date(2025, 1, 1)
    spend(household, date(2025, 3, 1), "1500.00")  # −300
    spend(household, date(2026, 3, 1), "100.00")  # 1200 − 300 − 100: 800 into 2027
    assert [status(household, budget, y, 5).carried for y in (2025, 2026, 2027)] == [
        D(0), D("-300.00"), D("800.00")]


def test_a_subcategory_budget_carries_its_own_spending_only(household):
    with at(date(2026, 1, 10)):
        groceries = food(household, "50.00", code="expense.food.groceries")
        whole = food(household, "300.00")
    make_entry(household, category="expense.food", subcategory="expense.food.groceries", amount=D("45.00"),
               date=date(2026, 1, 3))
    spend(household, date(2026, 1, 4), "100.00")  # food, no subcategory
    assert status(household, groceries, 2026, 2).carried == D("5.00")
    assert status(household, whole, 2026, 2).carried == D("155.00")


def test_nothing_available_gives_no_share_and_is_over(household):
    with at(date(2026, 1, 10)):
        budget = food(household)
    spend(household, date(2026, 1, 5), "250.00")  # −150 into February: −50 available
    february = status(household, budget, 2026, 2)
    assert (february.available, february.remaining) == (D("-50.00"), D("-50.00"))
    assert (february.usage.percent, february.usage.fraction, february.usage.state) == (None, None, "over")
    assert february.usage.bar_percent == 100
    spend(household, date(2026, 2, 5), "50.00")  # into March: 100 − 150 − 50 = −100, so 0 available
    march = status(household, budget, 2026, 3)
    assert (march.carried, march.available) == (D("-100.00"), D("0.00"))
    assert (march.usage.percent, march.usage.state) == (D(100), "warning")  # nothing left, nothing spent


def test_budgets_without_rollover_are_unchanged(household):
    with at(date(2026, 1, 10)):
        budget = food(household, rollover=False)
    spend(household, date(2026, 1, 5), "10.00")
    february = status(household, budget, 2026, 2)
    assert (february.carried, february.available, february.remaining) == (D(0), D("100.00"), D("100.00"))
    assert carried_into(db.session, household, [budget], {"monthly": date(2026, 2, 1)}) == {}


@pytest.mark.parametrize(("months", "extra"), [(2, 0), (40, 0), (300, 1)])
def test_the_past_costs_one_query_for_every_budget(household, months, extra):
    """One grouped sum for every past period of every rollover budget (a second one past
    240 periods, 20 years of months), whatever the number of periods and budgets."""
    with at(date(2026, 1, 10)):
        food(household)
        food(household, "1000.00", "yearly", code="expense.housing")
        food(household, "50.00", code="expense.food.groceries")
    for n in range(0, months, 3):
        spend(household, date(2026 + n // 12, n % 12 + 1, 2), "1.00")
    year, month = 2026 + months // 12, months % 12 + 1

    def statuses():
        return budget_statuses(db.session, household, year, month, date(year, month, 15))

    with_rollover, count = queries_of(statuses)
    db.session.expire_all()
    for budget in db.session.query(Budget):
        budget.rollover = False
    db.session.flush()
    _, without = queries_of(statuses)
    assert count == without + 1 + extra
    food_status = next(s for s in with_rollover if s.budget.category.code == "expense.food")
    assert food_status.carried == D(100) * months - D(1) * len(range(0, months, 3))


def test_a_far_future_period_is_worked_out_without_a_query_per_period(household):
    """The URL allows 9999: periods after the calendar's last day (2199) hold no spending."""
    with at(date(2026, 1, 10)):
        food(household)
    spend(household, date(2026, 1, 5), "10.00")
    (statuses, count) = queries_of(lambda: budget_statuses(db.session, household, 9999, 12, date(2026, 1, 10)))
    months = (9999 - 2026) * 12 + 11
    assert statuses[0].carried == D(100) * months - D(10)
    assert count < 20


def test_the_budget_report_shows_carried_and_available(household):
    with at(date(2026, 1, 10)):
        budget = food(household)
        food(household, "20000.00", "yearly", rollover=False, code="expense.housing")
    spend(household, date(2026, 1, 5), "70.00")
    spend(household, date(2026, 2, 5), "110.00")
    with force_locale("en"):
        month = budget_report(db.session, household, "month", 2026, 2, date(2026, 2, 15))
        (line,) = month.lines
        assert (line.rollover, line.budgeted, line.carried, line.available, line.actual, line.remaining) == (
            True, D("100.00"), D("30.00"), D("130.00"), D("110.00"), D("20.00"))
        assert line.percent == D("84.6")
        year = budget_report(db.session, household, "year", 2027, None, date(2026, 2, 15))
        food_line, housing = year.lines
        # Into January 2027: 100 × 12 in 2026 − 180 spent.
        assert (food_line.budgeted, food_line.carried, food_line.available) == (
            D("1200.00"), D("1020.00"), D("2220.00"))
        assert (housing.rollover, housing.carried, housing.available) == (False, D(0), D("20000.00"))
    assert line.category_id == budget.category_id


def test_a_monthly_budget_year_line_carries_from_the_month_its_chain_starts(household):
    with at(date(2026, 1, 10)):
        budget = food(household)
    spend(household, date(2026, 1, 5), "70.00")
    with at(date(2026, 5, 3)):  # a new amount in May: the 330 carried so far (400 − 70) opens May's chain
        update_budget(db.session, budget, BudgetData(budget.category_id, "monthly", D("50.00"), rollover=True))
        db.session.commit()
    with force_locale("en"):
        (line,) = budget_report(db.session, household, "year", 2026, None, date(2026, 5, 3)).lines
    assert (line.budgeted, line.carried) == (D("600.00"), D("330.00"))


def test_period_start():
    assert period_start("monthly", date(2026, 12, 31)) == date(2026, 12, 1)
    assert period_start("yearly", date(2026, 12, 31)) == date(2026, 1, 1)
