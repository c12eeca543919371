"""Splits for the bench: a share of a seeded household's entries divided into two or
three category lines, inserted in bulk (as the seed inserts entries), each split adding
up to its entry's amount exactly, its first line in the entry's own category."""

from __future__ import annotations

import random
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from finora.models import Category, Entry, EntrySplit, Household

SHARE = 0.20
CHUNK = 5_000
CENT = Decimal("0.01")


def add_splits(session: Session, household: Household, rng: random.Random, share: float = SHARE) -> int:
    """Split `share` of the household's entries (those of at least 0.03); the count split."""
    pairs: dict[str, list[tuple[int, int | None]]] = {"income": [], "expense": []}
    for category in session.scalars(select(Category).where(Category.household_id == household.id)):
        pairs[category.kind].append((category.parent_id or category.id, category.id if category.parent_id else None))
    entries = session.execute(
        select(Entry.id, Entry.kind, Entry.amount, Entry.category_id, Entry.subcategory_id)
        .where(Entry.household_id == household.id, Entry.amount >= Decimal("0.03"))
        .order_by(Entry.id)
    ).all()
    chosen = rng.sample(entries, int(len(entries) * share))
    rows = []
    for entry_id, kind, amount, category_id, subcategory_id in chosen:
        count = min(rng.choice((2, 2, 3)), int(amount / CENT))
        cents = int(amount / CENT)
        cuts = sorted(rng.sample(range(1, cents), count - 1))
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, cents], strict=True)]
        for position, part in enumerate(parts):
            top, sub = (category_id, subcategory_id) if position == 0 else rng.choice(pairs[kind])
            rows.append({
                "household_id": household.id, "entry_id": entry_id, "position": position,
                "category_id": top, "subcategory_id": sub, "amount": Decimal(part) * CENT,
                "note": "bench split" if position else None,
            })
    for offset in range(0, len(rows), CHUNK):
        session.execute(insert(EntrySplit), rows[offset : offset + CHUNK])
    session.flush()
    return len(chosen)
