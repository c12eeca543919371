"""Installment purchases on a credit card (docs/cards.md): N entries that add up to the
purchase exactly, a month apart, each in its own statement, linked by one group."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from finora.errors import FieldError
from finora.extensions import db
from finora.models import Entry
from finora.services.ledger.card_statements import card_statements
from finora.services.ledger.entries import EntryData
from finora.services.ledger.installments import (
    create_installments,
    installment_group,
    split_amount,
)
from tests.ledger_factories import category, checking_account, household_of, make_account

NOW = datetime(2026, 3, 15, 15, tzinfo=UTC)
D = Decimal


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize(("amount", "count"), [("100.00", 3), ("0.05", 2), ("1999.99", 12), ("7.00", 48)])
def test_split_adds_up_exactly_with_the_cents_on_the_first(amount, count):
    parts = split_amount(D(amount), count)
    assert len(parts) == count and sum(parts) == D(amount)
    assert len(set(parts[1:])) == 1 and parts[0] >= parts[1]
    assert parts[0] - parts[1] < D("0.01") * count


def data(household, account, **overrides) -> EntryData:
    values = {
        "kind": "expense", "amount": D("1000.00"), "date": date(2026, 1, 31), "description": "TV",
        "account_id": account.id, "category_id": category(household, "expense.food").id,
        "payment_method": "credit_card", "paid_on": date(2026, 1, 31),
    }
    values.update(overrides)
    return EntryData(**values)


def test_installments_fall_one_per_statement(user):
    household = household_of(user)
    card = make_account(household, name="Visa", kind="credit_card", closing_day=25, due_day=5)
    entries = create_installments(db.session, household, data(household, card), 3)
    db.session.commit()
    assert [e.amount for e in entries] == [D("333.34"), D("333.33"), D("333.33")]
    assert [e.date for e in entries] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    assert [e.paid_on for e in entries] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    assert [e.description for e in entries] == ["TV 1/3", "TV 2/3", "TV 3/3"]
    assert len({e.installment_group for e in entries}) == 1
    assert [(e.installment_number, e.installment_count) for e in entries] == [(1, 3), (2, 3), (3, 3)]
    statements = {s.key: s.total for s in card_statements(db.session, card, date(2026, 3, 15))}
    # Jan 31 is after January's closing (25th): February's statement, then March, April.
    assert statements == {"2026-02": D("333.34"), "2026-03": D("333.33"), "2026-04": D("333.33")}
    assert installment_group(db.session, entries[1]) == entries


def test_unpaid_purchase_gives_unpaid_installments_and_a_long_description_is_cut(user):
    household = household_of(user)
    card = make_account(household, kind="credit_card")
    entries = create_installments(
        db.session, household, data(household, card, paid_on=None, description="x" * 200), 12
    )
    assert all(e.paid_on is None for e in entries)
    assert len(entries[11].description) == 200 and entries[11].description.endswith(" 12/12")


@pytest.mark.parametrize(
    ("count", "income", "amount", "field"),
    [
        (1, False, "1000.00", "installments"),
        (49, False, "1000.00", "installments"),
        (3, True, "1000.00", "installments"),
        (3, False, "0.02", "amount"),
    ],
)
def test_bad_installments_are_refused_and_nothing_is_written(user, count, income, amount, field):
    household = household_of(user)
    card = make_account(household, kind="credit_card")
    values = data(household, card, amount=D(amount))
    if income:
        values = data(household, card, kind="income", category_id=category(household, "income.work").id)
    with pytest.raises(FieldError) as error:
        create_installments(db.session, household, values, count)
    assert error.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Entry).where(Entry.account_id == card.id)) == 0


def test_installments_only_on_a_credit_card(user):
    household = household_of(user)
    with pytest.raises(FieldError) as error:
        create_installments(db.session, household, data(household, checking_account(household)), 3)
    assert error.value.field == "installments"
