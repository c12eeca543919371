"""Backups and credit cards (docs/cards.md): a card's statement days and limit and an
installment purchase come back from a household archive with the same statements, and an
archive made before cards had them restores its accounts without statement days."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from finora.extensions import db
from finora.models import Account, Entry
from finora.services.ledger.card_statements import card_statements
from finora.services.ledger.entries import EntryData
from finora.services.ledger.installments import create_installments
from tests.ledger_factories import category, make_account
from tests.services.test_backup_household_roundtrip import (
    archive_of,
    full_household,
    restore_new,
    rewrite_archive,
)

TODAY = date(2026, 3, 15)


def _card_with_installments(household) -> Account:
    card = make_account(household, name="Visa card", kind="credit_card", closing_day=31, due_day=7,
                        credit_limit="4500.50")
    create_installments(db.session, household, EntryData(
        kind="expense", amount=Decimal("1000.00"), date=date(2026, 2, 14), description="Sofa",
        account_id=card.id, category_id=category(household, "expense.food").id,
        payment_method="credit_card", paid_on=date(2026, 2, 14),
    ), 6)
    db.session.commit()
    return card


def _card(household_id: int) -> Account:
    return db.session.scalar(select(Account).where(Account.household_id == household_id,
                                                   Account.name == "Visa card"))


def _shape(statements):
    return [(s.key, s.closing, s.due, s.total, s.paid, s.status) for s in statements]


def test_a_card_and_its_installments_restore_with_the_same_statements(app, tmp_path):
    household, owner = full_household()
    card = _card_with_installments(household)
    before = _shape(card_statements(db.session, card, TODAY))
    restored = restore_new(archive_of(household, tmp_path), tmp_path, owner)

    copy = _card(restored.id)
    assert (copy.closing_day, copy.due_day, copy.credit_limit) == (31, 7, Decimal("4500.50"))
    entries = db.session.scalars(select(Entry).where(Entry.account_id == copy.id).order_by(Entry.date)).all()
    assert [(e.description, e.amount, e.installment_number, e.installment_count) for e in entries] == [
        (f"Sofa {k}/6", Decimal("166.70") if k == 1 else Decimal("166.66"), k, 6) for k in range(1, 7)]
    assert len({e.installment_group for e in entries}) == 1 and entries[0].installment_group
    assert _shape(card_statements(db.session, copy, TODAY)) == before
    assert len(before) == 6


def test_an_archive_from_before_cards_restores_accounts_without_statement_days(app, tmp_path):
    household, owner = full_household()
    _card_with_installments(household)

    def older(tables):
        for obj in tables["accounts"]:
            for column in ("closing_day", "due_day", "credit_limit"):
                obj.pop(column)
        for obj in tables["entries"]:
            for column in ("installment_group", "installment_number", "installment_count"):
                obj.pop(column)
        return tables

    path = rewrite_archive(archive_of(household, tmp_path), tmp_path / "old.zip", older, migration_head="0018")
    restored = restore_new(path, tmp_path, owner)
    copy = _card(restored.id)
    assert (copy.closing_day, copy.due_day, copy.credit_limit) == (None, None, None)
    assert card_statements(db.session, copy, TODAY) == []
    first = db.session.scalar(select(Entry).where(Entry.account_id == copy.id).order_by(Entry.id))
    assert first.installment_group is None
