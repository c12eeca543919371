"""Category amounts: the one SQL shape every per-category figure is summed from.

An entry that is not split counts its amount under its category and subcategory; a split
entry counts each of its lines under the line's own category and subcategory instead (never
its own category, which is only its first line's). `with_lines(select(...))` adds the
outer join to the lines, so a statement over entries reads one row per unsplit entry and
one per line of a split entry, and the `LINE_*` columns read the right values for both.
The month dashboard, the reports, the budgets and the exports use this and nothing else, so
they agree on a split for one query each, whatever the size of the ledger."""

from __future__ import annotations

from sqlalchemy import Select, case, exists, or_, type_coerce
from sqlalchemy.orm import aliased

from finora.models import Entry, EntrySplit
from finora.money import Cents

_UNSPLIT = EntrySplit.id.is_(None)

LINE_CATEGORY = case((_UNSPLIT, Entry.category_id), else_=EntrySplit.category_id)
LINE_SUBCATEGORY = case((_UNSPLIT, Entry.subcategory_id), else_=EntrySplit.subcategory_id)
LINE_AMOUNT = type_coerce(case((_UNSPLIT, Entry.amount), else_=EntrySplit.amount), Cents())


def with_lines(statement: Select) -> Select:
    """The statement over entries, joined to the lines of the split ones."""
    return statement.outerjoin(EntrySplit, EntrySplit.entry_id == Entry.id)


def line_in_category(category_id: int):
    """A row of `with_lines` whose category or subcategory is this one."""
    return or_(LINE_CATEGORY == category_id, LINE_SUBCATEGORY == category_id)


def entry_in_category(category_id: int):
    """An entry with this category or subcategory, or one of whose lines has it (for the
    lists, which show an entry once)."""
    line = aliased(EntrySplit)  # its own name: the outer statement may join the lines too
    return or_(
        Entry.category_id == category_id,
        Entry.subcategory_id == category_id,
        exists()
        .where(
            line.entry_id == Entry.id,
            or_(line.category_id == category_id, line.subcategory_id == category_id),
        )
        .correlate_except(line),
    )
