"""Apply one categorisation rule to the past entries it would change, with Undo; delete a
rule with Undo.

Every changed entry gets every column the rule sets (category, payee, payment method; a
rule with a category leaves split entries alone) and the rule's tags it lacks; the record
(undo/rule_apply.py) puts the previous values back and takes exactly the added tags off
while nobody has changed those entries since."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.models import CategorisationRule, Category, Entry, Household, UndoRecord, User
from finora.services.ledger.categorisation import delete_rule
from finora.services.ledger.categorisation_preview import preview_rule, rule_targets
from finora.services.ledger.payees import payee_named
from finora.services.ledger.tags import parse_tags
from finora.services.undo.records import create_record
from finora.services.undo.rule_apply import Applied, Planned, apply_planned, record_applied
from finora.services.undo.snapshot import capture, table_named


def apply_rule(session: Session, household: Household, rule: CategorisationRule) -> Applied | None:
    """Give the entries the preview finds every column the rule sets and the tags it adds
    that they lack; None when no entry would change (the API's apply: no undo record)."""
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
    values: dict[str, Any] = dict(rule_targets(category))
    if rule.payee_name:
        payee = payee_named(session, household, rule.payee_name)
        values["payee_id"] = payee.id if payee else None
    if rule.payment_method:
        values["payment_method"] = rule.payment_method
    tags = parse_tags(rule.tags)
    plans = [Planned(entry, values, tags) for entry in entries]
    return apply_planned(session, household, plans, {"categorisation_rule": rule.id})


def apply_rule_with_undo(
    session: Session, household: Household, user: User, rule: CategorisationRule,
) -> UndoRecord | None:
    """apply_rule, kept for undo (the rule's page); None when no entry would change."""
    return record_applied(session, household, user, apply_rule(session, household, rule), rule.name)


def delete_rule_with_undo(
    session: Session, household: Household, user: User, rule: CategorisationRule,
) -> UndoRecord:
    """Delete the rule and keep it for undo (it comes back with its id and position)."""
    payload = capture(session, table_named("categorisation_rules"), [rule.id])
    name = rule.name
    delete_rule(session, rule)
    return create_record(session, household, user, kind="delete", label=name, count=1, payload=payload)
