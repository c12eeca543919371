"""Backups and budget rollover: a budget's rollover setting, the start of its chain and its
opening carry come back from a household archive, and an archive made before rollover
existed restores its budgets with rollover off."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from finora.extensions import db
from finora.models import Budget
from finora.services.planning.budgets import budget_statuses
from tests.ledger_factories import category, make_entry
from tests.services.test_backup_household_roundtrip import (
    archive_of,
    full_household,
    restore_new,
    rewrite_archive,
)


def _rolled(household) -> Budget:
    budget = Budget(household_id=household.id, category_id=category(household, "expense.leisure").id,
                    period="monthly", amount=Decimal("100.00"), rollover=True,
                    rollover_since=date(2026, 2, 1), rollover_opening=Decimal("-12.34"))
    db.session.add(budget)
    db.session.commit()
    make_entry(household, category="expense.leisure", amount="30.00", date=date(2026, 2, 10))
    return budget


def _leisure(household_id: int) -> Budget:
    return db.session.scalar(select(Budget).join(Budget.category).where(
        Budget.household_id == household_id, Budget.category.has(code="expense.leisure")))


def test_a_rolled_over_budget_restores_with_its_setting(app, tmp_path):
    household, owner = full_household()
    _rolled(household)
    restored = restore_new(archive_of(household, tmp_path), tmp_path, owner)

    budget = _leisure(restored.id)
    assert (budget.rollover, budget.rollover_since, budget.rollover_opening) == (
        True, date(2026, 2, 1), Decimal("-12.34"))
    # The carry is worked out again from the restored entries: 100 − 12.34 − 30 into March.
    march = next(s for s in budget_statuses(db.session, restored, 2026, 3, date(2026, 3, 15))
                 if s.budget.id == budget.id)
    assert (march.carried, march.available) == (Decimal("57.66"), Decimal("157.66"))


def test_an_archive_from_before_rollover_restores_budgets_with_it_off(app, tmp_path):
    household, owner = full_household()
    _rolled(household)

    def older(tables):
        for obj in tables["budgets"]:
            for column in ("rollover", "rollover_since", "rollover_opening"):
                obj.pop(column)
        return tables

    path = rewrite_archive(archive_of(household, tmp_path), tmp_path / "old.zip", older, migration_head="0016")
    restored = restore_new(path, tmp_path, owner)

    budgets = db.session.scalars(select(Budget).where(Budget.household_id == restored.id)).all()
    assert budgets and {(b.rollover, b.rollover_since, b.rollover_opening) for b in budgets} == {
        (False, None, Decimal(0))}
