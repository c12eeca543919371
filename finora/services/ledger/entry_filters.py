"""The dashboard table's filters as SQL conditions on entries: the one place they are
built, so the table, the transactions page, the report totals and the exports select the
same entries for the same filters.

Each filter is any object with the attributes kind, status, account_id, category_id,
payment_method and search, and optionally tag_id and payee_id (`entry_list.EntryFilters`, `transaction_list.TransactionFilters`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_, select

from finora.models import Entry, EntryTag
from finora.services.ledger.category_amounts import entry_in_category
from finora.services.ledger.text_search import folded_like


def escape_like(text: str) -> str:
    """What the user typed, matched literally: % and _ are not wildcards to them."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_pattern(search: str) -> str | None:
    """The LIKE pattern of a search (lower case, escaped with a backslash), None for none."""
    text = (search or "").strip().lower()
    return f"%{escape_like(text)}%" if text else None


def entry_conditions(filters, today: date) -> list | None:
    """The WHERE conditions the filters put on entries (household and dates aside), or None
    when they leave no entry at all (the kind "transfer").

    status is relative to `today` (the household's day): paid = paid_on set, pending =
    unpaid and dated today or later, overdue = unpaid and dated before today. A top
    category also selects its subcategories' entries (an entry stores its top category in
    category_id, so matching either column covers both levels); a split entry matches when
    one of its lines has the category."""
    if filters is None:
        return []
    if filters.kind == "transfer":
        return None
    conditions = []
    if filters.kind in ("income", "expense"):
        conditions.append(Entry.kind == filters.kind)
    if filters.status == "paid":
        conditions.append(Entry.paid_on.is_not(None))
    elif filters.status == "pending":
        conditions += [Entry.paid_on.is_(None), Entry.date >= today]
    elif filters.status == "overdue":
        conditions += [Entry.paid_on.is_(None), Entry.date < today]
    if filters.account_id:
        conditions.append(Entry.account_id == filters.account_id)
    if filters.category_id:
        conditions.append(entry_in_category(filters.category_id))
    if filters.payment_method:
        conditions.append(Entry.payment_method == filters.payment_method)
    # Filters that predate tags and payees (the dashboard's) have neither attribute.
    tag_id = getattr(filters, "tag_id", None)
    if tag_id:
        conditions.append(Entry.id.in_(select(EntryTag.entry_id).where(EntryTag.tag_id == tag_id)))
    payee_id = getattr(filters, "payee_id", None)
    if payee_id:
        conditions.append(Entry.payee_id == payee_id)
    pattern = search_pattern(filters.search)
    if pattern:
        conditions.append(
            or_(
                folded_like(Entry.description, pattern),
                # Most entries have no notes: no lower() call for those.
                and_(Entry.notes.is_not(None), folded_like(Entry.notes, pattern)),
            )
        )
    return conditions
