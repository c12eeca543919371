"""Which past entries one categorisation rule would change ("this rule would change 37
entries": a column it sets differs, or a tag it adds is missing): the amount, account and
kind are filtered in SQL, the text in Python (a regex cannot run the same way on every
engine), over the newest SCAN_LIMIT candidates at most; the tags of the matched entries
whose columns are right already are read in batches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.models import CategorisationRule, Category, Entry, Household, Payee
from finora.services.ledger.categorisation import matcher_for
from finora.services.ledger.payees import payee_key
from finora.services.ledger.tags import parse_tags, tag_keys_by_entry, tags_to_add

SCAN_LIMIT = 20000
SAMPLE_SIZE = 10


@dataclass
class Change:
    entry_id: int
    date: date
    description: str
    amount: Decimal
    kind: str


@dataclass
class Preview:
    changes: list[Change]
    scanned: int
    limited: bool  # more candidates than SCAN_LIMIT: only the newest were looked at

    @property
    def count(self) -> int:
        return len(self.changes)

    @property
    def sample(self) -> list[Change]:
        return self.changes[:SAMPLE_SIZE]


def rule_targets(category: Category | None) -> dict[str, object]:
    """The entry columns a rule's category sets (a subcategory brings its parent)."""
    if category is None:
        return {}
    if category.parent_id is not None:
        return {"category_id": category.parent_id, "subcategory_id": category.id}
    return {"category_id": category.id, "subcategory_id": None}


def preview_rule(session: Session, household: Household, rule: CategorisationRule) -> Preview:
    """The entries the rule matches and would change (any column it sets differs, or a tag
    it adds is missing and still fits)."""
    category = session.get(Category, rule.category_id) if rule.category_id else None
    matcher = matcher_for(rule, category)
    targets = rule_targets(category)
    query = (
        select(Entry.id, Entry.date, Entry.description, Entry.amount, Entry.kind, Entry.account_id,
               Entry.category_id, Entry.subcategory_id, Entry.payment_method, Entry.is_split, Payee.name)
        .outerjoin(Payee, Payee.id == Entry.payee_id)
        .where(Entry.household_id == household.id)
        .order_by(Entry.date.desc(), Entry.id.desc())
        .limit(SCAN_LIMIT + 1)
    )
    if matcher.kind is not None:
        query = query.where(Entry.kind == matcher.kind)
    if rule.account_id is not None:
        query = query.where(Entry.account_id == rule.account_id)
    if rule.min_amount is not None:
        query = query.where(Entry.amount >= rule.min_amount)
    if rule.max_amount is not None:
        query = query.where(Entry.amount <= rule.max_amount)
    rows = list(session.execute(query))
    limited = len(rows) > SCAN_LIMIT
    tags = parse_tags(rule.tags)
    matched: list[tuple[Change, bool]] = []  # and whether a column differs
    for row in rows[:SCAN_LIMIT]:
        (entry_id, day, description, amount, kind, account_id, category_id, subcategory_id,
         payment_method, is_split, payee_name) = row
        # A split entry's category lives in its lines: a rule with a category leaves it alone.
        if (targets and is_split) or not matcher.matches(
                description=description, payee=payee_name, amount=amount, account_id=account_id, kind=kind):
            continue
        differs = False
        if targets and (category_id, subcategory_id) != (
                targets["category_id"], targets["subcategory_id"]):
            differs = True
        if rule.payee_name and payee_key(payee_name or "") != payee_key(rule.payee_name):
            differs = True
        if rule.payment_method and payment_method != rule.payment_method:
            differs = True
        if differs or tags:
            matched.append((Change(entry_id, day, description, amount, kind), differs))
    # The tags: only the entries whose columns are already right are looked up.
    have = tag_keys_by_entry(session, [change.entry_id for change, differs in matched if not differs])
    changes = [change for change, differs in matched
               if differs or tags_to_add(tags, have.get(change.entry_id, set()))]
    return Preview(changes=changes, scanned=min(len(rows), SCAN_LIMIT), limited=limited)
