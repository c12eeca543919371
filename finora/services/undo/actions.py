"""The changes the pages offer to undo: deleting entries, transfers and recurring rules
(one or a selection), and setting the category or the paid day of a selection of entries.

Each takes its snapshot before it writes, makes the change through the ledger's and the
planning's own functions (same checks, same audit events) and returns the undo record.
The API's DELETE endpoints call those functions directly and keep no record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy.orm import Session

from finora.errors import FieldError
from finora.models import Category, Entry, Household, RecurringRule, Transfer, UndoRecord, User
from finora.services.ledger.entries import delete_entry, set_entry_paid
from finora.services.ledger.transfers import delete_transfer
from finora.services.planning.rules import delete_rule
from finora.services.system import audit
from finora.services.undo.records import create_record
from finora.services.undo.snapshot import capture, table_named
from finora.services.undo.values import values_payload
from finora.translation import lazy_gettext as _l


def delete_with_undo(
    session: Session, household: Household, user: User, *, label: str,
    entries: Sequence[Entry] = (), transfers: Sequence[Transfer] = (),
    rules: Sequence[RecurringRule] = (),
) -> UndoRecord:
    """Delete the rows (and what goes with them) and keep them for undo."""
    payload: dict[str, Any] = {"tables": [], "links": []}
    for name, rows in (("recurring_rules", rules), ("entries", entries), ("transfers", transfers)):
        if rows:
            part = capture(session, table_named(name), [row.id for row in rows])
            payload["tables"].extend(part["tables"])
            payload["links"].extend(part["links"])
    for rule in rules:
        delete_rule(session, rule)
    for entry in entries:
        delete_entry(session, entry)
    for transfer in transfers:
        delete_transfer(session, transfer)
    count = len(entries) + len(transfers) + len(rules)
    return create_record(session, household, user, kind="delete", label=label, count=count, payload=payload)


def _chosen_category(session: Session, household: Household, category_id: int | None) -> Category:
    category = session.get(Category, category_id) if category_id is not None else None
    if category is None or category.household_id != household.id:
        raise FieldError("category", _l("Choose a category."))
    if category.archived:
        raise FieldError("category", _l("This category is archived; choose another one."))
    return category


def categorise_with_undo(
    session: Session, household: Household, user: User, entries: Sequence[Entry], category_id: int | None,
) -> UndoRecord | None:
    """Give every entry the category (a subcategory brings its parent); the category's kind
    must be every entry's kind. None when every entry had it already."""
    category = _chosen_category(session, household, category_id)
    values: dict[str, int | None]
    if category.parent_id is not None:
        values = {"category_id": category.parent_id, "subcategory_id": category.id}
    else:
        values = {"category_id": category.id, "subcategory_id": None}
    if any(entry.kind != category.kind for entry in entries):
        message = (
            _l("This is an income category, and the selection has expenses: choose an expense category or select only income.")
            if category.kind == "income"
            else _l("This is an expense category, and the selection has income: choose an income category or select only expenses.")
        )
        raise FieldError("category", message)
    changed = [entry for entry in entries if (entry.category_id, entry.subcategory_id) != tuple(values.values())]
    if not changed:
        return None
    payload = values_payload("entries", changed, values)
    top, sub = values["category_id"], values["subcategory_id"]
    for entry in changed:
        entry.category_id = cast(int, top)
        entry.subcategory_id = sub
        audit.record(session, "entry.updated", object=entry, details={"category_id": category.id})
    session.flush()
    return create_record(
        session, household, user, kind="categorise", label=str(category.label), count=len(changed), payload=payload,
    )


def mark_paid_with_undo(
    session: Session, household: Household, user: User, entries: Sequence[Entry], paid_on: date,
) -> UndoRecord | None:
    """Mark the unpaid entries paid on `paid_on` (those already paid keep their day); None
    when all were paid already."""
    changed = [entry for entry in entries if entry.paid_on is None]
    if not changed:
        return None
    payload = values_payload("entries", changed, {"paid_on": paid_on})
    for entry in changed:
        set_entry_paid(session, entry, paid_on)
    return create_record(
        session, household, user, kind="mark_paid", label=paid_on.isoformat(), count=len(changed),
        payload=payload,
    )
