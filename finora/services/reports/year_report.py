"""The year report: income, expenses and net month by month, expenses by category across
the months (a heat table), and the year's largest expenses and incomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session, selectinload

from finora.models import Entry, Household
from finora.money import ZERO, Cents
from finora.services.ledger.category_amounts import LINE_AMOUNT, LINE_CATEGORY, with_lines
from finora.services.planning.periods import month_bounds
from finora.services.reports.totals import Totals, labels_of, make_totals, totals_by_range

LARGEST = 10


@dataclass(frozen=True)
class MonthLine:
    month: int
    totals: Totals

    @property
    def income(self) -> Decimal:
        return self.totals.income

    @property
    def expense(self) -> Decimal:
        return self.totals.expense

    @property
    def net(self) -> Decimal:
        return self.totals.net


@dataclass(frozen=True)
class HeatRow:
    """One top expense category: its expenses in each month (12 figures) and the year's."""

    category_id: int
    label: str
    months: list[Decimal]
    total: Decimal


@dataclass(frozen=True)
class YearReport:
    year: int
    today: date
    totals: Totals
    months: list[MonthLine]
    heat: list[HeatRow]  # largest total first
    largest_expenses: list[Entry]
    largest_incomes: list[Entry]

    @property
    def heat_month_totals(self) -> list[Decimal]:
        """Each month's expenses over the heat table's rows (= months[m].expense)."""
        return [sum((row.months[m] for row in self.heat), ZERO) for m in range(12)]

    @property
    def heat_peak(self) -> Decimal:
        """The largest cell, which a heat scale is drawn against (zero when empty)."""
        return max((cell for row in self.heat for cell in row.months), default=ZERO)

    @property
    def empty(self) -> bool:
        return self.totals.count == 0


def expense_heat(session: Session, household: Household, year: int) -> list[HeatRow]:
    """Expenses per top category and month: one grouped query by category and day (date
    ranges, no extract(month)), put in months here, then the labels."""
    rows = session.execute(
        with_lines(select(LINE_CATEGORY, Entry.date, type_coerce(func.sum(LINE_AMOUNT), Cents())))
        .where(
            Entry.household_id == household.id,
            Entry.date >= date(year, 1, 1),
            Entry.date <= date(year, 12, 31),
            Entry.kind == "expense",
        )
        .group_by(LINE_CATEGORY, Entry.date)
    ).all()
    cells: dict[int, list[Decimal]] = {}
    for category_id, day, total in rows:
        cells.setdefault(category_id, [ZERO] * 12)[day.month - 1] += total
    labels = labels_of(session, set(cells))
    heat = [HeatRow(i, labels.get(i, "?"), months, sum(months, ZERO)) for i, months in cells.items()]
    return sorted(heat, key=lambda r: (-r.total, r.label.casefold()))


def largest_entries(
    session: Session, household: Household, start: date, end: date, limit: int = LARGEST
) -> dict[str, list[Entry]]:
    """The period's `limit` largest entries of each kind (any status), ties by date then
    id: one ranking query over the period's date range (so every engine reads the date
    index, not the whole household's amount index), then one load by id."""
    rank = func.row_number().over(
        partition_by=Entry.kind, order_by=(Entry.amount.desc(), Entry.date, Entry.id)
    )
    ranked = (
        select(Entry.id.label("id"), rank.label("rank"))
        .where(Entry.household_id == household.id, Entry.date >= start, Entry.date <= end)
        .subquery()
    )
    ids = list(session.scalars(select(ranked.c.id).where(ranked.c.rank <= limit)))
    found: dict[str, list[Entry]] = {"income": [], "expense": []}
    if not ids:
        return found
    # With their split lines (one more query for the twenty rows at most): the page marks a
    # split entry "Split" and the API lists its lines, never the first line's category alone.
    for entry in session.scalars(
        select(Entry).where(Entry.id.in_(ids)).options(selectinload(Entry.splits))
    ).unique():
        found[entry.kind].append(entry)
    for entries in found.values():
        entries.sort(key=lambda e: (-e.amount, e.date, e.id))
    return found


def year_report(session: Session, household: Household, year: int, today: date) -> YearReport:
    """Six queries whatever the data: the twelve months' totals, the heat table and its
    labels, the largest entries' ids, their rows and their split lines."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    months = totals_by_range(session, household, [month_bounds(year, m) for m in range(1, 13)])
    largest = largest_entries(session, household, start, end)
    total = make_totals(
        sum((t.income for t in months), ZERO), sum((t.expense for t in months), ZERO), sum(t.count for t in months)
    )
    return YearReport(
        year=year,
        today=today,
        totals=total,
        months=[MonthLine(m, t) for m, t in enumerate(months, start=1)],
        heat=expense_heat(session, household, year),
        largest_expenses=largest["expense"],
        largest_incomes=largest["income"],
    )
