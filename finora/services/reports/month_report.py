"""The month report: totals and savings rate, categories with their subcategories, the
day-by-day spending, and the comparison with the previous month and the same month a year
before. Every figure comes from finora.services.reports.totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session

from finora.models import Entry, Household
from finora.money import ZERO, Cents
from finora.services.planning.periods import days_of, month_bounds, shift_month
from finora.services.reports.totals import CategoryLine, Totals, category_breakdown, totals_by_range

CHANGE_STEP = Decimal("0.001")


@dataclass(frozen=True)
class Change:
    """current − base, and that as a fraction of the base (0.125 = +12.5 %) to 0.001;
    percent is None when the base is zero (no percentage of nothing)."""

    difference: Decimal
    percent: Decimal | None


def change(current: Decimal, base: Decimal) -> Change:
    difference = current - base
    if base == 0:
        return Change(difference, None)
    return Change(difference, (difference / abs(base)).quantize(CHANGE_STEP, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Comparison:
    """Another month's totals and how this month differs from them."""

    year: int
    month: int
    totals: Totals
    income: Change
    expense: Change
    net: Change


def compare(current: Totals, year: int, month: int, other: Totals) -> Comparison:
    return Comparison(
        year, month, other,
        change(current.income, other.income),
        change(current.expense, other.expense),
        change(current.net, other.net),
    )


@dataclass(frozen=True)
class DaySpending:
    day: date
    expense: Decimal  # every expense dated that day, paid or not
    cumulative: Decimal  # the month's expenses up to and including that day


@dataclass(frozen=True)
class MonthReport:
    year: int
    month: int
    start: date
    end: date
    today: date
    totals: Totals
    income_categories: list[CategoryLine]
    expense_categories: list[CategoryLine]
    timeline: list[DaySpending]
    previous: Comparison
    last_year: Comparison

    @property
    def savings_rate(self) -> Decimal | None:
        return self.totals.savings_rate

    @property
    def empty(self) -> bool:
        return self.totals.count == 0


def daily_expenses(session: Session, household: Household, start: date, end: date) -> list[DaySpending]:
    """Every day from start to end with its expenses and the running total: one grouped query."""
    rows = session.execute(
        select(Entry.date, type_coerce(func.sum(Entry.amount), Cents()))
        .where(
            Entry.household_id == household.id,
            Entry.date >= start,
            Entry.date <= end,
            Entry.kind == "expense",
        )
        .group_by(Entry.date)
    ).all()
    by_day = dict(rows)
    running = ZERO
    result = []
    for day in days_of(start, end):
        spent = by_day.get(day, ZERO)
        running += spent
        result.append(DaySpending(day, spent, running))
    return result


def month_report(session: Session, household: Household, year: int, month: int, today: date) -> MonthReport:
    """Four queries whatever the data: the three months' totals, the categories (and their
    labels) and the days."""
    start, end = month_bounds(year, month)
    previous = shift_month(year, month, -1)
    last_year = (year - 1, month)
    current, before, year_before = totals_by_range(
        session, household, [(start, end), month_bounds(*previous), month_bounds(*last_year)]
    )
    lines = category_breakdown(session, household, start, end)
    return MonthReport(
        year=year,
        month=month,
        start=start,
        end=end,
        today=today,
        totals=current,
        income_categories=[line for line in lines if line.kind == "income"],
        expense_categories=[line for line in lines if line.kind == "expense"],
        timeline=daily_expenses(session, household, start, end),
        previous=compare(current, *previous, before),
        last_year=compare(current, *last_year, year_before),
    )
