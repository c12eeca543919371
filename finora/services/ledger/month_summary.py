"""The month dashboard's figures: metrics, totals by category, the day-by-day net."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, func, select, type_coerce
from sqlalchemy.orm import Session

from finora.models import Category, Entry, Household
from finora.money import ZERO, Cents
from finora.services.ledger.category_amounts import LINE_AMOUNT, LINE_CATEGORY, with_lines
from finora.services.planning.periods import days_of, month_bounds


@dataclass(frozen=True)
class MonthMetrics:
    received: Decimal
    paid: Decimal
    to_receive: Decimal
    to_pay: Decimal
    overdue_income: Decimal
    overdue_expense: Decimal
    entry_count: int

    @property
    def income(self) -> Decimal:
        return self.received + self.to_receive

    @property
    def expense(self) -> Decimal:
        return self.paid + self.to_pay

    @property
    def realised_balance(self) -> Decimal:
        """Paid income minus paid expenses."""
        return self.received - self.paid

    @property
    def projected_balance(self) -> Decimal:
        """All income minus all expenses of the month, paid or not."""
        return self.income - self.expense


def _sum_where(condition):
    return type_coerce(func.coalesce(func.sum(case((condition, Entry.amount), else_=0)), 0), Cents())


def month_metrics(session: Session, household: Household, year: int, month: int, today: date) -> MonthMetrics:
    """One aggregate query over the month's date range."""
    start, end = month_bounds(year, month)
    income, expense = Entry.kind == "income", Entry.kind == "expense"
    paid, unpaid = Entry.paid_on.is_not(None), Entry.paid_on.is_(None)
    row = session.execute(
        select(
            _sum_where(and_(income, paid)),
            _sum_where(and_(expense, paid)),
            _sum_where(and_(income, unpaid)),
            _sum_where(and_(expense, unpaid)),
            _sum_where(and_(income, unpaid, Entry.date < today)),
            _sum_where(and_(expense, unpaid, Entry.date < today)),
            func.count(Entry.id),
        ).where(Entry.household_id == household.id, Entry.date >= start, Entry.date <= end)
    ).one()
    return MonthMetrics(row[0], row[1], row[2], row[3], row[4], row[5], entry_count=row[6])


@dataclass(frozen=True)
class CategoryTotal:
    category_id: int
    label: str
    total: Decimal


def category_totals(
    session: Session, household: Household, start: date, end: date
) -> dict[str, list[CategoryTotal]]:
    """Income and expense totals per top-level category between two dates, largest first
    (a split entry's lines each under their own category)."""
    rows = session.execute(
        with_lines(select(Entry.kind, LINE_CATEGORY, type_coerce(func.sum(LINE_AMOUNT), Cents())))
        .where(Entry.household_id == household.id, Entry.date >= start, Entry.date <= end)
        .group_by(Entry.kind, LINE_CATEGORY)
    ).all()
    ids = {category_id for _, category_id, _ in rows}
    labels = {
        c.id: c.label for c in session.scalars(select(Category).where(Category.id.in_(ids)))
    } if ids else {}
    result: dict[str, list[CategoryTotal]] = {"income": [], "expense": []}
    for kind, category_id, total in rows:
        result[kind].append(CategoryTotal(category_id, labels.get(category_id, "?"), total))
    for totals in result.values():
        totals.sort(key=lambda t: (-t.total, t.label))
    return result


@dataclass(frozen=True)
class DayNet:
    day: date
    income: Decimal
    expense: Decimal
    cumulative: Decimal


def daily_net(session: Session, household: Household, year: int, month: int) -> list[DayNet]:
    """Every day of the month with its income, expenses and the month's running net."""
    start, end = month_bounds(year, month)
    rows = session.execute(
        select(Entry.date, Entry.kind, type_coerce(func.sum(Entry.amount), Cents()))
        .where(Entry.household_id == household.id, Entry.date >= start, Entry.date <= end)
        .group_by(Entry.date, Entry.kind)
    ).all()
    by_day: dict[tuple[date, str], Decimal] = {(day, kind): total for day, kind, total in rows}
    running = ZERO
    result = []
    for day in days_of(start, end):
        income = by_day.get((day, "income"), ZERO)
        expense = by_day.get((day, "expense"), ZERO)
        running += income - expense
        result.append(DayNet(day, income, expense, running))
    return result
