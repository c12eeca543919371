"""A category for a row the file gives none: the one the household used most for the same
normalised description and kind, else the kind's default ("Miscellaneous")."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from finora.models import Category, Entry, Household
from finora.services.imports.keys import normalise_description

# The seeded catch-all of each kind: (category code, subcategory code).
DEFAULT_CODES = {
    "expense": ("expense.other", "expense.other.misc"),
    "income": ("income.other", "income.other.misc"),
}

Pair = tuple[int, int | None]


def history_categories(
    session: Session, household: Household, usable: set[int] | None = None
) -> dict[tuple[str, str], Pair]:
    """(normalised description, kind) -> the (category_id, subcategory_id) used most.

    One grouped query over the household's entries; descriptions are normalised here, so
    "PAG*Padaria 12/03" and "Padaria" count together. `usable` (category ids not archived)
    leaves out pairs that could no longer be chosen. Nothing is cached across requests.
    """
    rows = session.execute(
        select(Entry.description, Entry.kind, Entry.category_id, Entry.subcategory_id, func.count())
        .where(Entry.household_id == household.id)
        .group_by(Entry.description, Entry.kind, Entry.category_id, Entry.subcategory_id)
    )
    tally: dict[tuple[str, str], dict[Pair, int]] = defaultdict(lambda: defaultdict(int))
    for description, kind, category_id, subcategory_id, count in rows:
        if usable is not None and (
            category_id not in usable or (subcategory_id is not None and subcategory_id not in usable)
        ):
            continue
        tally[(normalise_description(description), kind)][(category_id, subcategory_id)] += count
    # Most used; a tie goes to the most recently created category pair (highest ids).
    return {
        key: max(pairs.items(), key=lambda item: (item[1], item[0][0], item[0][1] or 0))[0]
        for key, pairs in tally.items()
        if key[0]
    }


def default_pair(categories: list[Category], kind: str) -> Pair | None:
    """The kind's "Miscellaneous" under "Other expenses"/"Other income"; if the household
    deleted or archived it, its first category of that kind; None when it has none."""
    by_code = {c.code: c for c in categories if c.code and not c.archived}
    parent_code, child_code = DEFAULT_CODES[kind]
    parent = by_code.get(parent_code)
    if parent is not None:
        child = by_code.get(child_code)
        return parent.id, child.id if child is not None and child.parent_id == parent.id else None
    tops = sorted(
        (c for c in categories if c.kind == kind and c.parent_id is None and not c.archived),
        key=lambda c: c.id,
    )
    return (tops[0].id, None) if tops else None
