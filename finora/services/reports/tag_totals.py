"""A period's income and expenses per tag. An entry with two tags counts under both, so the
tag lines do not add up to the period's totals; entries without a tag are left out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select, type_coerce
from sqlalchemy.orm import Session

from finora.models import Entry, EntryTag, Household, Tag
from finora.money import Cents
from finora.services.reports.totals import period_conditions


@dataclass(frozen=True)
class TagLine:
    tag_id: int
    name: str
    income: Decimal
    expense: Decimal
    count: int

    @property
    def net(self) -> Decimal:
        return self.income - self.expense


def _sum(kind: str):
    return type_coerce(
        func.coalesce(func.sum(case((Entry.kind == kind, Entry.amount), else_=0)), 0), Cents()
    )


def tag_breakdown(
    session: Session, household: Household, start: date, end: date, filters=None,
    *, today: date | None = None,
) -> list[TagLine]:
    """Each tag used in the period with its income, expenses and entry count, the largest
    expense first: one grouped query."""
    conditions = period_conditions(household, start, end, filters, today)
    if conditions is None:
        return []
    rows = session.execute(
        select(Tag.id, Tag.name, _sum("income"), _sum("expense"), func.count(Entry.id))
        .join(EntryTag, EntryTag.tag_id == Tag.id)
        .join(Entry, Entry.id == EntryTag.entry_id)
        .where(Tag.household_id == household.id, *conditions)
        .group_by(Tag.id, Tag.name)
    ).all()
    lines = [TagLine(tag_id, name, income, expense, count) for tag_id, name, income, expense, count in rows]
    return sorted(lines, key=lambda line: (-line.expense, -line.income, line.name.casefold()))
