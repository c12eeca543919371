"""A period's income and expense totals and its totals by category: the one source of
these figures for the dashboard, the reports, the exports and the API.

Income is every income entry dated in the period, received or still to receive; expense
every expense entry, paid or still to pay (the dashboard's "income" and "expense").
Transfers move money between accounts and are never income or expense.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple, cast

from sqlalchemy import and_, case, distinct, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from finora.dates import today as household_today
from finora.models import Category, Entry, Household
from finora.money import ZERO, Cents
from finora.services.ledger.category_amounts import (
    LINE_AMOUNT,
    LINE_CATEGORY,
    LINE_SUBCATEGORY,
    line_in_category,
    with_lines,
)
from finora.services.ledger.entry_filters import entry_conditions
from finora.translation import gettext as _

RATE_STEP = Decimal("0.001")  # a savings rate is kept to a tenth of a percent


@dataclass(frozen=True)
class Totals:
    income: Decimal
    expense: Decimal
    net: Decimal  # income − expense
    savings_rate: Decimal | None  # net ÷ income as a fraction to 0.001 (0.234 = 23.4 %); None without income
    count: int  # entries counted


def savings_rate(income: Decimal, expense: Decimal) -> Decimal | None:
    """(income − expense) ÷ income, rounded half up to a tenth of a percent; None when
    there is no income (a rate of nothing is not 0 %)."""
    if income == 0:
        return None
    return ((income - expense) / income).quantize(RATE_STEP, rounding=ROUND_HALF_UP)


def make_totals(income: Decimal, expense: Decimal, count: int) -> Totals:
    return Totals(income, expense, income - expense, savings_rate(income, expense), count)


EMPTY = make_totals(ZERO, ZERO, 0)


def period_conditions(household: Household, start: date, end: date, filters, today: date | None):
    """The WHERE conditions of a period's entries under the dashboard table's filters, or
    None when the filters leave no entry (kind "transfer")."""
    if filters is not None and filters.status and today is None:
        today = household_today(household)
    # Only a status filter reads today, and it is set above for one.
    extra = entry_conditions(filters, cast(date, today))
    if extra is None:
        return None
    return [Entry.household_id == household.id, Entry.date >= start, Entry.date <= end, *extra]


def _sum(condition):
    return type_coerce(func.coalesce(func.sum(case((condition, Entry.amount), else_=0)), 0), Cents())


def _line_sum(condition):
    return type_coerce(func.coalesce(func.sum(case((condition, LINE_AMOUNT), else_=0)), 0), Cents())


def period_totals(
    session: Session,
    household: Household,
    start: date,
    end: date,
    filters=None,
    *,
    today: date | None = None,
) -> Totals:
    """Income, expense, net, savings rate and count of the entries dated from `start` to
    `end` (inclusive) that pass `filters` (an `EntryFilters`; status relative to `today`,
    the household's day by default). One aggregate query."""
    conditions = period_conditions(household, start, end, filters, today)
    if conditions is None:
        return EMPTY
    category_id = getattr(filters, "category_id", None)
    if category_id:  # a split entry counts only its lines of that category
        income, expense, count = session.execute(
            with_lines(
                select(
                    _line_sum(Entry.kind == "income"),
                    _line_sum(Entry.kind == "expense"),
                    func.count(distinct(Entry.id)),
                )
            ).where(*conditions, line_in_category(category_id))
        ).one()
        return make_totals(income, expense, count)
    income, expense, count = session.execute(
        select(_sum(Entry.kind == "income"), _sum(Entry.kind == "expense"), func.count(Entry.id)).where(
            and_(*conditions)
        )
    ).one()
    return make_totals(income, expense, count)


class SubcategoryLine(NamedTuple):
    id: int | None  # None: the category's entries without a subcategory
    label: str
    total: Decimal


@dataclass(frozen=True)
class CategoryLine:
    kind: str
    category_id: int
    label: str
    total: Decimal
    subcategories: list[SubcategoryLine]


def no_subcategory_label() -> str:
    return _("(no subcategory)")


def labels_of(session: Session, ids) -> dict[int, str]:
    """Category labels (the household's name, else the seeded one in the reader's language)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {c.id: c.label for c in session.scalars(select(Category).where(Category.id.in_(ids)))}


def _by_total(lines):
    return sorted(lines, key=lambda line: (-line.total, line.label.casefold()))


def category_breakdown(
    session: Session,
    household: Household,
    start: date,
    end: date,
    filters=None,
    *,
    today: date | None = None,
) -> list[CategoryLine]:
    """The period's totals per top category with their subcategories, income categories
    first, then expense ones, each kind largest first. Entries without a subcategory make a
    "(no subcategory)" line (last), so a category's lines always add up to its total. A
    split entry counts each line under its own category. Two queries: one grouped sum, one
    for the labels."""
    conditions = period_conditions(household, start, end, filters, today)
    if conditions is None:
        return []
    category_id = getattr(filters, "category_id", None)
    if category_id:  # only the lines of that category, not a split entry's others
        conditions = [*conditions, line_in_category(category_id)]
    rows = session.execute(
        with_lines(select(Entry.kind, LINE_CATEGORY, LINE_SUBCATEGORY, type_coerce(func.sum(LINE_AMOUNT), Cents())))
        .where(*conditions)
        .group_by(Entry.kind, LINE_CATEGORY, LINE_SUBCATEGORY)
    ).all()
    labels = labels_of(session, {r[1] for r in rows} | {r[2] for r in rows})
    grouped: dict[tuple[str, int], list[tuple[int | None, Decimal]]] = {}
    for kind, category_id, subcategory_id, total in rows:
        grouped.setdefault((kind, category_id), []).append((subcategory_id, total))
    result = []
    for (kind, category_id), parts in grouped.items():
        named = _by_total(SubcategoryLine(i, labels.get(i, "?"), t) for i, t in parts if i is not None)
        loose = [SubcategoryLine(None, no_subcategory_label(), t) for i, t in parts if i is None]
        total = sum((t for _i, t in parts), ZERO)
        result.append(CategoryLine(kind, category_id, labels.get(category_id, "?"), total, named + loose))
    return sorted(result, key=lambda line: (line.kind != "income", -line.total, line.label.casefold()))


def _merged(ranges: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """The ranges joined where they touch or overlap (twelve months: one range), so the
    planner reads one index range instead of an OR of many."""
    merged: list[list[date]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def totals_by_range(
    session: Session, household: Household, ranges: list[tuple[date, date]]
) -> list[Totals]:
    """`period_totals` (no filters) of several date ranges in one query: sums per day and
    kind over the ranges (at most two rows a day), added up per range here. Cheaper than
    conditional sums per range, and tests prove each equals period_totals."""
    if not ranges:
        return []
    rows = session.execute(
        select(Entry.date, Entry.kind, type_coerce(func.sum(Entry.amount), Cents()), func.count(Entry.id))
        .where(
            Entry.household_id == household.id,
            or_(*(and_(Entry.date >= start, Entry.date <= end) for start, end in _merged(ranges))),
        )
        .group_by(Entry.date, Entry.kind)
    ).all()
    sums: list[dict[str, Any]] = [{"income": ZERO, "expense": ZERO, "count": 0} for _ in ranges]
    for day, kind, total, count in rows:
        for i, (start, end) in enumerate(ranges):
            if start <= day <= end:
                sums[i][kind] += total
                sums[i]["count"] += count
    return [make_totals(s["income"], s["expense"], s["count"]) for s in sums]
