"""The year view: income and expenses per month, totals by category."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, func, select, type_coerce
from sqlalchemy.orm import Session

from finora.models import Entry, Household
from finora.money import Cents
from finora.services.ledger.month_summary import CategoryTotal, category_totals
from finora.services.planning.periods import month_bounds


@dataclass(frozen=True)
class MonthTotals:
    month: int
    income: Decimal
    expense: Decimal

    @property
    def net(self) -> Decimal:
        return self.income - self.expense


@dataclass(frozen=True)
class YearSummary:
    year: int
    months: list[MonthTotals]
    categories: dict[str, list[CategoryTotal]]

    @property
    def income(self) -> Decimal:
        return sum((m.income for m in self.months), Decimal("0.00"))

    @property
    def expense(self) -> Decimal:
        return sum((m.expense for m in self.months), Decimal("0.00"))

    @property
    def net(self) -> Decimal:
        return self.income - self.expense


def year_summary(session: Session, household: Household, year: int) -> YearSummary:
    """Two aggregate queries: 24 conditional sums over month ranges, and category totals."""
    columns = []
    for month in range(1, 13):
        start, end = month_bounds(year, month)
        in_month = and_(Entry.date >= start, Entry.date <= end)
        for kind in ("income", "expense"):
            condition = and_(in_month, Entry.kind == kind)
            columns.append(
                type_coerce(func.coalesce(func.sum(case((condition, Entry.amount), else_=0)), 0), Cents())
            )
    row = session.execute(
        select(*columns).where(
            Entry.household_id == household.id,
            Entry.date >= date(year, 1, 1),
            Entry.date <= date(year, 12, 31),
        )
    ).one()
    months = [MonthTotals(m, row[2 * (m - 1)], row[2 * (m - 1) + 1]) for m in range(1, 13)]
    categories = category_totals(session, household, date(year, 1, 1), date(year, 12, 31))
    return YearSummary(year, months, categories)
