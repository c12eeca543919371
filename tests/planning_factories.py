"""Rules for the planning tests, created as a household would have them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from finora.extensions import db
from finora.models import Account, Category, RecurringRule


def make_rule(household, **overrides) -> RecurringRule:
    # The household's first account (the "Checking account" it starts with): ordered, since
    # without ORDER BY PostgreSQL may return a later account after an update moved rows.
    account = db.session.scalar(
        select(Account).where(Account.household_id == household.id).order_by(Account.id)
    )
    kind = overrides.get("kind", "expense")
    code = overrides.pop("category_code", "expense.housing" if kind == "expense" else "income.work")
    category = db.session.scalar(
        select(Category).where(Category.household_id == household.id, Category.code == code)
    )
    values = {
        "household_id": household.id,
        "name": "Rent",
        "kind": kind,
        "amount": Decimal("1500.00"),
        "account_id": account.id,
        "category_id": category.id,
        "payment_method": "bank_transfer",
        "frequency": "monthly",
        "anchor_date": date(2026, 1, 10),
        "business_day_policy": "none",
        "auto_post": True,
    }
    values.update(overrides)
    rule = RecurringRule(**values)
    db.session.add(rule)
    db.session.commit()
    return rule
