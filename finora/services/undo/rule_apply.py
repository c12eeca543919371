"""Categorisation rules applied to entries that exist (one rule to the past entries it
would change, or the household's rules to a selection), and the undo of that.

Each changed entry gets the columns the rule(s) set and the rule's tags it lacks (as many
as still fit). The undo record keeps one values part (undo/values.py) per set of columns
written, the ids of the entry_tags rows inserted and of the tags created; undo deletes
exactly those links (tag_links.py: not a tag the entry had before) and puts the previous
columns back — refused whole while anything of it was changed since."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from finora.errors import FinoraError
from finora.models import Category, Entry, EntryTag, Household, UndoRecord, User
from finora.services.ledger.categorisation import categorise, household_matchers
from finora.services.ledger.categorisation_preview import rule_targets
from finora.services.ledger.payees import payee_key, payee_named
from finora.services.ledger.tags import tag_key, tag_keys_by_entry, tags_named, tags_to_add
from finora.services.system import audit
from finora.services.undo.applied import RULES_KIND
from finora.services.undo.records import create_record
from finora.services.undo.values import values_payload
from finora.translation import lazy_gettext as _l


class NoRulesError(FinoraError):
    message = _l("There is no enabled categorisation rule to apply: add one under Categories → Categorisation rules.")
    status = 409


@dataclass
class Planned:
    """What the rules give one entry: the columns to set and the tag names to add."""

    entry: Entry
    values: dict[str, Any] = field(default_factory=dict)
    tags: Sequence[str] = ()


@dataclass
class Applied:
    count: int  # entries changed
    payload: dict[str, Any]  # what undo needs


def apply_planned(session: Session, household: Household, plans: Sequence[Planned], details: dict) -> Applied | None:
    """Write the plans (only what differs; None when nothing does); flushes."""
    have = tag_keys_by_entry(session, [plan.entry.id for plan in plans if plan.tags])
    groups: dict[tuple, list[Entry]] = {}
    wanted: list[tuple[Entry, list[str]]] = []
    changed: dict[int, Entry] = {}
    for plan in plans:
        entry = plan.entry
        if any(getattr(entry, name) != value for name, value in plan.values.items()):
            # Names are unique, so sorting never compares the values.
            groups.setdefault(tuple(sorted(plan.values.items())), []).append(entry)
            changed[entry.id] = entry
        missing = tags_to_add(plan.tags, have.get(entry.id, set()))
        if missing:
            wanted.append((entry, missing))
            changed[entry.id] = entry
    if not changed:
        return None
    parts = [values_payload("entries", rows, dict(key)) for key, rows in groups.items()]
    for key, rows in groups.items():
        for entry in rows:
            for name, value in key:
                setattr(entry, name, value)
    tags = tags_named(session, household, [name for _, names in wanted for name in names])
    created = [tag for tag in tags if tag.id is None]  # added by tags_named, not flushed yet
    session.flush()
    by_key = {tag.name_key: tag for tag in tags}
    links = [EntryTag(entry_id=entry.id, tag_id=by_key[tag_key(name)].id) for entry, names in wanted for name in names]
    session.add_all(links)
    for entry in changed.values():
        audit.record(session, "entry.updated", object=entry, details=details)
    session.flush()
    payload = {
        "values": parts, "added": [link.id for link in links], "created_tags": [tag.id for tag in created],
        "entries": sorted(changed),
    }
    session.expire_all()
    return Applied(count=len(changed), payload=payload)


def record_applied(
    session: Session, household: Household, user: User, applied: Applied | None, label: str,
) -> UndoRecord | None:
    if applied is None:
        return None
    return create_record(
        session, household, user, kind=RULES_KIND, label=label, count=applied.count, payload=applied.payload,
    )


def plan_rules(session: Session, household: Household, entries: Sequence[Entry]) -> list[Planned]:
    """What the household's enabled rules, in order, give each entry (first match wins per
    field), only the columns that differ: an undo is refused only for a column it changed.
    A split entry keeps its categories (they live in its lines)."""
    matchers = household_matchers(session, household)
    if not matchers:
        raise NoRulesError()
    plans = []
    payees: dict[str, int | None] = {}  # payee key -> id: one look-up per name, not per entry
    for entry in entries:
        current_payee = entry.payee.name if entry.payee else None
        outcome = categorise(
            matchers, description=entry.description, payee=current_payee, amount=entry.amount,
            account_id=entry.account_id, kind=entry.kind,
        )
        values: dict[str, Any] = {}
        category_id = outcome.values.get("category")
        if isinstance(category_id, int) and not entry.is_split:
            targets = rule_targets(session.get(Category, category_id))
            if targets and (entry.category_id, entry.subcategory_id) != (
                    targets["category_id"], targets["subcategory_id"]):
                values.update(targets)
        payee = outcome.values.get("payee")
        key = payee_key(payee) if isinstance(payee, str) else None
        if isinstance(payee, str) and key and key != payee_key(current_payee or ""):
            if key not in payees:
                found = payee_named(session, household, payee)
                payees[key] = found.id if found else None
            values["payee_id"] = payees[key] or entry.payee_id
        method = outcome.values.get("payment_method")
        if isinstance(method, str) and method != entry.payment_method:
            values["payment_method"] = method
        tags = outcome.values.get("tags")
        plans.append(Planned(entry, values, tuple(tags) if isinstance(tags, tuple) else ()))
    return plans


def apply_rules_with_undo(
    session: Session, household: Household, user: User, entries: Sequence[Entry],
) -> UndoRecord | None:
    """Run the household's rules on the entries (the Transactions page's "Apply rules"):
    they change what the rules set, even a category chosen before. None when nothing
    changed; NoRulesError when no rule is enabled."""
    plans = plan_rules(session, household, entries)
    applied = apply_planned(session, household, plans, {"categorisation_rules": "applied"})
    return record_applied(session, household, user, applied, str(_l("Categorisation rules")))
