"""Apply one categorisation rule to the past entries it would change, with Undo.

Every changed entry gets every field the rule sets (category, payee, payment method; a
rule with a category leaves split entries alone), so one bulk-edit record (undo/values.py) puts the
previous values back while nobody has changed those entries since."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.models import CategorisationRule, Category, Entry, Household, UndoRecord, User
from finora.services.ledger.categorisation import delete_rule
from finora.services.ledger.categorisation_preview import preview_rule, rule_targets
from finora.services.ledger.payees import payee_named
from finora.services.system import audit
from finora.services.undo.records import create_record
from finora.services.undo.snapshot import capture, table_named
from finora.services.undo.values import values_payload


def apply_rule_with_undo(
    session: Session, household: Household, user: User, rule: CategorisationRule,
) -> UndoRecord | None:
    """None when no entry would change."""
    preview = preview_rule(session, household, rule)
    if not preview.count:
        return None
    ids = [change.entry_id for change in preview.changes]
    entries: list[Entry] = []
    for start in range(0, len(ids), 500):  # bounded IN lists on every engine
        entries += session.scalars(
            select(Entry).where(Entry.household_id == household.id, Entry.id.in_(ids[start:start + 500]))
        )
    category = session.get(Category, rule.category_id) if rule.category_id else None
    values: dict[str, Any] = {}
    if rule.payee_name:
        payee = payee_named(session, household, rule.payee_name)
        values["payee_id"] = payee.id if payee else None
    if rule.payment_method:
        values["payment_method"] = rule.payment_method
    new_values = {**rule_targets(category), **values}
    rows = entries
    payload = values_payload("entries", rows, new_values)
    for entry in rows:
        for name, value in new_values.items():
            setattr(entry, name, value)
        audit.record(session, "entry.updated", object=entry, details={"categorisation_rule": rule.id})
    session.flush()
    session.expire_all()
    return create_record(
        session, household, user, kind="categorise", label=rule.name, count=len(rows), payload=payload,
    )


def delete_rule_with_undo(
    session: Session, household: Household, user: User, rule: CategorisationRule,
) -> UndoRecord:
    """Delete the rule and keep it for undo (it comes back with its id and position)."""
    payload = capture(session, table_named("categorisation_rules"), [rule.id])
    name = rule.name
    delete_rule(session, rule)
    return create_record(session, household, user, kind="delete", label=name, count=1, payload=payload)
